#!/usr/bin/env bash
# Builds and runs conv_bench.cpp against the native core that `mvn package` built (cppbuild/), or the archive given
# as $1; further arguments go to the benchmark (an ISA name runs only that ISA). OpenBLAS picks its kernels itself:
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for the run.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIB="$ROOT/cppbuild/linux-x86_64/lib"
ARCHIVE=${1:-$LIB/libcnn4j_core.a}
shift || true
BLAS=$(dirname "$(find "$HOME/.javacpp/cache" -name libgfortran.so.5 -path '*openblas*' 2>/dev/null | head -1)")
OUT=$(mktemp -d)
INCLUDE=$(dirname "$(find "$ROOT/target/openblas" "$HOME/.javacpp/cache" -name cblas.h 2>/dev/null | head -1)")
g++ -std=c++17 -O2 -I"$ROOT/native" -I"$INCLUDE" "$ROOT/benchmarks/native/conv_bench.cpp" "$ARCHIVE" \
    -L"$LIB" -Wl,-rpath-link,"$BLAS" -lopenblas -lpthread -o "$OUT/conv_bench"
LD_LIBRARY_PATH="$BLAS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$OUT/conv_bench" "$@"
rm -rf "$OUT"
