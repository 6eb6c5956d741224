package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Runs after every other class of the suite (class order by {@code @Order}, see junit-platform.properties): no test
 * secret ({@link SecretWatch#secret}) appeared in any response a test read or any line the JVM printed or logged.
 */
@Order(Integer.MAX_VALUE)
class NoSecretLeakedTest {
  @Test
  void noSecretAppearedInAResponseOrALogLine() {
    System.out.flush();
    System.err.flush();
    List<String> leaks = SecretWatch.leaks();
    assertEquals(List.of(), leaks, "secrets leaked:\n" + String.join("\n", leaks));
  }

  @Test
  void theWatchSeesWhatItShould() {
    // the watch itself works: a marked line printed now is seen (and then forgotten, so the check above holds)
    int before = SecretWatch.leaks().size();
    System.err.println("a line with " + SecretWatch.secret("probe"));
    System.err.flush();
    List<String> after = SecretWatch.leaks();
    assertEquals(before + 1, after.size());
    SecretWatch.forget(after.get(after.size() - 1));
  }

  @Test
  void theWatchSeesWhatALoggerWrites() {
    // the log backend's console writes to System.err as it is at each line, so the watch sees logged lines too
    int before = SecretWatch.leaks().size();
    LoggerFactory.getLogger(NoSecretLeakedTest.class).warn("a logged line with {}", SecretWatch.secret("probe"));
    System.err.flush();
    List<String> after = SecretWatch.leaks();
    assertEquals(before + 1, after.size());
    assertTrue(after.get(after.size() - 1).contains("WARN dev.vane.gateway.NoSecretLeakedTest - a logged line"),
        after.get(after.size() - 1));
    SecretWatch.forget(after.get(after.size() - 1));
  }
}
