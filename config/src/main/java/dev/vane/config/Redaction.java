package dev.vane.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that decides what a secret looks like when Vane shows or logs a value: URI credentials and values
 * substituted from the environment. Everything that prints a configured URI or a config error goes through here.
 */
public final class Redaction {
  /** What a hidden secret is shown as. */
  public static final String MASK = "***";
  /** Shortest substituted value hidden in error messages. */
  static final int MIN_MASKED = 4;

  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://");

  private Redaction() {}

  /**
   * A URI for display: the password of its user info becomes {@code ***} ({@code http://admin:***@host:9001/x},
   * {@code redis://:***@host:6379/0}); user info without a colon is taken for a token and hidden whole
   * ({@code https://***@host/}, as Lettuce reads {@code redis://secret@host} as a password). Works on malformed
   * URIs too: the user info is what lies between {@code ://} and the last {@code @} before the first {@code /}
   * (so a raw {@code ?}, {@code #} or {@code @} in a password is still hidden). Null stays null; a string without
   * {@code ://} is returned as it is.
   */
  public static String uri(String uri) {
    if (uri == null) {
      return null;
    }
    Matcher m = SCHEME.matcher(uri);
    return m.lookingAt() ? redactFrom(uri, m.end()) : uri;
  }

  /** {@link #uri(String)} of {@code uri.toString()}. */
  public static String uri(URI uri) {
    return uri == null ? null : uri(uri.toString());
  }

  /**
   * Free text (an exception message, a config error) with the credentials of every {@code scheme://user:pw@}
   * inside it hidden as {@link #uri(String)} does; a URI there ends at white space or a quote.
   */
  public static String text(String text) {
    if (text == null || text.indexOf("://") < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    Matcher m = SCHEME.matcher(text);
    int done = 0;
    while (m.find(done)) {
      int end = m.end();
      while (end < text.length() && !isTokenEnd(text.charAt(end))) {
        end++;
      }
      out.append(text, done, m.start());
      String token = text.substring(m.start(), end);
      out.append(redactFrom(token, m.end() - m.start()));
      done = end;
    }
    out.append(text, done, text.length());
    return out.toString();
  }

  /**
   * {@code text} with every value substituted from the environment replaced by its {@code ${NAME}}, the longest
   * first, wherever it occurs. Values shorter than {@link #MIN_MASKED} characters are left alone: they cannot be
   * secrets worth the name, and hiding a {@code 1} would turn {@code endpoints[1]} and {@code 1..64} into riddles.
   *
   * @param substituted value → variable name
   */
  static String substituted(String text, Map<String, String> substituted) {
    if (text == null || substituted.isEmpty()) {
      return text;
    }
    List<String> values = new ArrayList<>();
    for (String v : substituted.keySet()) {
      if (v.length() >= MIN_MASKED) {
        values.add(v);
      }
    }
    if (values.isEmpty()) {
      return text;
    }
    values.sort(Comparator.comparingInt(String::length).reversed());
    StringBuilder re = new StringBuilder();
    for (String v : values) {
      re.append(re.length() > 0 ? "|" : "").append(Pattern.quote(v));
    }
    Matcher m = Pattern.compile(re.toString()).matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement("${" + substituted.get(m.group()) + "}"));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static boolean isTokenEnd(char c) {
    return Character.isWhitespace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`';
  }

  /** {@code s} with the user info after {@code start} (just past "://") redacted. */
  private static String redactFrom(String s, int start) {
    int slash = s.indexOf('/', start);
    int authorityEnd = slash < 0 ? s.length() : slash;
    int at = s.lastIndexOf('@', authorityEnd - 1);
    if (at < start) {
      return s;
    }
    String userInfo = s.substring(start, at);
    int colon = userInfo.indexOf(':');
    String shown = colon < 0 ? MASK : userInfo.substring(0, colon + 1) + MASK;
    return s.substring(0, start) + shown + s.substring(at);
  }
}
