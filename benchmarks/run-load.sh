#!/usr/bin/env bash
# The load benchmark: N viewers on one channel of a local live MPEG-TS upstream, per server stack
# (the JDK, Jetty and Netty examples from buffer-examples' jar, and VLC 3 when cvlc is installed),
# for a fixed time; writes benchmarks/LOAD.md. Builds both jars first (skip with SKIP_BUILD=1).
#
#   benchmarks/run-load.sh --runs jdk:1000,jetty:1000,jetty:5000,netty:1000,netty:2000,netty:5000,vlc:1000,vlc:5000 \
#     --duration 20 --context 'The machine was shared with ... during the run.'
#
# Options (all optional): --runs stack:viewers,... (jdk, jetty, netty, vlc), --duration SECONDS,
# --client-threads N, --clip FILE.ts (default: a 120 s clip made below), --out FILE, --keep-up 0.9,
# --context TEXT, --jar FILE, --work-dir DIR (server logs, perf output, JFR recordings; default
# benchmarks/target/load), --warmup SECONDS (one viewer before the N; default 5), --jfr true|false,
# --notes FILE (hand-written analysis appended; default benchmarks/results/LOAD-NOTES.md),
# --client-warmup VIEWERS (the client's own JIT warm-up against a private stub before the first run;
# default 2000, 0 turns it off).
# Needs Linux (/proc); perf (linux-perf) for the syscall counts; cvlc (vlc-bin + vlc-plugin-base) for
# the VLC runs. Each viewer is one socket in this JVM and one in the server: raise `ulimit -n` above
# twice the viewers (plus a few hundred) for big runs.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${SKIP_BUILD:-}" != "1" ]]; then
  mvn -B -q -ntp -pl benchmarks,buffer-examples -am package -DskipTests -DskipBenchSmoke
fi
# The upstream clip: the examples' 6 s demo clip looped 20 times by ffmpeg with continuous timestamps
# (-stream_loop, stream copy, same 400 kbit/s mux rate), so no run meets a loop point. VLC remuxes by
# timestamp and stalls at a looped clip's timestamp jump; the Java servers forward bytes and do not
# care. Without ffmpeg, or with --clip, the benchmark uses what it is given (default: the demo clip).
CLIP=benchmarks/target/load/clip-120s.ts
if [[ " $* " != *" --clip "* ]] && command -v ffmpeg > /dev/null; then
  if [[ ! -s "$CLIP" ]]; then
    mkdir -p "$(dirname "$CLIP")"
    ffmpeg -hide_banner -loglevel error -y -stream_loop 19 -i buffer-examples/src/main/resources/demo/demo.ts \
      -c copy -muxrate 400k -mpegts_flags resend_headers -f mpegts "$CLIP"
  fi
  # The default clip, through the environment so that LOAD.md records only the caller's arguments.
  export BUFFERCORE_LOAD_CLIP="$CLIP"
fi
# The examples jar is on the class path for its SLF4J provider (slf4j-simple and its settings): the
# benchmark jar deliberately has none, so that JMH measures buffer-core with the NOP logger.
# The client's own heap: a young generation larger than a run allocates, committed up front, so that no
# collection of the measuring JVM pauses the viewers' reads during a storm (LoadBenchmark also collects
# before each run and reports the client's collections per run).
exec java -Xms2g -Xmx2g -Xmn1g -XX:+AlwaysPreTouch -cp benchmarks/target/benchmarks.jar:buffer-examples/target/buffer-examples.jar \
  io.github.buffercore.bench.load.LoadBenchmark "$@"
