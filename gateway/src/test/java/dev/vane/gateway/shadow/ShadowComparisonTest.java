package dev.vane.gateway.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Shadow comparisons, table-driven: each pair of bodies and the comparison it must give. */
class ShadowComparisonTest {
  private static byte[] b(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  private static ShadowComparison cmp(String primary, String shadow, double tolerance) {
    // separate arrays, as in the gateway: equal content, never the same array
    return ShadowComparison.compare(200, b(primary), 200, b(shadow), tolerance);
  }

  private static final String KSERVE = "{\"outputs\":[{\"name\":\"p\",\"data\":[0.1,0.7,0.2]}]}";

  @Test
  void identicalBodiesAgreeOnEverythingTheyCarry() {
    assertEquals(new ShadowComparison(true, true, 0.0, true, true), cmp(KSERVE, KSERVE, 0.0));
    String nan = "{\"outputs\":[{\"data\":[NaN,1.0]}]}"; // not JSON: no numeric outputs to compare
    assertEquals(new ShadowComparison(true, true, null, false, null), cmp(nan, nan, 1e-6));
    String text = "{\"choices\":[{\"message\":{\"content\":\"yes\"}}]}";
    assertEquals(new ShadowComparison(true, true, null, false, true), cmp(text, text, 1e-6));
    assertEquals(new ShadowComparison(true, true, null, false, null), cmp("plain text", "plain text", 1e-6));
    assertEquals(new ShadowComparison(true, true, null, false, null), cmp(null, null, 1e-6));
  }

  @Test
  void differentBodiesAreComparedOutputByOutput() {
    String close = "{\"outputs\":[{\"name\":\"p\",\"data\":[0.1,0.70001,0.2]}]}";
    ShadowComparison near = cmp(KSERVE, close, 1e-3);
    assertEquals(false, near.bodyEqual());
    assertEquals(1e-5, near.maxAbsDiff(), 1e-12);
    assertEquals(true, near.withinTolerance());
    assertEquals(true, near.labelEqual());
    assertEquals(false, cmp(KSERVE, close, 1e-6).withinTolerance());

    String flipped = "{\"outputs\":[{\"name\":\"p\",\"data\":[0.8,0.1,0.1]}]}";
    assertEquals(false, cmp(KSERVE, flipped, 1e-3).labelEqual(), "argmax 1 vs 0");

    String shorter = "{\"outputs\":[{\"name\":\"p\",\"data\":[0.1,0.7]}]}";
    assertEquals(Double.POSITIVE_INFINITY, cmp(KSERVE, shorter, 1.0).maxAbsDiff(), "shapes differ");

    String predictions = "{\"predictions\":[[0.1,0.7,0.2]]}";
    ShadowComparison v1 = cmp(KSERVE, predictions, 0.0);
    assertEquals(0.0, v1.maxAbsDiff(), "KServe v2 outputs and v1 predictions carry the same numbers");
    assertEquals(true, v1.labelEqual());

    assertEquals(false, cmp("{\"choices\":[{\"text\":\"a\"}]}", "{\"choices\":[{\"text\":\"b\"}]}", 0).labelEqual());
  }

  @Test
  void statusesAreComparedToo() {
    assertEquals(false, ShadowComparison.compare(200, b(KSERVE), 500, b(KSERVE), 0).statusMatch());
  }
}
