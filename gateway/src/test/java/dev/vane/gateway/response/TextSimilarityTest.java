package dev.vane.gateway.response;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextSimilarityTest {
  static String text(String body) {
    return TextSimilarity.firstChoiceText(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theFirstChoicesTextOfJsonBodiesAndStreams() {
    assertEquals("Hi there", text("{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
        + "\"content\":\"Hi there\"}},{\"message\":{\"content\":\"other\"}}],\"usage\":{}}"));
    assertEquals("done", text("{\"choices\":[{\"text\":\"done\"}]}"));
    assertEquals("Hello!", text("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"
        + "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\r\n\r\n: comment\n"
        + "data:{\"choices\":[{\"delta\":{\"content\":\"lo!\"}}]}\n\ndata: {\"choices\":[],\"usage\":{}}\n\n"
        + "data: [DONE]\n\n"));
    assertNull(text("{\"outputs\":[{\"data\":[1]}]}"));
    assertNull(text("plain text"));
    assertNull(TextSimilarity.firstChoiceText(null));
  }

  /** Levenshtein by hand: kitten -> sitting is 3 edits (two substitutions, one insertion) over 7 characters. */
  @Test
  void editSimilarityIsOneMinusTheNormalisedLevenshteinDistance() {
    assertEquals(1 - 3 / 7.0, TextSimilarity.editSimilarity("kitten", "sitting"), 1e-15);
    assertEquals(1, TextSimilarity.editSimilarity("", ""));
    assertEquals(0, TextSimilarity.editSimilarity("abc", ""));
    assertEquals(0.75, TextSimilarity.editSimilarity("flaw", "flow"), 1e-15);
    String longA = "a".repeat(5000);
    assertEquals(1, TextSimilarity.editSimilarity(longA, longA + "b"), "only the first 2000 characters count");
  }

  @Test
  void tokenOverlapIsTheJaccardIndexOfLowerCasedTokens() {
    // {the, cat, sat} and {the, cat, ran}: 2 shared of 4 distinct
    assertEquals(0.5, TextSimilarity.tokenOverlap("The cat  sat", "the CAT ran\n"), 1e-15);
    assertEquals(1, TextSimilarity.tokenOverlap(" ", ""));
    assertEquals(0, TextSimilarity.tokenOverlap("a", "b"));
  }
}
