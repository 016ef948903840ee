#!/usr/bin/env bash
# Builds and runs elementwise_bench (element-wise kernels, every ISA variant; see its header) against the native
# core that `mvn package` builds into cppbuild/. Pass --accuracy for the ulp sweep instead of timings. Benchmark with
# the machine otherwise idle; timings on shared cores are noisy (run it twice).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PLATFORM=linux-$(uname -m | sed 's/aarch64/arm64/;s/amd64/x86_64/')
LIB="$ROOT/cppbuild/$PLATFORM/lib"
[ -f "$LIB/libcnn4j_core.a" ] || (cd "$ROOT" && mvn -q package -DskipTests)
OUT="$ROOT/target/elementwise_bench"
mkdir -p "$ROOT/target"
g++ -std=c++17 -O2 -I"$ROOT/native" "$ROOT/benchmarks/kernels/elementwise_bench.cpp" -L"$LIB" -lcnn4j_core \
    -lopenblas -lpthread -Wl,-rpath,"$LIB" -o "$OUT"
"$OUT" "$@"
