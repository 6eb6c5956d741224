package dev.vane.config.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.config.ConfigLoader;
import dev.vane.config.VaneConfig;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class ConfigEditsTest {
  private static final Map<String, String> ENV = Map.of("PORT", "8080", "REDIS_URI", "redis://:pw@redis:6379/0",
      "LOOPS", "2");
  private static final ConfigLoader LOADER = new ConfigLoader(ENV::get);

  static String full() throws Exception {
    try (var in = Objects.requireNonNull(ConfigEditsTest.class.getResourceAsStream("/full.yaml"))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The full example with placeholders, quoted numbers-as-strings and a redis section. */
  static String withPlaceholders() throws Exception {
    return full().replace("  port: 8080\n", "  port: ${PORT}\n  eventLoops: ${LOOPS:-1}\n")
        .replace("  eventLoops: 2\n", "")
        .replace("  overrideHeader: X-Vane-Variant\n", "  overrideHeader: \"yes\"\n  unitId: { header: \"on\" }\n")
        .replace("  unitId: { header: X-User-Id, cookie: vane_uid, query: user }\n", "")
        .replace("  store: memory\n", "  redis: { uri: \"${REDIS_URI}\" }\n")
        .replace("      headers: { X-Region: [eu, uk] }", "      headers: { X-Region: [\"8080\", uk] }");
  }

  static VaneConfig load(String text) throws Exception {
    return LOADER.parse(text, "test");
  }

  @Test
  void placeholdersKeepTheirQuotingSoTheSubstitutedDocumentStillValidates() throws Exception {
    String before = withPlaceholders();
    VaneConfig original = load(before);
    String after = ConfigEdits.ramp(before, "fraud-canary", 25).document();
    assertTrue(after.contains("port: ${PORT}\n"), after);
    assertTrue(after.contains("eventLoops: ${LOOPS:-1}\n"), after);
    assertTrue(after.contains("uri: \"${REDIS_URI}\""), after);
    assertTrue(after.contains("overrideHeader: \"yes\""), after);
    assertTrue(after.contains("header: \"on\""), after);
    assertTrue(after.contains("- \"8080\""), after);
    assertTrue(after.contains("tolerance: 0.0001"), after);
    assertFalse(after.startsWith("---"), after);
    VaneConfig edited = load(after);
    assertEquals(8080, edited.server().port());
    assertEquals(2, edited.server().eventLoops());
    assertEquals("yes", edited.server().overrideHeader());
    assertEquals(original.state().redis().uri(), edited.state().redis().uri());
    assertEquals(2500, edited.routing().experiment("fraud-canary").arm("canary").weightBps());
  }

  @Test
  void jsonDocumentsAreEditedAndWrittenAsYaml() throws Exception {
    String json = """
        {"endpoints": [{"id": "a", "url": "http://127.0.0.1:1"}, {"id": "b", "url": "http://127.0.0.1:2"}],
         "server": {"port": ${PORT}},
         "experiments": [{"id": "e", "champion": {"endpoint": "a"}, "canary": {"endpoint": "b", "percent": 5}}]}
        """;
    Edit edit = ConfigEdits.ramp(json, "e", 50);
    assertTrue(edit.document().contains("port: ${PORT}"), edit.document());
    assertEquals(5000, load(edit.document()).routing().experiment("e").arm("canary").weightBps());
  }

  @Test
  void rampUpMovesChampionUnitsAndSaysSo() throws Exception {
    Edit edit = ConfigEdits.ramp(full(), "fraud-canary", 25);
    assertEquals("experiment fraud-canary: canary 5% -> 25%", edit.summary());
    assertEquals("Units on the champion whose bucket now falls in the canary's 25% move to the canary; units"
        + " already on the canary stay on it.", edit.stickiness());
    Experiment e = load(edit.document()).routing().experiment("fraud-canary");
    assertEquals(7500, e.arm("champion").weightBps());
    assertEquals(2500, e.arm("canary").weightBps());
  }

  @Test
  void rampDownKeepsCanaryUsersOnTheCanary() throws Exception {
    Edit edit = ConfigEdits.ramp(full(), "fraud-canary", 1);
    assertEquals("experiment fraud-canary: canary 5% -> 1%", edit.summary());
    assertTrue(edit.stickiness().startsWith("Units already on the canary stay on it"), edit.stickiness());
    assertEquals(100, load(edit.document()).routing().experiment("fraud-canary").arm("canary").weightBps());
  }

  @Test
  void rampRejectsABadPercentAMissingCanaryAndANoOp() throws Exception {
    assertEquals(EditException.Kind.INVALID, assertThrows(EditException.class,
        () -> ConfigEdits.ramp(full(), "fraud-canary", 101)).kind());
    EditException noCanary = assertThrows(EditException.class, () -> ConfigEdits.ramp(full(), "ranker-abc", 5));
    assertEquals(EditException.Kind.INVALID, noCanary.kind());
    assertEquals("experiment ranker-abc has no canary to ramp (expected: an experiment with a canary)",
        noCanary.getMessage());
    EditException same = assertThrows(EditException.class, () -> ConfigEdits.ramp(full(), "fraud-canary", 5));
    assertEquals(EditException.Kind.CONFLICT, same.kind());
    assertEquals("experiment fraud-canary: canary canary is already at 5%", same.getMessage());
  }

  @Test
  void unknownExperimentsAreNotFound() throws Exception {
    EditException e = assertThrows(EditException.class, () -> ConfigEdits.pause(full(), "nope"));
    assertEquals(EditException.Kind.NOT_FOUND, e.kind());
    assertEquals("experiment \"nope\" not found (expected one of: fraud-canary, ranker-abc)", e.getMessage());
  }

  @Test
  void weightsChangeEveryVariantAndKeepStoredUsers() throws Exception {
    Edit edit = ConfigEdits.weights(full(), "ranker-abc", Map.of("a", 3400, "b", 3300, "c", 3300));
    assertEquals("experiment ranker-abc: weights a 5000 -> 3400, b 2500 -> 3300, c 2500 -> 3300 bps",
        edit.summary());
    assertEquals("Units with a stored assignment keep their variant; new units follow the new weights.",
        edit.stickiness());
    Experiment e = load(edit.document()).routing().experiment("ranker-abc");
    assertEquals(3400, e.arm("a").weightBps());
    assertEquals(3300, e.arm("c").weightBps());
  }

  @Test
  void weightsMustNameEveryVariantAndSumTo10000() throws Exception {
    assertEquals("experiment ranker-abc: variant \"c\" has no weight (expected: a weight for every variant: a, b, c)",
        assertThrows(EditException.class,
            () -> ConfigEdits.weights(full(), "ranker-abc", Map.of("a", 5000, "b", 5000))).getMessage());
    assertEquals("experiment ranker-abc: no variant \"d\" (expected one of: a, b, c)", assertThrows(
        EditException.class, () -> ConfigEdits.weights(full(), "ranker-abc",
            Map.of("a", 5000, "b", 2500, "c", 2500, "d", 0))).getMessage());
    assertEquals("experiment ranker-abc: weights sum to 9999 bps (expected: 10000)", assertThrows(
        EditException.class, () -> ConfigEdits.weights(full(), "ranker-abc",
            Map.of("a", 4999, "b", 2500, "c", 2500))).getMessage());
    assertEquals(EditException.Kind.INVALID, assertThrows(EditException.class,
        () -> ConfigEdits.weights(full(), "fraud-canary", Map.of())).kind());
  }

  @Test
  void pauseAndResumeToggleTheKillSwitchAndKeepTheExperimentVersion() throws Exception {
    String live = full();
    Edit paused = ConfigEdits.pause(live, "fraud-canary");
    assertEquals("experiment fraud-canary: paused", paused.summary());
    assertEquals("Everyone is served by the control arm; stored assignments are kept and nothing new is stored; no"
        + " exposures are counted.", paused.stickiness());
    Experiment p = load(paused.document()).routing().experiment("fraud-canary");
    assertTrue(p.paused());
    EditException again = assertThrows(EditException.class, () -> ConfigEdits.pause(paused.document(),
        "fraud-canary"));
    assertEquals(EditException.Kind.CONFLICT, again.kind());
    assertEquals("experiment fraud-canary is already paused", again.getMessage());
    Edit resumed = ConfigEdits.resume(paused.document(), "fraud-canary");
    assertEquals("experiment fraud-canary: resumed", resumed.summary());
    assertEquals("Every sticky unit returns to its stored arm; units without one are assigned as before the pause.",
        resumed.stickiness());
    Experiment r = load(resumed.document()).routing().experiment("fraud-canary");
    assertFalse(r.paused());
    assertEquals(load(live).routing().experiment("fraud-canary").version(), p.version());
    assertEquals(p.version(), r.version());
    assertEquals("experiment fraud-canary is not paused", assertThrows(EditException.class,
        () -> ConfigEdits.resume(live, "fraud-canary")).getMessage());
  }

  @Test
  void promotingTheCanaryPointsTheChampionAtItsEndpoint() throws Exception {
    Edit edit = ConfigEdits.promote(full(), "fraud-canary", null);
    assertEquals("experiment fraud-canary: promoted canary (fraud-v2) to champion, canary removed", edit.summary());
    assertTrue(edit.stickiness().startsWith("Everybody is served by fraud-v2"), edit.stickiness());
    Experiment e = load(edit.document()).routing().experiment("fraud-canary");
    assertEquals(1, e.arms().size());
    assertEquals("fraud-v2", e.control().endpoint());
    assertEquals(10_000, e.control().weightBps());
    assertEquals(edit.document(), ConfigEdits.promote(full(), "fraud-canary", "canary").document());
  }

  @Test
  void promotingAVariantMakesItTheSoleChampion() throws Exception {
    Edit edit = ConfigEdits.promote(full(), "ranker-abc", "b");
    assertEquals("experiment ranker-abc: promoted variant b (rank-b) to sole champion, variants removed",
        edit.summary());
    Experiment e = load(edit.document()).routing().experiment("ranker-abc");
    assertEquals(1, e.arms().size());
    Arm only = e.control();
    assertEquals("b", only.id());
    assertEquals("rank-b", only.endpoint());
    assertTrue(edit.document().contains("  champion:\n    id: b\n    endpoint: rank-b\n"), edit.document());
  }

  @Test
  void promoteNamesTheArmItCannotFind() throws Exception {
    EditException e = assertThrows(EditException.class, () -> ConfigEdits.promote(full(), "ranker-abc", "z"));
    assertEquals(EditException.Kind.INVALID, e.kind());
    assertEquals("experiment ranker-abc: no arm \"z\" to promote (expected one of: a, b, c)", e.getMessage());
    assertEquals("experiment ranker-abc has no canary to promote (expected: name a variant)",
        assertThrows(EditException.class, () -> ConfigEdits.promote(full(), "ranker-abc", null)).getMessage());
    assertEquals("experiment fraud-canary: \"champion\" is already the champion (expected: the canary or a variant)",
        assertThrows(EditException.class, () -> ConfigEdits.promote(full(), "fraud-canary", "champion"))
            .getMessage());
  }

  @Test
  void rollbackRemovesTheCanaryAndItsUsersReturnToTheChampion() throws Exception {
    Edit edit = ConfigEdits.rollback(full(), "fraud-canary");
    assertEquals("experiment fraud-canary: rolled back canary (fraud-v2, 5%), canary removed", edit.summary());
    assertEquals("The canary's units return to the champion on their next request (their stored arm no longer"
        + " exists); champion units are unaffected.", edit.stickiness());
    Experiment e = load(edit.document()).routing().experiment("fraud-canary");
    assertEquals("fraud-v1", e.control().endpoint());
    assertEquals(1, e.arms().size());
    EditException twice = assertThrows(EditException.class, () -> ConfigEdits.rollback(edit.document(),
        "fraud-canary"));
    assertEquals(EditException.Kind.CONFLICT, twice.kind());
  }

  @Test
  void aDocumentThatIsNotAMappingIsInvalid() {
    assertEquals(EditException.Kind.INVALID, assertThrows(EditException.class,
        () -> ConfigEdits.pause("- a\n- b\n", "e")).kind());
    assertEquals(EditException.Kind.INVALID, assertThrows(EditException.class,
        () -> ConfigEdits.pause("a: &x 1\nb: *x\n", "e")).kind());
  }
}
