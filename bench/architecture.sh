#!/usr/bin/env bash
# Norm / residual / frequency- and feature-loss variants of the study's DVAE on RetinaMNIST (28 px, official split, same
# seed and epochs): FD, precision/recall and two-sample AUC of fitted-prior samples, and a figure.
#   ./bench/architecture.sh [path/to/retinamnist.npz] [output-dir]   (defaults: ../shared/data/retinamnist/retinamnist.npz,
#   bench/out/architecture); ARCH_OPTS="-Darch.epochs=20 -Darch.variants=BATCH:false:0,GROUP:true:0,GROUP:true:1,BATCH:false:0:1"
#   (norm:residual:frequencyLossWeight[:featureLossWeight[:klWeight]]; the first variant is the reference);
#   -Darch.samplers=means:1.0,means:1.25,draws:1.0 adds rows for other priors / temperatures of each variant
#   (means: per-grade Gaussian on posterior means, as models keep; draws: on posterior draws); -Darch.latent, -Darch.base
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -o -q -Pbench -DskipTests test-compile
./mvnw -o -q -Pbench dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
echo "machine: nproc=$(nproc); uptime: $(uptime)"
# shellcheck disable=SC2086
java -Xmx3g -Djava.awt.headless=true ${ARCH_OPTS:-} \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  org.retinasynth.bench.ArchitectureBench "${1:-../shared/data/retinamnist/retinamnist.npz}" \
  "${2:-bench/out/architecture}"
