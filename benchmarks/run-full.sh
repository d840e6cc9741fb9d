#!/usr/bin/env bash
# The full profile: builds the benchmark jar, runs the benchmarks with 3 forks, 3 x 2 s warm-up,
# 5 x 2 s measurement and -prof gc, writes benchmarks/results/full.json and benchmarks/RESULTS.md
# (every ratio with its 99.9% interval; a target is met only when the interval's bound clears it).
#
# Time: (3 x 2 s + 5 x 2 s + ~2 s JVM start) x 3 forks = ~54 s per benchmark x impl x param
# combination. Everything (40 registry + 24 fan-out combinations) takes ~58 minutes on 2 cores; split
# it with an include pattern, e.g.
#   benchmarks/run-full.sh --include 'io\.github\.buffercore\.bench\.(AcquireClose|Churn|GetOrCreate).*'
#   benchmarks/run-full.sh --include '.*FanOut.*' --json benchmarks/results/full-fanout.json --md /tmp/f.md
# Extra arguments go to QuickProfile (--include, --json, --md, --notes, --context). Record on a shared
# machine that it was shared: --context 'The machine was shared with ... during the run.'
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${SKIP_BUILD:-}" != "1" ]]; then
  mvn -B -q -ntp -pl benchmarks -am package -DskipTests -DskipBenchSmoke
fi
exec java -cp benchmarks/target/benchmarks.jar io.github.buffercore.bench.QuickProfile --profile full "$@"
