#!/usr/bin/env bash
# Deep mode of the concurrency proofs (nightly, or before a release); the bounded mode is what
# `mvn verify` (and .ci/run) runs. Steps, each timed:
#   0. build the jar (package, no tests, no install), so a failing proof never hides the later steps;
#   1. Lincheck with raised bounds: 3 threads x 2 operations,
#      10 scenarios x 300 interleavings (CI: 2 threads x 3, 6 x 200; 3 x 4 with 20 x 1,000 did not
#      end in 43 minutes: the model checker's cost grows with threads x operations per interleaving);
#   2. jcstress, real tests: -m default on every probed JVM flag combination (with the preset's
#      stress forks), one iteration per fork, no split compilation (StressRunner --mode deep);
#   3. jcstress, broken variants: the bounded ci mode (they only have to show a forbidden outcome);
#   4. the full mutant table (mutants/run.sh, every mutant against every test it lists).
# Usage: bash stress-tests/deep.sh [--cpus N]. Exit status 0 only if every step passed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cpus=2
if [ "${1:-}" = "--cpus" ]; then cpus="$2"; fi
cd "$root"
status=0
step() {
  local name="$1"; shift
  local t0; t0=$(date +%s)
  echo "=== deep: $name (start $(date -u +%FT%TZ), $(uptime | sed 's/.*load/load/'))"
  if "$@"; then r=ok; else r=FAILED; status=1; fi
  echo "=== deep: $name: $r in $(( $(date +%s) - t0 )) s (end $(date -u +%FT%TZ), $(uptime | sed 's/.*load/load/'))"
}
step "build (package, no tests, no install)" \
  mvn -B -ntp -pl stress-tests -am package -DskipTests -DskipStress
step "Lincheck (3 threads x 2 actors, 10 x 300) + InvariantListTest" \
  mvn -B -ntp -pl stress-tests -am test -DskipStress \
    -Dtest='RegistryLinearizabilityTest,InvariantListTest' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dlincheck.iterations=10 -Dlincheck.invocations=300 -Dlincheck.threads=3 -Dlincheck.actorsPerThread=2
step "jcstress real tests, -m default (all JVM flag combinations), no split compilation" \
  java -cp stress-tests/target/jcstress.jar io.github.buffercore.stress.StressRunner --mode deep \
    --only real --cpus "$cpus" --results stress-tests/target/jcstress-deep
step "jcstress broken variants, ci mode" \
  java -cp stress-tests/target/jcstress.jar io.github.buffercore.stress.StressRunner --mode ci \
    --only broken --cpus "$cpus" --results stress-tests/target/jcstress-deep
step "full mutant table" stress-tests/mutants/run.sh --cpus "$cpus"
[ $status -eq 0 ] && echo "DEEP OK" || echo "DEEP FAILED"
exit $status
