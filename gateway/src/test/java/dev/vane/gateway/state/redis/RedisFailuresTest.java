package dev.vane.gateway.state.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedisFailuresTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      CLUSTERDOWN The cluster is down                                  | true
      TRYAGAIN Multiple keys request during rehashing of slot          | true
      READONLY You can't write against a read only replica.            | true
      MASTERDOWN Link with MASTER is down                              | true
      OOM command not allowed when used memory > 'maxmemory'.          | true
      ERR Error running script (call to f_x): @user_script:1: boom     | false
      WRONGTYPE Operation against a key holding the wrong kind of value | false
      """)
  void errorRepliesOfAFailoverOrAReshardingAreRetriedAndOthersAreFinal(String reply, boolean retryable) {
    assertEquals(retryable, RedisFailures.retryable(new RedisCommandExecutionException(reply)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"timeout"})
  void aTimeoutIsRetried(String ignored) {
    assertEquals(true, RedisFailures.retryable(new RedisCommandTimeoutException("timeout")));
  }
}
