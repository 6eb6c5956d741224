package dev.vane.gateway.state.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.lettuce.core.cluster.SlotHash;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisKeysTest {
  @Test
  void idsEscapeTheSeparatorAndThePercentSign() {
    assertEquals("vane:sticky:exp:s1:user-1", RedisKeys.sticky("exp", "s1", "user-1"));
    assertEquals("vane:sticky:a%3Ab:50%25:u%3A1", RedisKeys.sticky("a:b", "50%", "u:1"));
    assertEquals("vane:{e}:fig:v%3A1:arm:a%253A", RedisKeys.armFigures("e", "v:1", "a%3A"));
    assertNotEquals(RedisKeys.sticky("a:b", "c", "u"), RedisKeys.sticky("a", "b:c", "u"));
  }

  @Test
  void everyFigureKeyOfAnExperimentCarriesItsTagAndSoItsSlot() {
    String exp = "fraud-model.v2";
    String ver = "3f2a:9";
    List<String> keys = List.of(RedisKeys.figures(exp, ver), RedisKeys.armFigures(exp, ver, "a:b"),
        RedisKeys.shadowFigures(exp, ver, "s"), RedisKeys.armLatency(exp, ver, "a"),
        RedisKeys.shadowLatency(exp, ver, "s"), RedisKeys.armUnits(exp, ver, "{x}"),
        RedisKeys.armOutcomes(exp, ver, "a"), RedisKeys.slice(exp, ver, "region"), RedisKeys.events(exp));
    int slot = SlotHash.getSlot(exp);
    for (String key : keys) {
      assertEquals("vane:{" + exp + "}:", key.substring(0, exp.length() + 8), key);
      assertEquals(slot, SlotHash.getSlot(key), key);
    }
  }

  @Test
  void aTagIsExactlyTheEscapedIdEvenWithBracesInIt() {
    assertEquals("{a%7Bb%7D%3Ac}", RedisKeys.tag("a{b}:c"));
    assertEquals(SlotHash.getSlot("a%7Bb%7D%3Ac"), SlotHash.getSlot(RedisKeys.figures("a{b}:c", "1")));
    assertEquals("vane:{a%7Bb%7D%3Ac}:events", RedisKeys.events("a{b}:c"));
  }

  @Test
  void singleKeyFamiliesCarryNoTagSoTheyHashWhole() {
    for (String key : List.of(RedisKeys.sticky("e", "s", "u"), RedisKeys.event("e", "evt-1"),
        RedisKeys.attributions(7_200_000L))) {
      assertEquals(-1, key.indexOf('{'), key);
    }
    assertEquals("vane:attr:2", RedisKeys.attributions(7_200_000L));
    assertEquals("vane:attr:2", RedisKeys.attributions(10_799_999L));
    assertEquals("vane:evt:e%3Ax:id%25", RedisKeys.event("e:x", "id%"));
  }

  @Test
  void everyConfigKeyCarriesTheConfigTagAndSoOneSlot() {
    assertEquals("vane:{config}:version", RedisKeys.configLatest());
    assertEquals("vane:{config}:v:12", RedisKeys.configVersion(12));
    assertEquals("vane:{config}:changed", RedisKeys.configChanged());
    assertEquals("vane:{config}:audit", RedisKeys.audit());
    int slot = SlotHash.getSlot("config");
    for (String key : List.of(RedisKeys.configLatest(), RedisKeys.configVersion(1), RedisKeys.configVersion(99),
        RedisKeys.audit())) {
      assertEquals(slot, SlotHash.getSlot(key), key);
    }
  }
}
