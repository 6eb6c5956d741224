package dev.vane.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.config.AdminSettings.Role;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrincipalTest {
  @Test
  void aCallerMayWhatAnyOfItsRolesGrants() {
    Principal p = new Principal("ops", Set.of(Role.OPERATOR, Role.FEEDBACK), "token");
    assertTrue(p.may(Role.VIEWER));
    assertTrue(p.may(Role.OPERATOR));
    assertTrue(p.may(Role.FEEDBACK));
    assertFalse(p.may(Role.ADMIN));
    Principal f = new Principal("bot", Set.of(Role.FEEDBACK), "jwt");
    assertFalse(f.may(Role.VIEWER));
  }

  @Test
  void theAnonymousAdminIsLocalWithEveryRole() {
    Principal p = Principal.anonymousAdmin();
    assertEquals("local", p.name());
    assertEquals("none", p.scheme());
    assertEquals(EnumSet.allOf(Role.class), p.roles());
    for (Role r : Role.values()) {
      assertTrue(p.may(r));
    }
  }

  @Test
  void noRolesOrAnUnknownSchemeIsMisuse() {
    assertEquals("roles: [] (expected: at least one role)", assertThrows(IllegalArgumentException.class,
        () -> new Principal("x", Set.of(), "token")).getMessage());
    assertEquals("scheme: basic (expected: token, jwt or none)", assertThrows(IllegalArgumentException.class,
        () -> new Principal("x", Set.of(Role.VIEWER), "basic")).getMessage());
  }
}
