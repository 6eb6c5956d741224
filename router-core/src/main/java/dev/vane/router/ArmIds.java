package dev.vane.router;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Arm ids numbered from 1 in the order first seen, so that a store can pack an arm into a few bits of a primitive
 * value. Only ever grows (a store holds every arm it was ever asked to keep; there are a handful per experiment).
 * Safe for concurrent use: {@link #id} reads without locking.
 */
public final class ArmIds {
  /** The largest number an arm can get. */
  private final int max;
  private volatile String[] ids = new String[0];
  private final ConcurrentHashMap<String, Integer> numbers = new ConcurrentHashMap<>();

  /** @param max the largest number (so the ids fit the bits the caller packs them into) */
  public ArmIds(int max) {
    this.max = max;
  }

  /** The arm's number (1..max), numbering it on first use; the string kept is the first one seen for the id. */
  public int number(String arm) {
    Integer n = numbers.get(arm);
    if (n != null) {
      return n;
    }
    synchronized (numbers) {
      n = numbers.get(arm);
      if (n != null) {
        return n;
      }
      String[] a = ids;
      if (a.length >= max) {
        throw new IllegalStateException("more than " + max + " distinct arm ids in one store");
      }
      String[] b = Arrays.copyOf(a, a.length + 1);
      b[a.length] = arm;
      ids = b; // published before the number can be stored anywhere
      numbers.put(arm, b.length);
      return b.length;
    }
  }

  /** The id of a number {@link #number} gave. */
  public String id(int number) {
    return ids[number - 1];
  }
}
