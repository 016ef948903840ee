#!/usr/bin/env bash
# Benchmarks cnn4j against ONNX Runtime Java and libtorch and writes docs/benchmarks.md: installs cnn4j into the
# local Maven repository, compiles benchmarks/, runs JMH once per conv2d layer and once per whole model and batch (so
# that the three runtimes of a row are measured close together in time), measures each runtime's peak memory in a
# JVM of its own, then renders every result present.
#
#   usage: benchmarks/run.sh [quick|conv|models|memory|all] [MODEL...]      (from anywhere; default all)
#
#   quick   batch 1, 1 thread, OpenBLAS's own kernels, one JVM (io.cnn4j.bench.Quick, not JMH): prints the latency
#           ratios cnn4j/ORT and cnn4j/libtorch on the terminal (a minute or two for all five models; BATCHES and
#           THREADS apply, QUICK_SECONDS=2 timed seconds per runtime and model); docs/benchmarks.md is untouched.
#           QUICK_CLOCK=cpu (1 thread only) times each call by the calling thread's CPU time, not the wall clock: on a
#           machine busy with other work the ratios stay usable (time preempted is not counted)
#   conv    the conv2d layers; models: the whole models; memory: peak memory per runtime x model x batch
#   all     conv, models and memory (on 2 cores roughly 2 hours with both OpenBLAS settings, about half with one)
#
# Knobs (environment):
#   MODELS="LENET5 CNN1D"   models (io.cnn4j.bench.BenchModel names; MODEL arguments do the same), default all five
#   BATCHES="1 8"           whole-model batches, default "1 8 32"; THREADS="1", default "1 2" (models and conv)
#   SHAPES="C64_64_K3_P1_56" conv2d layers (io.cnn4j.bench.ConvShape names), default all
#   BLAS_ENV=own|machine|both  OpenBLAS setting of the benchmark JVMs, default both (quick: own). own unsets
#           OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for the benchmark JVMs only, so that OpenBLAS picks its kernels
#           itself as on a user's machine; machine keeps this machine's values. The kernel picked under each
#           setting is printed first. Peak memory is measured with own only.
#   JMH_OPTS          conv2d JMH options, default "-f 1 -wi 3 -i 5 -w 1s -r 1s"
#   MODELS_JMH_OPTS   whole-model JMH options, default "-f 1 -wi 2 -i 3 -w 2s -r 2s"
#   HEAVY_JMH_OPTS    for calls of at least 50 GFLOP (VGG-11-BN batch 8 and 32, ResNet-18 batch 32), which take
#                     seconds each: default "-f 1 -wi 1 -i 3 -w 1s -r 1s" (each iteration runs at least one call)
#   MEMORY_CALLS=3    inferences per peak-memory run; MEMORY_JVM_OPTS, default "-Xmx4g -XX:+UseSerialGC"
#   KEEP_RESULTS=1    keep the earlier results of the parts being run (default: a part's run replaces them)
#   SKIP_INSTALL=1    use the cnn4j already installed in ~/.m2
#   CNN4J_VENV        Python venv for make_models.py, default .venv at the repository root (created from
#                     python/requirements.txt if it lacks torch or onnx); it writes benchmarks/target/models
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
PART=${1:-all}
case "$PART" in
  quick|conv|models|memory|all) ;;
  *) echo "usage: benchmarks/run.sh [quick|conv|models|memory|all] [MODEL...]" >&2; exit 2 ;;
esac
shift || true
if [ $# -gt 0 ]; then
  MODELS=$(echo "$*" | tr '[:lower:]' '[:upper:]')
fi
JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 3 -i 5 -w 1s -r 1s"}
MODELS_JMH_OPTS=${MODELS_JMH_OPTS:-"-f 1 -wi 2 -i 3 -w 2s -r 2s"}
HEAVY_JMH_OPTS=${HEAVY_JMH_OPTS:-"-f 1 -wi 1 -i 3 -w 1s -r 1s"}
QUICK_SECONDS=${QUICK_SECONDS:-2}
QUICK_CLOCK=${QUICK_CLOCK:-wall}
MEMORY_CALLS=${MEMORY_CALLS:-3}
MEMORY_JVM_OPTS=${MEMORY_JVM_OPTS:-"-Xmx4g -XX:+UseSerialGC"}
if [ "$PART" = quick ]; then
  BLAS_ENV=${BLAS_ENV:-own}
  BATCHES=${BATCHES:-1}
  THREADS=${THREADS:-1}
else
  BLAS_ENV=${BLAS_ENV:-both}
  BATCHES=${BATCHES:-"1 8 32"}
  THREADS=${THREADS:-"1 2"}
fi
case "$BLAS_ENV" in
  own) SETTINGS="own" ;;
  machine) SETTINGS="machine" ;;
  both) SETTINGS="own machine" ;;
  *) echo "run.sh: BLAS_ENV must be own, machine or both, got '$BLAS_ENV'" >&2; exit 2 ;;
esac
export CNN4J_BENCH_MODELS="$HERE/target/models" # read by io.cnn4j.bench.BenchModel

if [ "${SKIP_INSTALL:-0}" != 1 ]; then
  (cd "$ROOT" && mvn -q install -DskipTests)
fi
(cd "$HERE" && mvn -q compile)

CP="$HERE/target/classes:$(cat "$HERE/target/classpath.txt")"
RESULTS="$HERE/target/jmh"
mkdir -p "$RESULTS" "$ROOT/docs"

# java_with <own|machine> <java args...>: a JVM under that OpenBLAS setting. Only the benchmark's own JVMs lose the
# variables (env -u); this shell, tests and CI keep them.
java_with() {
  local setting=$1
  shift
  if [ "$setting" = own ]; then
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE java "$@"
  else
    java "$@"
  fi
}

# The kernel OpenBLAS picks under each setting, printed and kept for the report (both, whatever BLAS_ENV says).
for setting in own machine; do
  java_with "$setting" -cp "$CP" io.cnn4j.bench.BlasSetting "$setting" "$RESULTS/blas-$setting.properties"
done

csv() { echo "$*" | tr -s ' ' ',' | sed 's/^,//; s/,$//'; }
ALL_MODELS=$(java -cp "$CP" io.cnn4j.bench.BenchModel)
MODEL_LIST=${MODELS:-$ALL_MODELS}

ensure_models() {
  if java -cp "$CP" io.cnn4j.bench.BenchModel --missing >/dev/null; then
    return
  fi
  local venv=${CNN4J_VENV:-$ROOT/.venv}
  if ! "$venv/bin/python" -c 'import torch, onnx' 2>/dev/null; then
    echo "run.sh: setting up $venv with python/requirements.txt (torch CPU, onnx) for make_models.py"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r "$ROOT/python/requirements.txt"
  fi
  "$venv/bin/python" "$HERE/make_models.py" "$CNN4J_BENCH_MODELS"
}

# fresh <dir>: an empty results folder, unless KEEP_RESULTS=1 keeps what an earlier run left there.
fresh() {
  if [ "${KEEP_RESULTS:-0}" != 1 ]; then
    rm -rf "${1:?}"
  fi
  mkdir -p "$1"
}

# models_jmh <results dir> <default options>: one JMH run per model x batch x setting, all threads in one run.
models_jmh() {
  local out=$1 default_options=$2 setting model batch options
  for setting in $SETTINGS; do
    fresh "$out/$setting"
    for model in $MODEL_LIST; do
      for batch in $BATCHES; do
        options=$default_options
        if java -cp "$CP" io.cnn4j.bench.BenchModel --heavy "$model" "$batch"; then
          options=$HEAVY_JMH_OPTS
        fi
        echo "run.sh: ModelBenchmark $model batch $batch threads $(csv "$THREADS") blas=$setting ($options)"
        # shellcheck disable=SC2086 # the options are a list
        java_with "$setting" -cp "$CP" org.openjdk.jmh.Main ModelBenchmark -p model="$model" -p batch="$batch" \
          -p threads="$(csv "$THREADS")" -p blas="$setting" $options -rf json -rff "$out/$setting/$model-b$batch.json"
      done
    done
  done
}

if [ "$PART" = quick ]; then
  ensure_models
  echo "run.sh: quick, ${QUICK_SECONDS}s timed per runtime and row ($QUICK_CLOCK clock); medians (fastest calls in parentheses)"
  for setting in $SETTINGS; do
    for batch in $BATCHES; do
      for threads in $THREADS; do
        # shellcheck disable=SC2086 # one model name per word
        java_with "$setting" -Xmx4g -Dquick.clock="$QUICK_CLOCK" -cp "$CP" io.cnn4j.bench.Quick "$QUICK_SECONDS" "$batch" "$threads" \
          "$setting" $MODEL_LIST 2>&1 | grep -v -e 'agrees with libtorch' -e 'OpenBLAS runs its' -e 'Could not initialize NNPACK'
      done
    done
  done
  exit 0
fi

if [ "$PART" = conv ] || [ "$PART" = all ]; then
  for setting in $SETTINGS; do
    fresh "$RESULTS/conv/$setting"
    # shellcheck disable=SC2046 # one layer name per word
    for shape in ${SHAPES:-$(java -cp "$CP" io.cnn4j.bench.ConvShape)}; do
      # shellcheck disable=SC2086 # the options are a list
      java_with "$setting" -cp "$CP" org.openjdk.jmh.Main Conv2dBenchmark -p shape="$shape" \
        -p threads="$(csv "$THREADS")" -p blas="$setting" $JMH_OPTS -rf json -rff "$RESULTS/conv/$setting/$shape.json"
    done
  done
fi

if [ "$PART" = models ] || [ "$PART" = all ]; then
  ensure_models
  models_jmh "$RESULTS/models" "$MODELS_JMH_OPTS"
fi

if [ "$PART" = memory ] || [ "$PART" = all ]; then
  ensure_models
  fresh "$RESULTS/memory"
  for model in $MODEL_LIST; do
    for batch in $BATCHES; do
      for runtime in cnn4j onnxruntime libtorch; do
        # shellcheck disable=SC2086 # the options are a list
        if ! java_with own $MEMORY_JVM_OPTS -cp "$CP" io.cnn4j.bench.PeakMemory "$runtime" "$model" "$batch" 1 \
            "$MEMORY_CALLS" "$RESULTS/memory/memory.tsv"; then
          echo "run.sh: PeakMemory $runtime $model batch $batch failed; its cell stays empty" >&2
        fi
      done
    done
  done
fi

# Every result present, so that running one part keeps the other parts' last results in the report.
shopt -s nullglob
FILES=("$RESULTS"/blas-*.properties "$RESULTS"/conv/*/*.json "$RESULTS"/models/*/*.json "$RESULTS"/memory/*.tsv)
java -cp "$CP" io.cnn4j.bench.Report "$ROOT/docs/benchmarks.md" "${FILES[@]}"
