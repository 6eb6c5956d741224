package dev.vane.gateway.http;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: 32 lowercase hex digits (128 random bits), W3C trace-id shaped. */
public final class RequestIds {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  /** Longest client-sent request id kept. */
  public static final int MAX_CLIENT_LENGTH = 200;

  /**
   * The client's {@code X-Request-Id} when it is sane (1 to {@value #MAX_CLIENT_LENGTH} visible ASCII characters,
   * so it is safe in a header, a log line and a JSON string), else a new id.
   */
  public static String fromClient(String header) {
    if (header == null || header.isEmpty() || header.length() > MAX_CLIENT_LENGTH) {
      return next();
    }
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return next();
      }
    }
    return header;
  }

  public static String next() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] c = new char[32];
    long a = r.nextLong();
    long b = r.nextLong();
    for (int i = 0; i < 16; i++) {
      c[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
      c[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
    }
    return new String(c);
  }
}
