package dev.vane.gateway.ctl;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain text table: columns padded to their widest cell, two spaces apart, the last column not padded. A row may
 * carry notes: lines printed as they are below it, which do not count for the columns' widths.
 */
final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final Map<Integer, List<String>> notes = new HashMap<>();
  private final int columns;

  Table(String... header) {
    this.columns = header.length;
    rows.add(header);
  }

  /** Adds a row; null cells print as {@code -}, line breaks as spaces. */
  Table row(Object... cells) {
    if (cells.length != columns) {
      throw new IllegalArgumentException("cells: " + cells.length + " (expected: " + columns + ")");
    }
    rows.add(Arrays.stream(cells).map(Table::cell).toArray(String[]::new));
    return this;
  }

  /** Adds a line below the last row (line breaks as spaces). */
  Table note(String line) {
    notes.computeIfAbsent(rows.size() - 1, k -> new ArrayList<>()).add(cell(line));
    return this;
  }

  boolean isEmpty() {
    return rows.size() == 1;
  }

  void print(PrintWriter out) {
    lines().forEach(out::println);
  }

  /** The table as lines, header first, each row followed by its notes. */
  List<String> lines() {
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (int n = 0; n < rows.size(); n++) {
      String[] r = rows.get(n);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        sb.append(i == columns - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
      }
      lines.add(sb.toString().stripTrailing());
      lines.addAll(notes.getOrDefault(n, List.of()));
    }
    return lines;
  }

  private static String cell(Object o) {
    return o == null ? "-" : o.toString().replace('\n', ' ').replace('\r', ' ');
  }
}
