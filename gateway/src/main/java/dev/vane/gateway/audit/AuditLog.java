package dev.vane.gateway.audit;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Append-only record of the control plane's writes. */
public interface AuditLog extends AutoCloseable {
  /** Appends {@code e}; its id is assigned by the log when null. */
  CompletionStage<Void> append(AuditEntry e);

  /** Oldest first from {@code since} (null: the newest {@code limit} entries, still oldest first). */
  CompletionStage<List<AuditEntry>> read(Instant since, int limit);

  String describe();

  @Override
  void close();
}
