package dev.vane.gateway;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: 32 lowercase hex digits (128 random bits), W3C trace-id shaped. */
final class RequestIds {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  static String next() {
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

  /** Whether a client-sent id may be kept: visible ASCII only (it is echoed in headers, JSON and logs). */
  static boolean isSafe(String id) {
    for (int i = 0, n = id.length(); i < n; i++) {
      char ch = id.charAt(i);
      if (ch <= 0x20 || ch >= 0x7f) {
        return false;
      }
    }
    return true;
  }
}
