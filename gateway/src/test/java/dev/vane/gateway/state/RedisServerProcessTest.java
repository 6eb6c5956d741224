package dev.vane.gateway.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RedisServerProcessTest {

  @Test
  void startsOnAFreePortStopsRestartsAndCleansUp() {
    Path dir;
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      assertNotEquals(6379, redis.port());
      assertEquals("redis://127.0.0.1:" + redis.port(), redis.uri());
      assertEquals("OK", redis.call("SET", "k", "v"));
      assertEquals("v", redis.call("GET", "k"));
      assertEquals("", redis.call("CONFIG", "GET", "save").toString().replaceAll("[\\[\\], ]|save", ""),
          "no snapshots");

      redis.stop();
      assertFalse(redis.running());
      assertThrows(RuntimeException.class, () -> redis.call("PING"));

      redis.restart();
      assertTrue(redis.running());
      assertNull(redis.call("GET", "k"), "data is gone after a kill");

      redis.call("SET", "kept", "1");
      redis.call("SAVE");
      redis.stop();
      redis.restart();
      assertEquals("1", redis.call("GET", "kept"), "SAVEd data is loaded on restart");
      dir = redis.dir();
    }
    assertFalse(Files.exists(dir), "temporary directory removed");
  }

  @Test
  void debugSleepStallsTheServerForTheGivenTime() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      long start = System.nanoTime();
      CompletableFuture<Void> awake = redis.debugSleep(Duration.ofMillis(500));
      redis.call("PING");
      long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(waited >= 400, "PING answered after " + waited + " ms");
      awake.get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aFrozenServerAnswersNothingUntilThawed() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), redis.port())) {
        redis.freeze();
        socket.setSoTimeout(300);
        socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        assertThrows(SocketTimeoutException.class, in::read, "a stopped process cannot answer");
        redis.thaw();
        socket.setSoTimeout(10_000);
        assertEquals("+PONG", new String(in.readNBytes(5), StandardCharsets.US_ASCII), "the PING sent while frozen");
      }
      assertEquals("PONG", redis.call("PING"));
    }
  }

  @Test
  void clientPauseDelaysCommands() {
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      redis.clientPause(Duration.ofMillis(300));
      long start = System.nanoTime();
      redis.call("SET", "k", "v");
      long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(waited >= 200, "SET answered after " + waited + " ms");
    }
  }
}
