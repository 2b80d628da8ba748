package io.tailshard.sampling.extension.rocksdb;

import static io.tailshard.sampling.extension.rocksdb.RocksDbObjects.closeQuietly;

import io.tailshard.common.storage.RecordStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB instance of one record store (a persistent sending queue) and every native object it
 * needs, owned here and closed in a fixed order. Called only from the store's writer thread
 * ({@link RocksDbRecordStore}); not thread-safe by itself.
 *
 * <p>The workload: records of one batch each (a few KB to a few MB), keys ascending, each deleted
 * soon after it was written while the destination is up, kept for as long as it is down; read back
 * once per send, scanned once at start. Options below are set for that and say why.
 */
final class RecordStoreCore implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RecordStoreCore.class.getName());

  /**
   * A memtable of 16 MiB holds a dozen large batches: while the destination is up, a batch is
   * deleted before its memtable flushes, so it never reaches an SST file.
   */
  static final long WRITE_BUFFER_BYTES = 16L << 20;
  /** One memtable filling and one flushing, so a flush does not stall writes. */
  static final int MAX_WRITE_BUFFERS = 2;
  /**
   * One background job: a queue writes far less than the trace buffer beside it on the same two
   * cores, and its compactions only drop deleted batches.
   */
  static final int MAX_BACKGROUND_JOBS = 1;
  /**
   * Batches kept through an outage are OTLP spans: LZ4 shrinks them about 4x on disk (the trace
   * buffer's figure, docs/storage.md) for little CPU, and only what reaches an SST pays for it.
   */
  static final CompressionType COMPRESSION = CompressionType.LZ4_COMPRESSION;
  /** Reads are point lookups of one key: a whole-key bloom filter lets them skip SST files. */
  static final double BLOOM_BITS_PER_KEY = 10;
  /** RocksDB's own LOG, bounded: 2 files of 4 MiB. */
  static final long MAX_INFO_LOG_FILE_BYTES = 4L << 20;
  static final long KEEP_INFO_LOG_FILES = 2;

  static {
    RocksDB.loadLibrary();
  }

  private final String path;
  // Native objects, created in this order and closed in the reverse order by close().
  private BloomFilter bloom;
  private Options options;
  private WriteOptions writeOptions;
  private ReadOptions readOptions;
  private RocksDB db;
  private boolean closed;

  private RecordStoreCore(Path directory) {
    this.path = directory.toAbsolutePath().toString();
  }

  /** Opens (creating when missing) the store in {@code directory}; blocks. */
  static RecordStoreCore open(Path directory) {
    RecordStoreCore core = new RecordStoreCore(directory);
    try {
      Files.createDirectories(directory);
      core.bloom = new BloomFilter(BLOOM_BITS_PER_KEY);
      core.options = new Options()
          .setCreateIfMissing(true)
          .setMaxBackgroundJobs(MAX_BACKGROUND_JOBS)
          .setWriteBufferSize(WRITE_BUFFER_BYTES)
          .setMaxWriteBufferNumber(MAX_WRITE_BUFFERS)
          .setCompressionType(COMPRESSION)
          .setBottommostCompressionType(COMPRESSION)
          .setLevelCompactionDynamicLevelBytes(true)
          .setMaxLogFileSize(MAX_INFO_LOG_FILE_BYTES)
          .setKeepLogFileNum(KEEP_INFO_LOG_FILES)
          .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(core.bloom));
      // WAL on, without an fsync per write: a completed put is in the OS page cache, which survives
      // the process being killed, not a power loss (the trace buffer's choice, docs/storage.md).
      // close() syncs the WAL, so a clean stop is power-loss safe too.
      core.writeOptions = new WriteOptions().setSync(false).setDisableWAL(false);
      // A scan at start reads everything once: keep it out of the block cache.
      core.readOptions = new ReadOptions().setFillCache(false);
      core.db = RocksDB.open(core.options, core.path);
    } catch (IOException | RocksDBException | RuntimeException e) {
      core.close();
      throw new RecordStoreException("cannot open the record store " + core.path
          + (e instanceof RocksDBException ? " (is another process using this directory?)" : ""), e);
    }
    return core;
  }

  String path() {
    return path;
  }

  /** Puts and deletes in one write batch: one WAL write for all of them. */
  void write(List<RocksDbRecordStore.Op> ops) {
    try (WriteBatch batch = new WriteBatch()) {
      for (RocksDbRecordStore.Op op : ops) {
        if (op.value() != null) {
          batch.put(key(op.key()), op.value());
        } else {
          batch.delete(key(op.key()));
        }
      }
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new RecordStoreException("record store " + path + ": write of " + ops.size() + " records failed", e);
    }
  }

  byte[] get(long key) {
    try {
      return db.get(key(key));
    } catch (RocksDBException e) {
      throw new RecordStoreException("record store " + path + ": read of record " + key + " failed", e);
    }
  }

  /**
   * Every record in key order. Deleted records before the first live one are covered with one range
   * tombstone, so the next start's scan does not walk their point tombstones again.
   */
  <T> List<T> scan(RecordStore.RecordReader<T> reader) {
    List<T> out = new ArrayList<>();
    long first = -1;
    try (RocksIterator it = db.newIterator(readOptions)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        long key = ByteBuffer.wrap(it.key()).getLong();
        if (first < 0) {
          first = key;
        }
        out.add(reader.read(key, it.value()));
      }
      it.status();
    } catch (RocksDBException e) {
      throw new RecordStoreException("record store " + path + ": scan failed", e);
    }
    if (first > 0) {
      try {
        db.deleteRange(writeOptions, key(0), key(first));
      } catch (RocksDBException e) {
        LOG.log(Level.FINE, "record store " + path + ": range delete of old records failed", e);
      }
    }
    return out;
  }

  static byte[] key(long key) {
    return ByteBuffer.allocate(Long.BYTES).putLong(key).array();
  }

  /** Closes every native object in the order RocksDB requires; idempotent, safe after a failed open. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // 1. Iterators: none open; every scan closes its own.
    if (db != null) {
      // 2. Sync the WAL, so what was written without fsync survives a power loss after a clean stop.
      try {
        db.flushWal(true);
      } catch (RocksDBException e) {
        LOG.log(Level.WARNING, "record store " + path + ": syncing the WAL at close failed", e);
      }
      // 3. The database: waits for its background flush or compaction.
      try {
        db.closeE();
      } catch (RocksDBException e) {
        LOG.log(Level.WARNING, "record store " + path + ": close failed", e);
      }
    }
    // 4. Options, which the database read until it closed; then the filter the table config points to.
    closeQuietly(readOptions);
    closeQuietly(writeOptions);
    closeQuietly(options);
    closeQuietly(bloom);
  }
}
