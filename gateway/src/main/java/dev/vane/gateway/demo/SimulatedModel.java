package dev.vane.gateway.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A fake KServe v2 model server for the demo and tests: answers {@code POST /v2/models/{name}/infer} with
 * three class probabilities derived from the request body (so two models agree on the same input up to their
 * noise), after a latency of {@code baseMs} plus exponential jitter, failing {@code errorRate} of requests with 500.
 */
public final class SimulatedModel {
  /**
   * @param name       model name reported in responses
   * @param baseMs     minimum latency
   * @param jitterMs   mean of the exponential extra latency
   * @param errorRate  share of requests answered with 500
   * @param noise      amplitude of this model's perturbation of the shared scores
   * @param seed       randomness for latency and errors
   */
  public record Profile(String name, double baseMs, double jitterMs, double errorRate, double noise, long seed) {}

  private final Profile profile;
  private final SplittableRandom random;
  private HttpServer server;

  public SimulatedModel(Profile profile) {
    this.profile = profile;
    this.random = new SplittableRandom(profile.seed());
  }

  public Future<SimulatedModel> start(Vertx vertx) {
    return vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").map(s -> {
      server = s;
      return this;
    });
  }

  public int port() {
    return server.actualPort();
  }

  public Profile profile() {
    return profile;
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      double delay;
      boolean fail;
      synchronized (random) {
        delay = profile.baseMs() + (profile.jitterMs() > 0 ? -profile.jitterMs() * Math.log(1 - random.nextDouble()) : 0);
        fail = random.nextDouble() < profile.errorRate();
      }
      Runnable answer = () -> {
        if (fail) {
          req.response().setStatusCode(500).putHeader("Content-Type", "application/json")
              .end(new JsonObject().put("error", "simulated failure in " + profile.name()).encode());
          return;
        }
        req.response().putHeader("Content-Type", "application/json").end(infer(body).encode());
      };
      long ms = Math.round(delay);
      if (ms <= 0) {
        answer.run();
      } else {
        req.response().closeHandler(null);
        Vertx.currentContext().owner().setTimer(ms, id -> answer.run());
      }
    });
  }

  private JsonObject infer(Buffer body) {
    int h = Arrays.hashCode(body.getBytes());
    SplittableRandom shared = new SplittableRandom(h);
    SplittableRandom own = new SplittableRandom(h * 31L + profile.seed());
    double[] s = new double[3];
    double sum = 0;
    for (int i = 0; i < 3; i++) {
      s[i] = Math.max(1e-6, shared.nextDouble() + profile.noise() * (own.nextDouble() - 0.5));
      sum += s[i];
    }
    JsonArray data = new JsonArray();
    for (double x : s) {
      data.add(Math.round(x / sum * 1e6) / 1e6);
    }
    return new JsonObject()
        .put("model_name", profile.name())
        .put("outputs", new JsonArray().add(new JsonObject()
            .put("name", "probabilities").put("shape", new JsonArray().add(1).add(3))
            .put("datatype", "FP32").put("data", data)));
  }
}
