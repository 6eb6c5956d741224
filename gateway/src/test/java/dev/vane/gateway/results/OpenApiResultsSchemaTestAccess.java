package dev.vane.gateway.results;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The OpenAPI document and its schema check, for the admin API's test in another package. */
public final class OpenApiResultsSchemaTestAccess {
  private OpenApiResultsSchemaTestAccess() {}

  public static JsonNode document() throws Exception {
    return OpenApiResultsSchemaTest.document();
  }

  /** Adds to {@code problems} where {@code value} does not match {@code schema}. */
  public static void check(JsonNode doc, JsonNode schema, Object value, String at, List<String> problems) {
    OpenApiResultsSchemaTest.check(doc, schema, value, at, problems);
  }
}
