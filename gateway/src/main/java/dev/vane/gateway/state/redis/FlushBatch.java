package dev.vane.gateway.state.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The writes of one MULTI/EXEC, recorded before they are sent: all of them name keys with one hash tag, so the
 * transaction lands in one Redis Cluster slot (a write whose key carries another tag is refused here, before Redis
 * would refuse the whole transaction with CROSSSLOT). What happens on success (cursors advance) and on failure
 * (buffered items go back) is recorded beside the writes.
 */
final class FlushBatch {
  /** One write: the command's name and key (what a slot check needs) and how to send it. */
  record Write(String command, String key, Consumer<RedisAsyncCommands<String, String>> send) {}

  private final String tag;
  private final List<Write> writes = new ArrayList<>();
  private final List<Runnable> onSuccess = new ArrayList<>();
  private final List<Runnable> onFailure = new ArrayList<>();
  /** Reads inside the transaction: the write's index and who takes its reply. */
  private final List<Map.Entry<Integer, Consumer<Object>>> reads = new ArrayList<>();

  /** A batch for keys carrying {@code tag} (braces included, e.g. {@code {exp}}), or null for single-key batches. */
  FlushBatch(String tag) {
    this.tag = tag;
  }

  String tag() {
    return tag;
  }

  List<Write> writes() {
    return Collections.unmodifiableList(writes);
  }

  boolean isEmpty() {
    return writes.isEmpty();
  }

  void hincrby(String key, String field, long delta) {
    add("HINCRBY", key, a -> a.hincrby(key, field, delta));
  }

  void hincrbyfloat(String key, String field, double delta) {
    add("HINCRBYFLOAT", key, a -> a.hincrbyfloat(key, field, delta));
  }

  void hset(String key, String field, String value) {
    add("HSET", key, a -> a.hset(key, field, value));
  }

  void hset(String key, Map<String, String> fields) {
    add("HSET", key, a -> a.hset(key, fields));
  }

  void pfadd(String key, String[] members) {
    add("PFADD", key, a -> a.pfadd(key, members));
  }

  void pexpire(String key, long millis) {
    add("PEXPIRE", key, a -> a.pexpire(key, millis));
  }

  /**
   * HSETNX {@code field} to {@code value}, then HGET it, in the transaction: {@code onValue} gets what the field
   * holds after it (this value or an earlier one) once Redis applied the transaction.
   */
  void hsetnxThenGet(String key, String field, String value, Consumer<String> onValue) {
    add("HSETNX", key, a -> a.hsetnx(key, field, value));
    add("HGET", key, a -> a.hget(key, field));
    reads.add(Map.entry(writes.size() - 1, v -> onValue.accept(v == null ? null : v.toString())));
  }

  void onSuccess(Runnable r) {
    onSuccess.add(r);
  }

  void onFailure(Runnable r) {
    onFailure.add(r);
  }

  private void add(String command, String key, Consumer<RedisAsyncCommands<String, String>> send) {
    if (tag != null ? !key.contains(tag) || key.indexOf('{') != key.indexOf(tag)
        : !writes.isEmpty() && !writes.get(0).key().equals(key)) {
      throw new IllegalArgumentException("key: " + key + " (expected: the batch's hash tag " + tag
          + (tag == null ? ", or its one key " + writes.get(0).key() : "") + ")");
    }
    writes.add(new Write(command, key, send));
  }

  /** Sends the batch as MULTI, its writes, EXEC, without waiting: the caller awaits the returned EXEC. */
  RedisFuture<TransactionResult> send(RedisLink link) {
    RedisAsyncCommands<String, String> a = link.transaction(tag != null ? tag : writes.get(0).key());
    a.multi();
    for (Write w : writes) {
      w.send().accept(a);
    }
    return a.exec();
  }

  /** Runs what was recorded for a transaction Redis applied ({@code true}) or did not. */
  void completed(boolean applied) {
    completed(applied, null);
  }

  /** {@link #completed(boolean)}, handing the reads their replies from {@code result} (when applied). */
  void completed(boolean applied, TransactionResult result) {
    if (applied && result != null) {
      for (Map.Entry<Integer, Consumer<Object>> r : reads) {
        if (r.getKey() < result.size()) {
          r.getValue().accept(result.get(r.getKey()));
        }
      }
    }
    (applied ? onSuccess : onFailure).forEach(Runnable::run);
  }
}
