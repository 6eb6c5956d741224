package dev.vane.gateway.audit;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Who changed what, kept bounded: a JSON lines file ({@link FileAuditLog}) or a Redis stream
 * ({@link RedisAuditLog}). An unreachable Redis fails a call with
 * {@link dev.vane.gateway.configstore.StoreUnavailableException}.
 */
public interface AuditLog extends AutoCloseable {

  /** Appends {@code e}; an entry without id gets one from the log. */
  CompletionStage<Void> append(AuditEntry e);

  /**
   * Up to {@code limit} entries, oldest first: the first ones at or after {@code since}, or, when {@code since} is
   * null, the newest ones.
   */
  CompletionStage<List<AuditEntry>> read(Instant since, int limit);

  /** Where the log is, for logs and {@code /readyz}, without credentials. */
  String describe();

  @Override
  void close();
}
