package dev.vane.config.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ConfigDiffTest {
  private static final String FROM = """
      server: { port: ${PORT} }
      endpoints:
        - { id: a, url: "http://127.0.0.1:1" }
        - { id: b, url: "http://admin:hunter2@127.0.0.1:2" }
      experiments:
        - { id: e, champion: { endpoint: a }, canary: { endpoint: b, percent: 5 } }
      """;

  @Test
  void unifiedDiffShowsPlaceholdersAndHidesPasswords() {
    String to = FROM.replace("percent: 5", "percent: 25").replace("hunter2", "hunter3");
    assertEquals("""
        --- v1
        +++ v2
        @@ -1,6 +1,6 @@
         server: { port: ${PORT} }
         endpoints:
           - { id: a, url: "http://127.0.0.1:1" }
        -  - { id: b, url: "http://admin:***@127.0.0.1:2" }
        +  - { id: b, url: "http://admin:***@127.0.0.1:2" }
         experiments:
        -  - { id: e, champion: { endpoint: a }, canary: { endpoint: b, percent: 5 } }
        +  - { id: e, champion: { endpoint: a }, canary: { endpoint: b, percent: 25 } }
        """, ConfigDiff.unified(FROM, to, "v1", "v2"));
  }

  @Test
  void unifiedDiffIsCutAtMaxLinesWithANote() {
    String to = FROM.replace("percent: 5", "percent: 25");
    String cut = ConfigDiff.unified(FROM, to, "v1", "v2", 3);
    assertEquals("--- v1\n+++ v2\n@@ -3,4 +3,4 @@\n... 5 more lines not shown\n", cut);
    assertEquals("", ConfigDiff.unified(FROM, FROM, "v1", "v2"));
    assertThrows(IllegalArgumentException.class, () -> ConfigDiff.unified(FROM, to, "v1", "v2", 0));
  }

  @Test
  void summaryListsChangesBySection() {
    String to = """
        server: { port: 9090 }
        endpoints:
          - { id: a, url: "http://127.0.0.1:1" }
        experiments:
          - { id: e, champion: { endpoint: a }, canary: { endpoint: a, percent: 25 }, paused: true }
          - { id: f, champion: { endpoint: a } }
        """;
    assertEquals("server changed; endpoints: b removed; experiments: e changed (canary.endpoint b -> a,"
        + " canary.percent 5 -> 25, paused none -> true), f added", ConfigDiff.summary(FROM, to));
  }

  @Test
  void summaryCutsLongListsOfPathsAndRedactsValues() {
    String from = "endpoints: [ { id: a, url: \"http://u:pw@h:1\", timeout: 1s, connectTimeout: 1s,"
        + " maxConnections: 1, maxPending: 1 } ]\n";
    String to = "endpoints: [ { id: a, url: \"http://u:pw2@h:1\", timeout: 2s, connectTimeout: 2s,"
        + " maxConnections: 2, maxPending: 2 } ]\n";
    String s = ConfigDiff.summary(from, to);
    assertEquals("endpoints: a changed (url http://u:***@h:1 -> http://u:***@h:1, timeout 1s -> 2s,"
        + " connectTimeout 1s -> 2s and 2 more)", s);
    assertFalse(s.contains("pw"), s);
  }

  @Test
  void summaryShowsPlaceholdersNotTheirValuesAndNoChangesForLayoutOnly() {
    String to = FROM.replace("port: ${PORT}", "port: ${OTHER_PORT}");
    assertEquals("server changed", ConfigDiff.summary(FROM, to));
    String edited = ConfigEdits.ramp(FROM, "e", 25).document();
    assertEquals("experiments: e changed (canary.percent 5 -> 25)", ConfigDiff.summary(FROM, edited));
    assertEquals("no changes", ConfigDiff.summary(FROM, "# a comment\n" + FROM));
  }
}
