package dev.vane.gateway.feedback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The encoding shared through Redis: the day since first exposure rides after the slices, readable both ways. */
class AttributionTest {

  @Test
  void anAttributionWithItsDayRoundTrips() {
    Attribution a = new Attribution("e", "v1", "treatment", 1_796_587_200_000L, new String[] {"us", "mobile"}, 3);
    assertEquals(a, Attribution.decode(a.encode()));
    assertEquals(3, Attribution.decode(a.encode()).day());
    assertArrayEquals(new String[] {"us", "mobile"}, Attribution.decode(a.encode()).sliceValues());
  }

  @Test
  void anOlderEncodingWithoutADayReadsAsUnknown() {
    String older = "e\u001fv1\u001ftreatment\u001f1796587200000\u001fus";
    Attribution a = Attribution.decode(older);
    assertEquals(-1, a.day());
    assertArrayEquals(new String[] {"us"}, a.sliceValues());
    assertEquals(older, a.encode(), "an unknown day is not written");
  }

  @Test
  void anOlderDecoderSeesTheDayAsOneMoreSliceValueThanDeclaredWhichItIgnores() {
    String encoded = new Attribution("e", "v1", "a", 5, new String[] {"us"}, 0).encode();
    String[] fields = encoded.split("\u001f", -1);
    assertEquals(6, fields.length, "experiment, version, arm, time, one slice value, the day");
    assertEquals("\u001e0", fields[5]);
    assertEquals(new Attribution("e", "v1", "a", 5, new String[0], 2),
        Attribution.decode(new Attribution("e", "v1", "a", 5, new String[0], 2).encode()));
  }

  @Test
  void aMalformedDayIsAMalformedAttribution() {
    assertEquals(null, Attribution.decode("e\u001fv\u001fa\u001f5\u001f\u001exyz"));
  }
}
