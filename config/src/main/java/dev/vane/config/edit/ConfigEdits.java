package dev.vane.config.edit;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.config.ConfigLoader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The admin API's experiment operations as pure functions on the config document text: each takes the current
 * document (the raw text, before {@code ${NAME}} substitution) and returns the next one with a one-line summary and
 * what happens to sticky units, following the sticky rules of the README ("Assignment"). The caller validates the
 * result with {@code ConfigLoader} and stores it as a new config version; nothing here checks the whole document.
 *
 * <p>The document is parsed into a tree and written back as YAML. Comments, blank lines, flow style and key quoting
 * are not kept: the new version is the document re-written. Placeholders survive as written ({@code port: ${PORT}}
 * stays unquoted, {@code uri: "${REDIS_URI}"} stays quoted; see {@link Documents}), and strings that would read as
 * another type ({@code "8080"}, {@code "yes"}) stay quoted.
 *
 * <p>Errors are {@link EditException}s naming the experiment and arm: {@code NOT_FOUND} for an unknown experiment,
 * {@code INVALID} for a request the experiment cannot take, {@code CONFLICT} when it is already in that state.
 */
public final class ConfigEdits {
  private ConfigEdits() {}

  /**
   * The routing sections of a whole config ({@link ConfigLoader#ROUTING_SECTIONS}) as a document of their own, or
   * empty when it has no endpoints: what seeds a Redis-held config from a bootstrap file.
   */
  public static java.util.Optional<String> routingSections(String document) {
    com.fasterxml.jackson.databind.node.ObjectNode root = Documents.read(document);
    if (!root.has("endpoints")) {
      return java.util.Optional.empty();
    }
    com.fasterxml.jackson.databind.node.ObjectNode out = root.objectNode();
    for (String k : ConfigLoader.ROUTING_SECTIONS) {
      if (root.has(k)) {
        out.set(k, root.get(k));
      }
    }
    return java.util.Optional.of(Documents.write(out));
  }

  /**
   * Sets the canary's share of units to {@code percent} (the champion gets the remainder).
   *
   * @param percent 0..100
   * @throws EditException INVALID without a canary or with a percent out of range; CONFLICT when already there
   */
  public static Edit ramp(String document, String experimentId, int percent) {
    ObjectNode root = Documents.read(document);
    ObjectNode x = experiment(root, experimentId);
    if (percent < 0 || percent > 100) {
      throw invalid("percent: " + percent + " (expected: 0..100)");
    }
    ObjectNode canary = canary(x, experimentId, "ramp");
    JsonNode old = canary.get("percent");
    BigDecimal before = old != null && old.isNumber() ? old.decimalValue() : null;
    if (before != null && before.compareTo(BigDecimal.valueOf(percent)) == 0) {
      throw conflict("experiment " + experimentId + ": canary " + armId(canary, "canary") + " is already at "
          + percent + "%");
    }
    canary.put("percent", percent);
    String id = armId(canary, "canary");
    String from = before == null ? "?" : before.stripTrailingZeros().toPlainString();
    boolean up = before == null || BigDecimal.valueOf(percent).compareTo(before) > 0;
    String stickiness;
    if (!sticky(x)) {
      stickiness = "The experiment is not sticky: every unit follows the new split, so units move between the"
          + " champion and the canary in the direction of the ramp.";
    } else if (up) {
      stickiness = "Units on the champion whose bucket now falls in the canary's " + percent + "% move to the"
          + " canary; units already on the canary stay on it.";
    } else {
      stickiness = "Units already on the canary stay on it (their stored arm wins); only units without a stored"
          + " assignment follow the smaller share. To move them back, roll back (remove the canary).";
    }
    return new Edit(Documents.write(root), "experiment " + experimentId + ": " + id + " " + from + "% -> "
        + percent + "%", stickiness);
  }

  /**
   * Sets the weight (basis points) of every variant. Without a champion the weights must sum to 10000; with one,
   * they and the canary's share may take at most 10000 (the champion gets the remainder).
   *
   * @param weightsBps variant id → weight 0..10000; every variant named, no other
   * @throws EditException INVALID for a missing, unknown or out-of-range weight or a wrong sum; CONFLICT when
   *                       nothing changes
   */
  public static Edit weights(String document, String experimentId, Map<String, Integer> weightsBps) {
    Objects.requireNonNull(weightsBps, "weightsBps");
    ObjectNode root = Documents.read(document);
    ObjectNode x = experiment(root, experimentId);
    JsonNode variants = x.get("variants");
    if (variants == null || !variants.isArray() || variants.isEmpty()) {
      throw invalid("experiment " + experimentId + " has no variants (expected: an experiment with variants)");
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode v : variants) {
      ids.add(v.path("id").asText());
    }
    for (String named : weightsBps.keySet()) {
      if (!ids.contains(named)) {
        throw invalid("experiment " + experimentId + ": no variant " + quote(named) + " (expected one of: "
            + String.join(", ", ids) + ")");
      }
    }
    long sum = 0;
    for (String id : ids) {
      Integer w = weightsBps.get(id);
      if (w == null) {
        throw invalid("experiment " + experimentId + ": variant " + quote(id) + " has no weight (expected: a"
            + " weight for every variant: " + String.join(", ", ids) + ")");
      }
      if (w < 0 || w > 10_000) {
        throw invalid("experiment " + experimentId + ": variant " + quote(id) + " weight: " + w
            + " (expected: 0..10000 bps)");
      }
      sum += w;
    }
    boolean champion = x.get("champion") instanceof ObjectNode;
    if (!champion && sum != 10_000) {
      throw invalid("experiment " + experimentId + ": weights sum to " + sum + " bps (expected: 10000)");
    }
    if (champion) {
      JsonNode canary = x.path("canary").path("percent");
      long canaryBps = canary.isNumber() ? canary.decimalValue().movePointRight(2).longValue() : 0;
      if (sum + canaryBps > 10_000) {
        throw invalid("experiment " + experimentId + ": weights and canary sum to " + (sum + canaryBps)
            + " bps (expected: at most 10000, the champion gets the remainder)");
      }
    }
    List<String> changes = new ArrayList<>();
    for (JsonNode v : variants) {
      String id = v.path("id").asText();
      int w = weightsBps.get(id);
      JsonNode old = v.get("weight");
      if (old == null || !old.isIntegralNumber() || old.asLong() != w) {
        changes.add(id + " " + (old == null ? "?" : old.asText()) + " -> " + w);
        ((ObjectNode) v).put("weight", w);
      }
    }
    if (changes.isEmpty()) {
      throw conflict("experiment " + experimentId + ": the variants already have these weights");
    }
    String stickiness = sticky(x)
        ? "Units with a stored assignment keep their variant; new units follow the new weights."
        : "The experiment is not sticky: every unit follows the new weights, so some units change variant.";
    return new Edit(Documents.write(root), "experiment " + experimentId + ": weights " + String.join(", ", changes)
        + " bps", stickiness);
  }

  /**
   * Pauses the experiment (its kill switch): {@code paused: true}.
   *
   * @throws EditException CONFLICT when already paused
   */
  public static Edit pause(String document, String experimentId) {
    ObjectNode root = Documents.read(document);
    ObjectNode x = experiment(root, experimentId);
    if (paused(x)) {
      throw conflict("experiment " + experimentId + " is already paused");
    }
    x.put("paused", true);
    return new Edit(Documents.write(root), "experiment " + experimentId + ": paused",
        "Everyone is served by the control arm; stored assignments are kept and nothing new is stored; no"
            + " exposures are counted.");
  }

  /**
   * Resumes a paused experiment: removes {@code paused}.
   *
   * @throws EditException CONFLICT when not paused
   */
  public static Edit resume(String document, String experimentId) {
    ObjectNode root = Documents.read(document);
    ObjectNode x = experiment(root, experimentId);
    if (!paused(x)) {
      throw conflict("experiment " + experimentId + " is not paused");
    }
    x.remove("paused");
    return new Edit(Documents.write(root), "experiment " + experimentId + ": resumed",
        "Every sticky unit returns to its stored arm; units without one are assigned as before the pause.");
  }

  /**
   * Makes one arm serve everybody. For a canary (arm null or the canary's id): the champion takes the canary's
   * endpoint and the canary is removed. For a variant: the experiment's only arm becomes a champion with that
   * variant's id and endpoint ({@code variants} and any canary removed), since a champion alone is the one layout in
   * which every unit, in or out of targeting and coverage, gets the same arm.
   *
   * @param arm the arm to promote, or null for the canary
   * @throws EditException INVALID for an unknown arm, the champion itself, or no canary when arm is null
   */
  public static Edit promote(String document, String experimentId, String arm) {
    ObjectNode root = Documents.read(document);
    ObjectNode x = experiment(root, experimentId);
    ObjectNode canary = x.get("canary") instanceof ObjectNode c ? c : null;
    ObjectNode champion = x.get("champion") instanceof ObjectNode c ? c : null;
    if (arm == null && canary == null) {
      throw invalid("experiment " + experimentId + " has no canary to promote (expected: name a variant)");
    }
    if (canary != null && (arm == null || arm.equals(armId(canary, "canary")))) {
      String endpoint = canary.path("endpoint").asText();
      String id = armId(canary, "canary");
      if (champion == null) {
        throw invalid("experiment " + experimentId + " has a canary but no champion to promote it to");
      }
      champion.set("endpoint", canary.get("endpoint"));
      x.remove("canary");
      return new Edit(Documents.write(root), "experiment " + experimentId + ": promoted " + id + " (" + endpoint
          + ") to champion, canary removed", "Everybody is served by " + endpoint + ": the champion now points at"
          + " it, and units stored on the canary are reassigned to the champion on their next request.");
    }
    if (champion != null && arm.equals(armId(champion, "champion"))) {
      throw invalid("experiment " + experimentId + ": " + quote(arm) + " is already the champion (expected: the"
          + " canary or a variant)");
    }
    JsonNode variants = x.get("variants");
    ObjectNode variant = null;
    List<String> arms = new ArrayList<>();
    for (int i = 0; variants != null && variants.isArray() && i < variants.size(); i++) {
      String id = variants.get(i).path("id").asText();
      arms.add(id);
      if (id.equals(arm)) {
        variant = (ObjectNode) variants.get(i);
      }
    }
    if (variant == null) {
      if (canary != null) {
        arms.add(armId(canary, "canary"));
      }
      throw invalid("experiment " + experimentId + ": no arm " + quote(arm) + " to promote (expected one of: "
          + String.join(", ", arms) + ")");
    }
    ObjectNode promoted = JsonNodeFactory.instance.objectNode();
    promoted.put("id", arm);
    promoted.set("endpoint", variant.get("endpoint"));
    // the champion goes where the variants were, so the experiment reads in the usual order
    ObjectNode rebuilt = JsonNodeFactory.instance.objectNode();
    x.fields().forEachRemaining(f -> {
      switch (f.getKey()) {
        case "variants" -> rebuilt.set("champion", promoted);
        case "champion", "canary" -> { }
        default -> rebuilt.set(f.getKey(), f.getValue());
      }
    });
    x.removeAll();
    x.setAll(rebuilt);
    String endpoint = variant.path("endpoint").asText();
    return new Edit(Documents.write(root), "experiment " + experimentId + ": promoted variant " + arm + " ("
        + endpoint + ") to sole champion, variants" + (canary != null ? " and canary" : "") + " removed",
        "Everybody is served by " + endpoint + ": units stored on " + arm + " stay on it, units stored on the"
            + " other arms are reassigned to it on their next request.");
  }

  /**
   * Removes the canary.
   *
   * @throws EditException CONFLICT when the experiment has no canary
   */
  public static Edit rollback(String document, String experimentId) {
    ObjectNode root = Documents.read(document);
    ObjectNode x = experiment(root, experimentId);
    if (!(x.get("canary") instanceof ObjectNode canary)) {
      throw conflict("experiment " + experimentId + " has no canary to roll back");
    }
    String id = armId(canary, "canary");
    String endpoint = canary.path("endpoint").asText();
    String percent = canary.path("percent").isNumber()
        ? canary.get("percent").decimalValue().stripTrailingZeros().toPlainString() + "%" : "?%";
    x.remove("canary");
    return new Edit(Documents.write(root), "experiment " + experimentId + ": rolled back " + id + " (" + endpoint
        + ", " + percent + "), canary removed", "The canary's units return to the champion on their next request"
        + " (their stored arm no longer exists); champion units are unaffected.");
  }

  private static ObjectNode experiment(ObjectNode root, String experimentId) {
    Objects.requireNonNull(experimentId, "experimentId");
    JsonNode list = root.get("experiments");
    List<String> ids = new ArrayList<>();
    if (list != null && list.isArray()) {
      for (JsonNode x : list) {
        if (x instanceof ObjectNode o && experimentId.equals(o.path("id").asText(null))) {
          return o;
        }
        ids.add(x.path("id").asText());
      }
    }
    throw new EditException(EditException.Kind.NOT_FOUND, "experiment " + quote(experimentId)
        + " not found (expected one of: " + (ids.isEmpty() ? "none declared" : String.join(", ", ids)) + ")");
  }

  private static ObjectNode canary(ObjectNode x, String experimentId, String operation) {
    if (x.get("canary") instanceof ObjectNode c) {
      return c;
    }
    throw invalid("experiment " + experimentId + " has no canary to " + operation + " (expected: an experiment"
        + " with a canary)");
  }

  private static String armId(ObjectNode arm, String defaultId) {
    JsonNode id = arm.get("id");
    return id == null || id.isNull() ? defaultId : id.asText();
  }

  private static boolean sticky(ObjectNode x) {
    JsonNode s = x.get("sticky");
    return s == null || !s.isBoolean() || s.booleanValue();
  }

  private static boolean paused(ObjectNode x) {
    JsonNode p = x.get("paused");
    return p != null && p.isBoolean() && p.booleanValue();
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }

  private static EditException invalid(String message) {
    return new EditException(EditException.Kind.INVALID, message);
  }

  private static EditException conflict(String message) {
    return new EditException(EditException.Kind.CONFLICT, message);
  }
}
