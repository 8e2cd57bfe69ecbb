#!/usr/bin/env bash
# Bounded load on loopback while a DVAE trains: 50 clients x 60 s of small uploads, job polls and grid
# downloads. Prints throughput, p50/p99 latency, status codes and the job's progress in the window.
# Options: -Dload.clients=N -Dload.seconds=S. Run on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -Pbench -DskipTests test-compile
./mvnw -q -Pbench dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
echo "uptime: $(uptime)"
exec java -Xmx2g -Djava.awt.headless=true "$@" \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  org.retinasynth.bench.LoadBench
