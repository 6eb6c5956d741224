package dev.vane.gateway.ctl;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A plain text table: columns padded to their widest cell, two spaces apart, the last column not padded. */
final class Table {
  private final List<String[]> rows = new ArrayList<>();
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

  boolean isEmpty() {
    return rows.size() == 1;
  }

  void print(PrintWriter out) {
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        sb.append(i == columns - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
      }
      out.println(sb.toString().stripTrailing());
    }
  }

  private static String cell(Object o) {
    return o == null ? "-" : o.toString().replace('\n', ' ').replace('\r', ' ');
  }
}
