#!/usr/bin/env bash
# Generation throughput at 64x64 on CPU through the service (request -> PNGs in the store and rows
# committed), synchronous and as a job, against raw model sampling in the same run.
# Extra JVM options pass through, e.g. -Dbench.images=8192. Run on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -Pbench -DskipTests test-compile
./mvnw -q -Pbench dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
echo "uptime: $(uptime)"
exec java -Xmx2g -Djava.awt.headless=true "$@" \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  org.retinasynth.bench.GenerateBench
