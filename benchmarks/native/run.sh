#!/usr/bin/env bash
# Builds and runs depthwise_pool_bench.cpp against the native core that `mvn package` built (cppbuild/).
# OpenBLAS's kernel choice does not matter here (no sgemm in these ops).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIB="$ROOT/cppbuild/linux-x86_64/lib"
# OpenBLAS needs libgfortran.so.5: the system's, or the copy JavaCPP unpacked from bytedeco's jar on a test run.
BLAS=$(dirname "$(find "$HOME/.javacpp/cache" -name libgfortran.so.5 -path '*openblas*' 2>/dev/null | head -1)")
OUT=$(mktemp -d)
g++ -std=c++17 -O2 -I"$ROOT/native" "$ROOT/benchmarks/native/depthwise_pool_bench.cpp" "$LIB/libcnn4j_core.a" \
    -L"$LIB" -Wl,-rpath-link,"$BLAS" -lopenblas -lpthread -o "$OUT/depthwise_pool_bench"
LD_LIBRARY_PATH="$BLAS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$OUT/depthwise_pool_bench"
rm -rf "$OUT"
