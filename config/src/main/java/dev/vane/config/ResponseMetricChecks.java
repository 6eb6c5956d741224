package dev.vane.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The rules of an experiment's {@code responseMetrics} that the schema cannot state: a pointer in RFC 6901 syntax,
 * a known built-in, no {@code aggregate} beside a built-in, {@code calibrates} naming a declared binary metric,
 * a {@code driftReference} above 0, names unique and distinct from the outcome metrics'
 * (results show both side by side, by name).
 */
final class ResponseMetricChecks {
  private ResponseMetricChecks() {}

  static void check(JsonNode experiment, String at, BiConsumer<String, String> error) {
    JsonNode list = experiment.get("responseMetrics");
    if (list == null || !list.isArray()) {
      return;
    }
    Set<String> feedback = new HashSet<>();
    Set<String> binary = new HashSet<>();
    JsonNode metrics = experiment.get("metrics");
    for (int i = 0; metrics != null && metrics.isArray() && i < metrics.size(); i++) {
      JsonNode n = metrics.get(i).get("name");
      if (n != null && n.isTextual()) {
        feedback.add(n.asText());
        JsonNode kind = metrics.get(i).get("kind");
        if (kind != null && kind.isTextual() && kind.asText().equals("binary")) {
          binary.add(n.asText());
        }
      }
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode m = list.get(i);
      if (!m.isObject()) {
        continue;
      }
      String mat = at + ".responseMetrics[" + i + "]";
      JsonNode name = m.get("name");
      if (name != null && name.isTextual()) {
        if (feedback.contains(name.asText())) {
          error.accept(mat + ".name", Values.quote(name.asText()) + " (expected: a name other than the "
              + "experiment's metrics', which feedback reports to)");
        } else if (!names.add(name.asText())) {
          error.accept(mat + ".name", Values.quote(name.asText())
              + " (expected: unique among the experiment's responseMetrics)");
        }
      }
      JsonNode pointer = m.get("pointer");
      if (pointer != null && pointer.isTextual()) {
        String why = pointerError(pointer.asText());
        if (why != null) {
          error.accept(mat + ".pointer", Values.quote(pointer.asText()) + " (expected: a JSON pointer (RFC 6901) "
              + why + ")");
        }
      }
      JsonNode reference = m.get("driftReference");
      if (reference != null && (reference.isNumber() ? reference.asDouble() == 0
          : reference.isTextual() && reference.asText().matches("\\s*0+(\\.0+)?\\s*(ms|s|m|h|d)?\\s*"))) {
        error.accept(mat + ".driftReference", Values.quote(reference.asText())
            + " (expected: a duration above 0, the length of each arm's reference window)");
      }
      JsonNode calibrates = m.get("calibrates");
      if (calibrates != null && calibrates.isTextual() && !binary.contains(calibrates.asText())) {
        error.accept(mat + ".calibrates", Values.quote(calibrates.asText()) + " (expected: one of the experiment's "
            + "binary metrics " + new java.util.TreeSet<>(binary) + ")");
      }
      JsonNode builtin = m.get("builtin");
      if (builtin != null && builtin.isTextual()) {
        if (Analysis.Builtin.of(builtin.asText()) == null) {
          List<String> ids = new ArrayList<>();
          for (Analysis.Builtin b : Analysis.Builtin.values()) {
            ids.add(b.id());
          }
          error.accept(mat + ".builtin", Values.quote(builtin.asText()) + " (expected: one of " + ids + ")");
        }
        if (m.has("aggregate")) {
          error.accept(mat + ".aggregate", "beside a builtin (expected: aggregate only with a pointer)");
        }
      }
    }
  }

  /** Why {@code p} is not an RFC 6901 pointer, or null when it is: "" or "/"-separated tokens, "~" only as ~0 ~1. */
  static String pointerError(String p) {
    if (!p.isEmpty() && p.charAt(0) != '/') {
      return "starting with /, e.g. /outputs/0/data/0";
    }
    for (int i = 0; i < p.length(); i++) {
      if (p.charAt(i) == '~' && (i + 1 >= p.length() || (p.charAt(i + 1) != '0' && p.charAt(i + 1) != '1'))) {
        return "with ~ only in ~0 (for ~) or ~1 (for /), at character " + i;
      }
    }
    return null;
  }
}
