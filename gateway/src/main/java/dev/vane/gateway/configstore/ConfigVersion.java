package dev.vane.gateway.configstore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One stored version of the config document.
 *
 * @param number  1 for the first version, one more for each next one
 * @param hash    lowercase hex SHA-256 of the content's UTF-8 bytes ({@link #hashOf})
 * @param author  who wrote it ({@code file} for a version found on disk)
 * @param time    when it was stored, on the storing instance's clock
 * @param message why (may be empty, never null)
 * @param summary what changed, in a line (may be empty, never null)
 * @param content the document's UTF-8 text (YAML or JSON) as written, or null in history listings
 */
public record ConfigVersion(long number, String hash, String author, Instant time, String message, String summary,
    String content) {

  public ConfigVersion {
    if (number < 1) {
      throw new IllegalArgumentException("number: " + number + " (expected: >= 1)");
    }
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(time, "time");
    message = message == null ? "" : message;
    summary = summary == null ? "" : summary;
  }

  /** A new version of {@code content}, its hash computed. */
  public static ConfigVersion of(long number, String author, Instant time, String message, String summary,
      String content) {
    return new ConfigVersion(number, hashOf(content), author, time, message, summary, content);
  }

  /** Lowercase hex SHA-256 of {@code content}'s UTF-8 bytes. */
  public static String hashOf(String content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** This version with its content null, for history listings. */
  public ConfigVersion withoutContent() {
    return content == null ? this : new ConfigVersion(number, hash, author, time, message, summary, null);
  }
}
