package dev.vane.config;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The table of hostile and malformed configs in {@code hostile-configs.txt} (format described at its top), shared by
 * the config module's tests and, through the test jar, the gateway's.
 */
public final class HostileConfigs {
  /** The one secret the table uses: no error message may contain it. */
  public static final String SECRET = "hunter2";

  /** A valid config with two endpoints, what {@code {{E}}} stands for. */
  public static final String ENDPOINTS = """
      endpoints:
        - { id: a, url: "http://127.0.0.1:1" }
        - { id: b, url: "http://127.0.0.1:2" }
      """;

  private static final Pattern REPEAT = Pattern.compile("\\{\\{repeat (\\d+)\\|(.*?)}}(?!})");

  /**
   * One case.
   *
   * @param name     what it tries
   * @param bytes    the file's bytes
   * @param env      environment variables the loader sees
   * @param expected the error it must produce, as {@link ConfigError#toString()} prints it
   * @param gateway  whether the gateway's end-to-end test runs it too
   */
  public record Case(String name, byte[] bytes, Map<String, String> env, String expected, boolean gateway) {
    @Override
    public String toString() {
      return name;
    }
  }

  private HostileConfigs() {}

  public static List<Case> all() {
    String text;
    try (InputStream in = HostileConfigs.class.getResourceAsStream("/hostile-configs.txt")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Case> out = new ArrayList<>();
    String[] blocks = text.split("(?m)^=== ", -1);
    for (int i = 1; i < blocks.length; i++) {
      String block = blocks[i];
      int sep = block.indexOf("\n---\n");
      if (sep < 0) {
        throw new IllegalStateException("case without ---: " + block);
      }
      String[] head = block.substring(0, sep).split("\n");
      String body = block.substring(sep + 5);
      Map<String, String> env = new LinkedHashMap<>();
      String expected = null;
      boolean escaped = false;
      boolean gateway = false;
      for (int h = 1; h < head.length; h++) {
        String line = head[h];
        if (line.startsWith("env: ")) {
          String kv = line.substring(5);
          env.put(kv.substring(0, kv.indexOf('=')), unescape(kv.substring(kv.indexOf('=') + 1)));
        } else if (line.equals("bytes: escaped")) {
          escaped = true;
        } else if (line.equals("gateway: yes")) {
          gateway = true;
        } else if (line.startsWith("expect: ")) {
          expected = expand(line.substring(8));
        } else {
          throw new IllegalStateException("unknown header line in " + head[0] + ": " + line);
        }
      }
      if (expected == null) {
        throw new IllegalStateException("case without expect: " + head[0]);
      }
      body = expand(body.replace("{{E}}", ENDPOINTS));
      out.add(new Case(head[0].strip(), escaped ? bytes(body) : body.getBytes(StandardCharsets.UTF_8), Map.copyOf(env),
          expected, gateway));
    }
    return out;
  }

  private static String expand(String body) {
    Matcher m = REPEAT.matcher(body);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement(m.group(2).repeat(Integer.parseInt(m.group(1)))));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** The body's characters as UTF-8, except that {@code \xHH} is the raw byte HH. */
  private static byte[] bytes(String body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < body.length()) {
      if (body.startsWith("\\x", i) && i + 4 <= body.length()) {
        out.write(Integer.parseInt(body.substring(i + 2, i + 4), 16));
        i += 4;
      } else {
        int cp = body.codePointAt(i);
        out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
        i += Character.charCount(cp);
      }
    }
    return out.toByteArray();
  }

  private static String unescape(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 == s.length()) {
        sb.append(c);
        continue;
      }
      char n = s.charAt(++i);
      switch (n) {
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> sb.append(n);
      }
    }
    return sb.toString();
  }
}
