package dev.vane.gateway.counters;

import dev.vane.config.Analysis;
import java.util.List;

/**
 * The declared crosses of an experiment's slice dimensions ({@link Analysis#sliceCrosses()}), each counted as a
 * dimension named {@link Analysis.Cross#name()} ({@code country+device}) whose value is the pair of the two
 * dimensions' bounded values, kept as {@code first JOIN second}. A cross holds at most the product of the two
 * dimensions' {@code maxValues} pairs; later pairs are grouped as {@link OutcomeCounters#OTHER}.
 */
public final class SliceCrosses {
  /** Joins a pair's values in a counted value; slice values never hold it ({@link OutcomeCounters#sliceValue}). */
  public static final char JOIN = '\u001e';

  private final String[] names;
  private final int[] first;
  private final int[] second;
  private final int[] bounds;

  SliceCrosses(Analysis analysis) {
    List<Analysis.Cross> crosses = analysis.sliceCrosses();
    names = new String[crosses.size()];
    first = new int[names.length];
    second = new int[names.length];
    bounds = new int[names.length];
    for (int i = 0; i < names.length; i++) {
      Analysis.Cross c = crosses.get(i);
      names[i] = c.name();
      first[i] = analysis.sliceIndex(c.first());
      second[i] = analysis.sliceIndex(c.second());
      if (first[i] < 0 || second[i] < 0) {
        throw new IllegalArgumentException("sliceCrosses[" + i + "]: " + c + " (expected: declared slices)");
      }
      bounds[i] = analysis.slices().get(first[i]).maxValues() * analysis.slices().get(second[i]).maxValues();
    }
  }

  int size() {
    return names.length;
  }

  String name(int i) {
    return names[i];
  }

  /** Distinct pairs cross {@code i} holds at most before {@code other}. */
  int bound(int i) {
    return bounds[i];
  }

  /** Cross {@code i}'s pair of {@code sliceValues} (aligned with the declared slices), or null when they are short. */
  String pair(int i, String[] sliceValues) {
    if (sliceValues == null || first[i] >= sliceValues.length || second[i] >= sliceValues.length) {
      return null;
    }
    return sliceValues[first[i]] + JOIN + sliceValues[second[i]];
  }

  /** Whether a counted dimension is a cross (its name joins two slice names, which cannot hold '+'). */
  public static boolean isCross(String dimension) {
    return dimension.indexOf(Analysis.Cross.JOIN) >= 0;
  }

  /** The two slice names of a cross's dimension name. */
  public static List<String> dimensions(String cross) {
    int j = cross.indexOf(Analysis.Cross.JOIN);
    return List.of(cross.substring(0, j), cross.substring(j + 1));
  }

  /** The two values of a cross's counted value ({@code [other]} for the group beyond the bound). */
  public static List<String> values(String pair) {
    int j = pair.indexOf(JOIN);
    return j < 0 ? List.of(pair) : List.of(pair.substring(0, j), pair.substring(j + 1));
  }

  /** A counted value as shown: a cross's pair joined with '+' ({@code US+mobile}), any other value as it is. */
  public static String display(String value) {
    return value.replace(JOIN, Analysis.Cross.JOIN);
  }
}
