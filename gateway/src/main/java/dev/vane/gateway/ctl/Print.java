package dev.vane.gateway.ctl;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;

/** Output shared by the commands. */
final class Print {
  private Print() {}

  /** A JSON answer as the server sent it, re-indented. */
  static void json(PrintWriter out, JsonObject o) {
    out.println(o.encodePrettily());
  }

  /**
   * A write's answer ({@code {version, summary, stickiness, ...}}): the JSON itself for {@code -o json}, else
   * {@code version N applied: <summary>} and the sentence on what happens to sticky units, when there is one.
   */
  static void written(Ctl ctl, PrintWriter out, JsonObject w) {
    if (ctl.json()) {
      json(out, w);
      return;
    }
    out.println("version " + w.getValue("version") + (Boolean.TRUE.equals(w.getValue("applied")) ? " applied" : "")
        + ": " + w.getValue("summary"));
    if (w.getValue("stickiness") != null) {
      out.println(w.getValue("stickiness"));
    }
  }

  /** A text that ends with one line break. */
  static void text(PrintWriter out, String s) {
    out.print(s);
    if (!s.isEmpty() && !s.endsWith("\n")) {
      out.println();
    }
  }

  /** A path segment, percent-encoded. */
  static String segment(String s) {
    return AdminClient.q(s).replace("+", "%20");
  }
}
