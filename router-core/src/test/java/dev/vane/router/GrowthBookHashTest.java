package dev.vane.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Checked against GrowthBook's published SDK vectors (growthbook/growthbook packages/sdk-js/test/cases.json, copied
 * verbatim into src/test/resources/growthbook/cases.json with its commit). Every vector of the hash, getBucketRange
 * and chooseVariation sections is checked; tolerance 1e-9 for ranges (GrowthBook rounds ranges to 4 decimals in its
 * tests, and so do we before comparing).
 */
class GrowthBookHashTest {
  private static JsonNode cases() throws Exception {
    try (InputStream in = GrowthBookHashTest.class.getResourceAsStream("/growthbook/cases.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  @Test
  void everyPublishedHashVectorMatches() throws Exception {
    JsonNode vectors = cases().get("hash");
    assertEquals(15, vectors.size(), "vector count");
    for (JsonNode v : vectors) {
      String seed = v.get(0).asText();
      String value = v.get(1).asText();
      int version = v.get(2).asInt();
      Double got = GrowthBookHash.hash(seed, value, version);
      if (v.get(3).isNull()) {
        assertNull(got, v.toString());
      } else {
        assertEquals(v.get(3).asDouble(), got, 1e-12, v.toString());
        if (version == 2) {
          // the seed hashed once and continued per value (the hash split's path) gives the same bucket
          assertEquals(v.get(3).asDouble(), GrowthBookHash.bucketV2(GrowthBookHash.fnv1a32State(seed), value) / 10000.0,
              1e-12, v + " from the seed's state");
        }
      }
    }
  }

  /**
   * GrowthBook's JS {@code hashFnv32a}, transcribed literally (shift-and-add instead of a multiply, JavaScript's
   * int32 and double arithmetic emulated): an implementation independent of {@link GrowthBookHash}'s.
   */
  private static long jsHashFnv32a(String str) {
    long hval = 0x811c9dc5L;
    for (int i = 0; i < str.length(); i++) {
      int h = (int) hval ^ str.charAt(i); // hval ^= str.charCodeAt(i): ToInt32
      hval = (long) h + (h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24); // int32 shifts, double sum
    }
    return hval & 0xffffffffL; // >>> 0
  }

  @Test
  void version2MatchesTheJsTranscriptionOnInputsThePublishedVectorsLack() {
    // empty seed and value, non-ASCII, astral characters (two UTF-16 units), lone surrogates, long ids
    String[] seeds = {"", "fraud", "ü€", "\uD83D\uDE00x", "salt-2026", "x".repeat(300)};
    String[] values = {"", "user-1", "ü", "€uro", "\uD83D\uDE00", "\uD83D", "\uDE00tail", "a b\tc\n", "9".repeat(64)};
    for (String seed : seeds) {
      for (String value : values) {
        long expected = jsHashFnv32a(Long.toString(jsHashFnv32a(seed + value))) % 10000;
        assertEquals(expected, GrowthBookHash.bucketV2(seed, value), "[" + seed + "] [" + value + "]");
        assertEquals(expected, GrowthBookHash.bucketV2(GrowthBookHash.fnv1a32State(seed), value),
            "[" + seed + "] [" + value + "] from the seed's state");
        assertEquals(expected / 10000.0, GrowthBookHash.hash(seed, value, 2), 1e-15);
      }
    }
  }

  @Test
  void everyPublishedBucketRangeVectorMatches() throws Exception {
    JsonNode vectors = cases().get("getBucketRange");
    assertEquals(13, vectors.size(), "vector count");
    for (JsonNode v : vectors) {
      JsonNode args = v.get(1);
      double[] weights = null;
      if (!args.get(2).isNull()) {
        weights = new double[args.get(2).size()];
        for (int i = 0; i < weights.length; i++) {
          weights[i] = args.get(2).get(i).asDouble();
        }
      }
      List<GrowthBookHash.Range> got = GrowthBookHash.bucketRanges(args.get(0).asInt(), args.get(1).asDouble(), weights);
      JsonNode expected = v.get(2);
      assertEquals(expected.size(), got.size(), v.get(0).asText());
      for (int i = 0; i < got.size(); i++) {
        assertEquals(expected.get(i).get(0).asDouble(), round4(got.get(i).start()), 1e-9, v.get(0).asText());
        assertEquals(expected.get(i).get(1).asDouble(), round4(got.get(i).end()), 1e-9, v.get(0).asText());
      }
    }
  }

  @Test
  void everyPublishedChooseVariationVectorMatches() throws Exception {
    JsonNode vectors = cases().get("chooseVariation");
    assertEquals(13, vectors.size(), "vector count");
    for (JsonNode v : vectors) {
      List<GrowthBookHash.Range> ranges = new ArrayList<>();
      for (JsonNode r : v.get(2)) {
        ranges.add(new GrowthBookHash.Range(r.get(0).asDouble(), r.get(1).asDouble()));
      }
      assertEquals(v.get(3).asInt(), GrowthBookHash.chooseVariation(v.get(1).asDouble(), ranges), v.get(0).asText());
    }
  }

  @Test
  void allocationFreeDecimalHashEqualsHashOfDecimalString() {
    SplittableRandom r = new SplittableRandom(7);
    long[] edge = {0, 1, 9, 10, 99, 100, 4294967295L, 1000000000L, 999999999L};
    for (long v : edge) {
      assertEquals(GrowthBookHash.fnv1a32(Long.toString(v)), GrowthBookHash.fnv1a32OfDecimal(v), "v=" + v);
    }
    for (int i = 0; i < 100_000; i++) {
      long v = r.nextLong(0, 1L << 32);
      assertEquals(GrowthBookHash.fnv1a32(Long.toString(v)), GrowthBookHash.fnv1a32OfDecimal(v), "v=" + v);
    }
  }

  @Test
  void concatenatingHashEqualsHashOfConcatenation() {
    assertEquals(GrowthBookHash.fnv1a32("seed" + "user-1"), GrowthBookHash.fnv1a32("seed", "user-1"));
    assertEquals(GrowthBookHash.fnv1a32("ü€😀x"), GrowthBookHash.fnv1a32("ü€", "😀x"));
  }

  private static double round4(double x) {
    return Math.round(x * 10_000) / 10_000.0;
  }
}
