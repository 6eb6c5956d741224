package dev.vane.gateway.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.SplittableRandom;

/**
 * A fake OpenAI-style chat server for the demo: {@code POST /v1/chat/completions} answers a chat completion with
 * {@code usage}, or, when the body asks for {@code "stream": true}, server-sent events: one chunk per token and
 * {@code data: [DONE]}, with, as OpenAI does only when the body says {@code "stream_options": {"include_usage":
 * true}}, {@code "usage": null} on each chunk and a final chunk with {@code usage} (Vane asks for it). The prompt counts one token per four
 * bytes of the body; the answer has {@code tokens} +- 25% tokens, the first after {@code firstTokenMs}, the others
 * {@code tokenMs} apart.
 */
public final class SimulatedChat {
  /**
   * @param name         model name in answers
   * @param tokens       mean completion tokens
   * @param firstTokenMs delay before the first token
   * @param tokenMs      delay between tokens
   * @param seed         randomness of the answer length
   */
  public record Profile(String name, int tokens, long firstTokenMs, long tokenMs, long seed) {}

  private final Profile profile;
  private final SplittableRandom random;
  private HttpServer server;

  public SimulatedChat(Profile profile) {
    this.profile = profile;
    this.random = new SplittableRandom(profile.seed());
  }

  public Future<SimulatedChat> start(Vertx vertx) {
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
      int completion;
      synchronized (random) {
        completion = Math.max(1, (int) Math.round(profile.tokens() * (0.75 + 0.5 * random.nextDouble())));
      }
      int prompt = Math.max(1, body.length() / 4);
      JsonObject usage = new JsonObject().put("prompt_tokens", prompt).put("completion_tokens", completion)
          .put("total_tokens", prompt + completion);
      JsonObject request;
      try {
        request = body.length() == 0 ? new JsonObject() : body.toJsonObject();
      } catch (RuntimeException e) {
        request = new JsonObject();
      }
      boolean stream = Boolean.TRUE.equals(request.getValue("stream"));
      Object options = request.getValue("stream_options");
      boolean withUsage = options instanceof JsonObject o && Boolean.TRUE.equals(o.getValue("include_usage"));
      Vertx vertx = Vertx.currentContext().owner();
      HttpServerResponse res = req.response();
      if (!stream) {
        vertx.setTimer(profile.firstTokenMs() + profile.tokenMs() * (completion - 1), id -> res
            .putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("id", "chatcmpl-demo").put("object", "chat.completion")
                .put("model", profile.name())
                .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("finish_reason", "stop")
                    .put("message", new JsonObject().put("role", "assistant").put("content", text(completion)))))
                .put("usage", usage).encode()));
        return;
      }
      res.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
      vertx.setTimer(profile.firstTokenMs(), id -> token(vertx, res, 0, completion, withUsage ? usage : null));
    });
  }

  /** Token {@code i} of {@code completion}; {@code usage}: null when the request did not ask for it. */
  private void token(Vertx vertx, HttpServerResponse res, int i, int completion, JsonObject usage) {
    if (res.closed()) {
      return;
    }
    if (i == completion) {
      res.end((usage == null ? "" : "data: " + new JsonObject().put("choices", new JsonArray()).put("usage", usage)
          .encode() + "\n\n") + "data: [DONE]\n\n");
      return;
    }
    JsonObject chunk = new JsonObject().put("model", profile.name()).put("choices", new JsonArray().add(
        new JsonObject().put("index", 0).put("delta", new JsonObject().put("content", " w" + i))));
    if (usage != null) {
      chunk.putNull("usage");
    }
    res.write("data: " + chunk.encode() + "\n\n");
    vertx.setTimer(profile.tokenMs(), id -> token(vertx, res, i + 1, completion, usage));
  }

  private static String text(int tokens) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < tokens; i++) {
      sb.append(" w").append(i);
    }
    return sb.toString().trim();
  }
}
