package dev.vane.gateway;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Watches the whole gateway test suite for leaked secrets. Tests make their secrets with {@link #secret(String)}, so
 * every one of them carries {@link #MARK}; this extension (registered for every class through
 * {@code META-INF/services}) tees the JVM's stdout and stderr, where every log line goes, before the first class
 * runs, and {@link Harness} reports every response it reads. A secret seen in either is recorded, and
 * {@link NoSecretLeakedTest}, ordered last, fails on any.
 */
public final class SecretWatch implements BeforeAllCallback {
  /** Part of every test secret, and of nothing else. */
  static final String MARK = "s3cr3t";
  private static final List<String> leaks = new ArrayList<>();
  private static boolean installed;

  /** A secret for a test: {@code name}, the mark, and enough characters to be a valid token. */
  public static String secret(String name) {
    return name + "-" + MARK + "-0123456789abcdef";
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    install();
  }

  static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    System.setOut(new PrintStream(new Scanner(System.out, "stdout"), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new Scanner(System.err, "stderr"), true, StandardCharsets.UTF_8));
  }

  /** Records a leak seen in {@code where}. */
  static synchronized void leaked(String where, String text) {
    int i = text.indexOf(MARK);
    int from = Math.max(0, i - 120);
    int to = Math.min(text.length(), i + 60);
    leaks.add(where + ": ..." + text.substring(from, to).replace('\n', ' ') + "...");
  }

  /** Checks a response: its body and headers. */
  static void checkReply(Harness.Reply r, String uri) {
    String body = r.body().toString(StandardCharsets.UTF_8);
    if (body.contains(MARK)) {
      leaked("response body of " + uri, body);
    }
    r.headers().forEach(e -> {
      if (e.getValue().contains(MARK)) {
        leaked("response header " + e.getKey() + " of " + uri, e.getValue());
      }
    });
  }

  /** Drops one recorded leak (the watch's own self-test). */
  static synchronized void forget(String leak) {
    leaks.remove(leak);
  }

  static synchronized List<String> leaks() {
    return List.copyOf(leaks);
  }

  /** Passes bytes on, and looks at each line for the mark (lines are what loggers write). */
  private static final class Scanner extends OutputStream {
    private final PrintStream out;
    private final String name;
    private final StringBuilder line = new StringBuilder();

    Scanner(PrintStream out, String name) {
      this.out = out;
      this.name = name;
    }

    @Override
    public synchronized void write(int b) {
      out.write(b);
      take((char) (b & 0xff));
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) {
      out.write(buf, off, len);
      for (int i = off; i < off + len; i++) {
        take((char) (buf[i] & 0xff));
      }
    }

    private void take(char c) {
      if (c == '\n') {
        if (line.indexOf(MARK) >= 0) {
          leaked(name, line.toString());
        }
        line.setLength(0);
      } else if (line.length() < 64 * 1024) {
        line.append(c);
      }
    }

    @Override
    public void flush() {
      out.flush();
    }
  }
}
