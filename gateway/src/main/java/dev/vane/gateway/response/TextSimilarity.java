package dev.vane.gateway.response;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * How alike two text answers are, for shadow comparison of OpenAI-style responses: the first choice's text
 * ({@code choices[0].message.content} or {@code choices[0].text} of a JSON body; the concatenated
 * {@code choices[0].delta.content} of a server-sent-event stream, once it has ended), then
 * <ul>
 *   <li>{@link #editSimilarity}: 1 - Levenshtein distance / the longer length, over UTF-16 units of the first
 *       {@value #MAX_CHARS} characters of each (1 for two empty texts);</li>
 *   <li>{@link #tokenOverlap}: Jaccard index of the sets of lower-cased whitespace-separated tokens (1 for two
 *       empty sets).</li>
 * </ul>
 */
public final class TextSimilarity {
  /** Characters compared by the edit similarity at most: its cost is quadratic (4M steps at this bound). */
  public static final int MAX_CHARS = 2000;
  private static final JsonFactory JSON = new JsonFactory();

  private TextSimilarity() {}

  /** The first choice's text of a JSON body or an event stream, or null when it has none. */
  public static String firstChoiceText(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    int i = 0;
    while (i < body.length && Character.isWhitespace(body[i])) {
      i++;
    }
    return i < body.length && body[i] == '{' ? jsonText(body) : streamText(body);
  }

  private static String jsonText(byte[] body) {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (name.equals("choices") && t == JsonToken.START_ARRAY) {
          return choiceText(p, "message");
        }
        p.skipChildren();
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Reads the started choices array's first element: its {@code container.content} or {@code text}, or null. */
  private static String choiceText(JsonParser p, String container) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return null;
    }
    String text = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (name.equals("text") && v == JsonToken.VALUE_STRING) {
        text = p.getText();
      } else if (name.equals(container) && v == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String f = p.currentName();
          JsonToken fv = p.nextToken();
          if (f.equals("content") && fv == JsonToken.VALUE_STRING) {
            text = p.getText();
          } else {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
    }
    return text;
  }

  private static String streamText(byte[] body) {
    StringBuilder sb = new StringBuilder();
    boolean any = false;
    for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
      String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      if (!l.startsWith("data:")) {
        continue;
      }
      String data = l.substring(l.startsWith("data: ") ? 6 : 5);
      if (data.equals("[DONE]")) {
        continue;
      }
      try (JsonParser p = JSON.createParser(data)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          continue;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken t = p.nextToken();
          if (name.equals("choices") && t == JsonToken.START_ARRAY) {
            String piece = choiceText(p, "delta");
            if (piece != null) {
              sb.append(piece);
              any = true;
            }
            break;
          }
          p.skipChildren();
        }
      } catch (IOException | RuntimeException e) {
        // a bad event adds nothing
      }
    }
    return any ? sb.toString() : null;
  }

  /** 1 - Levenshtein(a, b) / max(|a|, |b|) over the first {@value #MAX_CHARS} characters; 1 when both are empty. */
  public static double editSimilarity(String a, String b) {
    String x = a.length() > MAX_CHARS ? a.substring(0, MAX_CHARS) : a;
    String y = b.length() > MAX_CHARS ? b.substring(0, MAX_CHARS) : b;
    int n = x.length();
    int m = y.length();
    if (Math.max(n, m) == 0) {
      return 1;
    }
    int[] prev = new int[m + 1];
    int[] cur = new int[m + 1];
    for (int j = 0; j <= m; j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= n; i++) {
      cur[0] = i;
      char c = x.charAt(i - 1);
      for (int j = 1; j <= m; j++) {
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (c == y.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return 1 - prev[m] / (double) Math.max(n, m);
  }

  /** |A ∩ B| / |A ∪ B| of the lower-cased whitespace-separated token sets; 1 when both are empty. */
  public static double tokenOverlap(String a, String b) {
    Set<String> x = tokens(a);
    Set<String> y = tokens(b);
    if (x.isEmpty() && y.isEmpty()) {
      return 1;
    }
    Set<String> both = new HashSet<>(x);
    both.retainAll(y);
    return both.size() / (double) (x.size() + y.size() - both.size());
  }

  private static Set<String> tokens(String s) {
    Set<String> out = new HashSet<>();
    for (String t : s.toLowerCase(Locale.ROOT).split("\\s+")) {
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }
}
