package dev.vane.config.edit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import dev.vane.config.Redaction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What changed between two config versions, for people: a unified diff of the texts and a one-line summary by
 * section. Both work on the raw document text (before substitution), so a value from the environment only ever
 * shows as its {@code ${NAME}}, and every line passes through {@link Redaction#text} so URI passwords written in
 * the file show as {@code ***}.
 */
public final class ConfigDiff {
  private ConfigDiff() {}

  /** Lines of a diff shown by {@link #unified(String, String, String, String)}. */
  public static final int DEFAULT_MAX_LINES = 400;
  /** Leaf paths listed per changed item before "and N more". */
  static final int MAX_PATHS = 3;
  private static final int MAX_VALUE_CHARS = 60;

  /** {@link #unified(String, String, String, String, int)} with at most {@link #DEFAULT_MAX_LINES} lines. */
  public static String unified(String fromText, String toText, String fromName, String toName) {
    return unified(fromText, toText, fromName, toName, DEFAULT_MAX_LINES);
  }

  /**
   * A unified diff (3 lines of context) from {@code fromText} to {@code toText}, each line redacted, one per line
   * with a final line break; the empty string when the texts are equal. A diff longer than {@code maxLines} is cut
   * to its first {@code maxLines} lines and a last line {@code ... N more lines not shown}.
   *
   * @param maxLines at least 1
   */
  public static String unified(String fromText, String toText, String fromName, String toName, int maxLines) {
    Objects.requireNonNull(fromText, "fromText");
    Objects.requireNonNull(toText, "toText");
    if (maxLines < 1) {
      throw new IllegalArgumentException("maxLines: " + maxLines + " (expected: >= 1)");
    }
    List<String> from = fromText.lines().toList();
    List<String> to = toText.lines().toList();
    Patch<String> patch = DiffUtils.diff(from, to);
    if (patch.getDeltas().isEmpty()) {
      return "";
    }
    List<String> lines = UnifiedDiffUtils.generateUnifiedDiff(fromName, toName, from, patch, 3);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(maxLines, lines.size()); i++) {
      sb.append(Redaction.text(lines.get(i))).append('\n');
    }
    if (lines.size() > maxLines) {
      sb.append("... ").append(lines.size() - maxLines).append(" more lines not shown\n");
    }
    return sb.toString();
  }

  /**
   * A one-line summary of what changed, by top-level section in document order, sections separated by "; ".
   * Lists of items with an {@code id} (experiments, endpoints, routes) say which items were added, removed or
   * changed, a changed item with up to {@link #MAX_PATHS} of its changed leaf paths ({@code canary.percent 5 -> 25})
   * then "and N more"; other sections say "changed", "added" or "removed". "no changes" when the trees are equal
   * (a change of comments or layout only). Values are redacted and cut.
   *
   * @throws EditException INVALID when either text is not a YAML mapping
   */
  public static String summary(String fromText, String toText) {
    ObjectNode from = Documents.read(fromText);
    ObjectNode to = Documents.read(toText);
    Set<String> sections = new LinkedHashSet<>();
    from.fieldNames().forEachRemaining(sections::add);
    to.fieldNames().forEachRemaining(sections::add);
    List<String> parts = new ArrayList<>();
    for (String section : sections) {
      JsonNode a = from.get(section);
      JsonNode b = to.get(section);
      if (Objects.equals(a, b)) {
        continue;
      }
      if (a == null || b == null) {
        parts.add(section + (a == null ? " added" : " removed"));
      } else if (keyed(a) && keyed(b)) {
        parts.add(section + ": " + String.join(", ", items(a, b)));
      } else {
        parts.add(section + " changed");
      }
    }
    return Redaction.text(parts.isEmpty() ? "no changes" : String.join("; ", parts));
  }

  /** Whether {@code n} is a list whose items all have an id. */
  private static boolean keyed(JsonNode n) {
    if (!n.isArray()) {
      return false;
    }
    for (JsonNode item : n) {
      if (!item.isObject() || !item.hasNonNull("id")) {
        return false;
      }
    }
    return true;
  }

  private static List<String> items(JsonNode from, JsonNode to) {
    Map<String, JsonNode> a = byId(from);
    Map<String, JsonNode> b = byId(to);
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : a.entrySet()) {
      JsonNode now = b.get(e.getKey());
      if (now == null) {
        out.add(e.getKey() + " removed");
      } else if (!now.equals(e.getValue())) {
        List<String> paths = new ArrayList<>();
        leaves("", e.getValue(), now, paths);
        String shown = String.join(", ", paths.subList(0, Math.min(MAX_PATHS, paths.size())));
        if (paths.size() > MAX_PATHS) {
          shown += " and " + (paths.size() - MAX_PATHS) + " more";
        }
        out.add(e.getKey() + " changed (" + shown + ")");
      }
    }
    for (String id : b.keySet()) {
      if (!a.containsKey(id)) {
        out.add(id + " added");
      }
    }
    if (out.isEmpty()) {
      out.add("reordered");
    }
    return out;
  }

  private static Map<String, JsonNode> byId(JsonNode list) {
    Map<String, JsonNode> m = new LinkedHashMap<>();
    for (JsonNode item : list) {
      m.putIfAbsent(text(item.get("id")), item);
    }
    return m;
  }

  /** The changed leaf paths under {@code path}: "a.b 1 -> 2", "a.c added", "a.d removed". */
  private static void leaves(String path, JsonNode a, JsonNode b, List<String> out) {
    if (Objects.equals(a, b)) {
      return;
    }
    if (a == null || b == null) {
      boolean leaf = (a == null ? b : a).isValueNode() || (a == null ? b : a) instanceof POJONode;
      out.add(leaf ? path + " " + (a == null ? "none" : text(a)) + " -> " + (b == null ? "none" : text(b))
          : path + (a == null ? " added" : " removed"));
      return;
    }
    if (a.isObject() && b.isObject()) {
      Set<String> keys = new LinkedHashSet<>();
      a.fieldNames().forEachRemaining(keys::add);
      b.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        leaves(path.isEmpty() ? k : path + "." + k, a.get(k), b.get(k), out);
      }
    } else if (a.isArray() && b.isArray() && a.size() == b.size()) {
      for (int i = 0; i < a.size(); i++) {
        leaves(path + "[" + i + "]", a.get(i), b.get(i), out);
      }
    } else if (!a.isContainerNode() && !b.isContainerNode()) {
      out.add(path + " " + text(a) + " -> " + text(b));
    } else {
      out.add(path + " changed");
    }
  }

  /** A scalar as written (a placeholder as {@code ${NAME}}), redacted, cut to {@value #MAX_VALUE_CHARS} characters. */
  private static String text(JsonNode n) {
    String s;
    if (n == null) {
      s = "";
    } else if (n instanceof POJONode p) {
      s = String.valueOf(p.getPojo());
    } else if (n.isBigDecimal()) {
      s = n.decimalValue().stripTrailingZeros().toPlainString();
    } else {
      s = n.asText();
    }
    s = Redaction.text(s); // before cutting: a cut URI could lose the '@' that marks its password
    return s.length() <= MAX_VALUE_CHARS ? s : s.substring(0, MAX_VALUE_CHARS - 1) + "…";
  }
}
