package dev.vane.gateway.state.redis;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lossy set of unit ids already handed to the distinct-unit count (a HyperLogLog, where adding a unit again
 * changes nothing): a two-choice table of 64-bit FNV-1a hashes. A unit may sit in either of two slots (picked by
 * the low and the high half of its hash); it is known when one of them holds its hash. When both are taken by
 * others, it overwrites the first, and the unit it displaced is sent again later (harmless). A unit is wrongly taken
 * as known only when two ids share all 64 hash bits. Safe for concurrent use without locks.
 */
final class RecentUnits {
  private final AtomicLongArray slots;
  private final int mask;

  /** @param slotsLog2 log2 of the number of slots (8 bytes each) */
  RecentUnits(int slotsLog2) {
    if (slotsLog2 < 1 || slotsLog2 > 30) {
      throw new IllegalArgumentException("slotsLog2: " + slotsLog2 + " (expected: 1..30)");
    }
    this.slots = new AtomicLongArray(1 << slotsLog2);
    this.mask = (1 << slotsLog2) - 1;
  }

  /** Whether {@code unit} is recorded here (its slot holds its hash). */
  boolean contains(String unit) {
    long h = hash(unit);
    return slots.getPlain(first(h)) == h || slots.getPlain(second(h)) == h;
  }

  /** Records {@code unit}: in a free (or its own) slot of its two, else over the first one's occupant. */
  void add(String unit) {
    long h = hash(unit);
    int a = first(h);
    long va = slots.getPlain(a);
    if (va == 0 || va == h) {
      slots.setRelease(a, h);
      return;
    }
    int b = second(h);
    long vb = slots.getPlain(b);
    slots.setRelease(vb == 0 || vb == h ? b : a, h);
  }

  /** Forgets {@code unit} if one of its slots still holds it. */
  void remove(String unit) {
    long h = hash(unit);
    slots.compareAndSet(first(h), h, 0L);
    slots.compareAndSet(second(h), h, 0L);
  }

  private int first(long h) {
    return (int) h & mask;
  }

  private int second(long h) {
    return (int) (h >>> 32) & mask;
  }

  /** FNV-1a over the UTF-16 code units; never 0 (0 marks an empty slot). */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0, n = s.length(); i < n; i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h == 0 ? 1 : h;
  }
}
