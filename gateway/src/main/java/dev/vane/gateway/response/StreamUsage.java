package dev.vane.gateway.response;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Token usage of a streamed OpenAI-style answer that the client did not ask for. OpenAI sends a stream's usage only
 * when the request says {@code "stream_options": {"include_usage": true}}: then a last event before
 * {@code data: [DONE]} carries {@code usage} with an empty {@code choices}, and every other event has
 * {@code "usage": null}. To measure tokens and cost of every stream, Vane asks for it upstream when the client did
 * not ({@link #ask}), and keeps that last event from the client ({@link Filter}), so the client gets the events it
 * asked for (each with {@code "usage": null}, which OpenAI's own chunk schema allows).
 */
public final class StreamUsage {
  private static final ObjectMapper JSON = new ObjectMapper()
      // numbers are passed on as written: no float or long rounding through a double
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
  private static final Pattern LINES = Pattern.compile("\r\n|\r|\n");

  private StreamUsage() {}

  /**
   * The body with {@code stream_options.include_usage} set to true, or null when it is not to be changed: the body
   * is not a JSON object with {@code "stream": true}, it already asks for usage, or its {@code stream_options} is
   * not an object. Only the top-level {@code stream_options} changes; every other field and value stays (white space
   * may not).
   */
  public static byte[] ask(Buffer body) {
    return mentionsStream(body) ? asked(body.getBytes()) : null; // a body without "stream" is not even copied
  }

  private static byte[] asked(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      return null; // not JSON: sent as it came
    }
    if (!(root instanceof ObjectNode o) || !o.path("stream").isBoolean() || !o.path("stream").booleanValue()) {
      return null;
    }
    JsonNode options = o.get("stream_options");
    if (options != null && !options.isNull() && !options.isObject()) {
      return null; // the server will say what it makes of it
    }
    if (options != null && options.path("include_usage").isBoolean() && options.path("include_usage").booleanValue()) {
      return null; // the client asked: its stream carries the usage already
    }
    ObjectNode opts = options instanceof ObjectNode on ? on : o.putObject("stream_options");
    opts.put("include_usage", true);
    try {
      return JSON.writeValueAsBytes(o);
    } catch (IOException e) {
      return null;
    }
  }

  /** A cheap look for the bytes {@code "stream"} before any parse: most bodies are not streamed requests. */
  private static boolean mentionsStream(Buffer b) {
    outer:
    for (int i = 0, n = b.length() - 8; i <= n; i++) {
      if (b.getByte(i) != '"') {
        continue;
      }
      for (int k = 0; k < 6; k++) {
        if (b.getByte(i + 1 + k) != "stream".charAt(k)) {
          continue outer;
        }
      }
      if (b.getByte(i + 7) == '"') {
        return true;
      }
    }
    return false;
  }

  /**
   * Passes a server-sent-event stream on event by event, without the usage events the client did not ask for (an
   * event whose data is a JSON object with a {@code usage} object and an empty {@code choices} array). Each complete
   * event is passed on as soon as its last byte arrives, byte for byte; the bytes of an event not yet complete wait
   * for the rest of it (a client cannot act on part of an event). Lines may end with CRLF, LF or CR.
   */
  public static final class Filter {
    /** The bytes of the event that has begun and not yet ended. */
    private Buffer partial;
    /** The current line has no bytes yet. */
    private boolean lineEmpty = true;
    /** The previous byte was a CR (a LF after it ends nothing more). */
    private boolean afterCr;
    /** The last event ended with a CR at the end of its chunk; {@link #lastDropped}: it was the usage event. */
    private boolean endedOnCr;
    private boolean lastDropped;
    private int dropped;

    /** What of {@code chunk} (with what waited before it) is to go to the client now; possibly empty. */
    public Buffer accept(Buffer chunk) {
      int n = chunk.length();
      int start = 0; // where the current event begins in chunk (0 for one that began in an earlier chunk)
      int passFrom = 0; // chunk[passFrom, start) goes out after `out`
      Buffer out = null;
      if (endedOnCr && n > 0) {
        endedOnCr = false;
        if (chunk.getByte(0) == '\n') {
          // the LF of the CRLF that ended the last event: it goes (or is dropped) with that event
          start = 1;
          passFrom = lastDropped ? 1 : 0;
        }
      }
      for (int i = 0; i < n; i++) {
        byte c = chunk.getByte(i);
        if (c == '\n' && afterCr) {
          afterCr = false;
          continue; // the LF of a CRLF: the line ended at the CR
        }
        afterCr = c == '\r';
        if (c != '\n' && c != '\r') {
          lineEmpty = false;
          continue;
        }
        if (!lineEmpty) {
          lineEmpty = true; // a line ended; the next one starts empty
          continue;
        }
        // an empty line: the event that began at `start` (or in an earlier chunk) ends here
        int end = i + 1;
        if (c == '\r' && end < n && chunk.getByte(end) == '\n') {
          end++; // the CRLF whole
          afterCr = false;
          i++;
        }
        endedOnCr = c == '\r' && end == n; // its LF, if any, comes with the next chunk
        boolean carried = partial != null;
        Buffer event = carried ? partial.appendBuffer(chunk.slice(start, end)) : chunk.slice(start, end);
        partial = null;
        lastDropped = unasked(event);
        if (lastDropped) {
          dropped++;
          if (passFrom < start) {
            out = append(out, chunk.slice(passFrom, start), n);
          }
          passFrom = end;
        } else if (carried) {
          out = append(out, event, n); // its first part waited: it goes out whole (start and passFrom are 0)
          passFrom = end;
        }
        start = end;
      }
      if (start < n) {
        Buffer rest = chunk.slice(start, n);
        partial = partial == null ? Buffer.buffer(n - start + 256).appendBuffer(rest) : partial.appendBuffer(rest);
      }
      if (out == null) {
        return passFrom == 0 && start == n ? chunk : chunk.slice(passFrom, start);
      }
      return passFrom < start ? out.appendBuffer(chunk.slice(passFrom, start)) : out;
    }

    private static Buffer append(Buffer out, Buffer part, int hint) {
      return (out == null ? Buffer.buffer(Math.max(part.length(), hint)) : out).appendBuffer(part);
    }

    /** The stream ended: what still waits (an event without its closing empty line) goes out as it came. */
    public Buffer finish() {
      Buffer rest = partial == null ? Buffer.buffer() : partial;
      partial = null;
      return rest;
    }

    /** The usage events kept from the client so far. */
    public int dropped() {
      return dropped;
    }

    /** Whether {@code event} is the usage event: data {@code {..., "choices": [], "usage": {...}}}. */
    static boolean unasked(Buffer event) {
      String text = event.toString(StandardCharsets.UTF_8);
      if (!text.contains("usage")) {
        return false;
      }
      StringBuilder data = new StringBuilder();
      for (String line : LINES.split(text)) {
        if (line.startsWith("data:")) {
          String v = line.substring(5);
          if (data.length() > 0) {
            data.append('\n');
          }
          data.append(v.startsWith(" ") ? v.substring(1) : v);
        }
      }
      if (data.length() == 0) {
        return false;
      }
      boolean usage = false;
      boolean noChoices = false;
      try (JsonParser p = JSON.getFactory().createParser(data.toString())) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return false;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          if (name.equals("usage")) {
            usage = v == JsonToken.START_OBJECT;
          } else if (name.equals("choices")) {
            noChoices = v == JsonToken.START_ARRAY && p.nextToken() == JsonToken.END_ARRAY;
            if (noChoices) {
              continue;
            }
          }
          p.skipChildren();
        }
      } catch (IOException e) {
        return false;
      }
      return usage && noChoices;
    }
  }
}
