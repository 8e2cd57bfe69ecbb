#!/usr/bin/env bash
# Why are prior samples grainy? Trains the study's conditional DVAE on RetinaMNIST (28 px, official split)
# and scores samples decoded several ways (BatchNorm statistics, temperature, N(0,I) vs a fitted per-grade
# prior, epochs, decoder likelihood) in a real-data classifier's feature space:
#   ./bench/diagnose.sh [path/to/retinamnist.npz] [output-dir]   (defaults: ../shared/data/retinamnist/retinamnist.npz,
#   docs/results/retinamnist/diagnosis); DIAGNOSE_OPTS="-Ddiagnose.epochs=20 -Ddiagnose.longEpochs=60".
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -o -q -Pbench -DskipTests test-compile
./mvnw -o -q -Pbench dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
echo "machine: nproc=$(nproc) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); uptime: $(uptime)"
start=$(date +%s)
rm -f "${2:-docs/results/retinamnist/diagnosis}/latents.txt"
# shellcheck disable=SC2086
java -Xmx3g -Djava.awt.headless=true ${DIAGNOSE_OPTS:-} \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  org.retinasynth.bench.SampleDiagnosisBench "${1:-../shared/data/retinamnist/retinamnist.npz}" \
  "${2:-docs/results/retinamnist/diagnosis}"
echo "wall time: $(( $(date +%s) - start )) s; uptime after: $(uptime)"
