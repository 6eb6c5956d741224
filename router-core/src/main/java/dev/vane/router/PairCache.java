package dev.vane.router;

import java.util.Objects;
import java.util.function.BiFunction;

/**
 * A small direct-mapped cache of a value derived from a pair of strings, such as the hash state after an
 * (experiment, salt) prefix: a lookup is one array read and two reference comparisons when the caller passes the
 * same string instances again (an experiment's id and salt come from its config snapshot), and it never blocks or
 * allocates on a hit. Pairs that land on the same slot replace each other; any number of experiments can be in use
 * at once, each keeping its slot unless another pair shares it. Values must be immutable (or never changed once
 * computed): the cache hands the same value to every thread.
 *
 * <p>Safe for concurrent use without locks: a slot holds an immutable entry and is written with a plain store, so a
 * reader sees either the old or the new entry, fully built (final-field semantics); two threads that miss at once
 * both compute, and one of their entries stays.
 */
public final class PairCache<V> {
  private record Entry<V>(String a, String b, V value) {}

  private final Entry<V>[] slots;
  private final int mask;
  private final BiFunction<String, String, V> compute;

  /**
   * @param slots   number of slots, a power of two
   * @param compute the value of a pair (called on a miss; it must not return null)
   */
  @SuppressWarnings("unchecked")
  public PairCache(int slots, BiFunction<String, String, V> compute) {
    if (slots < 1 || Integer.bitCount(slots) != 1) {
      throw new IllegalArgumentException("slots: " + slots + " (expected: a power of two)");
    }
    this.slots = (Entry<V>[]) new Entry<?>[slots];
    this.mask = slots - 1;
    this.compute = Objects.requireNonNull(compute, "compute");
  }

  /** The value of {@code (a, b)}: cached, or computed and cached. */
  public V get(String a, String b) {
    int h = a.hashCode() * 31 + b.hashCode();
    int i = (h ^ (h >>> 16)) & mask;
    Entry<V> e = slots[i];
    if (e != null && (e.a == a || e.a.equals(a)) && (e.b == b || e.b.equals(b))) {
      return e.value;
    }
    V v = Objects.requireNonNull(compute.apply(a, b), "computed value");
    slots[i] = new Entry<>(a, b, v);
    return v;
  }
}
