package dev.vane.gateway.state;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import redis.embedded.core.ExecutableProvider;

/**
 * A real {@code redis-server} process on a loopback port, for integration tests. Uses the {@code redis-server} on
 * the PATH (or the file named by the system property {@code vane.redis.server}), and otherwise the Linux/macOS
 * binary bundled in {@code com.github.codemonstur:embedded-redis}. Runs with {@code --save "" --appendonly no} in a
 * temporary directory that {@link #close()} deletes, and never touches port 6379 unless asked to.
 *
 * <pre>{@code
 * try (RedisServerProcess redis = RedisServerProcess.start()) {
 *   String uri = redis.uri();        // redis://127.0.0.1:<port>
 *   redis.call("SET", "k", "v");      // a tiny blocking RESP client
 *   redis.stop();                     // SIGKILL: clients see the connection drop
 *   redis.restart();                  // same port; data is gone unless SAVEd before stop()
 *   redis.debugSleep(Duration.ofSeconds(2)); // the server stops answering for 2 s
 *   redis.freeze(); redis.thaw();     // SIGSTOP / SIGCONT: stalled until thawed
 * }
 * }</pre>
 */
public final class RedisServerProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static volatile Binary binary;

  private final int port;
  private final List<String> extraArgs;
  private final String config;
  private final Path dir;
  private final Thread shutdownHook;
  private Process process;

  private RedisServerProcess(int port, String config, List<String> extraArgs) throws IOException {
    this.port = port;
    this.config = config;
    this.extraArgs = List.copyOf(extraArgs);
    this.dir = Files.createTempDirectory("vane-redis-");
    this.shutdownHook = new Thread(this::kill, "redis-server-" + port + "-cleanup");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a server on a free loopback port. */
  public static RedisServerProcess start() {
    return start(freePort());
  }

  /** Starts a server on {@code port} (e.g. one reserved with {@link #freePort()} before the server should exist). */
  public static RedisServerProcess start(int port, String... extraArgs) {
    return startWithConfig(port, null, extraArgs);
  }

  /**
   * Starts a server on {@code port} from a config file holding {@code config} (written to its directory; null for
   * none), e.g. a Sentinel: {@code startWithConfig(port, "sentinel monitor m 127.0.0.1 6379 2\n", "--sentinel")}.
   */
  public static RedisServerProcess startWithConfig(int port, String config, String... extraArgs) {
    try {
      RedisServerProcess redis = new RedisServerProcess(port, config, List.of(extraArgs));
      try {
        redis.launch();
      } catch (RuntimeException e) {
        redis.close();
        throw e;
      }
      return redis;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A loopback port that was free a moment ago. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** The server's working directory, where {@code SAVE} writes {@code dump.rdb}. */
  public Path dir() {
    return dir;
  }

  /** The redis-server executable in use. */
  public static Path executable() {
    return binary().path;
  }

  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  /** Kills the server with SIGKILL (clients see their connections drop) and waits until it is gone. */
  public synchronized void stop() {
    kill();
  }

  /**
   * Starts the server again on the same port, waiting until it answers PING. Its data is what {@code SAVE} wrote
   * before {@link #stop()}, or nothing.
   */
  public synchronized void restart() {
    kill();
    launch();
  }

  /**
   * Sends {@code DEBUG SLEEP} on a separate connection: the server answers nobody for {@code duration}. Returns once
   * the command is sent; the future completes when the server is awake again.
   */
  public CompletableFuture<Void> debugSleep(Duration duration) {
    CompletableFuture<Void> awake = new CompletableFuture<>();
    CompletableFuture<Void> sent = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try (Socket socket = connect()) {
        OutputStream out = socket.getOutputStream();
        out.write(encode(List.of("DEBUG", "SLEEP", String.format(java.util.Locale.ROOT, "%.3f", duration.toMillis() / 1000.0))));
        out.flush();
        sent.complete(null);
        socket.setSoTimeout((int) duration.toMillis() + 10_000);
        read(new BufferedInputStream(socket.getInputStream()));
        awake.complete(null);
      } catch (Throwable e) {
        sent.completeExceptionally(e);
        awake.completeExceptionally(e);
      }
    }, "redis-debug-sleep-" + port);
    t.setDaemon(true);
    t.start();
    sent.join();
    return awake;
  }

  /**
   * Stops the server process with SIGSTOP and returns once the kernel reports it stopped: its connections stay open
   * and nothing it has not answered yet is answered until {@link #thaw()}. Unlike {@link #debugSleep}, no command
   * can slip in between this call returning and the stall starting.
   */
  public synchronized void freeze() {
    signal("STOP", 'T');
  }

  /** Resumes a {@link #freeze() frozen} server with SIGCONT and returns once it runs again. */
  public synchronized void thaw() {
    signal("CONT", null);
  }

  private void signal(String name, Character awaitedState) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    long pid = p.pid();
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + name + " " + pid + ": " + new String(kill.getInputStream()
            .readAllBytes(), StandardCharsets.UTF_8));
      }
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (true) {
        char state = processState(pid);
        if (awaitedState == null ? state != 'T' : state == awaitedState) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("redis-server " + pid + " still in state " + state + " after kill -" + name);
        }
        Thread.sleep(1);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The process state letter of {@code ps} ({@code T} stopped, {@code S} sleeping, {@code R} running, ...). */
  private static char processState(long pid) throws IOException, InterruptedException {
    Process ps = new ProcessBuilder("ps", "-o", "stat=", "-p", Long.toString(pid)).redirectErrorStream(true).start();
    String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    ps.waitFor();
    if (out.isEmpty()) {
      throw new IllegalStateException("redis-server " + pid + " is gone");
    }
    return out.charAt(0);
  }

  /** {@code CLIENT PAUSE <ms> ALL}: the server delays every client's commands for {@code duration}. */
  public void clientPause(Duration duration) {
    call("CLIENT", "PAUSE", Long.toString(duration.toMillis()));
  }

  /**
   * Runs one command on a new connection and returns the reply: String (simple and bulk strings), Long, List, or
   * null; an error reply throws {@link IllegalStateException}.
   */
  public Object call(String... command) {
    try (Socket socket = connect()) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(encode(List.of(command)));
      out.flush();
      return read(new BufferedInputStream(socket.getInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link #call} for integer replies. */
  public long callLong(String... command) {
    return (Long) call(command);
  }

  /** Kills the server and deletes its directory. */
  @Override
  public synchronized void close() {
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException ignored) {
      // best effort: a temp directory
    }
  }

  private synchronized void launch() {
    Binary bin = binary();
    List<String> cmd = new ArrayList<>(List.of(bin.path.toString()));
    if (config != null) {
      Path file = dir.resolve("redis.conf");
      try {
        if (!Files.exists(file)) { // a restarted Sentinel keeps the state it wrote to its file
          Files.writeString(file, config);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      cmd.add(file.toString());
    }
    cmd.addAll(List.of(
        "--port", Integer.toString(port),
        "--bind", "127.0.0.1",
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--dir", dir.toString(),
        "--dbfilename", "dump.rdb",
        "--logfile", dir.resolve("redis.log").toString()));
    if (bin.major >= 7) {
      cmd.addAll(List.of("--enable-debug-command", "yes"));
    }
    cmd.addAll(extraArgs);
    try {
      process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("stdout.log").toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server on port " + port + " exited with " + process.exitValue()
            + ": " + log());
      }
      try {
        Object pong = call("PING");
        if ("PONG".equals(pong)) {
          return;
        }
      } catch (RuntimeException notYet) {
        // not listening yet, or still loading
      }
      if (System.nanoTime() > deadline) {
        kill();
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING within "
            + START_TIMEOUT + ": " + log());
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  private String log() {
    try {
      Path file = dir.resolve("redis.log");
      return Files.exists(file) ? Files.readString(file) : Files.readString(dir.resolve("stdout.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
    return socket;
  }

  private static byte[] encode(List<String> args) {
    StringBuilder sb = new StringBuilder().append('*').append(args.size()).append("\r\n");
    for (String arg : args) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      sb.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    String line = readLine(in);
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new IllegalStateException(line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        byte[] bytes = in.readNBytes(n);
        in.readNBytes(2);
        return new String(bytes, StandardCharsets.UTF_8);
      }
      case '*': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          items.add(read(in));
        }
        return items;
      }
      case -1:
        throw new IOException("connection closed by redis-server");
      default:
        throw new IOException("unexpected RESP type '" + (char) type + "'");
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\r') {
        in.read();
        break;
      }
      sb.append((char) c);
    }
    return sb.toString();
  }

  private static Binary binary() {
    Binary b = binary;
    if (b == null) {
      synchronized (RedisServerProcess.class) {
        b = binary;
        if (b == null) {
          binary = b = findBinary();
        }
      }
    }
    return b;
  }

  private static Binary findBinary() {
    Path path = null;
    String configured = System.getProperty("vane.redis.server");
    if (configured != null && !configured.isBlank()) {
      path = Path.of(configured);
    } else {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path candidate = Path.of(dir, "redis-server");
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          path = candidate;
          break;
        }
      }
    }
    if (path == null) {
      try {
        path = ExecutableProvider.newJarResourceProvider().get().toPath();
      } catch (IOException e) {
        throw new UncheckedIOException("no redis-server on PATH and none bundled for this OS", e);
      }
    }
    return new Binary(path, majorVersion(path));
  }

  private static int majorVersion(Path path) {
    try {
      Process p = new ProcessBuilder(path.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      Matcher m = Pattern.compile("v=(\\d+)\\.").matcher(out);
      return m.find() ? Integer.parseInt(m.group(1)) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private record Binary(Path path, int major) {}
}
