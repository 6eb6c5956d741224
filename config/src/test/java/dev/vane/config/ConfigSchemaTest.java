package dev.vane.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The loader validates against config/vane.schema.json itself, states its errors in the house format, and takes its
 * defaults from it.
 */
class ConfigSchemaTest {
  private final ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);

  private TreeSet<String> loaderFields(String yaml, String path) {
    try {
      loader.parse(yaml, "probe");
    } catch (ConfigException e) {
      for (ConfigError err : e.errors()) {
        if (err.path().equals(path) && err.message().startsWith("unknown field (expected one of: ")) {
          String list = err.message().substring("unknown field (expected one of: ".length(),
              err.message().length() - 1);
          return new TreeSet<>(Arrays.asList(list.split(", ")));
        }
      }
      throw new AssertionError("no unknown-field error at " + path + ": " + e.errors());
    }
    throw new AssertionError("probe accepted");
  }

  private static TreeSet<String> schemaFields(JsonNode objectSchema) {
    TreeSet<String> s = new TreeSet<>();
    objectSchema.get("properties").fieldNames().forEachRemaining(s::add);
    return s;
  }

  @Test
  void theLoaderValidatesAgainstTheSchemaFileOfTheModule() throws Exception {
    try (InputStream in = ConfigSchema.class.getResourceAsStream(ConfigSchema.RESOURCE)) {
      assertArrayEquals(Files.readAllBytes(Path.of("vane.schema.json")), in.readAllBytes());
    }
  }

  @Test
  void defaultsAreTheSchemasAndAFileWithoutASectionGetsThem() throws Exception {
    JsonNode props = new ObjectMapper().readTree(Path.of("vane.schema.json").toFile()).get("properties");
    JsonNode server = props.get("server").get("properties");
    ServerSettings s = ServerSettings.defaults();
    assertEquals(server.get("port").get("default").asInt(), s.port());
    assertEquals(10L * 1024 * 1024, s.maxBodyBytes(), "default: " + server.get("maxBodyBytes").get("default"));
    assertEquals(Duration.ofSeconds(20), s.shutdownGrace(), "default: " + server.get("shutdownGrace").get("default"));
    assertEquals(server.get("maxConnections").get("default").asInt(), s.limits().maxConnections());
    assertEquals("X-User-Id", s.unitId().header());
    JsonNode redis = props.get("state").get("properties").get("redis").get("properties");
    StateSettings.Redis r = StateSettings.Redis.defaults("redis://h:1");
    assertEquals(redis.get("cacheSize").get("default").asLong(), r.cacheSize());
    assertEquals(Duration.ofHours(1), r.cacheStaleness(), "default: " + redis.get("cacheStaleness").get("default"));
    String base = "endpoints:\n  - { id: a, url: \"http://h:1\" }\n";
    VaneConfig c = loader.parse(base + "state: { redis: { uri: \"redis://h:1\" } }\n", "x");
    assertEquals(s, c.server());
    assertEquals(r, c.state().redis());
    assertEquals(StateSettings.defaults(), loader.parse(base, "x").state());
    assertEquals(Duration.ofHours(24), Analysis.NONE.attributionWindow());
  }

  @Test
  void schemaPropertiesAreTheFieldsTheLoaderAcceptsAtEveryLevel() throws Exception {
    JsonNode schema = new ObjectMapper().readTree(Path.of("vane.schema.json").toFile());
    assertTrue(schema.get("additionalProperties").isBoolean());
    String ep = "endpoints:\n  - { id: a, url: \"http://h:1\", zz: 1 }\n";
    String base = "endpoints:\n  - { id: a, url: \"http://h:1\" }\n";
    JsonNode props = schema.get("properties");
    assertEquals(schemaFields(schema), loaderFields(base + "zz: 1\n", "zz"));
    assertEquals(schemaFields(props.get("server")), loaderFields(base + "server: { zz: 1 }\n", "server.zz"));
    assertEquals(schemaFields(props.get("endpoints").get("items")), loaderFields(ep, "endpoints[0].zz"));
    assertEquals(schemaFields(props.get("routes").get("items")),
        loaderFields(base + "routes:\n  - { pathPrefix: /, endpoint: a, zz: 1 }\n", "routes[0].zz"));
    JsonNode exp = props.get("experiments").get("items");
    assertEquals(schemaFields(exp),
        loaderFields(base + "experiments:\n  - { id: e, champion: { endpoint: a }, zz: 1 }\n", "experiments[0].zz"));
    assertEquals(schemaFields(exp.get("properties").get("shadows").get("items")),
        loaderFields(base + "experiments:\n  - { id: e, champion: { endpoint: a }, shadows: [ { endpoint: a, zz: 1 } ] }\n",
            "experiments[0].shadows[0].zz"));
    assertEquals(schemaFields(exp.get("properties").get("canary")),
        loaderFields(base + "experiments:\n  - { id: e, champion: { endpoint: a }, canary: { endpoint: a, percent: 1, zz: 1 } }\n",
            "experiments[0].canary.zz"));
    assertEquals(schemaFields(exp.get("properties").get("metrics").get("items")),
        loaderFields(base + "experiments:\n  - { id: e, champion: { endpoint: a }, metrics: [ { name: m, kind: continuous, zz: 1 } ] }\n",
            "experiments[0].metrics[0].zz"));
    assertEquals(schemaFields(props.get("state")), loaderFields(base + "state: { zz: 1 }\n", "state.zz"));
    assertEquals(schemaFields(props.get("state").get("properties").get("redis")),
        loaderFields(base + "state: { redis: { uri: \"redis://h:1\", zz: 1 } }\n", "state.redis.zz"));
  }
}
