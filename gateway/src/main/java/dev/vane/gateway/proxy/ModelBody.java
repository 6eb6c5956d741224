package dev.vane.gateway.proxy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/** Reads the top-level {@code model} field of an OpenAI-style JSON body with a streaming parser. */
final class ModelBody {
  private static final JsonFactory JSON = new JsonFactory();

  private ModelBody() {}

  /**
   * @return the model name, or null when the body has no top-level string {@code model}
   * @throws IllegalArgumentException when the body is not a JSON object
   */
  static String model(byte[] body) {
    return field(body, "model");
  }

  /**
   * The top-level scalar field {@code name} of a JSON object body, as text, or null when absent.
   *
   * @throws IllegalArgumentException when the body is not a JSON object
   */
  static String field(byte[] body, String name) {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("request body is not a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String fieldName = p.currentName();
        JsonToken v = p.nextToken();
        if (name.equals(fieldName) && v != null && v.isScalarValue() && v != JsonToken.VALUE_NULL) {
          return p.getText();
        }
        p.skipChildren();
      }
      if (t != JsonToken.END_OBJECT) {
        throw new IllegalArgumentException("request body is not valid JSON");
      }
      return null;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException("request body could not be read: " + e.getMessage());
    }
  }
}
