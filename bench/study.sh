#!/usr/bin/env bash
# Full comparison study on RetinaMNIST (28 px, official splits, 3 seeds) through the service path:
#   ./bench/study.sh [path/to/retinamnist.npz] [output-dir]  (defaults: ../shared/data/retinamnist/retinamnist.npz,
#   docs/results/retinamnist). Sizes pass through as -Dstudy.* JVM options in STUDY_OPTS, e.g.
#   STUDY_OPTS="-Dstudy.genEpochs=20 -Dstudy.genLearningRate=0.001 -Dstudy.clfEpochs=30 -Dstudy.patience=6
#   -Dstudy.generativePerSeed=true"
#   (the defaults; generativePerSeed=false trains the VAE and DVAE once per study, a third of their time).
# Starts nothing persistent: H2 and the blob store live in a temp folder that is discarded.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -o -q -Pbench -DskipTests test-compile
./mvnw -o -q -Pbench dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
echo "machine: nproc=$(nproc) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "uptime: $(uptime)"
java -version 2>&1 | head -1
start=$(date +%s)
# shellcheck disable=SC2086
java -Xmx3g -Djava.awt.headless=true ${STUDY_OPTS:-} \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  org.retinasynth.bench.StudyBench "${1:-../shared/data/retinamnist/retinamnist.npz}" "${2:-docs/results/retinamnist}"
echo "wall time: $(( $(date +%s) - start )) s; uptime after: $(uptime)"
