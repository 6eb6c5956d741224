package dev.vane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatcherTest {
  @TempDir Path dir;

  @Test
  void changedValidFilesAreAppliedAndInvalidOnesAreNot() throws Exception {
    Path f = dir.resolve("vane.yaml");
    String good = "endpoints:\n  - { id: a, url: \"http://h:1\" }\n";
    Files.writeString(f, good);
    List<VaneConfig> applied = new ArrayList<>();
    List<ConfigException> rejected = new ArrayList<>();
    ConfigWatcher w = new ConfigWatcher(f, new ConfigLoader(), Files.readAllBytes(f), applied::add, rejected::add);
    assertFalse(w.check(), "unchanged");
    Files.writeString(f, good + "experiments:\n  - { id: e, champion: { endpoint: nope } }\n");
    assertFalse(w.check());
    assertEquals(1, rejected.size());
    assertEquals("experiments[0].champion.endpoint", rejected.get(0).errors().get(0).path());
    assertFalse(w.check(), "the same bad bytes are not re-reported");
    Files.writeString(f, good + "experiments:\n  - { id: e, champion: { endpoint: a } }\n");
    assertTrue(w.check());
    assertEquals(1, applied.size());
    assertEquals(1, applied.get(0).routing().experiments().size());
  }

  @Test
  void aConfigThatFailsToApplyIsReportedAndTheNextChangeStillApplies() throws Exception {
    Path f = dir.resolve("vane.yaml");
    String good = "endpoints:\n  - { id: a, url: \"http://h:1\" }\n";
    Files.writeString(f, good);
    List<VaneConfig> applied = new ArrayList<>();
    List<ConfigException> rejected = new ArrayList<>();
    ConfigWatcher w = new ConfigWatcher(f, new ConfigLoader(), Files.readAllBytes(f), cfg -> {
      if (cfg.endpoints().containsKey("boom")) {
        throw new IllegalStateException("cannot bind");
      }
      applied.add(cfg);
    }, rejected::add);
    Files.writeString(f, good + "  - { id: boom, url: \"http://h:2\" }\n");
    assertFalse(w.check());
    assertEquals(1, rejected.size());
    assertEquals("valid, but applying it failed: IllegalStateException (a bug in Vane: see the log)",
        rejected.get(0).errors().get(0).message());
    Files.writeString(f, good + "  - { id: b, url: \"http://h:2\" }\n");
    assertTrue(w.check());
    assertEquals(1, applied.size());
  }
}
