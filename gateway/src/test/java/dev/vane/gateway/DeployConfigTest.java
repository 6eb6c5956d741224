package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.config.ConfigLoader;
import dev.vane.config.VaneConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configs shipped in deploy/ are valid. */
class DeployConfigTest {
  @Test
  void theImagesDefaultConfigIsValid() throws Exception {
    VaneConfig c = new ConfigLoader(Map.of("VANE_ADMIN_TOKEN", SecretWatch.secret("compose"))::get)
        .load(Path.of("..", "deploy", "vane.yaml"));
    assertTrue(c.state().isRedis());
    assertEquals(dev.vane.config.AdminSettings.Source.REDIS, c.admin().source());
    assertEquals("0.0.0.0", c.server().admin().host());
    assertEquals(500, c.routing().experiment("rollout").arms().get(1).weightBps());
  }

  @Test
  void theKubernetesConfigMapIsValid() throws Exception {
    String manifest = Files.readString(Path.of("..", "deploy", "k8s", "vane.yaml"));
    String doc = manifest.substring(manifest.indexOf("vane.yaml: |") + "vane.yaml: |".length(),
        manifest.indexOf("---"));
    String yaml = doc.lines().map(l -> l.length() >= 4 ? l.substring(4) : l.strip())
        .reduce("", (a, b) -> a + b + "\n");
    VaneConfig c = new ConfigLoader(Map.of("REDIS_URI", "redis://redis:6379/0", "VANE_ADMIN_TOKEN",
        SecretWatch.secret("k8s-admin"), "VANE_METRICS_TOKEN", SecretWatch.secret("k8s-metrics"))::get)
        .parse(yaml, "k8s");
    assertEquals(2, c.endpoints().size());
    assertEquals(2, c.admin().auth().tokens().size());
    assertTrue(manifest.contains("containerPort: 9090"));
    assertEquals(List.of(new dev.vane.config.EventSettings.RedisStream(1_000_000, 65536)), c.events().sinks());
    // several replicas: probes on the traffic port, a preStop delay inside the grace period, a disruption budget
    assertTrue(manifest.contains("readinessProbe: { httpGet: { path: /readyz, port: http }"));
    assertTrue(manifest.contains("livenessProbe: { httpGet: { path: /healthz, port: http }"));
    assertTrue(manifest.contains("preStop: { sleep: { seconds: 5 } }"));
    assertTrue(manifest.contains("kind: PodDisruptionBudget"));
    assertTrue(manifest.contains("maxUnavailable: 0"));
    // every topology the ConfigMap's comment offers is a valid state.redis.uri
    for (String uri : List.of("redis://:pw@redis:6379/0",
        "redis-cluster://:pw@redis-0.redis:6379,redis-1.redis:6379,redis-2.redis:6379",
        "redis-sentinel://sentinel-0.sentinel:26379,sentinel-1.sentinel:26379,sentinel-2.sentinel:26379#mymaster")) {
      assertTrue(manifest.contains(uri), uri);
      new ConfigLoader(Map.of("REDIS_URI", uri, "VANE_ADMIN_TOKEN", SecretWatch.secret("k8s-admin"),
          "VANE_METRICS_TOKEN", SecretWatch.secret("k8s-metrics"))::get).parse(yaml, "k8s");
    }
  }

  @Test
  void theClusterComposeFilesRedisUriIsAValidClusterUri() throws Exception {
    String compose = Files.readString(Path.of("..", "deploy", "compose-cluster.yaml"));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("REDIS_URI: (\\S+)").matcher(compose);
    assertTrue(m.find(), "REDIS_URI in compose-cluster.yaml");
    VaneConfig c = new ConfigLoader(Map.of("REDIS_URI", m.group(1), "VANE_ADMIN_TOKEN",
        SecretWatch.secret("compose"))::get).load(Path.of("..", "deploy", "vane.yaml"));
    assertEquals("redis-cluster://redis-1:6379,redis-2:6379,redis-3:6379", c.state().redis().uri());
    assertTrue(compose.contains("--cluster-replicas 1"), "3 primaries, 3 replicas");
  }
}
