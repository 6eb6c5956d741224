package dev.vane.gateway.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The shared budget of feedback body bytes: at least 64 MiB, at least one largest body, refusals counted. */
class BodyBudgetTest {
  @Test
  void theBudgetIsTheLargerOf64MiBAndOneLargestBody() {
    AtomicLong maxBody = new AtomicLong(10L << 20);
    BodyBudget b = new BodyBudget(maxBody::get);
    assertEquals(64L << 20, b.limit());
    maxBody.set(100L << 20);
    assertEquals(100L << 20, b.limit(), "follows a reloaded maxBodyBytes");
  }

  @Test
  void bytesBeyondTheBudgetAreRefusedAndCountedUntilSomeAreGivenBack() {
    BodyBudget b = new BodyBudget(() -> 1);
    assertTrue(b.tryAcquire(40L << 20));
    assertTrue(b.tryAcquire(24L << 20));
    assertEquals(64L << 20, b.held());
    assertFalse(b.tryAcquire(1));
    assertTrue(b.tryAcquire(0));
    assertEquals(1, b.refused());
    b.release(40L << 20);
    assertTrue(b.tryAcquire(1));
    assertEquals((24L << 20) + 1, b.held());
    assertThrows(IllegalArgumentException.class, () -> b.tryAcquire(-1));
  }
}
