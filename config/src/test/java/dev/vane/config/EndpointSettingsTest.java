package dev.vane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EndpointSettingsTest {
  @Test
  void aResponseCostsItsTokensAtThePricePerThousand() {
    EndpointSettings.Price p = new EndpointSettings.Price(0.5, 1.5);
    // 1200 x 0.5 / 1000 + 300 x 1.5 / 1000 = 0.6 + 0.45
    assertEquals(1.05, p.cost(1200, 300), 1e-12);
    assertEquals(0, p.cost(0, 0));
    assertEquals(0.0015, p.cost(0, 1), 1e-15);
    assertEquals(0, new EndpointSettings.Price(0, 0).cost(1e9, 1e9));
    assertThrows(IllegalArgumentException.class, () -> new EndpointSettings.Price(-0.1, 1));
    assertThrows(IllegalArgumentException.class, () -> new EndpointSettings.Price(1, Double.NaN));
  }
}
