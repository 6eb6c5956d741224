package dev.vane.gateway.feedback;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.StampedLock;
import java.util.function.LongSupplier;

/**
 * The most recently written entries of a map from 128-bit key hashes to non-zero 64-bit values, held in primitive
 * arrays: there is no object per entry, so the garbage collector neither copies nor scans what the table holds,
 * however many entries that is. (A map of objects that lives for seconds to hours is the worst case for a young
 * collection: every entry is copied at every pause until it is promoted.)
 *
 * <p>{@code generations} open-addressing tables (linear probing, at most half full): writes go to the newest, reads
 * look from newest to oldest, and the oldest is dropped whole when the newest is full or older than
 * {@code ttl / (generations - 1)} (checked on writes). So an entry lives at least {@code ttl} unless more than
 * {@code maxEntries} newer ones arrive, and at most {@code maxEntries} are kept. A generation's table is allocated
 * when it becomes the newest (24 bytes per slot, two slots per entry). Callers check exact ages themselves.
 *
 * <p>Keys are two independent 64-bit hashes ({@link Hasher}); two keys are confused only when both agree, which at a
 * million entries has a probability of about 10<sup>-26</sup>. Safe for concurrent use: a slot is claimed by a
 * compare-and-set of its first hash and published by a release write of its value (0 while being written; readers
 * that meet such a slot wait the few nanoseconds until it is written). {@link #put} and {@link #get} take no lock;
 * {@link #putIfAbsent} shares a read lock that a rotation takes exclusively, so that a rotation between its look
 * and its write cannot let two callers both store the same key.
 */
final class RecentTable {
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
  private static final int STRIDE = 3; // h1, h2, value
  /** What {@link #store} answers when the newest generation is full or too old; never a value. */
  private static final long ROTATE = Long.MIN_VALUE;

  private static final class Generation {
    final long[] slots;
    final int mask;
    final int capacity;
    final AtomicInteger used = new AtomicInteger();
    final long bornNanos;

    Generation(int capacity, long bornNanos) {
      int n = 1;
      while (n < capacity * 2L) {
        n <<= 1;
      }
      this.slots = capacity == 0 ? new long[0] : new long[n * STRIDE];
      this.mask = capacity == 0 ? 0 : n - 1;
      this.capacity = capacity;
      this.bornNanos = bornNanos;
    }
  }

  /** Entries per generation at most: keeps a generation's table a single array below 2^31 elements. */
  static final int MAX_PER_GENERATION = 1 << 26;

  private final int perGeneration;
  private final long maxAgeNanos;
  private final LongSupplier nanoClock;
  private volatile Generation[] generations;
  private final StampedLock rotation = new StampedLock();

  RecentTable(long maxEntries, Duration ttl, int generations, LongSupplier nanoClock) {
    if (generations < 2) {
      throw new IllegalArgumentException("generations: " + generations + " (expected: >= 2)");
    }
    if (maxEntries < generations) {
      throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= " + generations + ")");
    }
    this.perGeneration = (int) Math.min(MAX_PER_GENERATION, maxEntries / generations);
    this.maxAgeNanos = Math.max(1, ttl.toNanos() / (generations - 1));
    this.nanoClock = nanoClock;
    Generation[] g = new Generation[generations];
    long now = nanoClock.getAsLong();
    Generation empty = new Generation(0, now); // full from the start: the first write allocates a real one
    for (int i = 0; i < g.length; i++) {
      g[i] = empty;
    }
    this.generations = g;
  }

  /** The value stored for the key, or 0. */
  long get(long h1, long h2) {
    h1 = nonZero(h1);
    for (Generation gen : generations) {
      long v = find(gen, h1, h2);
      if (v != 0) {
        return v;
      }
    }
    return 0;
  }

  /** Stores {@code value} (not 0) for the key in the newest generation, replacing what that generation held. */
  void put(long h1, long h2, long value) {
    h1 = nonZero(h1);
    checked(value);
    Generation gen;
    while (store(gen = generations[0], h1, h2, value, false) == ROTATE) {
      rotate(gen);
    }
  }

  /**
   * Stores {@code value} (not 0) unless the key is present in any generation; returns the present value, or 0 when
   * this call stored it. Of two concurrent calls for the same key exactly one stores.
   */
  long putIfAbsent(long h1, long h2, long value) {
    h1 = nonZero(h1);
    checked(value);
    while (true) {
      Generation gen;
      long r;
      long stamp = rotation.readLock();
      try {
        long old = get(h1, h2);
        if (old != 0) {
          return old;
        }
        r = store(gen = generations[0], h1, h2, value, true);
      } finally {
        rotation.unlockRead(stamp);
      }
      if (r != ROTATE) {
        return r;
      }
      rotate(gen);
    }
  }

  /** Entries held (counting a key written to two generations twice). */
  long size() {
    long n = 0;
    for (Generation gen : generations) {
      n += Math.min(gen.used.get(), gen.capacity);
    }
    return n;
  }

  private static long nonZero(long h1) {
    return h1 == 0 ? 1 : h1;
  }

  private static long checked(long value) {
    if (value == 0 || value == ROTATE) {
      throw new IllegalArgumentException("value: " + value + " (expected: neither 0 nor Long.MIN_VALUE)");
    }
    return value;
  }

  private static long find(Generation gen, long h1, long h2) {
    long[] s = gen.slots;
    if (s.length == 0) {
      return 0;
    }
    int i = (int) mix(h1) & gen.mask;
    while (true) {
      int at = i * STRIDE;
      long k = (long) SLOT.getAcquire(s, at);
      if (k == 0) {
        return 0;
      }
      if (k == h1) {
        long v = awaitValue(s, at);
        if (s[at + 1] == h2) {
          return v;
        }
      }
      i = (i + 1) & gen.mask;
    }
  }

  /** The value of a claimed slot, waiting while its writer has not published it yet. */
  private static long awaitValue(long[] s, int at) {
    long v;
    while ((v = (long) SLOT.getAcquire(s, at + 2)) == 0) {
      Thread.onSpinWait();
    }
    return v;
  }

  /**
   * Writes the key into {@code gen}; returns 0, or the value found there instead when {@code ifAbsent}, or
   * {@link #ROTATE} when {@code gen} is full or too old to take it.
   */
  private long store(Generation gen, long h1, long h2, long value, boolean ifAbsent) {
    long[] s = gen.slots;
    if (s.length == 0 || nanoClock.getAsLong() - gen.bornNanos > maxAgeNanos) {
      return ROTATE;
    }
    int i = (int) mix(h1) & gen.mask;
    for (int probes = 0; probes <= gen.mask; probes++) {
      int at = i * STRIDE;
      long k = (long) SLOT.getAcquire(s, at);
      if (k == 0) {
        if (gen.used.incrementAndGet() > gen.capacity) {
          return ROTATE;
        }
        if (SLOT.compareAndSet(s, at, 0L, h1)) {
          s[at + 1] = h2;
          SLOT.setRelease(s, at + 2, value);
          return 0;
        }
        gen.used.decrementAndGet();
        k = (long) SLOT.getAcquire(s, at); // lost the slot: look at who took it
      }
      if (k == h1) {
        long present = awaitValue(s, at);
        if (s[at + 1] == h2) {
          if (ifAbsent) {
            return present;
          }
          SLOT.setRelease(s, at + 2, value);
          return 0;
        }
      }
      i = (i + 1) & gen.mask;
    }
    return ROTATE;
  }

  private void rotate(Generation seen) {
    long stamp = rotation.writeLock();
    try {
      Generation[] g = generations;
      if (g[0] != seen) {
        return; // another writer rotated already
      }
      Generation[] next = new Generation[g.length];
      next[0] = new Generation(perGeneration, nanoClock.getAsLong());
      System.arraycopy(g, 0, next, 1, g.length - 1);
      generations = next;
    } finally {
      rotation.unlockWrite(stamp);
    }
  }

  /** Start slot of a key: its first hash, mixed again so that tables of any size see well-spread bits. */
  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }

  /**
   * Two independent 64-bit hashes of a sequence of strings (each part's length is mixed in after it, so "ab", "c"
   * and "a", "bc" differ). Not thread-safe: one per use, or per thread.
   */
  static final class Hasher {
    private long a = 0xcbf29ce484222325L;
    private long b = 0x9E3779B97F4A7C15L;

    Hasher add(CharSequence s) {
      long x = a;
      long y = b;
      for (int i = 0, n = s.length(); i < n; i++) {
        char c = s.charAt(i);
        x = (x ^ c) * 0x100000001b3L;
        y = Long.rotateLeft((y ^ c) * 0xc2b2ae3d27d4eb4fL, 31);
      }
      x = (x ^ s.length()) * 0x100000001b3L;
      y = Long.rotateLeft((y ^ s.length()) * 0xc2b2ae3d27d4eb4fL, 31);
      a = x;
      b = y;
      return this;
    }

    long h1() {
      return fmix(a);
    }

    long h2() {
      return fmix(b ^ 0x5bd1e9955bd1e995L);
    }

    private static long fmix(long h) {
      h ^= h >>> 33;
      h *= 0xff51afd7ed558ccdL;
      h ^= h >>> 33;
      h *= 0xc4ceb9fe1a85ec53L;
      h ^= h >>> 33;
      return h;
    }
  }
}
