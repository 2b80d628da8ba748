package io.tailshard.common.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.DnsResponseCode;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The loopback DNS server, spoken to by Vert.x's DNS client and by hand. */
class LoopbackDnsServerTest {
  private Vertx vertx;
  private LoopbackDnsServer dns;
  private DnsClient client;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    dns = LoopbackDnsServer.start();
    client = vertx.createDnsClient(new DnsClientOptions().setHost(dns.host()).setPort(dns.port()).setQueryTimeout(300));
  }

  @AfterEach
  void tearDown() throws Exception {
    dns.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static Throwable failure(Future<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(f));
    return e.getCause();
  }

  @Test
  void answersAAndAaaaRecordsInTheOrderGiven() throws Exception {
    dns.setA("sampling.tailshard.test", List.of("10.0.0.3", "10.0.0.1", "10.0.0.2"));
    dns.setAAAA("sampling.tailshard.test", List.of("fd00::2", "fd00::1"));
    assertEquals(List.of("10.0.0.3", "10.0.0.1", "10.0.0.2"), await(client.resolveA("sampling.tailshard.test")));
    List<String> v6 = await(client.resolveAAAA("Sampling.Tailshard.Test"));
    assertEquals(2, v6.size());
    assertEquals(InetAddress.getByName("fd00::2"), InetAddress.getByName(v6.get(0)));
    assertEquals(2, dns.queries());
  }

  @Test
  void aKnownNameWithoutRecordsOfTheTypeIsAnEmptyAnswer() throws Exception {
    dns.setA("v4only.tailshard.test", List.of("10.0.0.1"));
    assertEquals(List.of(), await(client.resolveAAAA("v4only.tailshard.test")));
  }

  @Test
  void unknownNamesGetNxdomain() {
    Throwable t = failure(client.resolveA("nobody.tailshard.test"));
    assertInstanceOf(DnsException.class, t);
    assertEquals(DnsResponseCode.NXDOMAIN, ((DnsException) t).code());
  }

  @Test
  void aForcedErrorCodeIsReturned() {
    dns.setA("broken.tailshard.test", List.of("10.0.0.1"));
    dns.setRcode("broken.tailshard.test", LoopbackDnsServer.SERVFAIL);
    Throwable t = failure(client.resolveA("broken.tailshard.test"));
    assertEquals(DnsResponseCode.SERVFAIL, ((DnsException) t).code());
  }

  @Test
  void aSilentServerMakesQueriesTimeOut() throws Exception {
    dns.setA("sampling.tailshard.test", List.of("10.0.0.1"));
    dns.setSilent(true);
    Throwable t = failure(client.resolveA("sampling.tailshard.test"));
    assertTrue(!(t instanceof DnsException), "expected a timeout, got " + t);
    assertEquals(1, dns.queries());
    dns.setSilent(false);
    assertEquals(List.of("10.0.0.1"), await(client.resolveA("sampling.tailshard.test")));
  }

  @Test
  void bindsTheGivenLoopbackAddressAndRefusesOthers() throws Exception {
    try (LoopbackDnsServer other = LoopbackDnsServer.start("127.0.3.77", 0)) {
      assertEquals("127.0.3.77", other.host());
      assertEquals("127.0.3.77:" + other.port(), other.address());
      other.setA("x.test", List.of("127.0.2.1"));
      DnsClient c = vertx.createDnsClient(
          new DnsClientOptions().setHost(other.host()).setPort(other.port()).setQueryTimeout(300));
      assertEquals(List.of("127.0.2.1"), await(c.resolveA("x.test")));
    }
    assertThrows(IllegalArgumentException.class, () -> LoopbackDnsServer.start("192.0.2.1", 0));
  }

  /** The bytes on the wire, checked against RFC 1035 by hand. */
  @Test
  void encodesTheResponseAsRfc1035Says() throws Exception {
    dns.setA("a.test", List.of("192.0.2.7"));
    byte[] query = {
      0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, // id 0x1234, RD, one question
      1, 'a', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1 // a.test, type A, class IN
    };
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(3000);
      s.send(new DatagramPacket(query, query.length, InetAddress.getByName(dns.host()), dns.port()));
      byte[] buf = new byte[512];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      s.receive(p);
      assertEquals(query.length + 16, p.getLength());
      assertEquals(0x1234, u16(buf, 0));
      assertEquals(0x8580, u16(buf, 2)); // QR, AA, RD, RA, NOERROR
      assertEquals(1, u16(buf, 4));
      assertEquals(1, u16(buf, 6));
      int rr = query.length;
      assertEquals(0xC00C, u16(buf, rr)); // name: pointer to the question
      assertEquals(1, u16(buf, rr + 2));
      assertEquals(1, u16(buf, rr + 4));
      assertEquals(4, u16(buf, rr + 10));
      assertEquals(192, buf[rr + 12] & 0xFF);
      assertEquals(7, buf[rr + 15] & 0xFF);
    }
  }

  private static int u16(byte[] b, int off) {
    return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
  }
}
