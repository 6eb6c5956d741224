package dev.vane.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The path-normalisation table, the refusals, and the fast path against a plain reference implementation. */
class RequestTargetTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
      /                                 | /
      /v2/models/fraud/infer            | /v2/models/fraud/infer
      /v2/models/fraud/infer?x=1&y=2    | /v2/models/fraud/infer?x=1&y=2
      /a/./b                            | /a/b
      /a/b/../c                         | /a/c
      /a/b/..                           | /a/
      /a/b/.                            | /a/b/
      /a/.                              | /a/
      /.                                | /
      /a/..                             | /
      /m/../x                           | /x
      /m/%2e%2e/x                       | /x
      /m/%2E%2E/x                       | /x
      /m/.%2e/x                         | /x
      /m/%2e/x                          | /m/x
      /%7Euser/%41%62c                  | /~user/Abc
      /a%20b                            | /a%20b
      /a%3ab                            | /a%3Ab
      /a%252e%252e/x                    | /a%252e%252e/x
      /.well-known/x                    | /.well-known/x
      /a..b/c.                          | /a..b/c.
      /...                              | /...
      /a//b                             | /a//b
      /a/b/../../c/./d?q=/../x          | /c/d?q=/../x
      /p?                               | /p?
      /p?a=%zz-in-query-is-not-checked  | '/p?a=%zz-in-query-is-not-checked'
      http://admin-model.internal/v2/models/fraud/infer | /v2/models/fraud/infer
      HTTP://Host:8080/a/../b?q=1       | /b?q=1
      https://h                         | /
      http://h?q=1                      | /?q=1
      """)
  void normalises(String raw, String expected) {
    if (raw.contains("%zz")) {
      // malformed escapes are refused everywhere, the query included
      assertThrows(RequestTarget.Invalid.class, () -> RequestTarget.parse("GET", raw));
      return;
    }
    assertEquals(expected, RequestTarget.parse("GET", raw).uri());
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
      /..                        | climbs above the root
      /../admin                  | climbs above the root
      /m/../../../admin/secret   | climbs above the root
      /m/%2e%2e/%2e%2e/%2e%2e/x  | climbs above the root
      /a/%2F../x                 | encoded slash
      /a%2fb                     | encoded slash
      /a%5cb                     | encoded slash
      /a%00b                     | encoded NUL
      /a\\b                      | backslash
      /a#frag                    | fragment
      /a%                        | malformed percent-escape
      /a%4                       | malformed percent-escape
      /a%G0                      | malformed percent-escape
      *                          | asterisk-form
      v2/models                  | not a path
      ftp://h/x                  | not a path
      http:///x                  | without a host
      ''                         | empty
      """)
  void refuses(String raw, String why) {
    RequestTarget.Invalid e = assertThrows(RequestTarget.Invalid.class, () -> RequestTarget.parse("GET", raw));
    assertTrue(e.getMessage().contains(why), e.getMessage());
  }

  @Test
  void refusesConnectControlBytesAndNonAscii() {
    assertTrue(assertThrows(RequestTarget.Invalid.class, () -> RequestTarget.parse("CONNECT", "host:443"))
        .getMessage().startsWith("CONNECT is not supported"));
    for (char c : new char[] {0, 1, 0x1f, ' ', 0x7f, 0x80, 0xff}) {
      RequestTarget.Invalid e = assertThrows(RequestTarget.Invalid.class,
          () -> RequestTarget.parse("GET", "/a" + c + "b?x"));
      assertEquals(String.format("byte 0x%02x is not allowed in a request target", (int) c), e.getMessage());
      assertThrows(RequestTarget.Invalid.class, () -> RequestTarget.parse("GET", "/a?x=" + c));
    }
  }

  @Test
  void theFastPathReturnsTheSameStringWhenNothingChanges() {
    String raw = "/v2/models/fraud/infer";
    assertTrue(raw == RequestTarget.parse("POST", raw).path());
  }

  /** Random paths from a small alphabet, against a reference remove_dot_segments over decoded segments. */
  @Test
  void agreesWithAReferenceOnRandomPaths() {
    Random rnd = new Random(16);
    String[] parts = {"a", "b", ".", "..", "%2e", "%2E%2e", "", "x%41", ".a", "a."};
    for (int t = 0; t < 20_000; t++) {
      StringBuilder sb = new StringBuilder();
      int k = 1 + rnd.nextInt(6);
      for (int i = 0; i < k; i++) {
        sb.append('/').append(parts[rnd.nextInt(parts.length)]);
      }
      String raw = sb.toString();
      String expected = reference(raw);
      if (expected == null) {
        assertThrows(RequestTarget.Invalid.class, () -> RequestTarget.parse("GET", raw), raw);
      } else {
        assertEquals(expected, RequestTarget.parse("GET", raw).path(), raw);
      }
    }
  }

  /** Decode unreserved escapes per segment, then a stack of segments; null when it climbs above the root. */
  private static String reference(String raw) {
    String[] segs = raw.substring(1).split("/", -1);
    Deque<String> out = new ArrayDeque<>();
    boolean trailing = false;
    for (int i = 0; i < segs.length; i++) {
      String s = segs[i].replace("%2e", ".").replace("%2E", ".").replace("%41", "A");
      boolean last = i == segs.length - 1;
      if (s.equals(".")) {
        trailing = last;
      } else if (s.equals("..")) {
        if (out.isEmpty()) {
          return null;
        }
        out.removeLast();
        trailing = last;
      } else {
        out.addLast(s);
        trailing = false;
      }
    }
    return "/" + String.join("/", out) + (trailing && !out.isEmpty() ? "/" : "");
  }
}
