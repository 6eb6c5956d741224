package dev.vane.gateway.auth;

import dev.vane.config.AdminSettings;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Who called the admin listener: a token's name or a JWT's name claim, and the roles it holds.
 *
 * @param name   the caller, as written into config versions and audit entries
 * @param roles  what it may do (never empty)
 * @param scheme how it was authenticated: {@code "token"}, {@code "jwt"} or {@code "none"}
 */
public record Principal(String name, Set<AdminSettings.Role> roles, String scheme) {
  private static final Principal LOCAL = new Principal("local", EnumSet.allOf(AdminSettings.Role.class), "none");

  public Principal {
    Objects.requireNonNull(name, "name");
    roles = Set.copyOf(roles);
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("roles: [] (expected: at least one role)");
    }
    if (!scheme.equals("token") && !scheme.equals("jwt") && !scheme.equals("none")) {
      throw new IllegalArgumentException("scheme: " + scheme + " (expected: token, jwt or none)");
    }
  }

  /** Whether any role this caller holds grants {@code needed}. */
  public boolean may(AdminSettings.Role needed) {
    for (AdminSettings.Role r : roles) {
      if (r.grants(needed)) {
        return true;
      }
    }
    return false;
  }

  /** The caller of an admin listener with {@code auth: none} (allowed only on loopback): "local", every role. */
  public static Principal anonymousAdmin() {
    return LOCAL;
  }
}
