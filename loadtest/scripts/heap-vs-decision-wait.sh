#!/usr/bin/env bash
# Heap of a sampling node does not grow with decision_wait (DESIGN §7): the same load against one
# node with a 10 s and a 60 s decision window; the peak live heap (heap after GC, from the GC log's
# heap summary, in KiB: the plain GC line rounds to whole MiB, 4% of a 26 MiB heap) is compared
# once each run has reached a steady state. Loopback only; bounded in time.
#
# usage: loadtest/scripts/heap-vs-decision-wait.sh [RATE_SPANS_PER_S] [SECONDS]   (defaults 10000 150)
set -euo pipefail
cd "$(dirname "$0")/../.."
RATE=${1:-10000}
SECONDS_TOTAL=${2:-150}
OUT=target/heap-vs-decision-wait
[ -f sampling-tier/target/sampling-tier.jar ] && [ -f loadtest/target/loadtest.jar ] || mvn -B -q package -DskipTests
rm -rf "$OUT"; mkdir -p "$OUT"

run() {
  local wait=$1 dir="$OUT/wait-$1"
  mkdir -p "$dir"
  cat > "$dir/node.yaml" <<YAML
receivers:
  otlp:
    protocols:
      grpc: {endpoint: 127.0.0.1:14317}
processors:
  tail_sampling:
    decision_wait: ${wait}
    num_traces: 5000000
    policies:
      - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
      - {name: one-percent, type: probabilistic, probabilistic: {sampling_percentage: 1}}
exporters:
  debug: {verbosity: basic, sampling_initial: 0, sampling_thereafter: 1000000}
extensions:
  rocksdb: {directory: $dir/data}
service:
  extensions: [rocksdb]
  pipelines:
    traces: {receivers: [otlp], processors: [tail_sampling], exporters: [debug]}
  telemetry:
    logs: {level: warn}
    metrics: {address: 127.0.0.1:18888}
YAML
  java -Xmx1g -XX:+UseG1GC -Xlog:gc,gc+heap=debug:file="$dir/gc.log":uptime -jar sampling-tier/target/sampling-tier.jar \
    --config "$dir/node.yaml" > "$dir/node.log" 2>&1 &
  local node=$!
  for _ in $(seq 1 60); do curl -sf http://127.0.0.1:18888/metrics >/dev/null && break; sleep 0.5; done
  java -jar loadtest/target/loadtest.jar generate --endpoint 127.0.0.1:14317 --rate "$RATE" \
    --duration "${SECONDS_TOTAL}s" --spans-per-trace 2..20 --error-ratio 0.02 --quiet --out "$dir/gen" \
    > "$dir/generate.log" 2>&1 || true
  kill -TERM "$node"; wait "$node" || true
  # Live heap: the after-GC size of every pause once the window has filled twice over ("Heap after
  # GC" is followed by the heap's total and used KiB).
  local steady_from=$(( ${wait%s} * 2 ))
  awk -v from="$steady_from" '
    /Heap after GC/ { after = 1; next }
    after && /garbage-first heap/ {
      after = 0
      t = $1; gsub(/[\[\]s]/, "", t)
      used = $0; sub(/.*used /, "", used); sub(/K.*/, "", used)
      if (t + 0 >= from) { if (used + 0 > max) max = used + 0; n++ }
    }
    END { printf "%.1f %d\n", max / 1024, n }' "$dir/gc.log"
}

r10=$(run 10s); r60=$(run 60s)
p10=${r10% *}; p60=${r60% *}
echo "rate ${RATE} spans/s for ${SECONDS_TOTAL}s; peak heap after GC in steady state:"
echo "  decision_wait 10s: ${p10} MiB (${r10#* } GC pauses counted)"
echo "  decision_wait 60s: ${p60} MiB (${r60#* } GC pauses counted)"
awk -v a="$p10" -v b="$p60" 'BEGIN { d = (b - a) / a * 100; printf "  difference: %+.1f%% (criterion: within 20%%)\n", d; exit (d > 20 || d < -20) }'
