package dev.vane.router;

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
 * {@link #putIfAbsent} and {@link #compareAndSet} share a read lock that a rotation takes exclusively, so that a
 * rotation between their look and their write cannot let two callers both store the same key.
 *
 * <p>Used for the feedback attributions and event ids and for the in-memory sticky store.
 */
public final class RecentTable {
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

  public RecentTable(long maxEntries, Duration ttl, int generations, LongSupplier nanoClock) {
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
  public long get(long h1, long h2) {
    return lookup(nonZero(h1), h2, false);
  }

  /**
   * {@link #get}, and an entry found in the oldest generation (the next to be dropped) is copied into the newest,
   * so that entries still read survive a rotation while the unread ones go: least-recently-used eviction at the
   * granularity of a generation. For tables written with {@link #compareAndSet} (the copy is one).
   */
  public long getAndKeep(long h1, long h2) {
    return lookup(nonZero(h1), h2, true);
  }

  private long lookup(long h1, long h2, boolean keep) {
    Generation[] g = generations;
    for (int i = 0; i < g.length; i++) {
      long v = find(g[i], h1, h2);
      if (v != 0) {
        if (keep && i == g.length - 1 && i > 0) {
          compareAndSet(h1, h2, v, v);
        }
        return v;
      }
    }
    return 0;
  }

  /** Stores {@code value} (not 0) for the key in the newest generation, replacing what that generation held. */
  public void put(long h1, long h2, long value) {
    h1 = nonZero(h1);
    checked(value);
    Generation gen;
    while (store(gen = generations[0], h1, h2, value, PUT, 0) == ROTATE) {
      rotate(gen);
    }
  }

  /**
   * Stores {@code value} (not 0) unless the key is present in any generation; returns the present value, or 0 when
   * this call stored it. Of two concurrent calls for the same key exactly one stores.
   */
  public long putIfAbsent(long h1, long h2, long value) {
    return underReadLock(nonZero(h1), h2, checked(value), IF_ABSENT, 0);
  }

  /**
   * Sets the key's value to {@code value} (not 0) when its present value, as {@link #get} answers it, is
   * {@code expected} (0 for absent); the new value is written to the newest generation. Atomic with every other
   * {@code compareAndSet} and {@link #putIfAbsent} of the key: of two calls expecting the same value, one succeeds.
   * (Not with {@link #put}, which writes without looking; a table uses one or the other.)
   *
   * @return whether this call set the value
   */
  public boolean compareAndSet(long h1, long h2, long expected, long value) {
    return underReadLock(nonZero(h1), h2, checked(value), CAS, expected) == 1;
  }

  /** {@link #store} in the newest generation under the rotation read lock, rotating as needed. */
  private long underReadLock(long h1, long h2, long value, int mode, long expected) {
    while (true) {
      Generation gen;
      long r;
      long stamp = rotation.readLock();
      try {
        if (mode == IF_ABSENT) {
          long old = get(h1, h2);
          if (old != 0) {
            return old;
          }
        }
        r = store(gen = generations[0], h1, h2, value, mode, expected);
      } finally {
        rotation.unlockRead(stamp);
      }
      if (r != ROTATE) {
        return r;
      }
      rotate(gen);
    }
  }

  private long findOlder(long h1, long h2) {
    Generation[] g = generations;
    for (int i = 1; i < g.length; i++) {
      long v = find(g[i], h1, h2);
      if (v != 0) {
        return v;
      }
    }
    return 0;
  }

  /** Entries held (counting a key written to two generations twice). */
  public long size() {
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

  private static final int PUT = 0;
  private static final int IF_ABSENT = 1;
  private static final int CAS = 2;

  /**
   * Writes the key into {@code gen}, the newest generation, or answers {@link #ROTATE} when it is full or too old
   * to take it. {@code PUT}: writes, returns 0. {@code IF_ABSENT}: writes when the key is not in {@code gen},
   * returns 0, or else the value found there. {@code CAS} (under the rotation read lock, so the older generations
   * do not change meanwhile): writes when the key's present value is {@code expected}, returns 1 when written and
   * 0 when not.
   */
  private long store(Generation gen, long h1, long h2, long value, int mode, long expected) {
    long[] s = gen.slots;
    if (s.length == 0 || nanoClock.getAsLong() - gen.bornNanos > maxAgeNanos) {
      return ROTATE;
    }
    int i = (int) mix(h1) & gen.mask;
    for (int probes = 0; probes <= gen.mask; probes++) {
      int at = i * STRIDE;
      long k = (long) SLOT.getAcquire(s, at);
      if (k == 0) {
        // not in this generation: under CAS its present value is the older generations'
        if (mode == CAS && findOlder(h1, h2) != expected) {
          return 0;
        }
        if (gen.used.incrementAndGet() > gen.capacity) {
          return ROTATE;
        }
        if (SLOT.compareAndSet(s, at, 0L, h1)) {
          s[at + 1] = h2;
          SLOT.setRelease(s, at + 2, value);
          return mode == CAS ? 1 : 0;
        }
        gen.used.decrementAndGet();
        k = (long) SLOT.getAcquire(s, at); // lost the slot: look at who took it
      }
      if (k == h1) {
        long present = awaitValue(s, at);
        if (s[at + 1] == h2) {
          switch (mode) {
            case IF_ABSENT:
              return present;
            case CAS:
              return present == expected && SLOT.compareAndSet(s, at + 2, expected, value) ? 1 : 0;
            default:
              SLOT.setRelease(s, at + 2, value);
              return 0;
          }
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
   * Two independent 64-bit hashes of a sequence of strings: {@link #add} mixes each part's length in after it, so
   * "ab", "c" and "a", "bc" differ; {@link #chars} does not, so parts hash as their concatenation. Not thread-safe:
   * one per use, or per thread.
   */
  public static final class Hasher {
    private long a = 0xcbf29ce484222325L;
    private long b = 0x9E3779B97F4A7C15L;

    public Hasher add(CharSequence s) {
      return chars(s).mark(s.length());
    }

    /** Mixes in the characters of {@code s} and nothing else: parts added this way hash as their concatenation. */
    public Hasher chars(CharSequence s) {
      long x = a;
      long y = b;
      for (int i = 0, n = s.length(); i < n; i++) {
        char c = s.charAt(i);
        x = (x ^ c) * 0x100000001b3L;
        y = Long.rotateLeft((y ^ c) * 0xc2b2ae3d27d4eb4fL, 31);
      }
      a = x;
      b = y;
      return this;
    }

    /** {@link #chars(CharSequence)} of one character. */
    public Hasher chars(char c) {
      a = (a ^ c) * 0x100000001b3L;
      b = Long.rotateLeft((b ^ c) * 0xc2b2ae3d27d4eb4fL, 31);
      return this;
    }

    private Hasher mark(int length) {
      a = (a ^ length) * 0x100000001b3L;
      b = Long.rotateLeft((b ^ length) * 0xc2b2ae3d27d4eb4fL, 31);
      return this;
    }

    /**
     * A new hasher in this one's state: a shared prefix (say, experiment and salt) is hashed once and each key
     * continues from a copy. The copy and this one then go their own ways.
     */
    public Hasher copy() {
      Hasher h = new Hasher();
      h.a = a;
      h.b = b;
      return h;
    }

    public long h1() {
      return fmix(a);
    }

    public long h2() {
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
