#!/usr/bin/env bash
# Cross-site external validation, both directions, through the service path:
#   ./bench/cross-site.sh [shared-data-dir] [output-dir]   (defaults ../shared/data, docs/results/cross-site)
# 1. train on RetinaMNIST (28 px, official splits), score every classifier on the Rahim photos at 28 px;
# 2. train on the Rahim photos (64 px, the patient-grouped split of its labels.csv), score on RetinaMNIST at
#    64 px: RetinaMNIST is 28 px, so that external set is upsampled (its whole NPZ, all 1,600 images).
# Sizes as in bench/study.sh through STUDY_OPTS (defaults below: 30-epoch VAE/DVAE per seed, 3 seeds).
# Starts nothing persistent; the data are read in place and never copied. Run on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
out="${2:-docs/results/cross-site}"
./mvnw -q -Pbench -DskipTests test-compile
./mvnw -q -Pbench dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
echo "machine: nproc=$(nproc) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
java -version 2>&1 | head -1
arms="REAL,REAL_CLASSIC,REAL_OVERSAMPLED,REAL_VAE,REAL_DVAE,ENCODER_VAE,ENCODER_DVAE,FROZEN_VAE,FROZEN_DVAE"
opts="-Dstudy.arms=${ARMS:-$arms} -Dstudy.genEpochs=30 -Dstudy.clfEpochs=30 -Dstudy.patience=6 ${STUDY_OPTS:-}"
run() {
  local start; start=$(date +%s)
  # shellcheck disable=SC2086
  java -Xmx4g -Djava.awt.headless=true $opts \
    -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.retinasynth.bench.StudyBench "$@"
  echo "wall time: $(( $(date +%s) - start )) s; uptime after: $(uptime)"
}
run "$data/retinamnist/retinamnist.npz" "$out/retinamnist-to-rahim" --size 28 \
  --external "rahim=$data/srahim-dr-fundus-768"
run "$data/srahim-dr-fundus-768" "$out/rahim-to-retinamnist" --size 64 \
  --external "retinamnist=$data/retinamnist/retinamnist.npz"
