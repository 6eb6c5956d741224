package dev.vane.gateway.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code X-Vane-Signature} of an outgoing webhook call, the pattern of GitHub's and Stripe's webhooks:
 * {@code sha256=<lower-case hex of HMAC-SHA256(secret, "<timestamp>.<body>")>}, where {@code timestamp} is the
 * {@code X-Vane-Timestamp} header (epoch seconds, as decimal ASCII) and {@code body} the exact bytes of the request
 * body; the secret is the configured string's UTF-8 bytes. Binding the timestamp lets a receiver refuse replays of
 * an old call (e.g. older than 5 minutes); a retry of one event carries the same {@code X-Vane-Delivery} but a fresh
 * timestamp and signature. Receivers should compare in constant time ({@code MessageDigest.isEqual}).
 *
 * <p>Not thread-safe: one instance per thread (or event loop).
 */
public final class WebhookSignature {
  /** The header's value prefix, naming the algorithm. */
  public static final String PREFIX = "sha256=";
  private final Mac mac;

  /** @param secret the shared secret, non-empty */
  public WebhookSignature(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("secret: empty (expected: a non-empty key, or no signer for unsigned calls)");
    }
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      // every Java SE runtime has HmacSHA256; the message never holds the key
      throw new IllegalStateException("HmacSHA256 unavailable: " + e.getClass().getSimpleName());
    }
  }

  /** The header value for a call sent at {@code epochSeconds} with {@code body}. */
  public String sign(long epochSeconds, byte[] body) {
    mac.reset();
    mac.update(Long.toString(epochSeconds).getBytes(StandardCharsets.US_ASCII));
    mac.update((byte) '.');
    mac.update(body);
    return PREFIX + HexFormat.of().formatHex(mac.doFinal());
  }
}
