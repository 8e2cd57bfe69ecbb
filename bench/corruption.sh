#!/usr/bin/env bash
# Per-call cost of each named corruption on a 64x64 image (the training resolution), best of five
# rounds. Run on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -Pbench -DskipTests test-compile
./mvnw -q -Pbench dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
echo "uptime: $(uptime)"
exec java -Xmx512m -Djava.awt.headless=true "$@" \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  org.retinasynth.bench.CorruptionBench
