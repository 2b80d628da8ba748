package io.tailshard.sampling.store;

import static io.tailshard.sampling.extension.rocksdb.RocksDbObjects.closeQuietly;

import io.tailshard.common.component.RefusedException;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.otlp.wire.WireFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The store itself: the one owner of every RocksDB native object and of the in-memory state (live
 * trace summaries, windows, decision cache). Its {@code perform*} methods block; they are called
 * only on the store's writer thread ({@link StoreThread}), which is what makes the unsynchronized
 * state safe. {@link WindowStore} wraps them for asynchronous use. Fields read by other threads
 * (gauges, {@link #isFull()}) are published through volatile snapshots after each operation.
 *
 * <p>Every write is one {@link WriteBatch} with the WAL on, and memory changes only after the
 * batch was written, so a failed write leaves memory describing what is on disk.
 */
final class StoreCore implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(StoreCore.class.getName());

  static final byte[] SPANS_CF = "spans".getBytes(StandardCharsets.US_ASCII);
  static final byte[] DECISIONS_CF = "decisions".getBytes(StandardCharsets.US_ASCII);

  /** RocksDB properties are read at most this often (each read is a JNI call per column family). */
  private static final long PROPERTY_REFRESH_NANOS = 250_000_000L;
  private static final String LIVE_SST_FILES_SIZE = "rocksdb.live-sst-files-size";
  private static final String CUR_SIZE_ALL_MEM_TABLES = "rocksdb.cur-size-all-mem-tables";
  private static final String PENDING_COMPACTION_BYTES = "rocksdb.estimate-pending-compaction-bytes";

  static {
    RocksDB.loadLibrary();
  }

  private final WindowStoreConfig config;
  private final String path;
  private final long waitMillis;
  /** {@code decision_wait_after_root_received}; 0 = off. */
  private final long afterRootMillis;
  private long windowMillis;

  /** RocksDB's id of the spans family, for batches built off the writer thread. */
  private volatile int spansCfId;

  // Native objects, created in this order and closed in the reverse order by close().
  private Cache blockCache;
  private BloomFilter bloom;
  private DBOptions dbOptions;
  private ColumnFamilyOptions defaultCfOptions;
  private ColumnFamilyOptions spansCfOptions;
  private ColumnFamilyOptions decisionsCfOptions;
  private WriteOptions writeOptions;
  private RocksDB db;
  private ColumnFamilyHandle defaultCf;
  private ColumnFamilyHandle spansCf;
  private ColumnFamilyHandle decisionsCf;
  private boolean closed;

  // In-memory state, writer thread only.
  /** Every live trace's summary, in columns; slots are ints everywhere below. */
  private final SummarySlab slab = new SummarySlab();
  private final TraceTable traces = new TraceTable(slab);
  private final TreeMap<Long, Window> windows = new TreeMap<>();
  /** Windows whose traces are all decided but that were still open when that happened. */
  private final TreeSet<Long> emptyWindows = new TreeSet<>();
  /** Traces due early because their root arrived; the others wait on their window's due list. */
  private final RootDueList rootDue = new RootDueList(slab);
  private final DecisionCache decisions;
  private final TraceRequestIndex recoveryIndex = new TraceRequestIndex();
  /** The seq of the next request written: one per request, in write order, never reused. */
  private long nextSeq;
  private long storedBytes;
  private long liveSpans;
  private long lastPropertyRefresh;
  private long recoveredFragmentsSkipped;
  private long appendWrites;
  /** Non-null only in tests that make append writes fail ({@link #failAppendWritesForTest}). */
  private WriteOptions failWrites;
  private long appendedRequests;

  // Published for other threads after each operation.
  private volatile Stats stats = Stats.EMPTY;

  /** Counters and sizes as of the last operation, for gauges and {@link #isFull()}. */
  record Stats(long traces, long spans, long storedBytes, int windows, int sampledCached, int notSampledCached,
      long liveSstBytes, long memtableBytes, long pendingCompactionBytes, boolean full) {
    static final Stats EMPTY = new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, false);
  }

  /** Opens (creating when missing) the store in {@code config.directory()} and recovers its state. */
  static StoreCore open(WindowStoreConfig config) {
    return open(config, StoreTuning.SPANS_COMPRESSION);
  }

  /** As {@link #open(WindowStoreConfig)} with another compression for the spans: for measurements. */
  static StoreCore open(WindowStoreConfig config, CompressionType spansCompression) {
    StoreCore core = new StoreCore(config);
    try {
      core.openDb(spansCompression);
      core.recover();
    } catch (RuntimeException e) {
      core.close();
      throw e;
    }
    return core;
  }

  private StoreCore(WindowStoreConfig config) {
    this.config = config;
    this.path = config.directory().toAbsolutePath().toString();
    this.waitMillis = config.decisionWaitMillis();
    this.afterRootMillis = config.decisionWaitAfterRootReceivedMillis();
    this.windowMillis = config.windowMillis();
    this.decisions = new DecisionCache(config.sampledCacheSize(), config.nonSampledCacheSize());
  }

  private void openDb(CompressionType spansCompression) {
    try {
      Files.createDirectories(config.directory());
    } catch (IOException e) {
      throw new StoreException("cannot create the trace store directory " + path, e);
    }
    blockCache = new LRUCache(StoreTuning.BLOCK_CACHE_BYTES);
    bloom = new BloomFilter(StoreTuning.BLOOM_BITS_PER_KEY);
    dbOptions = StoreTuning.dbOptions(config);
    defaultCfOptions = StoreTuning.defaultOptions(blockCache);
    spansCfOptions = StoreTuning.spansOptions(config, blockCache, bloom, spansCompression);
    decisionsCfOptions = StoreTuning.decisionsOptions(blockCache);
    writeOptions = new WriteOptions().setSync(config.syncWrites()).setDisableWAL(false);
    List<ColumnFamilyDescriptor> descriptors = List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, defaultCfOptions),
        new ColumnFamilyDescriptor(SPANS_CF, spansCfOptions),
        new ColumnFamilyDescriptor(DECISIONS_CF, decisionsCfOptions));
    List<ColumnFamilyHandle> handles = new ArrayList<>(3);
    try {
      db = RocksDB.open(dbOptions, path, descriptors, handles);
    } catch (RocksDBException e) {
      for (ColumnFamilyHandle h : handles) {
        h.close();
      }
      throw error("open (is another process using this directory?)", e);
    }
    defaultCf = handles.get(0);
    spansCf = handles.get(1);
    decisionsCf = handles.get(2);
    spansCfId = spansCf.getID();
  }

  // ---------------------------------------------------------------- recovery

  private void recover() {
    long started = System.nanoTime();
    checkMeta();
    loadDecisions();
    scanSpans();
    for (Window w : windows.values()) {
      w.sortByFirstSeen();
      if (w.undecided == 0) {
        emptyWindows.add(w.id);
      }
    }
    queueRecoveredRootDue();
    refreshProperties(true);
    publish();
    LOG.info(() -> String.format("trace store %s: recovered %d undecided traces (%d spans) in %d windows, "
            + "%d cached decisions, %d bytes, in %d ms", path, traces.size(), liveSpans, windows.size(),
        decisions.size(true) + decisions.size(false), storedBytes, (System.nanoTime() - started) / 1_000_000));
  }

  /**
   * The window width is part of the on-disk layout: windows written with one width are not in time
   * order with windows of another. A store that holds spans keeps the width it was written with.
   */
  private void checkMeta() {
    try {
      byte[] format = db.get(defaultCf, StoreKeys.META_FORMAT);
      long storedFormat = format == null ? StoreKeys.STORE_FORMAT : StoreKeys.getLong(format, 0);
      // Format 1 differs only in the span keys: a store of format 1 that holds no spans is simply
      // relabelled. One that holds spans must be drained by the version that wrote it.
      if (storedFormat != StoreKeys.STORE_FORMAT && !(storedFormat == 1 && !hasSpans())) {
        throw new StoreException("trace store " + path + " has on-disk format " + storedFormat
            + ", this version reads format " + StoreKeys.STORE_FORMAT
            + (storedFormat == 1 ? " (format 1 span keys are window|trace|seq; let the version that wrote them decide the "
                + "buffered traces, or remove the directory)" : ""), null);
      }
      byte[] granularity = db.get(defaultCf, StoreKeys.META_WINDOW_GRANULARITY);
      if (granularity != null && StoreKeys.getLong(granularity, 0) != windowMillis && hasSpans()) {
        long stored = StoreKeys.getLong(granularity, 0);
        LOG.warning(() -> String.format("trace store %s holds windows of %d ms; keeping that width instead of the "
            + "configured %d ms until the store is empty", path, stored, windowMillis));
        windowMillis = stored;
      }
      try (WriteBatch batch = new WriteBatch(); WriteOptions sync = new WriteOptions().setSync(true)) {
        batch.put(defaultCf, StoreKeys.META_FORMAT, StoreKeys.longValue(StoreKeys.STORE_FORMAT));
        batch.put(defaultCf, StoreKeys.META_WINDOW_GRANULARITY, StoreKeys.longValue(windowMillis));
        db.write(sync, batch);
      }
    } catch (RocksDBException e) {
      throw error("read meta records", e);
    }
  }

  private boolean hasSpans() {
    try (RocksIterator it = db.newIterator(spansCf)) {
      it.seekToFirst();
      return it.isValid();
    }
  }

  private void loadDecisions() {
    try (ReadOptions ro = new ReadOptions().setFillCache(false);
        RocksIterator it = db.newIterator(decisionsCf, ro)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] k = it.key();
        byte[] v = it.value();
        if (k.length != StoreKeys.DECISION_KEY_LENGTH || v.length != StoreKeys.DECISION_VALUE_LENGTH) {
          LOG.warning(() -> "trace store " + path + ": skipping a malformed decision record");
          continue;
        }
        decisions.load(k[0], StoreKeys.getLong(k, 1), StoreKeys.getLong(v, 0), StoreKeys.getLong(v, 8),
            StoreKeys.getLong(v, 16));
      }
      it.status();
      try (WriteBatch batch = new WriteBatch()) {
        decisions.stageLoadCleanup(batch, decisionsCf);
        db.write(writeOptions, batch);
      }
    } catch (RocksDBException e) {
      throw error("load the decision cache", e);
    }
  }

  /**
   * Rebuilds the summary of every undecided trace from the stored fragments, oldest window first
   * and in seq (arrival) order within a window. Fragments of decided traces only count towards
   * their window's bytes. If one id shows up in two windows, the older occurrence is a trace decided
   * before and forgotten by the decision cache (live traces never span windows): only the newest
   * one is live.
   */
  private void scanSpans() {
    try (ReadOptions ro = new ReadOptions().setTotalOrderSeek(true).setFillCache(false);
        RocksIterator it = db.newIterator(spansCf, ro)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] k = it.key();
        byte[] v = it.value();
        if (k.length != StoreKeys.SPAN_KEY_LENGTH || v.length < StoreKeys.VALUE_HEADER_LENGTH
            || v[0] != StoreKeys.VALUE_FORMAT) {
          throw new StoreException("trace store " + path + " holds a span record of unknown layout (key "
              + k.length + " bytes, value format " + (v.length > 0 ? v[0] : -1) + ")", null);
        }
        long w = StoreKeys.window(k);
        long high = StoreKeys.traceHigh(k);
        long low = StoreKeys.traceLow(k);
        long seq = StoreKeys.seq(k);
        nextSeq = Math.max(nextSeq, seq + 1);
        Window window = windows.get(w);
        if (window == null) {
          // Keys come in order: the window's first key holds its smallest seq.
          window = new Window(w, seq, slab);
          windows.put(w, window);
        }
        window.bytes += k.length + v.length;
        storedBytes += k.length + v.length;
        if (decisions.contains(high, low)) {
          continue;
        }
        int s = traces.get(high, low);
        if (s != SummarySlab.NONE && windowOf(s) != w) {
          forget(s);
          s = SummarySlab.NONE;
        }
        if (s == SummarySlab.NONE) {
          s = slab.allocate(high, low, StoreKeys.arrivalMillis(v), waitMillis);
          traces.add(s);
          window.enqueue(s);
          window.undecided++;
        }
        addFragment(s, v, seq, window.baseSeq);
      }
      it.status();
    } catch (RocksDBException e) {
      throw error("scan the stored spans", e);
    }
  }

  private void addFragment(int s, byte[] value, long seq, long windowBaseSeq) {
    TraceRequestIndex idx = recoveryIndex;
    try {
      idx.index(value, StoreKeys.VALUE_HEADER_LENGTH, value.length - StoreKeys.VALUE_HEADER_LENGTH);
    } catch (WireFormatException e) {
      // The store wrote these bytes from a request it had indexed; if they no longer parse, the
      // disk corrupted them. Starting without one fragment beats not starting.
      recoveredFragmentsSkipped++;
      LOG.log(Level.SEVERE, "trace store " + path + ": skipping an unreadable stored fragment", e);
      return;
    }
    int n = idx.spanCount();
    int mask = 0;
    boolean root = false;
    long minStart = Long.MAX_VALUE;
    long maxEnd = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      mask |= PreparedAppend.statusBit(idx.statusCode(i));
      root |= idx.isRoot(i);
      minStart = Math.min(minStart, idx.startTimeUnixNano(i));
      maxEnd = Math.max(maxEnd, idx.endTimeUnixNano(i));
    }
    slab.add(s, n, mask, root, minStart, maxEnd, value.length - StoreKeys.VALUE_HEADER_LENGTH, seq, windowBaseSeq);
    liveSpans += n;
    if (root) {
      // The value header holds the fragment's arrival time, so the root rule is recoverable: the
      // trace is put on the root due list once every window is rebuilt (queueRecoveredRootDue).
      long due = rootDueMillis(StoreKeys.arrivalMillis(value));
      if (due < slab.dueMillis(s)) {
        slab.lowerDue(s, due);
      }
    }
  }

  /**
   * After the scan: moves every recovered trace whose root rule makes it due before its first-seen
   * due time from its window's list to the root due list, in due order.
   */
  private void queueRecoveredRootDue() {
    if (afterRootMillis <= 0) {
      return;
    }
    List<Integer> early = new ArrayList<>();
    for (Window w : windows.values()) {
      for (int s = w.head(); s != SummarySlab.NONE; s = slab.next(s)) {
        if (slab.dueMillis(s) < slab.firstSeenMillis(s) + waitMillis) {
          early.add(s);
        }
      }
    }
    early.sort(Comparator.comparingLong(slab::dueMillis));
    for (int s : early) {
      windows.get(windowOf(s)).unlink(s);
      rootDue.insert(s);
    }
  }

  /** Due time by the root rule for a root span arriving at {@code arrivalMillis}; MAX when off. */
  private long rootDueMillis(long arrivalMillis) {
    return afterRootMillis > 0 ? arrivalMillis + afterRootMillis : Long.MAX_VALUE;
  }

  /**
   * {@code decision_wait_after_root_received}: a root span of live trace {@code s} arrived at
   * {@code arrivalMillis}. When root arrival + the option is earlier than the trace's due time, the
   * trace is due then and moves to the root due list; a later root never delays it (the Collector
   * only ever moves a trace to an earlier decision). A trace already handed out stays as it is.
   */
  private void rootArrived(int s, Window w, long arrivalMillis) {
    long due = rootDueMillis(arrivalMillis);
    if (due >= slab.dueMillis(s)) {
      return;
    }
    if (slab.onRootDueList(s)) {
      rootDue.unlink(s);
    } else if (w.holds(s)) {
      w.unlink(s);
    } else {
      return;
    }
    slab.lowerDue(s, due);
    rootDue.insert(s);
  }

  /** Takes a live trace off whichever due list holds it, if any. */
  private void unlinkDue(int s, Window w) {
    if (slab.onRootDueList(s)) {
      rootDue.unlink(s);
    } else {
      w.unlink(s);
    }
  }

  /** Drops a live summary without a decision (recovery met a newer occurrence of its id). */
  private void forget(int s) {
    traces.remove(slab.traceHigh(s), slab.traceLow(s));
    Window w = windows.get(windowOf(s));
    unlinkDue(s, w);
    w.undecided--;
    liveSpans -= slab.spanCount(s);
    slab.free(s);
  }

  // ---------------------------------------------------------------- operations

  /**
   * Stores the spans of one request, one value per trace, in one batch: {@link #performAppends}
   * with a group of one, its refusal or failure thrown.
   *
   * @throws RefusedException (retryable) when the request holds spans to store and the store is
   *     full: {@code max_size} bytes or {@code max_traces} live traces
   */
  AppendResult performAppend(PreparedAppend p) {
    AppendOutcome o = performAppends(List.of(p)).get(0);
    if (o.error() != null) {
      throw o.error();
    }
    return o.result();
  }

  /** What one request of a group got: a result, or the error that fails it. */
  record AppendOutcome(AppendResult result, RuntimeException error) {}

  /**
   * Group commit: stores the spans of several requests (the appends waiting in the writer's queue,
   * in queue order) with ONE RocksDB write, one WAL record, and returns one outcome per request, in
   * order. Each request is judged as if the requests ran one after the other: spans of a live
   * trace go under the trace's first window (also when an earlier request of the group started
   * it); spans of a decided trace (in the decision cache) are not stored but returned as
   * {@link LateTrace}s; other traces start a summary in the window of their request's arrival.
   * A request that finds the store full (counting what earlier requests of the group add) is
   * refused with a retryable {@link RefusedException} and nothing of it is written; the others
   * are unaffected. If the write fails, every request that had spans to store fails with the
   * {@link StoreException} and memory is left unchanged: none of them is acknowledged. Memory
   * (summaries, windows, counters) changes only after the write returned.
   */
  List<AppendOutcome> performAppends(List<PreparedAppend> group) {
    checkOpen();
    int requests = group.size();
    AppendOutcome[] outcomes = new AppendOutcome[requests];
    AppendPlan[] plans = new AppendPlan[requests];
    // Traces started by an earlier request of this group, not in the live table until the write.
    TraceTable startedInGroup = requests > 1 ? new TraceTable(slab) : null;
    long groupBytes = 0;
    long groupNewTraces = 0;
    int records = 0;
    int recordBytes = 0;
    for (int r = 0; r < requests; r++) {
      PreparedAppend p = group.get(r);
      AppendPlan plan = plan(p, startedInGroup);
      if (plan.storedTraces == 0) {
        outcomes[r] = new AppendOutcome(new AppendResult(0, 0, 0, p.invalidSpans, plan.late), null);
        continue;
      }
      if (storedBytes + groupBytes >= config.maxSizeBytes()) {
        discardCreated(plan);
        outcomes[r] = refused("trace buffer full: " + (storedBytes + groupBytes) + " bytes buffered, max_size is "
            + config.maxSizeBytes());
        continue;
      }
      if (plan.newTraces > 0 && traces.size() + groupNewTraces + plan.newTraces > config.maxTraces()) {
        discardCreated(plan);
        outcomes[r] = refused("trace buffer full: " + (traces.size() + groupNewTraces) + " live traces, max_traces is "
            + config.maxTraces());
        continue;
      }
      // Accepted: its new traces are live for the requests after it.
      for (int t = 0; t < p.traces; t++) {
        if (plan.lateOnes[t]) {
          continue;
        }
        if (plan.created[t] && startedInGroup != null) {
          startedInGroup.add(plan.live[t]);
        }
        groupBytes += StoreKeys.SPAN_KEY_LENGTH + p.valueLength[t];
      }
      groupNewTraces += plan.newTraces;
      records += plan.storedTraces;
      recordBytes += plan.storedRecordBytes;
      plans[r] = plan;
    }
    if (records > 0) {
      byte[] batch = assemble(group, plans, records, recordBytes);
      try (WriteBatch wb = new WriteBatch(batch)) {
        db.write(failWrites != null ? failWrites : writeOptions, wb);
      } catch (RocksDBException e) {
        StoreException failed = error("append", e);
        for (int r = 0; r < requests; r++) {
          if (plans[r] != null) {
            discardCreated(plans[r]);
            outcomes[r] = new AppendOutcome(null, failed);
          }
        }
        return Arrays.asList(outcomes);
      }
      appendWrites++;
      for (int r = 0; r < requests; r++) {
        if (plans[r] != null) {
          outcomes[r] = new AppendOutcome(apply(group.get(r), plans[r]), null);
          appendedRequests++;
        }
      }
    }
    refreshProperties(false);
    publish();
    return Arrays.asList(outcomes);
  }

  /** Frees the slots a plan allocated for new traces that are not going to be written. */
  private void discardCreated(AppendPlan plan) {
    for (int t = 0; t < plan.live.length; t++) {
      if (plan.created[t]) {
        slab.free(plan.live[t]);
      }
    }
  }

  private static AppendOutcome refused(String message) {
    return new AppendOutcome(null, RefusedException.retryable(message));
  }

  /** Where each trace of one request goes, worked out before the write; memory is not touched. */
  private static final class AppendPlan {
    /** Each trace's slot; a new trace's is allocated by the plan and freed if it is not written. */
    final int[] live;
    /** The summary in {@link #live} is new: this request starts the trace. */
    final boolean[] created;
    final boolean[] lateOnes;
    final long[] windowOfTrace;
    /** The seq in every key of this request, given when the batch is assembled. */
    long seq = -1;
    final List<LateTrace> late = new ArrayList<>(0);
    int newTraces;
    int storedTraces;
    int storedRecordBytes;

    AppendPlan(int n) {
      live = new int[n];
      created = new boolean[n];
      lateOnes = new boolean[n];
      windowOfTrace = new long[n];
    }
  }

  private AppendPlan plan(PreparedAppend p, TraceTable startedInGroup) {
    int n = p.traces;
    AppendPlan plan = new AppendPlan(n);
    long newWindow = windowOf(p.arrivalMillis);
    for (int t = 0; t < n; t++) {
      int s = traces.get(p.high[t], p.low[t]);
      if (s == SummarySlab.NONE && startedInGroup != null) {
        s = startedInGroup.get(p.high[t], p.low[t]);
      }
      if (s == SummarySlab.NONE) {
        CachedDecision cached = decisions.lookup(p.high[t], p.low[t]);
        if (cached != null) {
          plan.lateOnes[t] = true;
          plan.late.add(new LateTrace(p.high[t], p.low[t], cached, p.fragment(t), p.spans[t]));
          continue;
        }
        s = slab.allocate(p.high[t], p.low[t], p.arrivalMillis, waitMillis);
        plan.created[t] = true;
        plan.newTraces++;
      }
      plan.live[t] = s;
      plan.windowOfTrace[t] = plan.created[t] ? newWindow : windowOf(s);
      plan.storedTraces++;
      plan.storedRecordBytes += p.recordStart[t + 1] - p.recordStart[t];
    }
    return plan;
  }

  /**
   * The group's write batch: the header, then the records of every accepted request (late traces'
   * left out) in key order: window by window, and within a window request by request, each request
   * getting the next seq (one per request: a request holds one record per trace, so its keys stay
   * unique, and a trace's summary counts its steps in requests, mostly one byte each) and its
   * records already in trace id order ({@link PreparedAppend}). Every key then sorts after the keys
   * already in its window, and consecutive keys of the batch are neighbours: RocksDB's skip list
   * insert reuses the position of the previous one instead of searching from the top. Keys are
   * patched in the requests' own arrays, and each request's plan learns its seq.
   */
  private byte[] assemble(List<PreparedAppend> group, AppendPlan[] plans, int records, int recordBytes) {
    // The distinct windows of the group, ascending: few, the live ones.
    long[] windowsOfGroup = new long[8];
    int distinct = 0;
    for (int r = 0; r < group.size(); r++) {
      AppendPlan plan = plans[r];
      if (plan == null) {
        continue;
      }
      for (int t = 0; t < plan.windowOfTrace.length; t++) {
        if (plan.lateOnes[t]) {
          continue;
        }
        long w = plan.windowOfTrace[t];
        int i = 0;
        while (i < distinct && windowsOfGroup[i] != w) {
          i++;
        }
        if (i == distinct) {
          if (distinct == windowsOfGroup.length) {
            windowsOfGroup = Arrays.copyOf(windowsOfGroup, distinct * 2);
          }
          windowsOfGroup[distinct++] = w;
        }
      }
    }
    Arrays.sort(windowsOfGroup, 0, distinct);
    for (AppendPlan plan : plans) {
      if (plan != null) {
        plan.seq = nextSeq++;
      }
    }
    byte[] batch = new byte[StoreBatch.HEADER_LENGTH + recordBytes];
    int pos = StoreBatch.HEADER_LENGTH;
    for (int i = 0; i < distinct; i++) {
      long w = windowsOfGroup[i];
      for (int r = 0; r < group.size(); r++) {
        AppendPlan plan = plans[r];
        if (plan == null) {
          continue;
        }
        PreparedAppend p = group.get(r);
        for (int t = 0; t < p.traces; t++) {
          if (plan.lateOnes[t] || plan.windowOfTrace[t] != w) {
            continue;
          }
          StoreBatch.patchKey(p.records, p.keyOffset[t], w, plan.seq);
          int from = p.recordStart[t];
          int len = p.recordStart[t + 1] - from;
          System.arraycopy(p.records, from, batch, pos, len);
          pos += len;
        }
      }
    }
    if (pos != batch.length) {
      throw new IllegalStateException("group batch: " + pos + " bytes written, " + batch.length + " planned");
    }
    StoreBatch.writeHeader(batch, records);
    return batch;
  }

  /** The in-memory side of one written request: summaries, windows and counters. */
  private AppendResult apply(PreparedAppend p, AppendPlan plan) {
    int storedSpans = 0;
    for (int t = 0; t < p.traces; t++) {
      if (plan.lateOnes[t]) {
        continue;
      }
      Window window = windows.get(plan.windowOfTrace[t]);
      if (window == null) {
        window = new Window(plan.windowOfTrace[t], plan.seq, slab);
        windows.put(window.id, window);
      }
      int s = plan.live[t];
      if (plan.created[t]) {
        traces.add(s);
        window.enqueue(s);
        window.undecided++;
        emptyWindows.remove(window.id);
      }
      slab.add(s, p.spans[t], p.statusMask[t], p.root[t], p.minStart[t], p.maxEnd[t], p.fragmentLength(t),
          plan.seq, window.baseSeq);
      if (p.root[t]) {
        rootArrived(s, window, p.arrivalMillis);
      }
      long size = StoreKeys.SPAN_KEY_LENGTH + p.valueLength[t];
      window.bytes += size;
      storedBytes += size;
      liveSpans += p.spans[t];
      storedSpans += p.spans[t];
    }
    return new AppendResult(plan.storedTraces, plan.newTraces, storedSpans, p.invalidSpans, plan.late);
  }

  /**
   * Tests: makes RocksDB refuse every append write (or stops doing so), a real failed write without
   * a mock: a synced write with the WAL disabled is refused by {@code DB::Write} as an invalid
   * argument before anything is written. Writer thread only.
   */
  void failAppendWritesForTest(boolean fail) {
    if (fail && failWrites == null) {
      failWrites = new WriteOptions().setSync(true).setDisableWAL(true);
    } else if (!fail && failWrites != null) {
      failWrites.close();
      failWrites = null;
    }
  }

  /** Slab slots in use: one per live trace, none left behind by refused or failed appends (tests). */
  int liveSlots() {
    return slab.live();
  }

  /** Writes that carried appends, and the requests they carried (tests, measurements). */
  long appendWrites() {
    return appendWrites;
  }

  long appendedRequests() {
    return appendedRequests;
  }

  /**
   * Hands out up to {@code max} traces whose due time is at or before {@code nowMillis}, earliest
   * due first. A trace is due at first seen + decision_wait, or, with
   * {@code decision_wait_after_root_received}, at its root's arrival + that option when earlier.
   * Each trace is handed out once (again after a restart if it was not decided by then); it stays
   * live, and keeps taking spans, until {@link #performDecide}. Also drops windows that were emptied
   * by early decisions and have closed since.
   */
  List<TraceView> performDueTraces(long nowMillis, int max) {
    checkOpen();
    dropClosedEmptyWindows(nowMillis);
    List<TraceView> due = new ArrayList<>(Math.min(max, 1024));
    // Two sorted sources, merged: the windows' lists (due = first seen + decision_wait, so the
    // earliest is the head of the oldest window that still has one) and the root due list.
    Iterator<Window> ws = windows.values().iterator();
    Window w = nextWithDue(ws);
    while (due.size() < max) {
      int byWindow = w == null ? SummarySlab.NONE : w.head();
      int byRoot = rootDue.head();
      boolean fromWindow = byWindow != SummarySlab.NONE
          && (byRoot == SummarySlab.NONE || slab.dueMillis(byWindow) <= slab.dueMillis(byRoot));
      int s = fromWindow ? byWindow : byRoot;
      if (s == SummarySlab.NONE || slab.dueMillis(s) > nowMillis) {
        break;
      }
      if (fromWindow) {
        w.unlink(s);
        if (w.head() == SummarySlab.NONE) {
          w = nextWithDue(ws);
        }
      } else {
        rootDue.unlink(s);
      }
      due.add(slab.view(s, windowMillis));
    }
    refreshProperties(false);
    publish();
    return due;
  }

  /**
   * Records decisions: each decided trace leaves memory at once and its id enters the decision
   * cache; sampled traces are read back first and returned. A window whose traces are now all
   * decided, and which is closed (no new trace can start in it), is range-deleted in the same
   * batch. Decisions for ids that are not live (unknown, or decided already) are ignored.
   */
  List<KeptTrace> performDecide(List<Decision> list, long nowMillis) {
    checkOpen();
    List<Integer> decided = new ArrayList<>(list.size());
    // A tick's list could name a trace twice.
    Set<Integer> seen = new HashSet<>();
    List<KeptTrace> kept = new ArrayList<>();
    Map<Long, Integer> decidedPerWindow = new TreeMap<>();
    List<Window> dropped = new ArrayList<>();
    try (WriteBatch batch = new WriteBatch()) {
      for (Decision d : list) {
        int s = traces.get(d.traceIdHigh(), d.traceIdLow());
        if (s == SummarySlab.NONE || !seen.add(s)) {
          continue;
        }
        long w = windowOf(s);
        if (d.sampled()) {
          kept.add(new KeptTrace(slab.view(s, windowMillis), readFragments(w, s)));
        }
        decisions.stage(slab.traceHigh(s), slab.traceLow(s), d.sampled(), nowMillis, batch, decisionsCf);
        decided.add(s);
        decidedPerWindow.merge(w, 1, Integer::sum);
      }
      decisions.stageEvictions(batch, decisionsCf);
      long current = windowOf(nowMillis);
      for (Map.Entry<Long, Integer> e : decidedPerWindow.entrySet()) {
        Window w = windows.get(e.getKey());
        if (w.undecided == e.getValue() && w.id < current) {
          dropped.add(w);
        }
      }
      for (Long id : emptyWindows.headSet(current)) {
        dropped.add(windows.get(id));
      }
      for (Window w : dropped) {
        batch.deleteRange(spansCf, StoreKeys.windowStart(w.id), StoreKeys.windowStart(w.id + 1));
      }
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      decisions.abort();
      throw error("record decisions", e);
    } catch (RuntimeException e) {
      decisions.abort();
      throw e;
    }
    decisions.commit();
    for (int s : decided) {
      traces.remove(slab.traceHigh(s), slab.traceLow(s));
      Window w = windows.get(windowOf(s));
      unlinkDue(s, w);
      w.undecided--;
      liveSpans -= slab.spanCount(s);
      if (w.undecided == 0) {
        emptyWindows.add(w.id);
      }
      slab.free(s);
    }
    for (Window w : dropped) {
      removeWindow(w);
    }
    refreshProperties(false);
    publish();
    return kept;
  }

  /** The next window whose due list is not empty, or null. */
  private static Window nextWithDue(Iterator<Window> ws) {
    while (ws.hasNext()) {
      Window w = ws.next();
      if (w.head() != SummarySlab.NONE) {
        return w;
      }
    }
    return null;
  }

  /** The stored fragments of a live trace, in arrival order; empty when the trace is not live. */
  List<byte[]> performReadTrace(long high, long low) {
    checkOpen();
    int s = traces.get(high, low);
    return s == SummarySlab.NONE ? List.of() : readFragments(windowOf(s), s);
  }

  Optional<CachedDecision> performCachedDecision(long high, long low) {
    checkOpen();
    return Optional.ofNullable(decisions.lookup(high, low));
  }

  /** A copy of a live trace's summary, or null. */
  TraceView performSummary(long high, long low) {
    checkOpen();
    int s = traces.get(high, low);
    return s == SummarySlab.NONE ? null : slab.view(s, windowMillis);
  }

  /** A live trace's fragments, in arrival order: point lookups of the keys its summary knows. */
  private List<byte[]> readFragments(long window, int s) {
    long[] seqs = slab.seqs(s, windows.get(window).baseSeq);
    long high = slab.traceHigh(s);
    long low = slab.traceLow(s);
    int n = seqs.length;
    List<byte[]> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      keys.add(StoreKeys.spanKey(window, high, low, seqs[i]));
    }
    List<byte[]> values;
    try {
      values = db.multiGetAsList(Collections.nCopies(n, spansCf), keys);
    } catch (RocksDBException e) {
      throw error("read back a trace", e);
    }
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] v = values.get(i);
      if (v == null) {
        throw new StoreException("trace store " + path + ": fragment " + i + " of live trace "
            + Long.toHexString(high) + Long.toHexString(low) + " (seq " + seqs[i] + ") is missing", null);
      }
      out.add(Arrays.copyOfRange(v, StoreKeys.VALUE_HEADER_LENGTH, v.length));
    }
    return out;
  }

  private void dropClosedEmptyWindows(long nowMillis) {
    long current = windowOf(nowMillis);
    if (emptyWindows.isEmpty() || emptyWindows.first() >= current) {
      return;
    }
    List<Window> dropped = new ArrayList<>();
    try (WriteBatch batch = new WriteBatch()) {
      for (Long id : emptyWindows.headSet(current)) {
        Window w = windows.get(id);
        dropped.add(w);
        batch.deleteRange(spansCf, StoreKeys.windowStart(w.id), StoreKeys.windowStart(w.id + 1));
      }
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw error("drop decided windows", e);
    }
    for (Window w : dropped) {
      removeWindow(w);
    }
  }

  private void removeWindow(Window w) {
    windows.remove(w.id);
    emptyWindows.remove(w.id);
    storedBytes -= w.bytes;
  }

  private long windowOf(int s) {
    return windowOf(slab.firstSeenMillis(s));
  }

  private long windowOf(long millis) {
    if (millis < 0) {
      // Keys are compared as unsigned bytes: a negative window would sort after every other one.
      throw new IllegalArgumentException("time before the epoch: " + millis);
    }
    return millis / windowMillis;
  }

  // ---------------------------------------------------------------- state for other threads

  Stats stats() {
    return stats;
  }

  /** The spans family's id, which {@link PreparedAppend} writes into its records; any thread. */
  int spansColumnFamilyId() {
    return spansCfId;
  }

  boolean isFull() {
    return stats.full();
  }

  private void publish() {
    Stats old = stats;
    stats = new Stats(traces.size(), liveSpans, storedBytes, windows.size(), decisions.size(true),
        decisions.size(false), old.liveSstBytes(), old.memtableBytes(), old.pendingCompactionBytes(),
        storedBytes >= config.maxSizeBytes() || traces.size() >= config.maxTraces());
  }

  /** Reads RocksDB's size properties into {@link #stats}; rate-limited unless forced. */
  private void refreshProperties(boolean force) {
    long now = System.nanoTime();
    if (!force && now - lastPropertyRefresh < PROPERTY_REFRESH_NANOS) {
      return;
    }
    lastPropertyRefresh = now;
    try {
      long sst = db.getAggregatedLongProperty(LIVE_SST_FILES_SIZE);
      long mem = db.getAggregatedLongProperty(CUR_SIZE_ALL_MEM_TABLES);
      long pending = db.getAggregatedLongProperty(PENDING_COMPACTION_BYTES);
      Stats s = stats;
      stats = new Stats(s.traces(), s.spans(), s.storedBytes(), s.windows(), s.sampledCached(),
          s.notSampledCached(), sst, mem, pending, s.full());
    } catch (RocksDBException e) {
      // Gauges only; the next operation tries again.
      LOG.log(Level.FINE, "trace store " + path + ": reading size properties failed", e);
    }
  }

  // ---------------------------------------------------------------- maintenance and tests

  /** Flushes the memtables to SST files and waits. */
  void flush() {
    checkOpen();
    try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
      db.flush(fo, List.of(spansCf, decisionsCf));
    } catch (RocksDBException e) {
      throw error("flush", e);
    }
    refreshProperties(true);
    publish();
  }

  /** Compacts the whole spans family, which drops range-deleted data from SST files. */
  void compact() {
    checkOpen();
    try {
      db.compactRange(spansCf);
    } catch (RocksDBException e) {
      throw error("compact", e);
    }
    refreshProperties(true);
    publish();
  }

  /** RocksDB's live SST bytes of the spans family alone, read now (measurements). */
  long spansSstBytes() {
    checkOpen();
    try {
      return db.getLongProperty(spansCf, LIVE_SST_FILES_SIZE);
    } catch (RocksDBException e) {
      throw error("read a property", e);
    }
  }

  /** Every key of the spans family, in order (tests). */
  List<byte[]> spanKeys() {
    checkOpen();
    List<byte[]> keys = new ArrayList<>();
    try (ReadOptions ro = new ReadOptions().setTotalOrderSeek(true);
        RocksIterator it = db.newIterator(spansCf, ro)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        keys.add(it.key());
      }
      it.status();
    } catch (RocksDBException e) {
      throw error("list keys", e);
    }
    return keys;
  }

  /** Every record of the decisions family, as {@code kind | seq} keys in order (tests). */
  List<byte[]> decisionKeys() {
    checkOpen();
    List<byte[]> keys = new ArrayList<>();
    try (RocksIterator it = db.newIterator(decisionsCf)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        keys.add(it.key());
      }
      it.status();
    } catch (RocksDBException e) {
      throw error("list decision records", e);
    }
    return keys;
  }

  /** Every live summary (tests, diagnostics). */
  List<TraceView> liveSummaries() {
    checkOpen();
    List<TraceView> out = new ArrayList<>(traces.size());
    traces.forEach(s -> out.add(slab.view(s, windowMillis)));
    return out;
  }

  /** The window ids that hold data, ascending. */
  List<Long> windowIds() {
    return new ArrayList<>(windows.keySet());
  }

  long windowMillis() {
    return windowMillis;
  }

  long recoveredFragmentsSkipped() {
    return recoveredFragmentsSkipped;
  }

  String path() {
    return path;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("trace store " + path + " is closed");
    }
  }

  private StoreException error(String what, RocksDBException e) {
    return new StoreException("trace store at " + path + ": " + what + " failed: " + e.getMessage(), e);
  }

  /**
   * Closes every native object, in an order RocksDB requires; idempotent, and safe on a store whose
   * open failed halfway (absent objects are skipped).
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // 1. Iterators: none to close. Every operation closes its own before it returns.
    if (db != null) {
      // 2. Sync the WAL: writes made without fsync become durable against a power loss too on a
      //    clean shutdown. Memtables are not flushed: the WAL replays them on the next open.
      try {
        db.flushWal(true);
      } catch (RocksDBException e) {
        LOG.log(Level.WARNING, "trace store " + path + ": syncing the WAL at close failed", e);
      }
    }
    // 3. Column family handles, before the database that owns them.
    closeQuietly(spansCf);
    closeQuietly(decisionsCf);
    closeQuietly(defaultCf);
    // 4. The database: waits for running flushes and compactions to stop.
    if (db != null) {
      try {
        db.closeE();
      } catch (RocksDBException e) {
        LOG.log(Level.WARNING, "trace store " + path + ": close failed", e);
      }
    }
    // 5. Options: the database reads them until it is closed.
    closeQuietly(writeOptions);
    closeQuietly(failWrites);
    closeQuietly(spansCfOptions);
    closeQuietly(decisionsCfOptions);
    closeQuietly(defaultCfOptions);
    closeQuietly(dbOptions);
    // 6. What the column family options' table configs point to.
    closeQuietly(bloom);
    closeQuietly(blockCache);
  }
}
