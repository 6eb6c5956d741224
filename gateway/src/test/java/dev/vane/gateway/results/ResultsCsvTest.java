package dev.vane.gateway.results;

import static dev.vane.gateway.results.Data.CONVERSION;
import static dev.vane.gateway.results.Data.REVENUE;
import static dev.vane.gateway.results.Data.arm;
import static dev.vane.gateway.results.Data.comparison;
import static dev.vane.gateway.results.Data.conversion;
import static dev.vane.gateway.results.Data.metric;
import static dev.vane.gateway.results.Data.sliceValue;
import static dev.vane.gateway.results.Data.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.results.ResultsInput.ArmData;
import dev.vane.stats.BinaryStats;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CSV output: RFC 4180 shape, and the same numbers as the JSON (exact, since both print the same doubles). */
public class ResultsCsvTest {
  private static final String ODD = "b, \"new\"";

  private static ResultsInput input() {
    Map<String, Map<String, List<ArmData>>> slices = new LinkedHashMap<>();
    Map<String, List<ArmData>> region = new LinkedHashMap<>();
    region.put("eu", List.of(conversion("a", 600, 60), conversion(ODD, 640, 80)));
    region.put("other", List.of(conversion("a", 400, 40), conversion(ODD, 380, 50)));
    slices.put("region", region);
    List<ArmData> pooled = List.of(
        new ArmData("a", 1000, 990, 1100, 3, Data.latency(5, 1000, 12_000),
            Map.of("conversion", BinaryStats.of(1000, 100)), Map.of("revenue", Data.normal(7, 100, 20, 4))),
        new ArmData(ODD, 1020, 1001, 1130, 9, Data.latency(6, 1020, 12_600),
            Map.of("conversion", BinaryStats.of(1020, 130)), Map.of("revenue", Data.normal(8, 130, 21, 4))));
    return new ResultsInput("csv", "v", "a", List.of("a", ODD), weights("a", 5000, ODD, 5000),
        List.of(CONVERSION, REVENUE), pooled, slices, null);
  }

  @Test
  void csvParsesBackWithTheSameNumbersAsTheJson() {
    // two calculators so that both renderings are the first look
    JsonObject json = new ResultsCalculator().toJson(input());
    String csv = new ResultsCalculator().toCsv(input());
    assertTrue(csv.endsWith("\r\n"));
    List<List<String>> rows = parse(csv);
    assertEquals(ResultsCsv.HEADER, rows.get(0));
    // pooled: 2 arms x (2 declared + latency + error_rate); slices: 2 values x 2 arms x 2 declared
    assertEquals(1 + 8 + 8, rows.size());
    for (List<String> row : rows) {
      assertEquals(ResultsCsv.HEADER.size(), row.size(), row.toString());
    }

    Map<String, String> conv = find(rows, "all", "all", ODD, "conversion");
    JsonObject c = comparison(json.getJsonArray("comparisons"), ODD, "conversion");
    JsonObject m = metric(arm(json.getJsonArray("arms"), ODD), "conversion");
    assertEquals("treatment", conv.get("role"));
    assertEquals(m.getLong("trials"), Long.parseLong(conv.get("n")));
    assertEquals(m.getLong("successes"), Long.parseLong(conv.get("successes")));
    assertEquals(m.getDouble("rate"), Double.parseDouble(conv.get("estimate")));
    assertEquals(m.getJsonObject("interval").getDouble("low"), Double.parseDouble(conv.get("estimate_low")));
    assertEquals(c.getDouble("difference"), Double.parseDouble(conv.get("difference")));
    assertEquals(c.getJsonObject("differenceInterval").getDouble("high"),
        Double.parseDouble(conv.get("difference_high")));
    assertEquals(c.getDouble("pValue"), Double.parseDouble(conv.get("p_value")));
    assertEquals(c.getDouble("pValueHolm"), Double.parseDouble(conv.get("p_value_holm")));
    assertEquals(c.getJsonObject("sequential").getDouble("pValue"),
        Double.parseDouble(conv.get("sequential_p_value")));
    assertEquals(c.getDouble("probabilityBetter"), Double.parseDouble(conv.get("probability_better")));
    assertEquals(c.getDouble("expectedLossTreatment"), Double.parseDouble(conv.get("expected_loss_treatment")));

    Map<String, String> rev = find(rows, "all", "all", "a", "revenue");
    JsonObject r = metric(arm(json.getJsonArray("arms"), "a"), "revenue");
    assertEquals("control", rev.get("role"));
    assertEquals(r.getDouble("mean"), Double.parseDouble(rev.get("estimate")));
    assertEquals(r.getDouble("sd"), Double.parseDouble(rev.get("sd")));
    assertEquals("", rev.get("p_value"), "control rows have no comparison");
    assertEquals("", rev.get("successes"));

    Map<String, String> lat = find(rows, "all", "all", ODD, "latency");
    JsonObject l = arm(json.getJsonArray("arms"), ODD).getJsonObject("latencyMs");
    assertEquals(l.getDouble("p99"), Double.parseDouble(lat.get("p99_ms")));
    assertEquals(l.getDouble("p999"), Double.parseDouble(lat.get("p999_ms")));
    assertEquals(comparison(json.getJsonArray("comparisons"), ODD, "latency").getDouble("pValue"),
        Double.parseDouble(lat.get("p_value")));
    assertEquals("mann_whitney", lat.get("test"));
    assertEquals("", lat.get("sequential_p_value"));

    Map<String, String> err = find(rows, "all", "all", ODD, "error_rate");
    assertEquals("9", err.get("successes"));
    assertEquals("1130", err.get("n"));
    assertEquals(arm(json.getJsonArray("arms"), ODD).getJsonObject("errorRate").getDouble("rate"),
        Double.parseDouble(err.get("estimate")));

    Map<String, String> eu = find(rows, "region", "eu", ODD, "conversion");
    assertEquals(comparison(sliceValue(json, "region", "eu").getJsonArray("comparisons"), ODD, "conversion")
        .getDouble("pValue"), Double.parseDouble(eu.get("p_value")));
    assertEquals("640", eu.get("exposures"));
  }

  @Test
  void undefinedNumbersAreEmptyCellsAndReasonsAreListed() {
    ResultsInput in = new ResultsInput("e", "v", "a", List.of("a", "b"), weights("a", 1, "b", 1),
        List.of(CONVERSION), List.of(), Map.of(), null);
    List<List<String>> rows = parse(new ResultsCalculator().toCsv(in));
    Map<String, String> conv = find(rows, "all", "all", "b", "conversion");
    assertEquals("", conv.get("estimate"));
    assertEquals("", conv.get("p_value"));
    assertEquals("", conv.get("difference_low"));
    assertEquals("empty_arm", conv.get("reasons"));
    assertEquals("0", conv.get("n"));
  }

  @Test
  void textCellsThatASpreadsheetWouldRunAreNeutralisedAndNumbersAreNot() {
    String[] hostile = {"=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"};
    Map<String, List<ArmData>> region = new LinkedHashMap<>();
    for (String v : hostile) {
      region.put(v, List.of(conversion("=a", 600, 60), conversion("-b", 640, 80)));
    }
    ResultsInput in = new ResultsInput("csv", "v", "=a", List.of("=a", "-b"), weights("=a", 5000, "-b", 5000),
        List.of(CONVERSION), List.of(conversion("=a", 1000, 100), conversion("-b", 1000, 50)),
        Map.of("region", region), null);
    List<List<String>> rows = parse(new ResultsCalculator().toCsv(in));
    for (String v : hostile) {
      Map<String, String> row = find(rows, "region", "'" + v, "'-b", "conversion");
      assertEquals("'-b", row.get("arm"));
    }
    Map<String, String> pooled = find(rows, "all", "all", "'-b", "conversion");
    assertTrue(pooled.get("difference").startsWith("-"), "a negative difference stays a number: " + pooled);
    for (List<String> row : rows) {
      for (String cell : row) {
        assertTrue(cell.isEmpty() || "=+@\t\r".indexOf(cell.charAt(0)) < 0
            || cell.charAt(0) == '-' && cell.length() > 1 && Character.isDigit(cell.charAt(1)), "cell " + cell);
      }
    }
    assertEquals("plain", ResultsCsv.text("plain"));
    assertEquals("'=1", ResultsCsv.text("=1"));
    assertEquals("", ResultsCsv.text(""));
  }

  @Test
  void cellsAreQuotedOnlyWhenNeededAndNumbersArePlainDecimals() {
    assertEquals("plain", ResultsCsv.quote("plain"));
    assertEquals("\"a,b\"", ResultsCsv.quote("a,b"));
    assertEquals("\"say \"\"hi\"\"\"", ResultsCsv.quote("say \"hi\""));
    assertEquals("\"two\r\nlines\"", ResultsCsv.quote("two\r\nlines"));
    assertEquals("0.00000000000000000123", ResultsCsv.num(1.23e-18));
    assertEquals("12345678901234567000", ResultsCsv.num(1.2345678901234567e19));
    assertEquals("0.1", ResultsCsv.num(0.1));
    assertEquals("100", ResultsCsv.num(100.0));
    assertEquals("0", ResultsCsv.num(0.0));
    assertEquals("-2.5", ResultsCsv.num(-2.5));
    assertEquals("", ResultsCsv.num(Double.NaN));
    assertEquals("", ResultsCsv.num(Double.NEGATIVE_INFINITY));
    double x = 0.1 + 0.2;
    assertEquals(x, Double.parseDouble(ResultsCsv.num(x)), 0.0);
  }

  private static Map<String, String> find(List<List<String>> rows, String dimension, String value, String arm,
      String metric) {
    List<String> header = rows.get(0);
    for (List<String> row : rows.subList(1, rows.size())) {
      Map<String, String> cells = new HashMap<>();
      for (int i = 0; i < header.size(); i++) {
        cells.put(header.get(i), row.get(i));
      }
      if (cells.get("dimension").equals(dimension) && cells.get("value").equals(value)
          && cells.get("arm").equals(arm) && cells.get("metric").equals(metric)) {
        return cells;
      }
    }
    throw new AssertionError("no row " + dimension + "/" + value + "/" + arm + "/" + metric);
  }

  /** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes. */
  public static List<List<String>> parse(String csv) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    int i = 0;
    while (i < csv.length()) {
      char ch = csv.charAt(i);
      if (ch == '"' && cell.length() == 0) {
        i++;
        while (true) {
          char q = csv.charAt(i++);
          if (q == '"') {
            if (i < csv.length() && csv.charAt(i) == '"') {
              cell.append('"');
              i++;
            } else {
              break;
            }
          } else {
            cell.append(q);
          }
        }
      } else if (ch == ',') {
        row.add(cell.toString());
        cell.setLength(0);
        i++;
      } else if (ch == '\r' && i + 1 < csv.length() && csv.charAt(i + 1) == '\n') {
        row.add(cell.toString());
        cell.setLength(0);
        rows.add(row);
        row = new ArrayList<>();
        i += 2;
      } else {
        if (ch == '"' || ch == '\n' || ch == '\r') {
          throw new AssertionError("unquoted " + (int) ch + " at " + i);
        }
        cell.append(ch);
        i++;
      }
    }
    if (!row.isEmpty() || cell.length() > 0) {
      throw new AssertionError("last record not terminated by CRLF");
    }
    return rows;
  }
}
