package dev.vane.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * The two URL syntaxes of the schema's {@code urlSyntax} keyword. Each returns what was expected when a URL breaks
 * its rule, else null (also for a value that is not a non-blank string, which the schema's type and pattern report).
 * A reason never quotes the input, which may hold a password.
 */
final class UrlRules {
  private UrlRules() {}

  /**
   * An upstream base URL: {@code http} or {@code https} (lower case), a host, a port 1..65535 when given, a path
   * without {@code .} or {@code ..} segments, no query or fragment. User info is accepted.
   */
  static String http(JsonNode v) {
    if (!v.isTextual() || v.asText().isBlank()) {
      return null;
    }
    String s = v.asText();
    URI u;
    try {
      u = new URI(s);
    } catch (URISyntaxException e) {
      return "a URL: " + e.getReason() + " at index " + e.getIndex();
    }
    String scheme = u.getScheme();
    if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || u.isOpaque()) {
      return "an http:// or https:// URL";
    }
    String hostProblem = hostAndPort(u);
    if (hostProblem != null) {
      return hostProblem;
    }
    if (u.getRawQuery() != null || u.getRawFragment() != null) {
      return "no query or fragment";
    }
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    for (String seg : path.split("/", -1)) {
      if (seg.equals(".") || seg.equals("..") || seg.equalsIgnoreCase("%2e") || seg.equalsIgnoreCase("%2e%2e")
          || seg.equalsIgnoreCase(".%2e") || seg.equalsIgnoreCase("%2e.")) {
        return "a base path without . or .. segments";
      }
    }
    return null;
  }

  /**
   * A Redis URI: {@code redis://} or {@code rediss://} (one server) with a host, a port 1..65535 when given and a
   * database {@code /0}..{@code /2147483647} when given; {@code redis-socket://} with a socket path;
   * {@code redis-sentinel://} or {@code rediss-sentinel://} (Lettuce's Sentinel URI) with one or more comma-separated
   * sentinels {@code host[:port]}, an optional database and the master's name as the fragment ({@code #mymaster});
   * or {@code redis-cluster://} or {@code rediss-cluster://} (Vane's, for a Redis Cluster) with one or more
   * comma-separated seed nodes {@code host[:port]} and no database other than {@code /0}.
   */
  static String redis(JsonNode v) {
    if (!v.isTextual() || v.asText().isBlank()) {
      return null;
    }
    String s = v.asText();
    int colon = s.indexOf("://");
    String scheme = colon < 0 ? "" : s.substring(0, colon);
    boolean multiHost = scheme.endsWith("-sentinel") || scheme.endsWith("-cluster");
    if (!(scheme.equals("redis") || scheme.equals("rediss") || scheme.equals("redis-socket")
        || (multiHost && (scheme.startsWith("redis-") || scheme.startsWith("rediss-"))))) {
      return "redis://, rediss://, redis-socket://, redis[s]-sentinel:// or redis[s]-cluster://";
    }
    if (multiHost) {
      return redisNodes(s.substring(colon + 3), scheme.endsWith("-sentinel"));
    }
    URI u;
    try {
      u = new URI(s);
    } catch (URISyntaxException e) {
      return "a URL: " + e.getReason() + " at index " + e.getIndex();
    }
    if (u.getScheme().equals("redis-socket")) {
      return u.getRawPath() == null || u.getRawPath().isEmpty() ? "redis-socket:// with a socket path" : null;
    }
    String hostProblem = hostAndPort(u);
    if (hostProblem != null) {
      return hostProblem;
    }
    String db = u.getRawPath() == null ? "" : u.getRawPath();
    if (!db.isEmpty() && !db.equals("/")
        && !(db.matches("/\\d{1,10}") && Long.parseLong(db.substring(1)) <= Integer.MAX_VALUE)) {
      return "a database number /0../2147483647 as the path";
    }
    return null;
  }

  /**
   * What is wrong with the part after {@code ://} of a Sentinel or Cluster URI ({@code [user info@]host[:port],...
   * [/db][#master]}), or null.
   */
  private static String redisNodes(String rest, boolean sentinel) {
    int hash = rest.indexOf('#');
    String master = hash < 0 ? null : rest.substring(hash + 1);
    String beforeFragment = hash < 0 ? rest : rest.substring(0, hash);
    int slash = beforeFragment.indexOf('/', beforeFragment.lastIndexOf('@') + 1);
    String nodes = slash < 0 ? beforeFragment : beforeFragment.substring(0, slash);
    String db = slash < 0 ? "" : beforeFragment.substring(slash);
    nodes = nodes.substring(nodes.lastIndexOf('@') + 1);
    if (nodes.isEmpty()) {
      return sentinel ? "one or more sentinels host[:port],..." : "one or more seed nodes host[:port],...";
    }
    for (String node : nodes.split(",", -1)) {
      if (!node.matches("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+)(:\\d+)?")) {
        return (sentinel ? "sentinels" : "seed nodes") + " as host[:port],... (a host, a port 1..65535)";
      }
      int c = node.lastIndexOf(':');
      if (c > node.lastIndexOf(']')) {
        BigInteger p = new BigInteger(node.substring(c + 1));
        if (p.signum() == 0 || p.compareTo(BigInteger.valueOf(65535)) > 0) {
          return "a port 1..65535, not " + node.substring(c + 1);
        }
      }
    }
    if (sentinel) {
      if (!db.isEmpty() && !db.equals("/")
          && !(db.matches("/\\d{1,10}") && Long.parseLong(db.substring(1)) <= Integer.MAX_VALUE)) {
        return "a database number /0../2147483647 as the path";
      }
      return master == null || master.isEmpty() ? "the master's name as the fragment (#mymaster)" : null;
    }
    if (!db.isEmpty() && !db.equals("/") && !db.equals("/0")) {
      return "no database but /0 (a Redis Cluster has only database 0)";
    }
    return master == null ? null : "no fragment (a #master name is for redis-sentinel://)";
  }

  /** What is wrong with the server authority of {@code u} (a host, a port 1..65535), or null. */
  private static String hostAndPort(URI u) {
    String auth = u.getRawAuthority();
    if (auth == null || auth.isEmpty()) {
      return "a URL with a host";
    }
    String hostPort = auth.substring(auth.lastIndexOf('@') + 1);
    int close = hostPort.lastIndexOf(']');
    int colon = hostPort.lastIndexOf(':');
    if (colon > close && colon >= 0) {
      String port = hostPort.substring(colon + 1);
      if (!port.isEmpty()) {
        if (!port.matches("\\d+")) {
          return "a port 1..65535";
        }
        BigInteger p = new BigInteger(port);
        if (p.signum() == 0 || p.compareTo(BigInteger.valueOf(65535)) > 0) {
          return "a port 1..65535, not " + port;
        }
      }
    }
    try {
      u.parseServerAuthority();
    } catch (URISyntaxException e) {
      return "a URL with a host: " + e.getReason();
    }
    if (u.getHost() == null || u.getHost().isEmpty()) {
      return "a URL with a host";
    }
    return null;
  }
}
