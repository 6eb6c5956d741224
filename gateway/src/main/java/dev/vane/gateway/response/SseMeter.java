package dev.vane.gateway.response;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Measures an OpenAI-style server-sent-event stream as its bytes arrive, without holding the stream: only the
 * current incomplete line is kept (up to a bound). Each {@code data: {...}} line is one event; {@code data: [DONE]}
 * ends it. An event is a <i>content</i> event when its {@code choices[0].delta.content} (chat) or
 * {@code choices[0].text} (completions) is a non-empty string. The usage is the last event's {@code usage} object
 * that has one (OpenAI sends it in a final chunk when the client asked for {@code stream_options.include_usage};
 * vLLM and others may always send it). Events whose JSON does not parse are counted, not fatal.
 *
 * <p>Times are what the caller passes (nanoseconds of one clock): the time of a byte is when its chunk reached Vane,
 * so events that arrive in one read share a time.
 */
public final class SseMeter {
  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] DATA = "data:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final long startNanos;
  private final int maxLineBytes;
  private byte[] line = new byte[256];
  private int lineLength;
  private boolean lineTooLong;

  private long contentEvents;
  private long firstContentNanos = -1;
  private long lastContentNanos = -1;
  private long badEvents;
  private boolean done;
  private double promptTokens = Double.NaN;
  private double completionTokens = Double.NaN;
  private double totalTokens = Double.NaN;

  /**
   * @param startNanos   when the request was sent upstream (time to first token is measured from it)
   * @param maxLineBytes longest event line kept; a longer one is counted as a bad event
   */
  public SseMeter(long startNanos, int maxLineBytes) {
    this.startNanos = startNanos;
    this.maxLineBytes = maxLineBytes;
  }

  /** Feeds {@code bytes[offset..offset+length)}, received at {@code nanos}. */
  public void feed(byte[] bytes, int offset, int length, long nanos) {
    for (int i = offset, end = offset + length; i < end; i++) {
      byte b = bytes[i];
      if (b == '\n') {
        if (!lineTooLong) {
          event(nanos);
        } else {
          badEvents++;
        }
        lineLength = 0;
        lineTooLong = false;
      } else if (!lineTooLong) {
        if (lineLength == maxLineBytes) {
          lineTooLong = true;
          continue;
        }
        if (lineLength == line.length) {
          line = java.util.Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
        }
        line[lineLength++] = b;
      }
    }
  }

  private void event(long nanos) {
    int n = lineLength;
    if (n > 0 && line[n - 1] == '\r') {
      n--;
    }
    if (n < DATA.length) {
      return;
    }
    for (int i = 0; i < DATA.length; i++) {
      if (line[i] != DATA[i]) {
        return; // a comment, event:, id: or retry: line
      }
    }
    int from = DATA.length;
    if (from < n && line[from] == ' ') {
      from++;
    }
    if (n - from == 6 && new String(line, from, 6, java.nio.charset.StandardCharsets.US_ASCII).equals("[DONE]")) {
      done = true;
      return;
    }
    try (JsonParser p = JSON.createParser(line, from, n - from)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        badEvents++;
        return;
      }
      boolean content = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (name.equals("choices") && t == JsonToken.START_ARRAY) {
          content |= firstChoiceHasContent(p);
        } else if (name.equals("usage") && t == JsonToken.START_OBJECT) {
          usage(p);
        } else {
          p.skipChildren();
        }
      }
      if (content) {
        contentEvents++;
        if (firstContentNanos < 0) {
          firstContentNanos = nanos;
        }
        lastContentNanos = nanos;
      }
    } catch (IOException | RuntimeException e) {
      badEvents++;
    }
  }

  /** Reads the choices array (started); whether its first element has non-empty delta.content or text. */
  private static boolean firstChoiceHasContent(JsonParser p) throws IOException {
    boolean content = false;
    JsonToken t = p.nextToken();
    if (t == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (name.equals("text") && v == JsonToken.VALUE_STRING) {
          content |= !p.getText().isEmpty();
        } else if (name.equals("delta") && v == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String d = p.currentName();
            JsonToken dv = p.nextToken();
            if (d.equals("content") && dv == JsonToken.VALUE_STRING) {
              content |= !p.getText().isEmpty();
            } else {
              p.skipChildren();
            }
          }
        } else {
          p.skipChildren();
        }
      }
      t = p.nextToken();
    }
    while (t != JsonToken.END_ARRAY) { // the other choices
      if (t == null) {
        throw new IOException("cut short");
      }
      p.skipChildren();
      t = p.nextToken();
    }
    return content;
  }

  private void usage(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      boolean number = v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT;
      switch (name) {
        case "prompt_tokens" -> promptTokens = number ? p.getDoubleValue() : promptTokens;
        case "completion_tokens" -> completionTokens = number ? p.getDoubleValue() : completionTokens;
        case "total_tokens" -> totalTokens = number ? p.getDoubleValue() : totalTokens;
        default -> p.skipChildren();
      }
    }
  }

  /** Events with non-empty content so far. */
  public long contentEvents() {
    return contentEvents;
  }

  /** Data lines that were not a JSON object (or too long). */
  public long badEvents() {
    return badEvents;
  }

  /** Whether {@code data: [DONE]} was seen. */
  public boolean done() {
    return done;
  }

  /** Milliseconds from the start to the first content event, or NaN when there was none. */
  public double ttftMillis() {
    return firstContentNanos < 0 ? Double.NaN : (firstContentNanos - startNanos) / 1e6;
  }

  /** Mean milliseconds between consecutive content events, or NaN with fewer than two. */
  public double interTokenMillis() {
    return contentEvents < 2 ? Double.NaN : (lastContentNanos - firstContentNanos) / 1e6 / (contentEvents - 1);
  }

  /** The last usage's prompt tokens, or NaN when no event carried it. */
  public double promptTokens() {
    return promptTokens;
  }

  public double completionTokens() {
    return completionTokens;
  }

  public double totalTokens() {
    return totalTokens;
  }
}
