package dev.vane.gateway.response;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vane.config.Analysis.Aggregate;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BodyValuesTest {
  static BodyValues.Reading read(String body, String pointer, Aggregate a) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return BodyValues.read(b, b.length, BodyValues.tokens(pointer), a);
  }

  static void value(double expected, String body, String pointer, Aggregate a) {
    BodyValues.Reading r = read(body, pointer, a);
    assertEquals(null, r.reason(), body + " at " + pointer);
    assertEquals(expected, r.value(), 0, body + " at " + pointer);
  }

  static void skipped(String reason, String body, String pointer) {
    assertEquals(reason, read(body, pointer, Aggregate.FIRST).reason(), body + " at " + pointer);
  }

  @Test
  void pointersFollowObjectsAndArraysAndSkipTheRest() {
    String kserve = "{\"model_name\":\"m\",\"outputs\":[{\"name\":\"a\",\"data\":[[9,9]]},"
        + "{\"name\":\"p\",\"shape\":[1,3],\"data\":[0.1,0.7,0.2]}],\"id\":\"x\"}";
    value(0.1, kserve, "/outputs/1/data/0", Aggregate.FIRST);
    value(0.7, kserve, "/outputs/1/data", Aggregate.MAX);
    value(1, kserve, "/outputs/1/data", Aggregate.ARGMAX);
    value(9, kserve, "/outputs/0/data", Aggregate.FIRST);
    value(0.2, kserve, "/outputs/1/data/2", Aggregate.FIRST);
    value(3, "{\"a/b\":{\"m~n\":3}}", "/a~1b/m~0n", Aggregate.FIRST);
    value(5, "5", "", Aggregate.FIRST);
    value(1, "{\"ok\":true}", "/ok", Aggregate.FIRST);
    value(2, "{\"v\":[[1,5],[7,0]]}", "/v", Aggregate.ARGMAX);
    value(0, "{\"v\":[4,4]}", "/v", Aggregate.ARGMAX);
  }

  @Test
  void whatCannotBeReadSaysWhy() {
    skipped("missing", "{\"outputs\":[]}", "/outputs/0");
    skipped("missing", "{\"a\":1}", "/b");
    skipped("missing", "{\"a\":[1]}", "/a/01");
    skipped("missing", "{\"a\":[1]}", "/a/-");
    skipped("missing", "{\"a\":null}", "/a");
    skipped("missing", "{\"a\":1}", "/a/b");
    skipped("missing", "{\"a\":[]}", "/a");
    skipped("not_numeric", "{\"a\":\"0.5\"}", "/a");
    skipped("not_numeric", "{\"a\":[1,\"x\"]}", "/a");
    skipped("not_numeric", "{\"a\":{}}", "/a");
    skipped("not_json", "positive", "/a");
    skipped("not_json", "", "/a");
    skipped("not_json", "{\"a\":", "/a");
    skipped("not_json", "{\"b\":1", "/a");
  }

  @Test
  void tokensUnescapeInTheRfcOrder() {
    assertArrayEquals(new String[] {"a/b", "~1", ""}, BodyValues.tokens("/a~1b/~01/"));
    assertArrayEquals(new String[0], BodyValues.tokens(""));
  }
}
