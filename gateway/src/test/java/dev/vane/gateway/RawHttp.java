package dev.vane.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Raw-socket HTTP for edge tests: a client that writes exact bytes and reads whatever comes back, and an upstream
 * (a plain {@link ServerSocket}, no HTTP library) that records every request head it receives byte for byte, so a
 * test sees exactly what the gateway sent.
 */
final class RawHttp {
  private RawHttp() {}

  /** What came back on a connection: the bytes, and whether the server closed it. */
  record Exchange(String text, boolean closed) {
    /** Status of the first response, or -1 when none arrived. */
    int status() {
      return statusAt(0);
    }

    int statusAt(int index) {
      int from = 0;
      for (int i = 0; i <= index; i++) {
        int at = text.indexOf("HTTP/1.", from);
        if (at < 0) {
          return -1;
        }
        if (i == index) {
          return Integer.parseInt(text.substring(at + 9, at + 12));
        }
        from = at + 12;
      }
      return -1;
    }

    int responses() {
      int n = 0;
      for (int at = text.indexOf("HTTP/1."); at >= 0; at = text.indexOf("HTTP/1.", at + 1)) {
        n++;
      }
      return n;
    }
  }

  /** Sends {@code request} (ISO-8859-1 bytes) and reads until the server closes or {@code quietMillis} of silence. */
  static Exchange send(int port, String request, long quietMillis) throws IOException {
    return send(port, request.getBytes(StandardCharsets.ISO_8859_1), quietMillis);
  }

  static Exchange send(int port, byte[] request, long quietMillis) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout((int) quietMillis);
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      return read(s);
    }
  }

  /** Reads what the socket gets until EOF (closed: true) or a read timeout (closed: false). */
  static Exchange read(Socket s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[8192];
    boolean closed = false;
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
      }
      closed = true;
    } catch (SocketTimeoutException e) {
      closed = false;
    } catch (java.net.SocketException e) {
      closed = true; // reset
    }
    return new Exchange(out.toString(StandardCharsets.ISO_8859_1), closed);
  }

  /** Whether the server closed {@code s}: a read returns EOF (or a reset) within {@code waitMillis}. */
  static boolean closedWithin(Socket s, long waitMillis) throws IOException {
    s.setSoTimeout((int) waitMillis);
    try {
      while (true) {
        int b = s.getInputStream().read();
        if (b < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  /**
   * An HTTP/1.1 upstream on a plain server socket: reads each request head (and a Content-Length body), records the
   * head as received, answers {@code 200 ok} with keep-alive.
   */
  static final class Upstream implements AutoCloseable {
    final ServerSocket server;
    final List<String> heads = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    Upstream() throws IOException {
      server = new ServerSocket(0, 200, java.net.InetAddress.getLoopbackAddress());
      acceptor = new Thread(this::accept, "raw-upstream");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    String url() {
      return "http://127.0.0.1:" + port();
    }

    /** The request line of the n-th request received. */
    String requestLine(int n) {
      String h = heads.get(n);
      return h.substring(0, h.indexOf("\r\n"));
    }

    /** A header of the n-th request (first occurrence, case-insensitive), or null. */
    String header(int n, String name) {
      for (String line : heads.get(n).split("\r\n")) {
        int c = line.indexOf(':');
        if (c > 0 && line.substring(0, c).equalsIgnoreCase(name)) {
          return line.substring(c + 1).trim();
        }
      }
      return null;
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Thread t = new Thread(() -> serve(s), "raw-upstream-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (s) {
        InputStream in = s.getInputStream();
        while (true) {
          ByteArrayOutputStream head = new ByteArrayOutputStream();
          int state = 0;
          int b;
          while (state < 4 && (b = in.read()) >= 0) {
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                ? state + 1 : 0;
          }
          if (state < 4) {
            return;
          }
          String h = head.toString(StandardCharsets.ISO_8859_1);
          heads.add(h);
          long len = 0;
          for (String line : h.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
              len = Long.parseLong(line.substring(15).trim());
            }
          }
          in.skipNBytes(len);
          s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
              .getBytes(StandardCharsets.ISO_8859_1));
          s.getOutputStream().flush();
        }
      } catch (IOException e) {
        // the gateway closed the connection
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
