#!/usr/bin/env bash
# Ingestion benchmark: ./bench/ingest.sh [path-to-shared-data]
# Run on an otherwise idle machine; prints throughput, peak heap and the ratio to a plain ImageIO loop.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -Pbench -DskipTests test-compile
./mvnw -q -Pbench dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java -Xmx4g -Djava.awt.headless=true \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  org.retinasynth.bench.IngestBench "${1:-../shared/data}"
