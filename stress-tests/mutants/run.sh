#!/usr/bin/env bash
# Mutation table of the real buffer-core classes: applies each mutant (*.mutant in this directory) to a
# scratch copy of its source files, compiles the mutated classes into the scratch directory, runs the
# jcstress tests that must catch it with those classes in front of the real ones on the class path, and
# prints: mutant | invariant | caught by (or MISSED). Nothing is installed and the module's own
# target/classes and jars are never touched: a mutant never reaches a shipped jar.
#
# Usage: stress-tests/mutants/run.sh [--quick] [--only name1,name2] [--mode ci|quick|default] [--cpus N] [--runs N]
#        [--jvm-args "JVM flags"]
#   --jvm-args  JVM flags put in front of every jcstress worker's (jcstress -jvmArgsPrepend), e.g. C2's
#            scheduling randomizers: --jvm-args "-XX:+UnlockDiagnosticVMOptions -XX:+StressLCM -XX:+StressGCM"
#   --runs N a mutant counts as MISSED only after N runs without a catch (default 2)
#   --quick  only the mutants marked "quick: yes", each against its first test only (what `mvn verify`
#            runs); default: every mutant against every test it lists
# Exit status 0 only if every mutant was caught; a mutant whose snippet no longer matches its file is
# STALE and fails the run, as does one that no longer compiles (BUILD-FAILED).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
quick=false; only=""; mode=ci; cpus=2; runs=2; jvm_args=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true ;;
    --only) only="$2"; shift ;;
    --mode) mode="$2"; shift ;;
    --cpus) cpus="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --jvm-args) jvm_args="$2"; shift ;;
    *) echo "usage: $0 [--quick] [--only a,b] [--mode M] [--cpus N] [--runs N] [--jvm-args FLAGS]" >&2; exit 2 ;;
  esac
  shift
done

jar="$(ls "$root"/stress-tests/target/jcstress.jar 2>/dev/null || true)"
# A jar older than any source it holds would test yesterday's checks against today's mutants.
if [ -n "$jar" ] && [ -n "$(find "$root/buffer-core/src/main" "$root/stress-tests/src/main" \
    -newer "$jar" -type f -print -quit)" ]; then
  echo "The jcstress jar is older than its sources: rebuilding it"
  jar=""
fi
if [ -z "$jar" ]; then
  echo "Building the (unmutated) jcstress jar: mvn package, no install"
  (cd "$root" && mvn -B -q -ntp -pl stress-tests -am package -DskipTests -DskipStress)
  jar="$root/stress-tests/target/jcstress.jar"
fi

scratch_all="$(mktemp -d "${TMPDIR:-/tmp}/buffercore-mutants.XXXXXX")"
trap 'rm -rf "$scratch_all"' EXIT
rows=(); failed=0; start=$(date +%s)
for mutant in "$here"/*.mutant; do
  IFS=$'\t' read -r name invariant tests is_quick what < <(python3 "$here/apply.py" --meta "$mutant")
  if $quick && [ "$is_quick" != "yes" ]; then continue; fi
  if $quick; then tests="${tests%% *}"; fi # quick: only the first (fastest, surest) test
  if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then continue; fi
  scratch="$scratch_all/$name"; mkdir -p "$scratch/classes"
  t0=$(date +%s)
  echo "=== $name ($invariant): $what"
  set +e
  files="$(python3 "$here/apply.py" "$mutant" "$root" "$scratch")"; rc=$?
  set -e
  if [ $rc -eq 3 ]; then
    rows+=("$name|$invariant|STALE (snippet not found once; update the mutant)|0"); failed=1; continue
  elif [ $rc -ne 0 ]; then
    rows+=("$name|$invariant|BAD MUTANT FILE|0"); failed=1; continue
  fi
  # shellcheck disable=SC2086
  if ! javac --release 17 -nowarn -proc:none -d "$scratch/classes" -cp "$jar" $files >"$scratch/javac.log" 2>&1; then
    cat "$scratch/javac.log"
    rows+=("$name|$invariant|BUILD-FAILED|0"); failed=1; continue
  fi
  # A race shows up with a probability per sample, so one run of a few seconds can miss a mutant
  # that the next run catches: up to --runs runs (each a fresh jcstress run), stopping at the first
  # catch; the table says which run caught it. Never a reason to accept a real test's failure.
  caught=""; run=0
  while [ -z "$caught" ] && [ $run -lt "$runs" ]; do
    run=$((run + 1))
    set +e
    java -cp "$scratch/classes:$jar" io.github.buffercore.stress.MutantCheck --tests "${tests// /,}" \
      --mode "$mode" --cpus "$cpus" --results "$scratch/results-$run" ${jvm_args:+-- -jvmArgsPrepend "$jvm_args"} \
      >"$scratch/run.log" 2>&1
    set -e
    caught="$(grep '^CAUGHT ' "$scratch/run.log" | awk '{print $2}' | paste -sd, - || true)"
  done
  if [ -n "$caught" ] && [ $run -gt 1 ]; then caught="$caught (run $run of $runs)"; fi
  grep -E '^(CAUGHT|MISSED) ' "$scratch/run.log" | sed 's/^/    /' || true
  secs=$(( $(date +%s) - t0 ))
  if [ -n "$caught" ]; then
    rows+=("$name|$invariant|$caught|$secs")
  else
    tail -20 "$scratch/run.log"
    rows+=("$name|$invariant|MISSED (tests: $tests)|$secs"); failed=1
  fi
done

echo
printf '%-30s %-20s %-60s %s\n' "mutant" "invariant" "caught by" "seconds"
printf '%-30s %-20s %-60s %s\n' "------" "---------" "---------" "-------"
for row in "${rows[@]}"; do
  IFS='|' read -r a b c d <<<"$row"
  printf '%-30s %-20s %-60s %s\n' "$a" "$b" "$c" "$d"
done
echo "${#rows[@]} mutant(s), $(( $(date +%s) - start )) s, mode $mode"
if [ $failed -ne 0 ]; then
  echo "MUTANTS FAILED: at least one mutant was missed, stale or did not build"
  exit 1
fi
echo "MUTANTS OK: every mutant was caught"
