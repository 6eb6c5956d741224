package dev.vane.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a schema cannot say: references between parts of the file (endpoint and experiment ids), ids unique in
 * their scope, weights that add up, a metric's min not above its max. Runs on the document whether or not the
 * schema accepted it, so that every error is reported at once, and reads only values of the right type (the
 * schema reports the others). What is declared is what the file declares: a route naming an experiment that has
 * errors of its own gets no second error.
 */
final class CrossChecks {
  private final List<ConfigError> errors = new ArrayList<>();
  private final Predicate<String> schemaErrorUnder;
  private final Set<String> endpoints = new LinkedHashSet<>();

  private CrossChecks(Predicate<String> schemaErrorUnder) {
    this.schemaErrorUnder = schemaErrorUnder;
  }

  /**
   * The errors of {@code doc} (defaults filled in).
   *
   * @param schemaErrorUnder whether the schema reported an error at or under a path (then a sum is not checked)
   */
  static List<ConfigError> of(JsonNode doc, Predicate<String> schemaErrorUnder) {
    CrossChecks c = new CrossChecks(schemaErrorUnder);
    c.run(doc);
    return c.errors;
  }

  private void run(JsonNode doc) {
    forEach(doc.get("endpoints"), "endpoints", (e, at) -> {
      String id = text(e.get("id"));
      if (id != null && !id.isEmpty() && !endpoints.add(id)) {
        error(at + ".id", Values.quote(id) + " (expected: unique; already used by another endpoint)");
      }
    });
    Set<String> experiments = new LinkedHashSet<>();
    forEach(doc.get("experiments"), "experiments", (x, at) -> {
      String id = text(x.get("id"));
      if (id != null && !id.isEmpty() && !experiments.add(id)) {
        error(at + ".id", Values.quote(id) + " (expected: unique; already used by another experiment)");
      }
      experiment(x, at);
    });
    forEach(doc.get("routes"), "routes", (r, at) -> {
      String x = text(r.get("experiment"));
      if (x != null && !x.isBlank() && !experiments.contains(x)) {
        error(at + ".experiment", Values.quote(x) + " (expected: one of the experiments " + experiments + ")");
      }
      endpoint(r.get("endpoint"), at + ".endpoint");
    });
    endpoint(doc.get("defaultEndpoint"), "defaultEndpoint");
    admin(doc);
    timeseries(object(doc.get("timeseries")));
    events(doc);
  }

  /**
   * Each sink's fields belong to its type: a jsonl sink names its directory and takes no maxLen, a redis-stream sink
   * takes no file settings and needs {@code state.redis}.
   */
  private void events(JsonNode doc) {
    JsonNode events = object(doc.get("events"));
    if (events == null) {
      return;
    }
    boolean redis = object(doc.path("state").get("redis")) != null
        && !"memory".equals(text(doc.path("state").get("store")));
    forEach(events.get("sinks"), "events.sinks", (s, at) -> {
      String type = text(s.get("type"));
      if ("jsonl".equals(type)) {
        if (s.get("dir") == null) {
          error(at + ".dir", "missing (expected: the directory of a jsonl sink's files)");
        }
        if (s.get("maxLen") != null) {
          error(at + ".maxLen", s.get("maxLen").asText() + " (expected: only with type: redis-stream)");
        }
      } else if ("redis-stream".equals(type)) {
        for (String f : new String[] {"dir", "maxBytes", "maxAge"}) {
          if (s.get(f) != null) {
            error(at + "." + f, s.get(f).asText() + " (expected: only with type: jsonl)");
          }
        }
        if (!redis) {
          error(at + ".type", "redis-stream without state.redis (expected: a state.redis section, whose Redis "
              + "holds the streams)");
        }
      }
    });
  }

  /** Minute rows in whole minutes, hour rows in whole hours and kept at least as long as minute rows. */
  private void timeseries(JsonNode t) {
    if (t == null || schemaErrorUnder.test("timeseries")) {
      return;
    }
    BigDecimal window = t.get("minuteWindow") == null ? null : Units.millis(t.get("minuteWindow"));
    BigDecimal retention = t.get("retention") == null ? null : Units.millis(t.get("retention"));
    if (window != null && window.remainder(BigDecimal.valueOf(60_000)).signum() != 0) {
      error("timeseries.minuteWindow", t.get("minuteWindow").asText() + " (expected: whole minutes, such as 90m)");
    }
    if (retention != null && retention.remainder(BigDecimal.valueOf(3_600_000)).signum() != 0) {
      error("timeseries.retention", t.get("retention").asText() + " (expected: whole hours, such as 36h or 14d)");
    } else if (window != null && retention != null && retention.compareTo(window) < 0) {
      error("timeseries.retention", t.get("retention").asText() + " (expected: at least timeseries.minuteWindow, "
          + t.get("minuteWindow").asText() + ": hours are kept at least as long as minutes)");
    }
  }

  /**
   * The control plane: {@code auth: none} only on a loopback admin host, token names and secrets unique, plain
   * tokens long enough (never shown), {@code configSource: redis} only with a Redis section, two listeners on two
   * ports.
   */
  private void admin(JsonNode doc) {
    JsonNode listener = object(doc.path("server").get("admin"));
    String host = listener == null ? null : text(listener.get("host"));
    JsonNode auth = doc.path("admin").get("auth");
    if (auth != null && auth.isTextual() && auth.asText().equals("none") && host != null
        && !ServerSettings.loopback(host)) {
      error("admin.auth", "none while server.admin.host is " + Values.quote(host) + " (expected: tokens or jwt; "
          + "an unauthenticated admin listener is allowed only on a loopback address such as 127.0.0.1)");
    }
    Set<String> names = new HashSet<>();
    Set<String> secrets = new HashSet<>();
    forEach(auth == null ? null : auth.get("tokens"), "admin.auth.tokens", (tok, at) -> {
      String name = text(tok.get("name"));
      if (name != null && !names.add(name)) {
        error(at + ".name", Values.quote(name) + " (expected: unique; already used by another token)");
      }
      JsonNode plain = tok.get("token");
      String sha = null;
      if (plain != null && plain.isTextual()) {
        int n = plain.asText().codePointCount(0, plain.asText().length());
        if (n < 16) {
          error(at + ".token", "a token of " + n + " characters (expected: at least 16; the value is not shown)");
        }
        sha = java.util.HexFormat.of().formatHex(AdminSettings.sha256(plain.asText()));
      } else if (tok.get("tokenSha256") != null && tok.get("tokenSha256").isTextual()) {
        sha = tok.get("tokenSha256").asText();
      }
      if (sha != null && !secrets.add(sha)) {
        error(at, "the same token as another entry (expected: one token per name; the value is not shown)");
      }
    });
    JsonNode source = doc.get("configSource");
    if (source != null && "redis".equals(source.asText()) && !doc.path("state").has("redis")) {
      error("configSource", "redis without a state.redis section (expected: state.redis.uri to keep the versions in)");
    }
    JsonNode server = object(doc.get("server"));
    if (server != null && listener != null && server.path("port").isInt() && listener.path("port").isInt()) {
      int port = server.get("port").asInt();
      if (port != 0 && port == listener.get("port").asInt()) {
        error("server.admin.port", port + " (expected: a port other than server.port's; the admin listener is a "
            + "second listener)");
      }
    }
  }

  /**
   * A rollout (idle without a canary) needs steps of increasing percent ending at 100, guardrails naming {@code errorRate},
   * {@code latency} or a declared metric with {@code guardrail: true} (each once), and, with {@code shadowFirst}, a
   * shadow on the canary's endpoint.
   */
  private void rollout(JsonNode x, String at) {
    JsonNode r = object(x.get("rollout"));
    if (r == null) {
      return;
    }
    String rat = at + ".rollout";
    // without a canary the rollout is idle: finished (promoted or rolled back), or waiting for one to be declared
    JsonNode canary = object(x.get("canary"));
    JsonNode steps = r.get("steps");
    int last = 0;
    for (int i = 0; steps != null && steps.isArray() && i < steps.size(); i++) {
      JsonNode p = steps.get(i).get("percent");
      if (p != null && p.isInt()) {
        if (p.asInt() <= last) {
          error(rat + ".steps[" + i + "].percent", p.asInt() + " (expected: more than the step before, " + last + ")");
        }
        last = p.asInt();
      }
    }
    if (steps != null && steps.isArray() && steps.size() > 0 && last != 100 && !schemaErrorUnder.test(rat + ".steps")) {
      error(rat + ".steps[" + (steps.size() - 1) + "].percent", last + " (expected: the last step is 100, which "
          + "promotes the canary)");
    }
    Set<String> guardrailMetrics = new HashSet<>();
    JsonNode metrics = x.get("metrics");
    for (int i = 0; metrics != null && metrics.isArray() && i < metrics.size(); i++) {
      JsonNode m = metrics.get(i);
      if (m.path("guardrail").asBoolean(false) && m.hasNonNull("name")) {
        guardrailMetrics.add(m.get("name").asText());
      }
    }
    Set<String> seen = new HashSet<>();
    forEach(r.get("guardrails"), rat + ".guardrails", (g, gat) -> {
      String metric = text(g.get("metric"));
      if (metric == null) {
        return;
      }
      if (!metric.equals("errorRate") && !metric.equals("latency") && !guardrailMetrics.contains(metric)) {
        error(gat + ".metric", Values.quote(metric) + " (expected: errorRate, latency, or a metric declared with "
            + "guardrail: true " + guardrailMetrics + ")");
      } else if (!seen.add(metric)) {
        error(gat + ".metric", Values.quote(metric) + " (expected: each guardrail once)");
      }
    });
    if (object(r.get("shadowFirst")) != null && canary != null) {
      String endpoint = text(canary.get("endpoint"));
      boolean mirrored = false;
      JsonNode shadows = x.get("shadows");
      for (int i = 0; shadows != null && shadows.isArray() && i < shadows.size(); i++) {
        mirrored |= endpoint != null && endpoint.equals(text(shadows.get(i).get("endpoint")));
      }
      if (!mirrored) {
        error(rat + ".shadowFirst", "no shadow on the canary's endpoint " + Values.quote(String.valueOf(endpoint))
            + " (expected: a shadows entry mirroring it, which the shadow stage compares)");
      }
    }
  }

  private void experiment(JsonNode x, String at) {
    rollout(x, at);
    JsonNode champion = object(x.get("champion"));
    JsonNode canary = object(x.get("canary"));
    List<String[]> arms = new ArrayList<>(); // {id, path}
    int variantSum = 0;
    int variants = 0;
    JsonNode vs = x.get("variants");
    for (int j = 0; vs != null && vs.isArray() && j < vs.size(); j++) {
      JsonNode v = object(vs.get(j));
      if (v == null) {
        continue;
      }
      variants++;
      String vat = at + ".variants[" + j + "]";
      endpoint(v.get("endpoint"), vat + ".endpoint");
      arms.add(new String[] {text(v.get("id")), vat + ".id"});
      JsonNode w = v.get("weight");
      if (w != null && w.isIntegralNumber() && w.asLong() >= 0 && w.asLong() <= 10_000) {
        variantSum += w.asInt();
      }
    }
    if (champion != null) {
      endpoint(champion.get("endpoint"), at + ".champion.endpoint");
      arms.add(new String[] {text(champion.get("id")), at + ".champion.id"});
    }
    int canaryBps = 0;
    if (canary != null) {
      endpoint(canary.get("endpoint"), at + ".canary.endpoint");
      arms.add(new String[] {text(canary.get("id")), at + ".canary.id"});
      canaryBps = bps(canary.get("percent"));
      if (champion == null) {
        error(at + ".canary", "a canary needs a champion to take its share from (expected: champion)");
      }
    }
    if (champion == null && variants == 0) {
      error(at, "no arms (expected: a champion, or variants with weights)");
    }
    if (champion != null && variantSum + canaryBps > 10_000) {
      error(at, "variant and canary weights sum to " + (variantSum + canaryBps)
          + " bps (expected: at most 10000, the champion gets the remainder)");
    } else if (champion == null && variants > 0 && variantSum != 10_000 && !schemaErrorUnder.test(at)) {
      error(at + ".variants", "weights sum to " + variantSum + " bps (expected: 10000, i.e. 100%)");
    }
    Set<String> armIds = new HashSet<>();
    for (String[] arm : arms) {
      if (arm[0] != null && !arm[0].isEmpty() && !armIds.add(arm[0])) {
        error(arm[1], Values.quote(arm[0]) + " (expected: unique among the experiment's arms)");
      }
    }
    Set<String> shadowIds = new HashSet<>();
    forEach(x.get("shadows"), at + ".shadows", (s, sat) -> {
      endpoint(s.get("endpoint"), sat + ".endpoint");
      String id = s.has("id") ? text(s.get("id")) : text(s.get("endpoint"));
      if (id != null && !shadowIds.add(id)) {
        error(sat + ".id", Values.quote(id) + " (expected: unique among the experiment's shadows)");
      }
    });
    metrics(x.get("metrics"), at + ".metrics");
    Set<String> slices = new HashSet<>();
    forEach(x.get("slices"), at + ".slices", (s, sat) -> {
      String name = text(s.get("name"));
      if (name != null && !slices.add(name)) {
        error(sat + ".name", Values.quote(name) + " (expected: unique among the experiment's slices)");
      }
    });
    sliceCrosses(x.get("sliceCrosses"), at + ".sliceCrosses", slices);
    ResponseMetricChecks.check(x, at, this::error);
  }

  /** Each cross names two different declared slices, and no pair is crossed twice (in either order). */
  private void sliceCrosses(JsonNode list, String at, Set<String> slices) {
    Set<Set<String>> pairs = new HashSet<>();
    for (int i = 0; list != null && list.isArray() && i < list.size(); i++) {
      JsonNode pair = list.get(i);
      if (!pair.isArray() || pair.size() != 2) {
        continue; // the schema reports it
      }
      String cat = at + "[" + i + "]";
      String first = text(pair.get(0));
      String second = text(pair.get(1));
      for (int j = 0; j < 2; j++) {
        String name = j == 0 ? first : second;
        if (name != null && !slices.contains(name)) {
          error(cat + "[" + j + "]", Values.quote(name) + " (expected: one of the experiment's slices "
              + new java.util.TreeSet<>(slices) + ")");
        }
      }
      if (first != null && first.equals(second)) {
        error(cat + "[1]", Values.quote(second) + " (expected: a slice other than the first of the pair)");
      } else if (first != null && second != null && !pairs.add(Set.of(first, second))) {
        error(cat, "[" + first + ", " + second + "] (expected: each pair of slices crossed once)");
      }
    }
  }

  private void metrics(JsonNode list, String at) {
    Set<String> names = new HashSet<>();
    int[] primaries = {0};
    forEach(list, at, (m, mat) -> {
      String name = text(m.get("name"));
      if (name != null && !name.isEmpty() && !names.add(name)) {
        error(mat + ".name", Values.quote(name) + " (expected: unique among the experiment's metrics)");
      }
      JsonNode primary = m.get("primary");
      if (primary != null && primary.asBoolean(false) && primary.isBoolean() && ++primaries[0] == 2) {
        error(mat + ".primary", "true (expected: at most one primary metric per experiment)");
      }
      boolean binary = "binary".equals(text(m.get("kind")));
      Double min = number(m.get("min"), binary ? 0 : -Analysis.Metric.DEFAULT_BOUND);
      Double max = number(m.get("max"), binary ? 1 : Analysis.Metric.DEFAULT_BOUND);
      if (min != null && max != null && min > max && !binary) {
        error(mat + ".max", plain(max) + " (expected: >= min " + plain(min) + ")");
      }
    });
  }

  /** A reference to an endpoint, when it is a non-blank string. */
  private void endpoint(JsonNode ref, String at) {
    String id = text(ref);
    if (id != null && !id.isBlank() && !endpoints.contains(id)) {
      error(at, Values.quote(id) + " (expected: one of the endpoints " + endpoints + ")");
    }
  }

  private interface Visit {
    void accept(JsonNode object, String path);
  }

  private static void forEach(JsonNode list, String at, Visit visit) {
    for (int i = 0; list != null && list.isArray() && i < list.size(); i++) {
      if (list.get(i).isObject()) {
        visit.accept(list.get(i), at + "[" + i + "]");
      }
    }
  }

  private static JsonNode object(JsonNode n) {
    return n != null && n.isObject() ? n : null;
  }

  /** A scalar as text (YAML numbers and booleans stand for their text), else null. */
  private static String text(JsonNode n) {
    return n != null && n.isValueNode() && !n.isNull() ? n.asText() : null;
  }

  /** A finite number, {@code dflt} when absent, null when not a number. */
  private static Double number(JsonNode n, double dflt) {
    if (n == null) {
      return dflt;
    }
    return n.isNumber() && Double.isFinite(n.doubleValue()) ? n.doubleValue() : null;
  }

  /** Basis points of a valid percentage (0..100, two decimals), else 0 (the schema reports it). */
  private static int bps(JsonNode n) {
    if (n == null || !n.isNumber() || !(n.doubleValue() >= 0 && n.doubleValue() <= 100)) {
      return 0;
    }
    double bps = n.doubleValue() * 100;
    return Math.abs(bps - Math.rint(bps)) > 1e-6 ? 0 : ConfigAssembly.bps(n.doubleValue());
  }

  /** A metric bound as written in YAML: plain decimal, no exponent, no trailing zeros. */
  private static String plain(double x) {
    return BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
  }

  private void error(String path, String message) {
    errors.add(new ConfigError(path, message));
  }
}
