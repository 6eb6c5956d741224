package dev.vane.gateway.configstore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * One stored version of the config document.
 *
 * @param number  1, 2, 3, ... in the order written
 * @param hash    lowercase hex SHA-256 of the content's UTF-8 bytes
 * @param author  who wrote it (a token's name, {@code file} for a change on disk)
 * @param time    when it was written
 * @param message why, as the author said
 * @param summary what changed, in a line
 * @param content the document's text (YAML or JSON, as written), or null in history listings
 */
public record ConfigVersion(long number, String hash, String author, Instant time, String message, String summary,
    String content) {

  /** The same version without its content. */
  public ConfigVersion withoutContent() {
    return new ConfigVersion(number, hash, author, time, message, summary, null);
  }

  /** Lowercase hex SHA-256 of the UTF-8 bytes of {@code content}. */
  public static String hashOf(String content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
