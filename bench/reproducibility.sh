#!/usr/bin/env bash
# Runs the same RetinaMNIST study twice on this machine and compares the two report.json files leaf by leaf
# at 3 decimals (ids, times and worker names excepted): exit 0 when they agree.
#   ./bench/reproducibility.sh [path/to/retinamnist.npz] [output-dir]   (defaults ../shared/data/retinamnist/retinamnist.npz,
#   bench/out/reproducibility). Sizes as in bench/study.sh through STUDY_OPTS; the default is a short study
#   (3 seeds, 3-epoch VAE/DVAE, 3-epoch classifiers, five arms) so that both runs take a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
npz="${1:-../shared/data/retinamnist/retinamnist.npz}"
out="${2:-bench/out/reproducibility}"
./mvnw -o -q -Pbench -DskipTests test-compile
./mvnw -o -q -Pbench dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
mkdir -p "$out"
echo "machine: nproc=$(nproc) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
cp="target/test-classes:target/classes:$(cat target/bench.classpath)"
opts="${STUDY_OPTS:--Dstudy.seeds=3 -Dstudy.genEpochs=3 -Dstudy.clfEpochs=3 -Dstudy.patience=3 -Dstudy.balance=true \
-Dstudy.arms=REAL,REAL_OVERSAMPLED,REAL_DVAE,REAL_DVAE_BALANCED,ENCODER_DVAE}"
for run in 1 2; do
  start=$(date +%s)
  # shellcheck disable=SC2086
  java -Xmx3g -Djava.awt.headless=true $opts -cp "$cp" org.retinasynth.bench.StudyBench "$npz" "$out/run$run" \
    > "$out-run$run.log" 2>&1 || { tail -20 "$out-run$run.log"; exit 1; }
  echo "run $run: $(( $(date +%s) - start )) s"
done
java -cp "$cp" org.retinasynth.bench.ReportDiff "$out/run1/report.json" "$out/run2/report.json"
