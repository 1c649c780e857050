package dev.mlops.s3;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A loopback HTTP/1.1 reverse proxy between the SDK and an S3 server that injects the faults S3
 * really produces: connection resets, delays, 503 SlowDown, 500 InternalError, a response dropped
 * after the server applied the request, and a body cut off midway. Faults hit a seeded random
 * fraction of requests, or the next request matching a predicate.
 *
 * <p>Thread-safe.
 */
final class FaultInjectingProxy implements AutoCloseable {

  /** What can go wrong with one request. */
  enum Fault {
    /** The connection is reset before the request reaches the server. */
    RESET_BEFORE_REQUEST,
    /** The request is forwarded after a delay of 50-300 ms. */
    DELAY,
    /** The proxy answers 503 SlowDown; the server never sees the request. */
    SLOW_DOWN_503,
    /** The proxy answers 500 InternalError; the server never sees the request. */
    INTERNAL_ERROR_500,
    /** The server applies the request, then the connection is reset instead of answering. */
    DROP_RESPONSE_AFTER_APPLY,
    /** The server answers; the connection is reset halfway through the response body. */
    RESET_MID_RESPONSE
  }

  /** The start of one request, for predicates. */
  record RequestHead(String method, String target) {
    boolean isWrite() {
      return method.equals("PUT") || method.equals("POST") || method.equals("DELETE");
    }
  }

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final Random random;
  private final Set<Fault> randomFaults;
  private volatile double faultRate;
  private volatile Predicate<RequestHead> stripConditionalHeaders = r -> false;
  private final ConcurrentLinkedQueue<Map.Entry<Predicate<RequestHead>, Fault>> scheduled = new ConcurrentLinkedQueue<>();
  private final Map<Fault, AtomicInteger> injected = new EnumMap<>(Fault.class);
  private final AtomicInteger requests = new AtomicInteger();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Thread acceptor;
  private volatile boolean closed;

  FaultInjectingProxy(URI target, long seed, double faultRate, Set<Fault> randomFaults) throws IOException {
    this.targetHost = target.getHost();
    this.targetPort = target.getPort() > 0 ? target.getPort() : 80;
    this.random = new Random(seed);
    this.faultRate = faultRate;
    this.randomFaults = Set.copyOf(randomFaults);
    for (Fault f : Fault.values()) {
      injected.put(f, new AtomicInteger());
    }
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    this.acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** @return the proxy's address, to use as the SDK's endpoint */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  void faultRate(double rate) {
    this.faultRate = rate;
  }

  /** Drops {@code If-None-Match} from requests, emulating a server that ignores conditional writes. */
  void stripConditionalHeaders(boolean strip) {
    this.stripConditionalHeaders = r -> strip;
  }

  /** Drops {@code If-None-Match} from the requests matching {@code which}. */
  void stripConditionalHeaders(Predicate<RequestHead> which) {
    this.stripConditionalHeaders = which;
  }

  /** Injects {@code fault} into the next request matching {@code which}. */
  void faultNext(Predicate<RequestHead> which, Fault fault) {
    scheduled.add(Map.entry(which, fault));
  }

  int injected(Fault fault) {
    return injected.get(fault).get();
  }

  Map<Fault, Integer> injectedCounts() {
    Map<Fault, Integer> out = new EnumMap<>(Fault.class);
    injected.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  int requests() {
    return requests.get();
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        sockets.add(client);
        Thread t = new Thread(() -> serve(client), "fault-proxy-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private Fault choose(RequestHead head) {
    for (Map.Entry<Predicate<RequestHead>, Fault> e : scheduled) {
      if (e.getKey().test(head) && scheduled.remove(e)) {
        return e.getValue();
      }
    }
    double rate = faultRate;
    if (rate <= 0 || randomFaults.isEmpty()) {
      return null;
    }
    synchronized (random) {
      if (random.nextDouble() >= rate) {
        return null;
      }
      List<Fault> options = new ArrayList<>(randomFaults);
      options.sort(null);
      Fault f = options.get(random.nextInt(options.size()));
      if (f == Fault.RESET_MID_RESPONSE && !head.method().equals("GET")) {
        f = Fault.DROP_RESPONSE_AFTER_APPLY;
      }
      return f;
    }
  }

  private void serve(Socket client) {
    Socket upstream = null;
    try (client) {
      client.setTcpNoDelay(true);
      InputStream cin = new BufferedInputStream(client.getInputStream(), 64 * 1024);
      OutputStream cout = client.getOutputStream();
      InputStream uin = null;
      OutputStream uout = null;
      while (!closed) {
        String requestLine = readLine(cin);
        if (requestLine == null) {
          return;
        }
        if (requestLine.isEmpty()) {
          continue;
        }
        List<String[]> headers = readHeaders(cin);
        String[] parts = requestLine.split(" ", 3);
        RequestHead head = new RequestHead(parts[0], parts.length > 1 ? parts[1] : "");
        requests.incrementAndGet();
        boolean expectContinue = "100-continue".equalsIgnoreCase(header(headers, "Expect"));
        if (expectContinue) {
          headers.removeIf(h -> h[0].equalsIgnoreCase("Expect"));
          cout.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          cout.flush();
        }
        byte[] body = readBody(cin, headers, false, 0);
        if (stripConditionalHeaders.test(head)) {
          headers.removeIf(h -> h[0].equalsIgnoreCase("If-None-Match"));
        }
        Fault fault = choose(head);
        if (fault != null) {
          injected.get(fault).incrementAndGet();
        }
        if (fault == Fault.RESET_BEFORE_REQUEST) {
          reset(client);
          return;
        }
        if (fault == Fault.SLOW_DOWN_503 || fault == Fault.INTERNAL_ERROR_500) {
          boolean slow = fault == Fault.SLOW_DOWN_503;
          String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + (slow ? "SlowDown" : "InternalError")
              + "</Code><Message>" + (slow ? "Please reduce your request rate." : "We encountered an internal error.")
              + "</Message><RequestId>FAULT</RequestId></Error>";
          byte[] b = head.method().equals("HEAD") ? new byte[0] : xml.getBytes(StandardCharsets.UTF_8);
          String status = slow ? "503 Slow Down" : "500 Internal Server Error";
          cout.write(("HTTP/1.1 " + status + "\r\nContent-Type: application/xml\r\nContent-Length: " + b.length
              + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
          cout.write(b);
          cout.flush();
          continue;
        }
        if (fault == Fault.DELAY) {
          long delay;
          synchronized (random) {
            delay = 50 + random.nextInt(250);
          }
          sleep(delay);
        }
        if (upstream == null || upstream.isClosed()) {
          upstream = new Socket(targetHost, targetPort);
          upstream.setTcpNoDelay(true);
          sockets.add(upstream);
          uin = new BufferedInputStream(upstream.getInputStream(), 64 * 1024);
          uout = upstream.getOutputStream();
        }
        ByteArrayOutputStream req = new ByteArrayOutputStream(body.length + 1024);
        req.write((requestLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        for (String[] h : headers) {
          req.write((h[0] + ": " + h[1] + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        req.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        req.write(body);
        uout.write(req.toByteArray());
        uout.flush();
        // The response, read whole (the server has now applied the request).
        String statusLine;
        List<String[]> responseHeaders;
        do {
          statusLine = readLine(uin);
          if (statusLine == null) {
            throw new IOException("upstream closed the connection");
          }
          responseHeaders = readHeaders(uin);
        } while (statusLine.startsWith("HTTP/1.1 100"));
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        boolean noBody = head.method().equals("HEAD") || status == 204 || status == 304;
        byte[] responseBody = noBody ? new byte[0] : readBody(uin, responseHeaders, true, status);
        boolean upstreamCloses = "close".equalsIgnoreCase(header(responseHeaders, "Connection"));
        if (upstreamCloses) {
          upstream.close();
          upstream = null;
        }
        if (fault == Fault.DROP_RESPONSE_AFTER_APPLY) {
          reset(client);
          return;
        }
        ByteArrayOutputStream resp = new ByteArrayOutputStream(responseBody.length + 1024);
        resp.write((statusLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        for (String[] h : responseHeaders) {
          resp.write((h[0] + ": " + h[1] + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        resp.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (fault == Fault.RESET_MID_RESPONSE && responseBody.length > 1) {
          resp.write(responseBody, 0, responseBody.length / 2);
          cout.write(resp.toByteArray());
          cout.flush();
          sleep(20);
          reset(client);
          return;
        }
        resp.write(responseBody);
        cout.write(resp.toByteArray());
        cout.flush();
        if (upstreamCloses) {
          return;
        }
      }
    } catch (IOException e) {
      // the client or the server went away; the connection ends
    } finally {
      if (upstream != null) {
        try {
          upstream.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }
  }

  private static void reset(Socket s) throws IOException {
    s.setSoLinger(true, 0);
    s.close();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String header(List<String[]> headers, String name) {
    for (String[] h : headers) {
      if (h[0].equalsIgnoreCase(name)) {
        return h[1];
      }
    }
    return null;
  }

  private static List<String[]> readHeaders(InputStream in) throws IOException {
    List<String[]> headers = new ArrayList<>();
    String line;
    while ((line = readLine(in)) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
    }
    return headers;
  }

  /** Reads a body framed by Content-Length or chunked encoding, returning its raw bytes. */
  private static byte[] readBody(InputStream in, List<String[]> headers, boolean response, int status)
      throws IOException {
    String te = header(headers, "Transfer-Encoding");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      while (true) {
        String sizeLine = readLine(in);
        if (sizeLine == null) {
          throw new IOException("eof in chunked body");
        }
        raw.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
        if (size == 0) {
          String trailer;
          while ((trailer = readLine(in)) != null && !trailer.isEmpty()) {
            raw.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          }
          raw.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
          return raw.toByteArray();
        }
        raw.write(in.readNBytes(size + 2));
      }
    }
    String cl = header(headers, "Content-Length");
    if (cl != null) {
      int n = Integer.parseInt(cl.trim());
      byte[] b = in.readNBytes(n);
      if (b.length != n) {
        throw new IOException("eof in body");
      }
      return b;
    }
    if (response && status >= 200) {
      return in.readAllBytes(); // delimited by the end of the connection
    }
    return new byte[0];
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int n = sb.length();
        if (n > 0 && sb.charAt(n - 1) == '\r') {
          sb.setLength(n - 1);
        }
        return sb.toString();
      }
      sb.append((char) c);
    }
    return sb.length() == 0 ? null : sb.toString();
  }
}
