package dev.vane.gateway;

import dev.vane.config.AdminSettings;
import dev.vane.config.ConfigLoader;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.demo.SimulatedChat;
import dev.vane.gateway.demo.SimulatedModel;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * {@code vane demo}: simulated champion, canary, shadow and A/B/n models in-process, the real gateway in front of
 * them, a burst of synthetic users through real HTTP, and a report of where traffic went.
 */
public final class Demo {
  private final int port;
  private final int adminPort;
  private String token;
  private String adminUrl;
  private final int users;
  private final int requestsPerUser;
  private final PrintStream out = System.out;

  /**
   * @param adminPort the admin listener's port ({@code -1}: 9090, or any free port when {@code port} is 0)
   */
  public Demo(int port, int adminPort, int users, int requestsPerUser) {
    this.port = port;
    this.adminPort = adminPort >= 0 ? adminPort : port == 0 ? 0 : 9090;
    this.users = users;
    this.requestsPerUser = requestsPerUser;
  }

  static String config(int gatewayPort, int adminPort, String tokenSha256, Map<String, Integer> ports) {
    return """
        server:
          host: 127.0.0.1
          port: %d
          admin: { host: 127.0.0.1, port: %d }
        admin:
          auth:
            tokens:
              - { name: demo-admin, tokenSha256: %s, roles: [admin] }
        endpoints:
          - { id: fraud-v1, url: "http://127.0.0.1:%d", timeout: 2s }
          - { id: fraud-v2, url: "http://127.0.0.1:%d", timeout: 2s }
          - { id: fraud-v3, url: "http://127.0.0.1:%d", timeout: 2s }
          - { id: ranker-a, url: "http://127.0.0.1:%d", timeout: 2s }
          - { id: ranker-b, url: "http://127.0.0.1:%d", timeout: 2s }
          - { id: ranker-c, url: "http://127.0.0.1:%d", timeout: 2s }
          - { id: reco-1, url: "http://127.0.0.1:%d", timeout: 2s }
          - { id: reco-2, url: "http://127.0.0.1:%d", timeout: 2s }
          - { id: reco-3, url: "http://127.0.0.1:%d", timeout: 2s }
          - { id: sum-v1, url: "http://127.0.0.1:%d", timeout: 2s }
          - { id: sum-v2, url: "http://127.0.0.1:%d", timeout: 2s }
          - { id: emb-v1, url: "http://127.0.0.1:%d", timeout: 2s }
          - { id: emb-v2, url: "http://127.0.0.1:%d", timeout: 2s }
          - { id: chat-a, url: "http://127.0.0.1:%d", timeout: 5s, price: { promptPer1k: 0.5, completionPer1k: 1.5 } }
          - { id: chat-b, url: "http://127.0.0.1:%d", timeout: 5s, price: { promptPer1k: 0.15, completionPer1k: 0.6 } }
        routes:
          - { pathPrefix: /v2/models/fraud/, experiment: fraud-canary }
          - { pathPrefix: /v2/models/ranker/, experiment: ranker-abc }
          - { pathPrefix: /v2/models/reco/, experiment: reco-bandit }
          - { pathPrefix: /v2/models/summarizer/, experiment: summarizer }
          - { pathPrefix: /v2/models/embedder/, experiment: embedder }
          - { pathPrefix: /v1/chat/, experiment: chat }
        experiments:
          - id: fraud-canary
            salt: demo-fraud
            champion: { endpoint: fraud-v1 }
            canary: { endpoint: fraud-v2, percent: 20 }
            fallbackToChampion: true
            shadows:
              - { id: fraud-v3, endpoint: fraud-v3, percent: 100, tolerance: 0.01 }
          - id: ranker-abc
            salt: demo-ranker
            variants:
              - { id: a, endpoint: ranker-a, weight: 5000 }
              - { id: b, endpoint: ranker-b, weight: 3000 }
              - { id: c, endpoint: ranker-c, weight: 2000 }
            metrics:
              - { name: click, kind: binary, primary: true }
            slices:
              - { name: region, header: X-Region, maxValues: 4 }
              - { name: device, header: X-Device, maxValues: 3 }
            sliceCrosses: [ [region, device] ]
          - id: reco-bandit
            policy: thompson
            sticky: false
            variants:
              - { id: reco-1, endpoint: reco-1, weight: 3334 }
              - { id: reco-2, endpoint: reco-2, weight: 3333 }
              - { id: reco-3, endpoint: reco-3, weight: 3333 }
            metrics:
              - { name: click, kind: binary, primary: true }
            bandit: { minExplorationPercent: 2, warmup: 300, refreshInterval: 200ms }
          - id: summarizer
            champion: { endpoint: sum-v1 }
            canary: { endpoint: sum-v2, percent: 0 }
            rollout:
              steps: [ { percent: 10, minExposures: 300 }, { percent: 50, minExposures: 800 }, { percent: 100 } ]
              guardrails: [ { metric: errorRate, margin: 0.2 }, { metric: latency, margin: 0.5 }, { srm: true } ]
              analysisInterval: 250ms
          - id: embedder
            champion: { endpoint: emb-v1 }
            canary: { endpoint: emb-v2, percent: 0 }
            rollout:
              steps: [ { percent: 10, minExposures: 300 }, { percent: 50, minExposures: 800 }, { percent: 100 } ]
              guardrails: [ { metric: errorRate, margin: 0.2 }, { metric: latency, margin: 0.5 }, { srm: true } ]
              analysisInterval: 250ms
          - id: chat
            salt: demo-chat
            variants:
              - { id: large, endpoint: chat-a, weight: 5000 }
              - { id: small, endpoint: chat-b, weight: 5000 }
            metrics:
              - { name: resolved, kind: binary, primary: true }
            responseMetrics:
              - { name: tokens_in, builtin: usage.prompt_tokens }
              - { name: tokens_out, builtin: usage.completion_tokens }
              - { name: ttft, builtin: ttft }
              - { name: inter_token, builtin: inter_token }
        """.formatted(gatewayPort, adminPort, tokenSha256, ports.get("fraud-v1"), ports.get("fraud-v2"), ports.get("fraud-v3"),
        ports.get("ranker-a"), ports.get("ranker-b"), ports.get("ranker-c"), ports.get("reco-1"),
        ports.get("reco-2"), ports.get("reco-3"), ports.get("sum-v1"), ports.get("sum-v2"), ports.get("emb-v1"),
        ports.get("emb-v2"), ports.get("chat-a"), ports.get("chat-b"));
  }

  /** True click rates the synthetic users follow (the analyst is meant to discover these). */
  static final Map<String, Double> CLICK_RATE = Map.of("a", 0.050, "b", 0.060, "c", 0.045,
      "reco-1", 0.03, "reco-2", 0.05, "reco-3", 0.09);

  public int run(boolean exitAfterReport) throws Exception {
    Vertx models = Vertx.vertx();
    List<SimulatedModel> sims = List.of(
        new SimulatedModel(new SimulatedModel.Profile("fraud-v1", 2, 3, 0.002, 0.0, 1)),
        new SimulatedModel(new SimulatedModel.Profile("fraud-v2", 3, 4, 0.01, 0.004, 2)),
        new SimulatedModel(new SimulatedModel.Profile("fraud-v3", 15, 10, 0.0, 0.3, 3)),
        new SimulatedModel(new SimulatedModel.Profile("ranker-a", 2, 2, 0.0, 0.0, 4)),
        new SimulatedModel(new SimulatedModel.Profile("ranker-b", 4, 2, 0.0, 0.0, 5)),
        new SimulatedModel(new SimulatedModel.Profile("ranker-c", 1, 1, 0.02, 0.0, 6)),
        new SimulatedModel(new SimulatedModel.Profile("reco-1", 1, 1, 0.0, 0.0, 7)),
        new SimulatedModel(new SimulatedModel.Profile("reco-2", 1, 1, 0.0, 0.0, 8)),
        new SimulatedModel(new SimulatedModel.Profile("reco-3", 1, 1, 0.0, 0.0, 9)),
        // rollouts: a good summarizer canary (as reliable, a little faster) and an embedder canary failing 8%
        new SimulatedModel(new SimulatedModel.Profile("sum-v1", 3, 1, 0.002, 0.0, 10)),
        new SimulatedModel(new SimulatedModel.Profile("sum-v2", 2, 1, 0.002, 0.0, 11)),
        new SimulatedModel(new SimulatedModel.Profile("emb-v1", 2, 1, 0.002, 0.0, 12)),
        new SimulatedModel(new SimulatedModel.Profile("emb-v2", 2, 1, 0.08, 0.0, 13)));
    Map<String, Integer> ports = new ConcurrentHashMap<>();
    for (SimulatedModel m : sims) {
      m.start(models).await();
      ports.put(m.profile().name(), m.port());
    }
    // an OpenAI-style pair: a larger model (slower, longer answers, dearer) against a smaller one
    for (SimulatedChat c : List.of(new SimulatedChat(new SimulatedChat.Profile("chat-a", 40, 60, 8, 21)),
        new SimulatedChat(new SimulatedChat.Profile("chat-b", 25, 25, 4, 22)))) {
      c.start(models).await();
      ports.put(c.profile().name(), c.port());
    }
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    token = "vane-demo-" + HexFormat.of().formatHex(secret);
    String text = config(port, adminPort, HexFormat.of().formatHex(AdminSettings.sha256(token)), ports);
    VaneConfig cfg = new ConfigLoader().parse(text, "demo");
    Gateway gateway;
    try {
      gateway = Gateway.start(cfg).await();
    } catch (Exception e) {
      out.println("could not start the gateway on ports " + port + " and " + adminPort + ": " + e.getMessage()
          + " (try --port 0 --admin-port 0 for any free ports)");
      models.close();
      return 1;
    }
    gateway.attachInMemory(text).toCompletableFuture().join();
    int gw = gateway.port();
    adminUrl = "http://127.0.0.1:" + gateway.adminPort();
    out.printf("Vane demo: gateway on http://127.0.0.1:%d, admin API on %s, dashboard on %s/ui/, %d simulated models; "
        + "driving %d users x %d requests%n", gw, adminUrl, adminUrl, sims.size(), users, requestsPerUser);

    Map<String, String> fraudArm = new ConcurrentHashMap<>();
    Map<String, String> rankerArm = new ConcurrentHashMap<>();
    AtomicInteger switched = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    HttpClient client = models.httpClientBuilder()
        .with(new HttpClientOptions().setKeepAlive(true).setDefaultHost("127.0.0.1").setDefaultPort(gw))
        .with(new PoolOptions().setHttp1MaxSize(32)).build();
    Semaphore inflight = new Semaphore(32);
    Context ctx = models.getOrCreateContext();
    String[] models3 = {"fraud", "ranker", "reco"};
    int total = users * requestsPerUser * models3.length;
    Queue<JsonObject> feedback = new ConcurrentLinkedQueue<>();
    List<String> recoDecisions = Collections.synchronizedList(new ArrayList<>());
    SplittableRandom clicks = new SplittableRandom(2026);
    CountDownLatch done = new CountDownLatch(total);
    long t0 = System.nanoTime();
    for (int r = 0; r < requestsPerUser; r++) {
      for (int u = 0; u < users; u++) {
        String user = "user-" + u;
        for (String model : models3) {
          inflight.acquire();
          Map<String, String> seen = model.equals("fraud") ? fraudArm : model.equals("ranker") ? rankerArm : null;
          String body = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":["
              + (u % 97) + "," + r + "," + (u % 13) + ",1]}]}";
          on(ctx, () -> client.request(new RequestOptions().setMethod(HttpMethod.POST)
                  .setURI("/v2/models/" + model + "/infer")
                  .putHeader("X-User-Id", user).putHeader("Content-Type", "application/json")
                  .putHeader("X-Region", region(user)).putHeader("X-Device", device(user)))
              .compose(req -> req.send(Buffer.buffer(body)))
              .compose(resp -> resp.body().map(b -> resp)))
              .onComplete(ar -> {
                if (ar.failed()) {
                  failed.incrementAndGet();
                } else {
                  String arm = ar.result().getHeader("X-Vane-Variant");
                  String fallback = ar.result().getHeader("X-Vane-Fallback");
                  if (fallback != null) {
                    arm = fallback;
                  }
                  if (arm != null && seen != null) {
                    String prev = seen.putIfAbsent(user, arm);
                    if (prev != null && !prev.equals(arm)) {
                      switched.incrementAndGet();
                    }
                  }
                  if (model.equals("reco") && arm != null) {
                    recoDecisions.add(arm);
                  }
                  Double rate = arm == null ? null : CLICK_RATE.get(arm);
                  boolean click;
                  synchronized (clicks) {
                    click = rate != null && clicks.nextDouble() < rate;
                  }
                  if (click) {
                    feedback.add(new JsonObject().put("requestId", ar.result().getHeader("X-Request-Id"))
                        .put("eventId", "click-" + ar.result().getHeader("X-Request-Id"))
                        .put("metric", "click").put("value", 1));
                  }
                }
                inflight.release();
                done.countDown();
              });
        }
        if (feedback.size() >= 200) {
          sendFeedback(client, ctx, feedback);
        }
      }
    }
    done.await();
    sendFeedback(client, ctx, feedback);
    double secs = (System.nanoTime() - t0) / 1e9;
    out.printf("sent %d requests in %.1f s (%.0f req/s), %d transport failures%n%n", total, secs, total / secs,
        failed.get());
    report(client, ctx, switched.get(), fraudArm.size() + rankerArm.size());
    gateway.refreshBandits();
    analysis(client, ctx, recoDecisions);

    rollouts(client, ctx);
    chat(client, ctx);
    operatorRamp(out);
    out.printf("%nVane is serving on http://127.0.0.1:%d, its admin API on %s. Try:%n", gw, adminUrl);
    out.printf("  export VANE_ADMIN_URL=%s VANE_TOKEN=%s%n", adminUrl, token);
    out.printf("  dashboard: %s/ui/ (sign in with the token above)%s%n", adminUrl,
        exitAfterReport ? "" : "; a trickle of users keeps its charts moving");
    out.printf("  curl -s -H 'X-User-Id: alice' -d '{\"inputs\":[]}' -D - http://127.0.0.1:%d/v2/models/fraud/infer%n", gw);
    out.printf("  curl -s -H \"Authorization: Bearer $VANE_TOKEN\" $VANE_ADMIN_URL/v1/experiments/fraud-canary%n");
    out.printf("  java -jar gateway/target/vane.jar ctl status%n");
    out.printf("  java -jar gateway/target/vane.jar ctl rollout status embedder%n");
    out.printf("  curl -s -H \"Authorization: Bearer $VANE_TOKEN\" $VANE_ADMIN_URL/metrics | grep vane_requests_total%n");
    out.printf("  java -jar gateway/target/vane.jar ctl pause fraud-canary --reason 'kill switch drill'%n");
    out.printf("  curl -s http://127.0.0.1:%d/readyz%n", gw);
    out.println("Vane demo is serving (Ctrl-C to stop)");
    out.flush();
    if (exitAfterReport) {
      gateway.close();
      models.close().await();
      return 0;
    }
    trickle(models, client, ctx);
    CountDownLatch forever = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      gateway.close();
      models.close();
      forever.countDown();
    }, "vane-demo-shutdown"));
    forever.await();
    return 0;
  }

  /** True rates of a resolved conversation per chat arm. */
  static final Map<String, Double> RESOLVED_RATE = Map.of("large", 0.6, "small", 0.5);

  /**
   * Drives 300 chat requests (every other one streamed) through the chat experiment, reports some of them as
   * resolved, then prints per arm the tokens, time to first token and cost that Vane read from the answers.
   */
  private void chat(HttpClient client, Context ctx) throws Exception {
    int n = 300;
    Semaphore inflight = new Semaphore(16);
    CountDownLatch done = new CountDownLatch(n);
    Queue<JsonObject> feedback = new ConcurrentLinkedQueue<>();
    SplittableRandom resolved = new SplittableRandom(99);
    for (int i = 0; i < n; i++) {
      inflight.acquire();
      String body = "{\"model\":\"demo\",\"stream\":" + (i % 2 == 0) + ",\"messages\":[{\"role\":\"user\","
          + "\"content\":\"" + "summarise ticket ".repeat(1 + i % 7) + i + "\"}]}";
      String user = "chat-user-" + i;
      on(ctx, () -> client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/v1/chat/completions")
              .putHeader("X-User-Id", user).putHeader("Content-Type", "application/json"))
          .compose(req -> req.send(Buffer.buffer(body))).compose(resp -> resp.body().map(b -> resp)))
          .onComplete(ar -> {
            if (ar.succeeded()) {
              String arm = ar.result().getHeader("X-Vane-Variant");
              Double rate = arm == null ? null : RESOLVED_RATE.get(arm);
              boolean yes;
              synchronized (resolved) {
                yes = rate != null && resolved.nextDouble() < rate;
              }
              if (yes) {
                feedback.add(new JsonObject().put("requestId", ar.result().getHeader("X-Request-Id"))
                    .put("eventId", "resolved-" + ar.result().getHeader("X-Request-Id"))
                    .put("metric", "resolved").put("value", 1));
              }
            }
            inflight.release();
            done.countDown();
          });
    }
    done.await();
    sendFeedback(client, ctx, feedback);
    JsonObject r = on(ctx, () -> client.request(admin(HttpMethod.GET, "/v1/experiments/chat/results"))
        .compose(x -> x.send()).compose(x -> x.body()).map(Buffer::toJsonObject)).await();
    JsonObject rm = r.getJsonObject("responseMetrics");
    out.printf("%nchat (OpenAI-style, half the requests streamed): what Vane read from the answers, per arm%n");
    out.printf("  %-6s %10s %10s %12s %12s %12s %14s%n", "arm", "tokens in", "tokens out", "ttft p50 ms",
        "ttft p99 ms", "cost/request", "cost/resolved");
    JsonArray metrics = rm.getJsonArray("metrics");
    JsonArray cost = rm.getJsonObject("cost").getJsonArray("arms");
    for (int a = 0; a < cost.size(); a++) {
      JsonObject c = cost.getJsonObject(a);
      out.printf("  %-6s %10s %10s %12s %12s %12s %14s%n", c.getString("arm"),
          fmt(metrics.getJsonObject(0).getJsonArray("arms").getJsonObject(a).getValue("mean")),
          fmt(metrics.getJsonObject(1).getJsonArray("arms").getJsonObject(a).getValue("mean")),
          fmt(metrics.getJsonObject(2).getJsonArray("arms").getJsonObject(a).getValue("p50")),
          fmt(metrics.getJsonObject(2).getJsonArray("arms").getJsonObject(a).getValue("p99")),
          fmt(c.getValue("mean")), fmt(c.getValue("perConversion")));
    }
    long usageMissing = 0;
    for (Object o : metrics.getJsonObject(0).getJsonArray("arms")) {
      usageMissing += ((JsonObject) o).getJsonObject("skipped", new JsonObject()).getLong("usage_missing", 0L);
    }
    out.printf("  answers without usage: %d (the streamed requests do not ask for it: Vane does, and keeps the usage "
        + "event from the client)%n", usageMissing);
    JsonObject cmp = rm.getJsonObject("cost").getJsonArray("comparisons").getJsonObject(0).getJsonObject("welch");
    out.printf("  cost per request, %s - %s: %s (95%% interval %s .. %s, p = %s); TTFT only from the streamed half%n",
        cost.getJsonObject(1).getString("arm"), cost.getJsonObject(0).getString("arm"), fmt(cmp.getValue("difference")),
        fmt(cmp.getJsonObject("interval").getValue("low")), fmt(cmp.getJsonObject("interval").getValue("high")),
        fmt(cmp.getValue("pValue")));
  }

  private static String fmt(Object v) {
    return v instanceof Number x ? String.format(java.util.Locale.ROOT, "%.4g", x.doubleValue()) : "-";
  }

  /**
   * Runs a client chain on a Vert.x context: started from a plain thread, a response could arrive before its body
   * handler is set.
   */
  private static <T> Future<T> on(Context ctx, Supplier<Future<T>> chain) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> chain.get().onComplete(p));
    return p.future();
  }

  /**
   * Drives traffic to the two rollout experiments (compressed steps: 10% → 50% → 100%, a look every 250 ms) until
   * both rollouts have finished (at most 60 s), then prints each one's decisions with the statistics behind them.
   */
  private void rollouts(HttpClient client, Context ctx) throws Exception {
    out.printf("%nrollouts: summarizer (canary as good as the champion) and embedder (canary failing 8%%), steps "
        + "10%% -> 50%% -> 100%%, guardrails errorRate (margin 20%%), latency (50%%), SRM%n");
    out.flush();
    long deadline = System.nanoTime() + 60_000_000_000L;
    SplittableRandom users = new SplittableRandom(7);
    Semaphore inflight = new Semaphore(32);
    Map<String, String> phase = new ConcurrentHashMap<>();
    long n = 0;
    while (System.nanoTime() < deadline && phase.size() < 2) {
      String model = n % 2 == 0 ? "summarizer" : "embedder";
      String user = "user-" + users.nextInt(1_000_000);
      inflight.acquire();
      on(ctx, () -> client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/v2/models/" + model
              + "/infer").putHeader("X-User-Id", user).putHeader("Content-Type", "application/json"))
          .compose(req -> req.send(Buffer.buffer("{\"inputs\":[]}"))).compose(resp -> resp.body()))
          .onComplete(ar -> inflight.release());
      if (++n % 500 == 0) {
        for (String exp : new String[] {"summarizer", "embedder"}) {
          JsonObject s = on(ctx, () -> client.request(admin(HttpMethod.GET, "/admin/v1/experiments/" + exp
              + "/rollout?limit=200")).compose(x -> x.send()).compose(x -> x.body()).map(Buffer::toJsonObject))
              .await();
          JsonObject state = s.getJsonObject("state");
          if (state != null && (state.getString("phase").equals("promoted")
              || state.getString("phase").equals("rolled_back"))) {
            phase.putIfAbsent(exp, state.getString("phase"));
          }
        }
      }
    }
    for (String exp : new String[] {"summarizer", "embedder"}) {
      JsonObject s = on(ctx, () -> client.request(admin(HttpMethod.GET, "/admin/v1/experiments/" + exp
          + "/rollout?limit=200")).compose(x -> x.send()).compose(x -> x.body()).map(Buffer::toJsonObject)).await();
      JsonObject state = s.getJsonObject("state");
      out.printf("rollout %s: %s%n", exp, state == null ? "not started" : state.getString("phase").replace('_', ' '));
      JsonArray history = s.getJsonArray("history");
      for (int i = history.size() - 1; i >= 0; i--) {
        JsonObject d = history.getJsonObject(i);
        String type = d.getString("type").substring("rollout.".length());
        if (type.equals("hold")) {
          continue;
        }
        out.printf("  %-8s %s%n", type, d.getString("reason").split(" \\| ")[0]);
        JsonArray guardrails = d.getJsonArray("guardrails");
        for (int g = 0; guardrails != null && g < guardrails.size(); g++) {
          JsonObject v = guardrails.getJsonObject(g);
          out.printf("           %-9s %-14s harm %s [%s, %s] vs margin %.0f%%, p=%s, n=%d/%d%n", v.getString("metric"),
              v.getString("verdict"), pct(v.getValue("estimate")), pct(v.getValue("lower")), pct(v.getValue("upper")),
              100 * v.getDouble("margin"), v.getValue("pValue") == null ? "n/a"
                  : String.format("%.3g", ((Number) v.getValue("pValue")).doubleValue()),
              v.getLong("championCount"), v.getLong("canaryCount"));
        }
      }
    }
  }

  private static final String[] REGIONS = {"eu", "us", "apac"};
  private static final String[] DEVICES = {"mobile", "desktop"};

  /** A synthetic user's region (X-Region), from the hash of its id. */
  static String region(String user) {
    return REGIONS[Math.floorMod(user.hashCode(), REGIONS.length)];
  }

  /** A synthetic user's device (X-Device), from other bits of the hash than its region's. */
  static String device(String user) {
    return DEVICES[Math.floorMod(Integer.rotateRight(user.hashCode(), 7), DEVICES.length)];
  }

  /**
   * While the demo serves: about 10 requests a second to each of fraud, ranker and reco from new synthetic
   * visitors, and their clicks, so that the dashboard's charts move.
   */
  private void trickle(Vertx models, HttpClient client, Context ctx) {
    Queue<JsonObject> clicks = new ConcurrentLinkedQueue<>();
    ctx.runOnContext(v -> {
      // everything below runs on ctx's event loop: one thread uses the random source
      SplittableRandom rnd = new SplittableRandom(42);
      long[] ticks = {0};
      models.setPeriodic(100, id -> {
        for (String model : new String[] {"fraud", "ranker", "reco"}) {
          // new visitors, one request each: the sample-ratio check counts requests, and returning sticky users
          // would repeat the burst's unit-level split (not quite the weights) into a false mismatch as hours pass
          String user = "visitor-" + ticks[0] + "-" + model;
          client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/v2/models/" + model + "/infer")
                  .putHeader("X-User-Id", user).putHeader("Content-Type", "application/json")
                  .putHeader("X-Region", region(user)).putHeader("X-Device", device(user)))
              .compose(req -> req.send(Buffer.buffer("{\"inputs\":[]}")))
              .compose(resp -> resp.body().map(b -> resp))
              .onSuccess(resp -> {
                String arm = resp.getHeader("X-Vane-Variant");
                Double rate = arm == null ? null : CLICK_RATE.get(arm);
                if (rate != null && rnd.nextDouble() < rate) {
                  String rid = resp.getHeader("X-Request-Id");
                  clicks.add(new JsonObject().put("requestId", rid).put("eventId", "click-" + rid)
                      .put("metric", "click").put("value", 1));
                }
              });
        }
        if (++ticks[0] % 20 == 0 && !clicks.isEmpty()) {
          JsonArray batch = new JsonArray();
          for (JsonObject e; (e = clicks.poll()) != null; ) {
            batch.add(e);
          }
          client.request(admin(HttpMethod.POST, "/v1/feedback")).compose(r -> r.send(new JsonObject()
              .put("events", batch).encode())).compose(r -> r.body());
        }
      });
    });
  }

  private static String pct(Object v) {
    return v == null ? "n/a" : String.format("%+.1f%%", 100 * ((Number) v).doubleValue());
  }

  /** The admin API request for {@code path}, with the demo's token. */
  private RequestOptions admin(HttpMethod method, String path) {
    return new RequestOptions().setMethod(method).setAbsoluteURI(adminUrl + path)
        .putHeader("Authorization", "Bearer " + token);
  }

  /** Ramps the canary through the operator CLI, as an operator would, and prints what it said. */
  private void operatorRamp(PrintStream out) {
    out.printf("%n$ vane ctl ramp fraud-canary 25 --reason 'error rate holds'%n");
    out.flush();
    picocli.CommandLine cli = new picocli.CommandLine(new Main());
    java.io.StringWriter sw = new java.io.StringWriter();
    cli.setOut(new java.io.PrintWriter(sw, true));
    cli.setErr(new java.io.PrintWriter(sw, true));
    java.nio.file.Path tokenFile = null;
    try {
      tokenFile = java.nio.file.Files.createTempFile("vane-demo", ".token");
      java.nio.file.Files.writeString(tokenFile, token);
      int code = cli.execute("ctl", "--url", adminUrl, "--token-file", tokenFile.toString(), "ramp", "fraud-canary",
          "25", "--reason", "error rate holds");
      out.print(sw);
      if (code != 0) {
        out.printf("(vane ctl exited with %d)%n", code);
      }
    } catch (java.io.IOException e) {
      out.println("(could not write the demo token file: " + e.getMessage() + ")");
    } finally {
      if (tokenFile != null) {
        tokenFile.toFile().delete();
      }
    }
  }

  private void sendFeedback(HttpClient client, Context ctx, Queue<JsonObject> queue) {
    JsonArray batch = new JsonArray();
    JsonObject e;
    while ((e = queue.poll()) != null) {
      batch.add(e);
    }
    if (batch.isEmpty()) {
      return;
    }
    on(ctx, () -> client.request(admin(HttpMethod.POST, "/v1/feedback"))
        .compose(r -> r.send(new JsonObject().put("events", batch).encode())).compose(r -> r.body())).await();
  }

  private void analysis(HttpClient client, Context ctx, List<String> recoDecisions) throws Exception {
    for (String exp : new String[] {"ranker-abc", "reco-bandit"}) {
      JsonObject r = on(ctx, () -> client.request(admin(HttpMethod.GET, "/v1/experiments/" + exp + "/results"))
          .compose(x -> x.send()).compose(x -> x.body()).map(Buffer::toJsonObject)).await();
      out.printf("%nresults %s (control %s): click-through by arm%n", exp, r.getString("control"));
      out.printf("  %-8s %9s %8s %17s %10s %9s %10s%n", "arm", "exposures", "clicks", "rate [95% CI]", "lift",
          "p-value", "P(better)");
      for (Object o : r.getJsonArray("arms")) {
        JsonObject arm = (JsonObject) o;
        JsonObject click = null;
        for (Object m : arm.getJsonArray("metrics")) {
          if (((JsonObject) m).getString("metric").equals("click")) {
            click = (JsonObject) m;
          }
        }
        JsonObject cmp = null;
        for (Object c : r.getJsonArray("comparisons")) {
          JsonObject cc = (JsonObject) c;
          if (cc.getString("treatment").equals(arm.getString("arm")) && cc.getString("metric").equals("click")) {
            cmp = cc;
          }
        }
        JsonObject ci = click.getJsonObject("interval");
        out.printf("  %-8s %9d %8d %6.2f%% [%.2f,%.2f] %10s %9s %10s%n", arm.getString("arm"),
            arm.getLong("exposures"), click.getLong("successes"), 100 * num(click.getValue("rate")),
            100 * num(ci == null ? null : ci.getValue("low")), 100 * num(ci == null ? null : ci.getValue("high")),
            cmp == null ? "(control)" : String.format("%+.1f%%", 100 * num(cmp.getValue("relativeDifference"))),
            cmp == null ? "" : String.format("%.4f", num(cmp.getValue("pValue"))),
            cmp == null ? "" : String.format("%.3f", num(cmp.getValue("probabilityBetter"))));
      }
      JsonObject srm = r.getJsonObject("srm");
      if (srm != null && srm.getString("verdict") != null) {
        out.printf("  sample ratio check: %s (p = %.4f)%n", srm.getString("verdict"), num(srm.getValue("pValue")));
      }
      JsonObject bandit = r.getJsonObject("bandit");
      if (bandit != null) {
        StringBuilder sb = new StringBuilder();
        for (Object o : bandit.getJsonArray("arms")) {
          JsonObject a = (JsonObject) o;
          sb.append(String.format(" %s %.1f%%", a.getString("arm"), 100 * num(a.getValue("allocation"))));
        }
        out.printf("  bandit allocation now:%s%n", sb);
        int n = recoDecisions.size();
        int window = Math.min(1000, n / 2);
        out.printf("  bandit share of reco-3 (the best arm): first %d decisions %.1f%%, last %d decisions %.1f%%%n",
            window, 100.0 * share(recoDecisions.subList(0, window), "reco-3"), window,
            100.0 * share(recoDecisions.subList(n - window, n), "reco-3"));
      }
    }
  }

  private static double share(List<String> l, String arm) {
    synchronized (l) {
      return l.isEmpty() ? 0 : (double) l.stream().filter(arm::equals).count() / l.size();
    }
  }

  private void report(HttpClient client, Context ctx, int switched, int units) throws Exception {
    for (String exp : new String[] {"fraud-canary", "ranker-abc"}) {
      JsonObject e = on(ctx, () -> client.request(admin(HttpMethod.GET, "/v1/experiments/" + exp))
          .compose(r -> r.send()).compose(r -> r.body()).map(Buffer::toJsonObject)).await();
      out.printf("experiment %s%n", exp);
      out.printf("  %-10s %8s %9s %9s %8s %8s %8s %9s%n", "arm", "weight", "requests", "share", "p50 ms",
          "p99 ms", "errors", "fallback");
      for (Object o : e.getJsonArray("arms")) {
        JsonObject a = (JsonObject) o;
        JsonObject lat = a.getJsonObject("latencyMs");
        out.printf("  %-10s %7.1f%% %9d %8.1f%% %8.2f %8.2f %7.2f%% %9d%n", a.getString("id"),
            a.getInteger("weightBps") / 100.0, a.getLong("requests"), 100 * a.getDouble("exposureShare"),
            num(lat.getValue("p50")), num(lat.getValue("p99")), 100 * a.getDouble("errorRate"),
            a.getLong("fallbacks"));
      }
      JsonArray shadows = e.getJsonArray("shadows");
      for (Object o : shadows) {
        JsonObject s = (JsonObject) o;
        out.printf("  shadow %s: mirrored %d, dropped %d (in-flight bound), compared %d, status match %.1f%%, top label agreement %.1f%%, "
                + "numeric agreement (tol %s) %.1f%%, max |diff| %.4f, mean latency diff %+.2f ms%n",
            s.getString("id"), s.getLong("mirrored"), s.getLong("dropped"), s.getLong("compared"), 100 * s.getDouble("statusMatchRate"),
            100 * s.getDouble("labelAgreementRate"), s.getValue("tolerance"), 100 * s.getDouble("numericAgreementRate"),
            s.getDouble("maxAbsDiff"), s.getDouble("meanLatencyDiffMs"));
      }
    }
    out.printf("sticky check: %d of %d (user, experiment) pairs kept one arm across all their requests%n",
        units - switched, units);
  }

  private static double num(Object v) {
    return v == null ? Double.NaN : ((Number) v).doubleValue();
  }

}
