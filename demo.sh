#!/usr/bin/env bash
# The demo: a local tailshard cluster (1 lb node, 2 sampling nodes, a DNS server for the sampling
# tier, a load generator and a verifying sink, all on loopback) runs loadtest/scenarios/demo.yaml for
# about a minute, SIGKILLs a sampling node halfway and restarts it, and prints the verdict.
# Builds first when a jar is missing. Exit code: 0 when the verdict passes, 1 when it fails.
set -euo pipefail
cd "$(dirname "$0")"

jars=(lb-tier/target/lb-tier.jar sampling-tier/target/sampling-tier.jar loadtest/target/loadtest.jar)
for jar in "${jars[@]}"; do
  if [[ ! -f "$jar" ]]; then
    echo "demo: $jar is missing; building (mvn -B -q package -DskipTests)"
    mvn -B -q -Dstyle.color=never package -DskipTests
    break
  fi
done

java -jar loadtest/target/loadtest.jar cluster --scenario loadtest/scenarios/demo.yaml --out target/demo "$@"
