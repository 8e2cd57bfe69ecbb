#!/usr/bin/env bash
# Training / generation throughput of the default 64x64 DVAE and VAE vs. the libtorch matmul peak,
# and a native-memory leak check. Extra JVM options (e.g. -Dbench.only=k1,vae) pass through.
# The heap is kept small (512 MiB) because it counts in VmRSS and would blur the leak check.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -Pbench -DskipTests test-compile
./mvnw -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
echo "uptime: $(uptime)"
exec java -Xmx512m "$@" -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  org.retinasynth.bench.TrainBench
