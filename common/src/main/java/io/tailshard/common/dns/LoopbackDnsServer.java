package io.tailshard.common.dns;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny authoritative DNS server for local clusters and tests, loopback only: answers A and AAAA
 * questions over UDP for names set at run time, NXDOMAIN for other names, and can be told to fall
 * silent (to test timeouts) or to answer a name with an error code (to test SERVFAIL and the like).
 * The {@code cluster} load-test command uses it as the sampling tier's "headless Service": scaling
 * the tier is changing the A records of one name.
 *
 * <p>It binds only to a loopback address ({@link #start(String, int)} refuses any other), because
 * it answers whatever it is told to without any of a real server's safeguards.
 *
 * <p>The wire format (RFC 1035 §4) is encoded here by hand: a 12-byte header, the question echoed
 * back, then one resource record per address, its owner name a compression pointer to the
 * question. Answers keep the order the addresses were given in, so tests can reorder records.
 * Records carry a TTL of {@value #TTL_SECONDS} s. Responses are not truncated to 512 bytes (there
 * is no TCP fallback); keep record lists short (about 30 IPv4 addresses fit in 512 bytes).
 *
 * <p>One daemon thread, {@code tailshard-dns-<port>}, serves queries; the setters are thread-safe
 * and take effect for the next query. Close it to free the port.
 */
public final class LoopbackDnsServer implements AutoCloseable {
  /** Record types (RFC 1035, RFC 3596). */
  public static final int TYPE_A = 1;

  public static final int TYPE_AAAA = 28;
  /** Response codes. */
  public static final int NOERROR = 0;

  public static final int SERVFAIL = 2;
  public static final int NXDOMAIN = 3;
  public static final int REFUSED = 5;

  private static final int CLASS_IN = 1;
  /** The TTL of every record; resolvers here poll on their own interval and ignore it. */
  public static final int TTL_SECONDS = 5;

  private final DatagramSocket socket;
  private final Thread thread;
  private final Map<String, Records> names = new ConcurrentHashMap<>();
  private final Map<String, Integer> errors = new ConcurrentHashMap<>();
  private final AtomicInteger queries = new AtomicInteger();
  private volatile boolean silent;

  private LoopbackDnsServer(DatagramSocket socket) {
    this.socket = socket;
    this.thread = new Thread(this::serve, "tailshard-dns-" + socket.getLocalPort());
    thread.setDaemon(true);
  }

  /** Starts a server on 127.0.0.1 and an ephemeral port. */
  public static LoopbackDnsServer start() throws IOException {
    return start("127.0.0.1", 0);
  }

  /**
   * Starts a server on {@code host} (a loopback IP literal such as {@code 127.0.3.1}) and
   * {@code port} (0: an ephemeral port).
   *
   * @throws IllegalArgumentException when {@code host} is not a loopback address
   * @throws IOException when the address cannot be bound
   */
  public static LoopbackDnsServer start(String host, int port) throws IOException {
    InetAddress address = InetAddress.getByName(host);
    if (!address.isLoopbackAddress()) {
      throw new IllegalArgumentException("the DNS server binds loopback addresses only, not " + host);
    }
    DatagramSocket socket = new DatagramSocket(new InetSocketAddress(address, port));
    LoopbackDnsServer server = new LoopbackDnsServer(socket);
    server.thread.start();
    return server;
  }

  /** The address it is bound to, as an IP literal. */
  public String host() {
    return socket.getLocalAddress().getHostAddress();
  }

  public int port() {
    return socket.getLocalPort();
  }

  /** {@code host:port}, as the DNS resolver's {@code server} option takes it. */
  public String address() {
    return host() + ":" + port();
  }

  /** Sets the A records of {@code name} (any case, trailing dot optional); the name then exists. */
  public void setA(String name, List<String> ipv4) {
    names.compute(key(name), (k, r) -> new Records(List.copyOf(ipv4), r == null ? List.of() : r.aaaa));
  }

  /** Sets the AAAA records of {@code name}; the name then exists. */
  public void setAAAA(String name, List<String> ipv6) {
    names.compute(key(name), (k, r) -> new Records(r == null ? List.of() : r.a, List.copyOf(ipv6)));
  }

  /** Forgets {@code name}: its queries get NXDOMAIN again. */
  public void remove(String name) {
    names.remove(key(name));
  }

  /** Answers every query for {@code name} with {@code rcode} and no records; {@link #NOERROR} clears it. */
  public void setRcode(String name, int rcode) {
    if (rcode == NOERROR) {
      errors.remove(key(name));
    } else {
      errors.put(key(name), rcode);
    }
  }

  /** While silent, queries are read and dropped without an answer. */
  public void setSilent(boolean silent) {
    this.silent = silent;
  }

  /** Queries received so far, answered or not. */
  public int queries() {
    return queries.get();
  }

  @Override
  public void close() {
    socket.close();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String key(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  private void serve() {
    byte[] buf = new byte[1500];
    while (!socket.isClosed()) {
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(in);
      } catch (SocketException closed) {
        return;
      } catch (IOException e) {
        continue;
      }
      queries.incrementAndGet();
      if (silent) {
        continue;
      }
      byte[] answer;
      try {
        answer = answer(buf, in.getLength());
      } catch (RuntimeException malformed) {
        continue; // a real server would send FORMERR; no client here needs it
      }
      if (answer == null) {
        continue;
      }
      try {
        socket.send(new DatagramPacket(answer, answer.length, in.getSocketAddress()));
      } catch (IOException e) {
        // the client went away; nothing to do
      }
    }
  }

  /** The response to one query message, or null when it is not a query. */
  byte[] answer(byte[] q, int length) {
    Query query = Query.parse(q, length);
    if (query == null) {
      return null;
    }
    int rcode;
    List<byte[]> rdata = new ArrayList<>();
    Integer forced = errors.get(query.name);
    Records records = names.get(query.name);
    if (forced != null) {
      rcode = forced;
    } else if (records == null) {
      rcode = NXDOMAIN;
    } else {
      rcode = NOERROR;
      List<String> addresses = query.type == TYPE_A ? records.a : query.type == TYPE_AAAA ? records.aaaa : List.of();
      for (String ip : addresses) {
        rdata.add(addressBytes(ip, query.type == TYPE_A ? 4 : 16));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    putShort(out, query.id);
    // QR=1, the query's opcode and RD bit, AA=1 (we are the authority), RA=1, the response code.
    int flags = 0x8000 | (query.flags & 0x7800) | 0x0400 | (query.flags & 0x0100) | 0x0080 | rcode;
    putShort(out, flags);
    putShort(out, 1);
    putShort(out, rdata.size());
    putShort(out, 0);
    putShort(out, 0);
    out.write(q, 12, query.questionEnd - 12);
    for (byte[] r : rdata) {
      putShort(out, 0xC000 | 12); // the owner name: a pointer to the question's name at offset 12
      putShort(out, query.type);
      putShort(out, CLASS_IN);
      putShort(out, TTL_SECONDS >>> 16);
      putShort(out, TTL_SECONDS & 0xFFFF);
      putShort(out, r.length);
      out.write(r, 0, r.length);
    }
    return out.toByteArray();
  }

  private static byte[] addressBytes(String ip, int length) {
    byte[] b;
    try {
      // An IP literal: parsed locally, no lookup happens.
      b = InetAddress.getByName(ip).getAddress();
    } catch (IOException e) {
      throw new IllegalArgumentException("not an IP address: " + ip, e);
    }
    if (b.length != length) {
      throw new IllegalArgumentException("not an IPv" + (length == 4 ? "4" : "6") + " address: " + ip);
    }
    return b;
  }

  private static void putShort(ByteArrayOutputStream out, int v) {
    out.write((v >>> 8) & 0xFF);
    out.write(v & 0xFF);
  }

  private static final class Records {
    final List<String> a;
    final List<String> aaaa;

    Records(List<String> a, List<String> aaaa) {
      this.a = a;
      this.aaaa = aaaa;
    }
  }

  /** The parts of a query message the server needs. */
  static final class Query {
    final int id;
    final int flags;
    final String name;
    final int type;
    /** Offset just past the question section (name, type, class). */
    final int questionEnd;

    private Query(int id, int flags, String name, int type, int questionEnd) {
      this.id = id;
      this.flags = flags;
      this.name = name;
      this.type = type;
      this.questionEnd = questionEnd;
    }

    static Query parse(byte[] m, int length) {
      if (length < 12) {
        return null;
      }
      int id = u16(m, 0);
      int flags = u16(m, 2);
      int qdcount = u16(m, 4);
      if ((flags & 0x8000) != 0 || qdcount != 1) {
        return null; // a response, or not the one-question query every client sends
      }
      StringBuilder name = new StringBuilder();
      int p = 12;
      while (true) {
        if (p >= length) {
          throw new IllegalArgumentException("name runs past the message");
        }
        int len = m[p++] & 0xFF;
        if (len == 0) {
          break;
        }
        if (len > 63 || p + len > length) {
          throw new IllegalArgumentException("bad label length " + len); // pointers do not occur in questions
        }
        if (name.length() > 0) {
          name.append('.');
        }
        for (int i = 0; i < len; i++) {
          name.append((char) (m[p + i] & 0xFF));
        }
        p += len;
      }
      if (p + 4 > length) {
        throw new IllegalArgumentException("question truncated");
      }
      int type = u16(m, p);
      return new Query(id, flags, name.toString().toLowerCase(Locale.ROOT), type, p + 4);
    }

    private static int u16(byte[] m, int off) {
      return ((m[off] & 0xFF) << 8) | (m[off + 1] & 0xFF);
    }
  }
}
