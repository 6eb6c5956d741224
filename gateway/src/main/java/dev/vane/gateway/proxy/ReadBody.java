package dev.vane.gateway.proxy;

import dev.vane.gateway.http.Errors;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Reads the request body whole, up to {@code server.maxBodyBytes} (413 beyond, by Content-Length at once or while
 * reading a chunked body); an invalid Content-Length or an unreadable body (a malformed chunk) gets 400. Routing by
 * model name and the shadows need the whole body, so it is read before anything else happens.
 */
final class ReadBody implements ProxyStep {
  private final Vertx vertx;

  ReadBody(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public void onRequest(Exchange x) {
    HttpServerRequest req = x.req;
    long max = x.snapshot.config().server().maxBodyBytes();
    String cl = req.getHeader("Content-Length");
    if (cl != null) {
      long len;
      try {
        len = Long.parseLong(cl.trim());
      } catch (NumberFormatException e) {
        len = -1;
      }
      if (len < 0) {
        rejectAndClose(x, 400, "invalid Content-Length: " + cl);
        return;
      }
      if (len > max) {
        rejectAndClose(x, 413, "request body of " + len + " bytes exceeds the limit of " + max + " bytes");
        return;
      }
    }
    BodyReader body = new BodyReader();
    req.handler(chunk -> {
      if (x.rejected) {
        return;
      }
      if ((long) body.length + chunk.length() > max) {
        rejectAndClose(x, 413, "request body exceeds the limit of " + max + " bytes");
        return;
      }
      body.add(chunk);
    });
    req.exceptionHandler(t -> {
      if (!x.rejected) {
        // a malformed chunked body or a connection lost mid-body: answer 400 if the client can still hear it
        rejectAndClose(x, 400, "the request body could not be read: " + Errors.describe(t));
      }
    });
    req.endHandler(v -> {
      if (!x.rejected) {
        x.body = body.result();
        x.proceed();
      }
    });
  }

  /** Refuses the request and closes its connection (the rest of its body is not read). */
  private void rejectAndClose(Exchange x, int status, String message) {
    x.rejected = true;
    HttpServerResponse res = x.req.response();
    if (res.headWritten()) {
      x.req.connection().close();
      x.end(status, false);
      return;
    }
    res.putHeader("Connection", "close");
    x.answer(status, message);
    res.closeHandler(null);
    vertx.setTimer(50, id -> x.req.connection().close());
  }

  /**
   * Collects a request body. The usual inference request arrives in one chunk, which is kept as it is (Vert.x hands
   * each handler its own heap copy of the bytes); only a second chunk starts an aggregate.
   */
  static final class BodyReader {
    private Buffer first;
    private Buffer aggregate;
    int length;

    void add(Buffer chunk) {
      length += chunk.length();
      if (first == null && aggregate == null) {
        first = chunk;
        return;
      }
      if (aggregate == null) {
        aggregate = Buffer.buffer(Math.max(first.length() * 2, length));
        aggregate.appendBuffer(first);
        first = null;
      }
      aggregate.appendBuffer(chunk);
    }

    Buffer result() {
      return aggregate != null ? aggregate : first != null ? first : Buffer.buffer();
    }
  }
}
