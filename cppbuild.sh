#!/usr/bin/env bash
# Builds the cnn4j native core: native/*.cpp -> cppbuild/$PLATFORM/lib/libcnn4j_core.a (+ headers in include/).
# Maven runs it before the JavaCPP plugin links the JNI glue against this library and OpenBLAS.
#   usage: bash cppbuild.sh [install|clean] [-platform=linux-x86_64]
# OPENBLAS_HOME must point at a folder with include/cblas.h and libopenblas.so.0: Maven passes the one it unpacks
# from the org.bytedeco:openblas platform jar.
set -eu

OPERATION=install
PLATFORM=
for arg in "$@"; do
  case "$arg" in
    install|clean) OPERATION="$arg" ;;
    -platform=*) PLATFORM="${arg#-platform=}" ;;
    *) echo "cppbuild.sh: unknown argument '$arg' (expected install, clean or -platform=NAME)" >&2; exit 2 ;;
  esac
done

if [ -z "$PLATFORM" ]; then
  OS=$(uname -s | tr '[:upper:]' '[:lower:]')
  ARCH=$(uname -m)
  case "$ARCH" in x86_64|amd64) ARCH=x86_64 ;; aarch64|arm64) ARCH=arm64 ;; esac
  PLATFORM="$OS-$ARCH"
fi

ROOT=$(cd "$(dirname "$0")" && pwd)
OUT="$ROOT/cppbuild/$PLATFORM"

if [ "$OPERATION" = clean ]; then
  rm -rf "$ROOT/cppbuild"
  exit 0
fi

case "$PLATFORM" in
  linux-x86_64)
    CXXFLAGS="-std=c++17 -O3 -fPIC -fno-math-errno -Wall -Wextra -Werror" ;;
  linux-arm64)
    # The preset's openblas_config.h declares hfloat16 as _Float16 under GCC >= 12, but GCC's C++ front end has
    # _Float16 on arm64 only from GCC 13 (Debian 12's cross g++ is 12); __fp16 is the same IEEE half type there.
    # Only cblas_shgemm's declaration uses it, and cnn4j never calls it.
    # -mno-outline-atomics, as JavaCPP builds its own arm64 code: GCC's default calls helpers (__aarch64_ldadd8_rel)
    # that exist only in libgcc.a, which the JNI link does not pull in (the libgcc_s.so in OpenBLAS's folder shadows
    # the toolchain's linker script that adds it), leaving them undefined at run time.
    CXXFLAGS="-std=c++17 -O3 -fPIC -fno-math-errno -Wall -Wextra -Werror -D_Float16=__fp16 -mno-outline-atomics" ;;
  *)
    echo "cppbuild.sh: platform '$PLATFORM' is not supported yet (supported: linux-x86_64, linux-arm64)" >&2
    exit 1 ;;
esac

if [ -z "${OPENBLAS_HOME:-}" ] || [ ! -f "$OPENBLAS_HOME/include/cblas.h" ] || [ ! -f "$OPENBLAS_HOME/libopenblas.so.0" ]; then
  echo "cppbuild.sh: OPENBLAS_HOME='${OPENBLAS_HOME:-}' lacks include/cblas.h or libopenblas.so.0; run the build" \
       "through 'mvn' (it unpacks both from the org.bytedeco:openblas jar) or point OPENBLAS_HOME at them" >&2
  exit 1
fi
OPENBLAS_INCLUDE="$OPENBLAS_HOME/include"

# CNN4J_EXTRA_CXXFLAGS adds flags to every file, e.g. scripts/sanitize.sh's -fsanitize=address,undefined (it builds in
# a copy of the tree, so objects built with other flags are never reused).
CXXFLAGS="$CXXFLAGS ${CNN4J_EXTRA_CXXFLAGS:-}"
CXX=${CXX:-g++}
if ! command -v "$CXX" >/dev/null 2>&1; then
  hint=""
  [ "$PLATFORM" = linux-arm64 ] && [ "$(uname -m)" != aarch64 ] && hint=" (Debian: apt-get install g++-aarch64-linux-gnu; or build without -Dcnn4j.arm64=true)"
  echo "cppbuild.sh: C++ compiler '$CXX' for $PLATFORM not found$hint" >&2
  exit 1
fi
mkdir -p "$OUT/obj" "$OUT/lib" "$OUT/include"
# Objects built with other flags or another compiler are stale even where no source changed.
if [ "$(cat "$OUT/obj/.flags" 2>/dev/null)" != "$CXX $CXXFLAGS" ]; then
  rm -f "$OUT"/obj/*.o
  echo "$CXX $CXXFLAGS" > "$OUT/obj/.flags"
fi

# Per-ISA kernel files (kernels/<family>/<family>_<isa>.cpp) get their ISA's flags and nothing wider; every other
# file is portable and built for the platform's baseline. -march=native is never used: the library runs on any
# CPU of the platform and picks its kernels at run time (runtime/isa.cpp).
isa_flags() {
  case "$1" in
    *_avx2.cpp) echo "-mavx2 -mfma -mf16c" ;;
    *_avx512.cpp) echo "-mavx512f -mavx512cd -mavx512bw -mavx512dq -mavx512vl -mavx2 -mfma -mf16c" ;;
    *) echo "" ;;
  esac
}
builds_here() {
  case "$PLATFORM:$1" in
    linux-x86_64:*_neon.cpp) return 1 ;;
    linux-arm64:*_avx2.cpp|linux-arm64:*_avx512.cpp) return 1 ;;
  esac
  return 0
}

objects=()
headers=$(find "$ROOT/native" -name '*.h' -o -name '*.inc')
while IFS= read -r src; do
  builds_here "$src" || continue
  rel=${src#"$ROOT/native/"}
  obj="$OUT/obj/${rel//\//_}"
  obj="${obj%.cpp}.o"
  # Rebuild an object only when its source or any header (or SIMD body, *.inc) is newer.
  # shellcheck disable=SC2086 # the header list is one path per word
  if [ ! -f "$obj" ] || [ -n "$(find "$src" $headers -newer "$obj" 2>/dev/null)" ]; then
    echo "cppbuild.sh: compiling $rel"
    # shellcheck disable=SC2046 # the ISA flags are a list
    "$CXX" $CXXFLAGS $(isa_flags "$src") -I"$ROOT/native" -I"$OPENBLAS_INCLUDE" -c "$src" -o "$obj"
  fi
  objects+=("$obj")
done < <(find "$ROOT/native" -name '*.cpp' | sort)
rm -f "$OUT/lib/libcnn4j_core.a"
ar rcs "$OUT/lib/libcnn4j_core.a" "${objects[@]}"
cp "$ROOT"/native/cnn4j.h "$OUT/include/"
# The preset ships only the versioned libopenblas.so.0; the JNI link step (-lopenblas) needs the plain name.
ln -sf "$OPENBLAS_HOME/libopenblas.so.0" "$OUT/lib/libopenblas.so"
# JavaCPP links the glue with -lopenblas_nolapack (the preset's name for the same library, SONAME libopenblas.so.0);
# without this link it finds that name only where an earlier test run left it in ~/.javacpp/cache.
ln -sf "$OPENBLAS_HOME/libopenblas.so.0" "$OUT/lib/libopenblas_nolapack.so"
echo "cppbuild.sh: built $OUT/lib/libcnn4j_core.a"
