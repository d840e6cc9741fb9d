#!/usr/bin/env bash
# The quick profile, a smoke test with no claims (< 10 minutes on 2 cores): builds the benchmark jar,
# runs every benchmark with -f 1 -wi 2 -w 1s -i 3 -r 1s, writes benchmarks/results/quick.json and
# benchmarks/results/QUICK.md. The measurement is benchmarks/run-full.sh (RESULTS.md).
# Extra arguments go to QuickProfile (e.g. --include 'AcquireClose.*').
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${SKIP_BUILD:-}" != "1" ]]; then
  mvn -B -q -ntp -pl benchmarks -am package -DskipTests -DskipBenchSmoke
fi
exec java -cp benchmarks/target/benchmarks.jar io.github.buffercore.bench.QuickProfile "$@"
