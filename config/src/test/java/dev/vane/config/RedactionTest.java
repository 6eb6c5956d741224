package dev.vane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RedactionTest {
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "http://admin:hunter2@host:9001/x | http://admin:***@host:9001/x",
      "https://admin:hunter2@host/ | https://admin:***@host/",
      "redis://:hunter2@127.0.0.1:6379/0 | redis://:***@127.0.0.1:6379/0",
      "rediss://default:hunter2@cache.internal:6380 | rediss://default:***@cache.internal:6380",
      "redis://hunter2@h:6379 | redis://***@h:6379",
      "https://ghp_hunter2@github.com/x | https://***@github.com/x",
      "http://admin:@host/ | http://admin:***@host/",
      "http://admin:hun@ter2@host/ | http://admin:***@host/",
      "http://admin:hun#ter2@host/ | http://admin:***@host/",
      "http://admin:hun?ter2@host/ | http://admin:***@host/",
      "redis://:hunter2@[::1:6379/0 | redis://:***@[::1:6379/0",
      "http://host:9001/models@v2 | http://host:9001/models@v2",
      "http://host:9001/x | http://host:9001/x",
      "http://[::1]:80/ | http://[::1]:80/",
      "not a uri | not a uri",
      "'' | ''",
  })
  void aUriIsShownWithoutItsPassword(String in, String out) {
    assertEquals(out, Redaction.uri(in));
  }

  @Test
  void aUriObjectIsShownTheSameWay() {
    assertEquals("http://admin:***@host:9001/x", Redaction.uri(URI.create("http://admin:hunter2@host:9001/x")));
    assertNull(Redaction.uri((String) null));
    assertNull(Redaction.uri((URI) null));
  }

  @Test
  void everyUriInFreeTextIsRedacted() {
    assertEquals("uri: \"redis://:***@[::1:6379\" (expected: redis://host:port; Illegal character at index 20: "
            + "redis://:***@[::1:6379)",
        Redaction.text("uri: \"redis://:hunter2@[::1:6379\" (expected: redis://host:port; Illegal character at index 20: "
            + "redis://:hunter2@[::1:6379)"));
    assertEquals("a http://u:***@h/ and https://***@g/ b", Redaction.text("a http://u:p@h/ and https://tok@g/ b"));
    assertEquals("no uri here", Redaction.text("no uri here"));
    assertNull(Redaction.text(null));
  }

  @Test
  void substitutedValuesAreShownByTheirName() {
    Map<String, String> subs = new LinkedHashMap<>();
    subs.put("hunter2", "PW");
    subs.put("hunter2-long", "LONG");
    subs.put("80", "PORT");
    assertEquals("url: http://a:${PW}@h and ${LONG}x", Redaction.substituted("url: http://a:hunter2@h and hunter2-longx",
        subs));
    // a value under four characters is no secret, and hiding it would garble indexes and ranges
    assertEquals("server.port: 80 (expected: 0..8080)", Redaction.substituted("server.port: 80 (expected: 0..8080)",
        subs));
    assertEquals("same", Redaction.substituted("same", Map.of()));
  }
}
