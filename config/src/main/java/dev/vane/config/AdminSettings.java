package dev.vane.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The control plane: who may use the admin listener, where the routing config comes from, how much history and
 * audit is kept.
 *
 * @param auth            tokens and JWT settings, or {@link Auth#NONE}
 * @param history         config versions kept
 * @param auditFile       the JSON-lines audit file when Redis is not configured, or null for the default
 *                        ({@code <config file>.audit.jsonl})
 * @param auditMaxEntries audit entries kept
 * @param localCopy       with {@link Source#REDIS}, where the last applied config is kept, or null for the default
 *                        ({@code <config file>.applied.json})
 * @param source          where endpoints, routes and experiments come from
 */
public record AdminSettings(Auth auth, int history, String auditFile, int auditMaxEntries, String localCopy,
    Source source) {

  /** Where the routing config (endpoints, routes, experiments, defaultEndpoint) comes from. */
  public enum Source {
    /** The config file itself, written atomically by the admin API. */
    FILE,
    /** Versions in Redis shared by every instance; the file holds the bootstrap (server, state, admin). */
    REDIS
  }

  /**
   * What a caller may do. {@code admin} may do everything; {@code operator} what a viewer may, plus experiment
   * operations; {@code viewer} reads; {@code feedback} only posts feedback.
   */
  public enum Role {
    VIEWER, FEEDBACK, OPERATOR, ADMIN;

    /** Whether a caller holding this role may do what {@code needed} allows. */
    public boolean grants(Role needed) {
      return switch (this) {
        case ADMIN -> true;
        case OPERATOR -> needed == OPERATOR || needed == VIEWER;
        case VIEWER -> needed == VIEWER;
        case FEEDBACK -> needed == FEEDBACK;
      };
    }

    /** The name used in the config and in answers. */
    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * @param none   no authentication (only allowed on a loopback admin host)
   * @param tokens bearer tokens
   * @param jwt    JWT verification, or null
   */
  public record Auth(boolean none, List<Token> tokens, Jwt jwt) {
    public static final Auth NONE = new Auth(true, List.of(), null);

    public Auth {
      tokens = List.copyOf(tokens);
    }
  }

  /**
   * A bearer token, kept only as its SHA-256 (a plain token in the file is hashed when the config is read).
   *
   * @param name   who it belongs to: the author of config versions and audit entries
   * @param sha256 SHA-256 of the token's UTF-8 bytes
   * @param roles  what it may do
   */
  public record Token(String name, byte[] sha256, Set<Role> roles) {
    public Token {
      sha256 = sha256.clone();
      roles = Set.copyOf(roles);
    }

    @Override
    public byte[] sha256() {
      return sha256.clone();
    }

    @Override
    public String toString() {
      return "Token[name=" + name + ", roles=" + roles + "]";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Token t && t.name.equals(name) && MessageDigest.isEqual(t.sha256, sha256)
          && t.roles.equals(roles);
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }
  }

  /**
   * JWT verification: exactly one of {@code publicKey}, {@code publicKeyFile}, {@code jwksUrl}.
   *
   * @param publicKey     PEM public key, or null
   * @param publicKeyFile file holding the PEM public key, or null
   * @param jwksUrl       JWKS document URL, or null
   * @param jwksRefresh   how often the JWKS document is fetched again
   * @param algorithm     signature algorithm of the public key (RS256, ES256, ...)
   * @param issuer        required {@code iss}, or null
   * @param audience      required {@code aud}, or null
   * @param rolesClaim    claim holding the roles (a list or a space-separated string)
   * @param nameClaim     claim naming the caller
   */
  public record Jwt(String publicKey, String publicKeyFile, String jwksUrl, Duration jwksRefresh, String algorithm,
      String issuer, String audience, String rolesClaim, String nameClaim) {}

  /** SHA-256 of the UTF-8 bytes of {@code token}. */
  public static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
