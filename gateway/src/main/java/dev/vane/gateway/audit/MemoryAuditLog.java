package dev.vane.gateway.audit;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The newest entries in this process only: for a gateway without a config file or Redis (the demo, tests). */
public final class MemoryAuditLog implements AuditLog {
  private final Deque<AuditEntry> entries = new ArrayDeque<>(); // guarded by this
  private final int max;
  private long next = 1; // guarded by this

  public MemoryAuditLog(int max) {
    this.max = max;
  }

  @Override
  public synchronized CompletionStage<Void> append(AuditEntry e) {
    AuditEntry stored = e.id() != null ? e : new AuditEntry(String.valueOf(next++), e.time(), e.actor(), e.address(),
        e.action(), e.target(), e.version(), e.status(), e.message(), e.diff());
    entries.addLast(stored);
    while (entries.size() > max) {
      entries.removeFirst();
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<List<AuditEntry>> read(Instant since, int limit) {
    List<AuditEntry> out = new ArrayList<>();
    for (AuditEntry e : entries) {
      if (since == null || !e.time().isBefore(since)) {
        out.add(e);
      }
    }
    if (since == null) {
      return CompletableFuture.completedFuture(List.copyOf(out.subList(Math.max(0, out.size() - limit), out.size())));
    }
    return CompletableFuture.completedFuture(List.copyOf(out.subList(0, Math.min(limit, out.size()))));
  }

  @Override
  public String describe() {
    return "memory (the newest " + max + " entries, lost on exit)";
  }

  @Override
  public void close() {}
}
