package dev.vane.gateway.auth;

import dev.vane.config.AdminSettings;
import java.util.EnumSet;
import java.util.Set;

/** Who called: a token's name or a JWT's name claim, and the roles it holds. */
public record Principal(String name, Set<AdminSettings.Role> roles, String scheme) {
  public Principal {
    roles = Set.copyOf(roles);
  }

  /** Whether any held role grants {@code needed}. */
  public boolean may(AdminSettings.Role needed) {
    for (AdminSettings.Role r : roles) {
      if (r.grants(needed)) {
        return true;
      }
    }
    return false;
  }

  /** The caller of an admin listener without authentication (loopback only): every role. */
  public static Principal anonymousAdmin() {
    return new Principal("local", EnumSet.allOf(AdminSettings.Role.class), "none");
  }
}
