package dev.vane.gateway.state;

import dev.vane.router.InMemoryStickyStore;
import dev.vane.router.StickyStore;
import java.time.Duration;

/** The sticky store contract on the in-memory reference store. */
class InMemoryStickyStoreContractTest extends StickyStoreContract {
  @Override
  protected StickyStore newStore() {
    return new InMemoryStickyStore(10_000, Duration.ofHours(1));
  }
}
