package io.tailshard.loadtest.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * RocksDB memtable insert cost of the trace store's two span-key orders, with a trace-shaped key
 * stream at a paced rate (docs/storage.md, "Why the key order changed"). One writer, batches of
 * 400 puts of 450-byte values with the WAL on; a quarter of the puts start a trace in the current
 * 1 s window, three quarters continue one of the traces started in the last 2 s (under its own
 * first window). {@code trace-first} is format 1's {@code window | trace_id | seq} in arrival
 * order; {@code seq-first} is format 2's {@code window | seq | trace_id} with the batch in key
 * order, as the store writes it. Prints the writer thread's CPU and the time in {@code db.write}
 * per put. Not JMH: the rate is paced, so the memtable fills and flushes as it does under the
 * cluster benchmark instead of as fast as one core can write.
 *
 * <p>Run (one variant per process; under the bench lock):
 * {@code java -cp loadtest/target/loadtest.jar io.tailshard.loadtest.bench.MemtableKeyOrder seq-first 64 20 25000}
 * (variant, memtable MiB, seconds, puts per second).
 */
public final class MemtableKeyOrder {
  private static final int BATCH = 400;
  private static final int VALUE_BYTES = 450;

  private MemtableKeyOrder() {}

  public static void main(String[] args) throws RocksDBException, IOException, InterruptedException {
    if (args.length != 4 || !(args[0].equals("trace-first") || args[0].equals("seq-first"))) {
      System.err.println("usage: MemtableKeyOrder trace-first|seq-first MEMTABLE_MIB SECONDS PUTS_PER_SECOND");
      System.exit(2);
    }
    boolean seqFirst = args[0].equals("seq-first");
    long memtable = Long.parseLong(args[1]) << 20;
    int seconds = Integer.parseInt(args[2]);
    int rate = Integer.parseInt(args[3]);
    RocksDB.loadLibrary();
    Path dir = Files.createTempDirectory("memtable-key-order");
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (ColumnFamilyOptions spans = new ColumnFamilyOptions().setWriteBufferSize(memtable)
            .setMaxWriteBufferNumber(3).setCompressionType(CompressionType.LZ4_COMPRESSION);
        ColumnFamilyOptions defaults = new ColumnFamilyOptions();
        DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
            .setMaxBackgroundJobs(2);
        RocksDB db = RocksDB.open(options, dir.toString(), List.of(
            new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, defaults),
            new ColumnFamilyDescriptor("spans".getBytes(), spans)), handles);
        WriteOptions wo = new WriteOptions()) {
      ColumnFamilyHandle cf = handles.get(1);
      Random r = new Random(1);
      byte[] value = new byte[VALUE_BYTES];
      r.nextBytes(value);
      int active = rate / 2;
      long[] high = new long[active];
      long[] low = new long[active];
      long[] window = new long[active];
      int head = 0;
      int filled = 0;
      long seq = 0;
      long puts = 0;
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      long start = System.nanoTime();
      long end = start + seconds * 1_000_000_000L;
      long cpu0 = mx.getCurrentThreadCpuTime();
      long writeNanos = 0;
      byte[][] keys = new byte[BATCH][];
      while (System.nanoTime() < end) {
        long now = (System.nanoTime() - start) / 1_000_000_000L + 1_000_000;
        for (int i = 0; i < BATCH; i++) {
          long h;
          long l;
          long w;
          if (filled < active || r.nextInt(4) == 0) {
            h = r.nextLong() & Long.MAX_VALUE;
            l = r.nextLong();
            w = now;
            high[head] = h;
            low[head] = l;
            window[head] = w;
            head = (head + 1) % active;
            filled = Math.min(active, filled + 1);
          } else {
            int k = r.nextInt(filled);
            h = high[k];
            l = low[k];
            w = window[k];
          }
          ByteBuffer key = ByteBuffer.allocate(32).putLong(w);
          if (seqFirst) {
            key.putLong(seq++).putLong(h).putLong(l);
          } else {
            key.putLong(h).putLong(l).putLong(seq++);
          }
          keys[i] = key.array();
        }
        if (seqFirst) {
          // The store assembles its batch window by window in seq order: key order.
          Arrays.sort(keys, (Comparator<byte[]>) Arrays::compareUnsigned);
        }
        try (WriteBatch batch = new WriteBatch()) {
          for (byte[] key : keys) {
            batch.put(cf, key, value);
          }
          long t0 = System.nanoTime();
          db.write(wo, batch);
          writeNanos += System.nanoTime() - t0;
        }
        puts += BATCH;
        long due = start + puts * 1_000_000_000L / rate;
        while (System.nanoTime() < due) {
          Thread.sleep(1);
        }
      }
      long cpu = mx.getCurrentThreadCpuTime() - cpu0;
      System.out.printf("%s, %d MiB memtable, %d puts/s: %d puts, writer thread CPU %.3f us per put, db.write %.3f us per put%n",
          args[0], memtable >> 20, rate, puts, cpu / 1e3 / puts, writeNanos / 1e3 / puts);
      handles.forEach(ColumnFamilyHandle::close);
    }
  }
}
