package dev.vane.gateway;

import dev.vane.config.VaneConfig;
import dev.vane.gateway.state.RedisServerProcess;
import dev.vane.router.StickyStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real processes of the gateway's integration tests: one client {@link Harness}, backends, gateways, raw
 * upstreams and Redis servers, each closed when its scope ends. Register it on a static field, and declare the
 * class's backends beside it:
 *
 * <pre>{@code
 * @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
 * static final Harness h = fx.harness();
 * static final TestBackend a = fx.backend("a");
 *
 * @Test void x() throws Exception {
 *   Gateway gw = fx.gateway(yaml);                       // closed after this test
 *   RedisServerProcess redis = fx.redis();               // stopped after this test
 * }
 * }</pre>
 *
 * <p>The harness and the backends live for the class: started when the class's fields are initialised, closed
 * after its last test. After each test every backend is put back in its default mode (echo, or what the setup given
 * to {@link #backend(String, Consumer)} makes it). Anything else opened through it is closed after the test that
 * opened it, or, when opened outside a test (a static field, {@code @BeforeAll}), after the class. It closes in
 * reverse order of opening, except that Redis servers go last (gateways flush to them while closing). A gateway
 * the test stops on purpose is stopped with {@link #close(Gateway)}, so that it is not closed twice. A
 * {@code @BeforeEach} method counts as part of its test. One instance serves one run of one class.
 */
public final class VaneFixtures implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {
  private Harness harness;
  private final Map<TestBackend, Consumer<TestBackend>> backends = new LinkedHashMap<>();
  private final List<AutoCloseable> forTest = new ArrayList<>();
  private final List<AutoCloseable> forClass = new ArrayList<>();
  private boolean inTest;
  private boolean classEnded;

  /** The class's client Vert.x and HTTP client, started on first use. */
  public synchronized Harness harness() {
    if (harness == null) {
      harness = new Harness();
    }
    return harness;
  }

  /** A backend in echo mode, for the whole class. */
  public TestBackend backend(String name) {
    return backend(name, b -> {});
  }

  /** A backend for the whole class, with {@code setup} applied now and again after each test. */
  public synchronized TestBackend backend(String name, Consumer<TestBackend> setup) {
    TestBackend b = harness().backend(name);
    setup.accept(b);
    backends.put(b, setup);
    return b;
  }

  /** A gateway started from YAML text with the in-memory store, its config versions in memory. */
  public Gateway gateway(String yaml) throws Exception {
    return attached(own(Harness.gateway(yaml)), yaml);
  }

  /**
   * A gateway started from YAML text with the store {@code stores} builds (e.g. {@code Stores::forConfig}), its config
   * versions in memory.
   */
  public Gateway gateway(String yaml, Function<VaneConfig, StickyStore> stores) throws Exception {
    return attached(own(Gateway.start(Harness.parse(yaml), stores).await()), yaml);
  }

  private static Gateway attached(Gateway g, String yaml) {
    g.attachInMemory(yaml).toCompletableFuture().join();
    return g;
  }

  /** A redis-server on a free loopback port. */
  public RedisServerProcess redis() {
    return own(RedisServerProcess.start());
  }

  /** A redis-server on {@code port} (one reserved with {@link RedisServerProcess#freePort()}). */
  public RedisServerProcess redis(int port) {
    return own(RedisServerProcess.start(port));
  }

  /** An upstream on a raw socket that records each request head. */
  public RawHttp.Upstream rawUpstream() {
    try {
      return own(new RawHttp.Upstream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Closes {@code resource} when its scope ends: after this test, or after the class when opened outside one. */
  public synchronized <T extends AutoCloseable> T own(T resource) {
    (inTest ? forTest : forClass).add(resource);
    return resource;
  }

  /** Stops {@code gateway} now (as a test that stops it on purpose does), and not again when its scope ends. */
  public void close(Gateway gateway) {
    synchronized (this) {
      if (!forTest.remove(gateway) && !forClass.remove(gateway)) {
        throw new IllegalArgumentException("not started through these fixtures: " + gateway);
      }
    }
    gateway.close();
  }

  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    if (classEnded) {
      // static fields are initialised once per JVM: a second run of the class would meet closed backends
      throw new IllegalStateException("the class's fixtures were closed when its first run ended");
    }
    inTest = true;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    List<AutoCloseable> open;
    synchronized (this) {
      inTest = false;
      open = List.copyOf(forTest);
      forTest.clear();
      backends.forEach((b, setup) -> {
        b.reset();
        setup.accept(b);
      });
    }
    closeAll(open);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    List<AutoCloseable> open;
    synchronized (this) {
      classEnded = true;
      open = new ArrayList<>(forClass);
      forClass.clear();
      backends.clear();
      if (harness != null) {
        open.add(0, harness); // closed last: the backends run on its Vert.x
        harness = null;
      }
    }
    closeAll(open);
  }

  /** Closes in reverse order of opening, Redis servers last; throws the first failure with the others suppressed. */
  private static void closeAll(List<AutoCloseable> open) throws Exception {
    List<AutoCloseable> order = new ArrayList<>();
    for (int i = open.size() - 1; i >= 0; i--) {
      if (!(open.get(i) instanceof RedisServerProcess)) {
        order.add(open.get(i));
      }
    }
    for (int i = open.size() - 1; i >= 0; i--) {
      if (open.get(i) instanceof RedisServerProcess) {
        order.add(open.get(i));
      }
    }
    Exception first = null;
    for (AutoCloseable c : order) {
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
