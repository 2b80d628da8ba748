package io.tailshard.sampling.store;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.Filter;
import org.rocksdb.InfoLogLevel;

/**
 * Every RocksDB option the store sets, with the reason. The workload: appends of a few hundred
 * bytes to a few KB per (trace, request) at tens of thousands per second, keys mostly ascending
 * (time first); whole windows deleted a decision wait later; reads only for kept traces and
 * recovery. Figures are in {@code docs/storage.md}. The methods only build option objects; the
 * caller ({@link StoreCore}) owns and closes every native object they are given or return.
 */
final class StoreTuning {
  /**
   * Two background jobs for the two cores of a node: one flush and one compaction can run at
   * once, and RocksDB never takes more CPU from the ingest path than that.
   */
  static final int MAX_BACKGROUND_JOBS = 2;

  /**
   * One memtable filling and up to two waiting for flush, so a flush slowed by a busy core does not
   * stall appends the moment the active memtable fills.
   */
  static final int MAX_WRITE_BUFFERS = 3;

  /**
   * The decisions column family gets 34 bytes per decided trace; a small memtable is plenty and
   * flushes soon, so its WAL files are not held for long.
   */
  static final long DECISIONS_WRITE_BUFFER_BYTES = 4L << 20;

  /**
   * WAL files are deleted only when every column family that wrote into them has flushed. The
   * decisions family writes little and would pin old WAL files (full of long-deleted spans) for a
   * long time; past this total RocksDB flushes it early. Four spans memtables' worth.
   */
  static final int MAX_TOTAL_WAL_IN_WRITE_BUFFERS = 4;

  /**
   * Reads are rare: read-back of kept traces (mostly still in the memtable, since a trace is read at
   * its decision time, seconds after it was written) and recovery, which bypasses the cache. A
   * small cache holds index and data blocks of what is read twice (policies that read attributes,
   * then the kept trace).
   */
  static final long BLOCK_CACHE_BYTES = 32L << 20;

  /**
   * Larger than RocksDB's 4 KiB: values are one to several KB, a trace's values are adjacent, and
   * LZ4 compresses a 16 KiB block of OTLP spans noticeably better than a 4 KiB one.
   */
  static final long BLOCK_SIZE_BYTES = 16L << 10;

  /**
   * A whole-key bloom filter at about 1% false positives. Read-back of a trace is point lookups of
   * its fragments' keys ({@code window | seq | trace_id}, the seqs kept in its summary), and the
   * filter lets each lookup skip every SST file (L0 files overlap in time) that does not hold the
   * key. Recovery is one full scan and needs no filter.
   */
  static final double BLOOM_BITS_PER_KEY = 10;

  /**
   * LZ4 on every level: cheap enough for the write path on two cores and it reduces OTLP spans by
   * the ratio measured in {@code docs/storage.md}. Compression only applies to SST files, so data
   * decided while still in the memtable costs nothing.
   */
  static final CompressionType SPANS_COMPRESSION = CompressionType.LZ4_COMPRESSION;

  /** Background write-back of SST files in 1 MiB steps instead of one large fsync per file. */
  static final long BYTES_PER_SYNC = 1L << 20;

  /** RocksDB's own LOG file, bounded: 4 files of 16 MiB. */
  static final long MAX_INFO_LOG_FILE_BYTES = 16L << 20;
  static final long KEEP_INFO_LOG_FILES = 4;

  private StoreTuning() {}

  static DBOptions dbOptions(WindowStoreConfig config) {
    return new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setMaxBackgroundJobs(MAX_BACKGROUND_JOBS)
        .setMaxTotalWalSize(MAX_TOTAL_WAL_IN_WRITE_BUFFERS * config.writeBufferBytes())
        .setBytesPerSync(BYTES_PER_SYNC)
        .setInfoLogLevel(InfoLogLevel.INFO_LEVEL)
        .setMaxLogFileSize(MAX_INFO_LOG_FILE_BYTES)
        .setKeepLogFileNum(KEEP_INFO_LOG_FILES);
    // WAL recovery mode stays RocksDB's default, point-in-time: after a crash it replays the WAL up
    // to the first torn record, which is the whole WAL after a process kill (the OS has every
    // byte a returned write put there).
  }

  /** The spans family: time-first keys, whole-key bloom for read-back, LZ4. */
  static ColumnFamilyOptions spansOptions(WindowStoreConfig config, Cache blockCache, Filter bloom,
      CompressionType compression) {
    BlockBasedTableConfig table = new BlockBasedTableConfig()
        .setBlockCache(blockCache)
        .setBlockSize(BLOCK_SIZE_BYTES)
        .setFilterPolicy(bloom)
        .setWholeKeyFiltering(true);
    return new ColumnFamilyOptions()
        .setWriteBufferSize(config.writeBufferBytes())
        .setMaxWriteBufferNumber(MAX_WRITE_BUFFERS)
        .setCompressionType(compression)
        .setBottommostCompressionType(compression)
        .setLevelCompactionDynamicLevelBytes(true)
        .setTableFormatConfig(table);
  }

  /** The decisions family: small, written in seq order, read only at start-up; no filter. */
  static ColumnFamilyOptions decisionsOptions(Cache blockCache) {
    return new ColumnFamilyOptions()
        .setWriteBufferSize(DECISIONS_WRITE_BUFFER_BYTES)
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache));
  }

  /** The default family holds two meta records. */
  static ColumnFamilyOptions defaultOptions(Cache blockCache) {
    return new ColumnFamilyOptions()
        .setWriteBufferSize(1L << 20)
        .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache));
  }
}
