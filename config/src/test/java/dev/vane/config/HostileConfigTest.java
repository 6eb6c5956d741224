package dev.vane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The table of hostile configs (hostile-configs.txt): each is rejected by what {@code vane validate} runs
 * ({@link ConfigLoader#load}) with its expected error, and by hot reload ({@link ConfigWatcher#check}) with the
 * identical message, without applying anything; no message shows the table's secret.
 */
class HostileConfigTest {
  @TempDir Path dir;

  static Stream<HostileConfigs.Case> cases() {
    return HostileConfigs.all().stream();
  }

  @Test
  void theTableHasAtLeastAHundredCases() {
    assertTrue(HostileConfigs.all().size() >= 100, "cases: " + HostileConfigs.all().size());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void validateAndHotReloadRejectItWithTheSameError(HostileConfigs.Case c) throws Exception {
    Map<String, String> env = new HashMap<>(c.env());
    ConfigLoader loader = new ConfigLoader(env::get);
    Path file = dir.resolve("vane.yaml");
    Files.write(file, c.bytes());
    ConfigException validate = assertThrows(ConfigException.class, () -> loader.load(file));
    List<String> errors = validate.errors().stream().map(ConfigError::toString).toList();
    assertTrue(errors.contains(c.expected()), "expected " + c.expected() + " in " + errors);
    assertFalse(validate.getMessage().contains(HostileConfigs.SECRET), validate.getMessage());
    for (String value : c.env().values()) {
      assertFalse(validate.getMessage().contains(value), "shows the value of an environment variable: "
          + validate.getMessage());
    }
    for (ConfigError e : validate.errors()) {
      assertTrue(e.message().length() <= ConfigLoader.MAX_MESSAGE_CHARS, e.message());
    }

    Path watched = dir.resolve("watched.yaml");
    Files.writeString(watched, HostileConfigs.ENDPOINTS);
    List<VaneConfig> applied = new ArrayList<>();
    List<ConfigException> rejected = new ArrayList<>();
    ConfigWatcher w = new ConfigWatcher(watched, loader, Files.readAllBytes(watched), applied::add, rejected::add);
    Files.write(watched, c.bytes());
    assertFalse(w.check());
    assertEquals(List.of(), applied);
    assertEquals(1, rejected.size());
    assertEquals(validate.getMessage().replace(file.toString(), watched.toString()), rejected.get(0).getMessage());
  }
}
