package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.config.ConfigLoader;
import dev.vane.config.VaneConfig;
import java.nio.file.Files;
import java.nio.file.Path;
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
  }
}
