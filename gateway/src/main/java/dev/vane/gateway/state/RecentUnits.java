package dev.vane.gateway.state;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lossy set of unit ids already handed to the distinct-unit count (a HyperLogLog, where adding a unit again
 * changes nothing): a direct-mapped table of 64-bit FNV-1a hashes. A unit whose slot holds its hash is known;
 * another unit landing in the same slot overwrites it, so the first one is sent again later (harmless). A unit is
 * wrongly taken as known only when two ids share all 64 hash bits. Safe for concurrent use without locks.
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
    return slots.getPlain(slot(h)) == h;
  }

  /** Records {@code unit}, replacing whatever its slot held. */
  void add(String unit) {
    long h = hash(unit);
    slots.setRelease(slot(h), h);
  }

  /** Forgets {@code unit} if its slot still holds it. */
  void remove(String unit) {
    long h = hash(unit);
    slots.compareAndSet(slot(h), h, 0L);
  }

  private int slot(long h) {
    return (int) (h ^ (h >>> 32)) & mask;
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
