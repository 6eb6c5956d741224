package dev.vane.gateway.api;

import dev.vane.gateway.http.Errors;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The dashboard's static files under {@code /ui/}: HTML, CSS and ES modules from the jar ({@code vane/ui/}) and
 * Chart.js's UMD build from its WebJar, read once into memory. They hold no data, so they need no token; every data
 * call the pages make goes to the authenticated API with the token the user signed in with.
 *
 * <p>Each answer carries a Content-Security-Policy without inline scripts or styles ({@code 'self'} only, no
 * framing), {@code X-Content-Type-Options: nosniff}, {@code Referrer-Policy: no-referrer}, and
 * {@code Cache-Control: no-cache} with a strong {@code ETag} (a browser revalidates, a new jar is seen at once).
 */
final class Dashboard {
  /** The page's policy: its own scripts, styles and API only; nothing inline, no plugins, never framed. */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  /** The files under {@code vane/ui/} served as {@code /ui/<name>}; {@code ""} is the page itself. */
  private static final String[] FILES = {"index.html", "style.css", "app.js", "api.js", "charts.js", "pages.js",
      "experiment.js", "densities.js", "favicon.svg"};
  /** Where Chart.js's UMD build is served. */
  static final String CHART_JS = "vendor/chart.umd.js";

  private final Map<String, Asset> assets;

  private record Asset(Buffer body, String type, String etag) {}

  private Dashboard(Map<String, Asset> assets) {
    this.assets = assets;
  }

  /** The files, read on first use and shared by every event loop's router. */
  static Dashboard shared() {
    return Holder.INSTANCE;
  }

  private static final class Holder {
    static final Dashboard INSTANCE = load();
  }

  /** Reads the dashboard's files from the class path (IllegalStateException when one is missing from the jar). */
  static Dashboard load() {
    ClassLoader cl = Dashboard.class.getClassLoader();
    Map<String, Asset> assets = new LinkedHashMap<>();
    for (String f : FILES) {
      assets.put(f, asset(cl, "vane/ui/" + f));
    }
    assets.put("", assets.get("index.html"));
    assets.put(CHART_JS, asset(cl, "META-INF/resources/webjars/chart.js/" + chartJsVersion(cl) + "/dist/chart.umd.js"));
    return new Dashboard(Map.copyOf(assets));
  }

  /** The Chart.js version on the class path, from its WebJar's Maven properties. */
  private static String chartJsVersion(ClassLoader cl) {
    try (InputStream in = cl.getResourceAsStream("META-INF/maven/org.webjars.npm/chart.js/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("the Chart.js WebJar (org.webjars.npm:chart.js) is not on the class path");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Asset asset(ClassLoader cl, String path) {
    try (InputStream in = cl.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("dashboard file missing from the class path: " + path);
      }
      byte[] bytes = in.readAllBytes();
      String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 12) + "\"";
      return new Asset(Buffer.buffer(bytes), type(path), etag);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String type(String path) {
    if (path.endsWith(".html")) {
      return "text/html; charset=utf-8";
    } else if (path.endsWith(".css")) {
      return "text/css; charset=utf-8";
    } else if (path.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    } else if (path.endsWith(".svg")) {
      return "image/svg+xml";
    }
    throw new IllegalArgumentException("path: " + path + " (expected: .html, .css, .js or .svg)");
  }

  /** {@code GET /ui}: to {@code /ui/}, so that the page's relative links resolve under it. */
  void redirect(RoutingContext ctx) {
    if (!ctx.request().path().equals("/ui")) {
      ctx.next(); // vertx-web matches "/ui/" here too
      return;
    }
    headers(ctx.response()).setStatusCode(301).putHeader("Location", "/ui/").end();
  }

  /** {@code GET /ui/<file>}: the file, 304 when the browser's copy is current, 404 for any other name. */
  void serve(RoutingContext ctx, String rid) {
    String name = ctx.normalizedPath().substring("/ui/".length());
    Asset a = assets.get(name);
    HttpServerResponse res = headers(ctx.response());
    if (a == null) {
      Errors.send(res, 404, "no dashboard file " + ctx.normalizedPath(), rid);
      return;
    }
    res.putHeader("ETag", a.etag());
    if (a.etag().equals(ctx.request().getHeader("If-None-Match"))) {
      res.setStatusCode(304).end();
      return;
    }
    res.putHeader("Content-Type", a.type());
    if (ctx.request().method() == HttpMethod.HEAD) {
      res.putHeader("Content-Length", String.valueOf(a.body().length())).end();
    } else {
      res.end(a.body());
    }
  }

  private static HttpServerResponse headers(HttpServerResponse res) {
    return res.putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cross-Origin-Opener-Policy", "same-origin")
        .putHeader("Cache-Control", "no-cache");
  }
}
