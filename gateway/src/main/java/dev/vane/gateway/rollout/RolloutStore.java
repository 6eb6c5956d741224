package dev.vane.gateway.rollout;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where rollouts keep their state, their decision history and the operators' commands, and which instance drives
 * each one: in memory (one instance; optionally saved to a file so a restart continues), or in Redis (one leader per
 * experiment through a lease with a fencing token).
 */
interface RolloutStore extends AutoCloseable {
  /**
   * Acquires or renews the lease on {@code experiment}'s rollout for {@code ttl}; the fencing token while this
   * owner holds it, empty while another does.
   */
  CompletionStage<Optional<Long>> lead(String experiment, String owner, Duration ttl);

  /** The persisted state (JSON), or empty before the rollout's first analysis. */
  CompletionStage<Optional<String>> state(String experiment);

  /** Saves the state iff {@code fence} is still the current fencing token; false when another leader took over. */
  CompletionStage<Boolean> save(String experiment, long fence, String json);

  /** Appends a decision to the history (the newest {@link #HISTORY} are kept). */
  CompletionStage<Void> record(String experiment, String json);

  /** The newest {@code limit} decisions, newest first. */
  CompletionStage<List<String>> history(String experiment, int limit);

  /** Queues an operator command for the leader's next analysis. */
  CompletionStage<Void> command(String experiment, String command);

  /** Takes every queued command, oldest first. */
  CompletionStage<List<String>> takeCommands(String experiment);

  String describe();

  @Override
  void close();

  /** Decisions kept per experiment. */
  int HISTORY = 1000;
}
