#!/usr/bin/env bash
# Benchmarks cnn4j against ONNX Runtime Java and libtorch and writes docs/benchmarks.md: installs cnn4j into the
# local Maven repository, compiles benchmarks/, runs JMH once per conv2d layer and/or once per whole model (so that
# the three runtimes of a row are measured close together in time), then renders every JSON result present.
#   usage: benchmarks/run.sh [conv|models|all]     (from anywhere; default all; each part about 8 minutes on 2 cores)
#   JMH_OPTS overrides the conv2d JMH options (default "-f 1 -wi 3 -i 5 -w 1s -r 1s"), MODELS_JMH_OPTS the
#   whole-model ones (default "-f 1 -wi 2 -i 3 -w 2s -r 2s"); SHAPES and MODELS pick layers and models by name
#   (default: all, see `java -cp ... io.cnn4j.bench.ConvShape` / `io.cnn4j.bench.BenchModel`); SKIP_INSTALL=1
#   skips the cnn4j install. The whole-model files are written by benchmarks/make_models.py into
#   benchmarks/target/models when one is missing, with the Python of ${CNN4J_VENV:-.venv} (created from
#   python/requirements.txt if it lacks torch or onnx).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
PART=${1:-all}
case "$PART" in
  conv|models|all) ;;
  *) echo "usage: benchmarks/run.sh [conv|models|all]" >&2; exit 2 ;;
esac
export JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 3 -i 5 -w 1s -r 1s"}
export MODELS_JMH_OPTS=${MODELS_JMH_OPTS:-"-f 1 -wi 2 -i 3 -w 2s -r 2s"}
export CNN4J_BENCH_MODELS="$HERE/target/models" # read by io.cnn4j.bench.BenchModel

if [ "${SKIP_INSTALL:-0}" != 1 ]; then
  (cd "$ROOT" && mvn -q install -DskipTests)
fi
(cd "$HERE" && mvn -q compile)

CP="$HERE/target/classes:$(cat "$HERE/target/classpath.txt")"
RESULTS="$HERE/target/jmh"
mkdir -p "$ROOT/docs"

# measure <part> <benchmark> <param> "<JMH options>" <values...>: one JMH run per value into $RESULTS/<part>/.
measure() {
  local part=$1 benchmark=$2 param=$3 options=$4 value
  shift 4
  rm -rf "${RESULTS:?}/$part"
  mkdir -p "$RESULTS/$part"
  for value in "$@"; do
    # shellcheck disable=SC2086 # the options are a list
    java -cp "$CP" org.openjdk.jmh.Main "$benchmark" -p "$param=$value" $options \
      -rf json -rff "$RESULTS/$part/$value.json"
  done
}

if [ "$PART" != models ]; then
  # shellcheck disable=SC2046,SC2086 # one layer name per word
  measure conv Conv2dBenchmark shape "$JMH_OPTS" ${SHAPES:-$(java -cp "$CP" io.cnn4j.bench.ConvShape)}
fi

if [ "$PART" != conv ]; then
  VENV=${CNN4J_VENV:-$ROOT/.venv}
  if ! java -cp "$CP" io.cnn4j.bench.BenchModel --missing >/dev/null; then
    if ! "$VENV/bin/python" -c 'import torch, onnx' 2>/dev/null; then
      echo "run.sh: setting up $VENV with python/requirements.txt (torch CPU, onnx) for make_models.py"
      python3 -m venv "$VENV"
      "$VENV/bin/pip" install -q -r "$ROOT/python/requirements.txt"
    fi
    "$VENV/bin/python" "$HERE/make_models.py" "$CNN4J_BENCH_MODELS"
  fi
  # shellcheck disable=SC2046,SC2086 # one model name per word
  measure models ModelBenchmark model "$MODELS_JMH_OPTS" ${MODELS:-$(java -cp "$CP" io.cnn4j.bench.BenchModel)}
fi

# Every result present, so that running one part keeps the other part's last results in the report.
shopt -s nullglob
JSONS=("$RESULTS"/conv/*.json "$RESULTS"/models/*.json)
java -cp "$CP" io.cnn4j.bench.Report "$ROOT/docs/benchmarks.md" "${JSONS[@]}"
