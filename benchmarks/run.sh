#!/usr/bin/env bash
# Benchmarks cnn4j's conv2d against ONNX Runtime Java and libtorch and writes docs/benchmarks.md:
# installs cnn4j into the local Maven repository, compiles benchmarks/, runs JMH once per layer (so that the three
# runtimes of a layer are measured close together in time), then renders the JSON results.
#   usage: benchmarks/run.sh            (from anywhere; about 10 minutes on 2 cores)
#   JMH_OPTS overrides the JMH options (default "-f 1 -wi 3 -i 5 -w 1s -r 1s"); SHAPES picks layers by name
#   (default: all, see `java -cp ... io.cnn4j.bench.ConvShape`); SKIP_INSTALL=1 skips the cnn4j install.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
export JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 3 -i 5 -w 1s -r 1s"}

if [ "${SKIP_INSTALL:-0}" != 1 ]; then
  (cd "$ROOT" && mvn -q install -DskipTests)
fi
(cd "$HERE" && mvn -q compile)

CP="$HERE/target/classes:$(cat "$HERE/target/classpath.txt")"
RESULTS="$HERE/target/jmh"
rm -rf "$RESULTS"
mkdir -p "$RESULTS" "$ROOT/docs"
SHAPES=${SHAPES:-$(java -cp "$CP" io.cnn4j.bench.ConvShape)}
for shape in $SHAPES; do
  # shellcheck disable=SC2086 # JMH_OPTS is a list of options
  java -cp "$CP" org.openjdk.jmh.Main Conv2dBenchmark -p shape="$shape" $JMH_OPTS \
    -rf json -rff "$RESULTS/$shape.json"
done
java -cp "$CP" io.cnn4j.bench.Report "$ROOT/docs/benchmarks.md" "$RESULTS"/*.json
