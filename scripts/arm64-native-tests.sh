#!/usr/bin/env bash
# Tests cnn4j's linux-arm64 natives on an x86-64 Linux machine, under qemu-user (or natively on an aarch64 one).
#   usage: scripts/arm64-native-tests.sh [--java]
#
# 1. Builds the linux-arm64 native core (mvn generate-resources -Dcnn4j.arm64=true: the cross-compiled
#    cppbuild/linux-arm64), compiles src/test/native/kernel_variants_test.cpp for aarch64 against it and runs it:
#    every kernel family's NEON variant against the scalar reference (one line per family; exit status 1 on any
#    mismatch).
# 2. --java: builds target/cnn4j.jar with the arm64 natives (mvn package -DskipTests -Dcnn4j.arm64=true), runs the
#    README's LeNet-5 command with an arm64 JRE under qemu (it must print 99.70% for the 7), then the Java tests that
#    need no libtorch (ARM64_TESTS, below) in that JRE through surefire's -Djvm. The JRE is ARM64_JAVA_HOME, else
#    Debian's openjdk-17-jre-headless:arm64 (and zlib1g:arm64), fetched once with `apt-get download` into
#    target/arm64-tests/jre with a private apt state: nothing is installed on the system.
#
# Needs (Debian/Ubuntu): apt-get install g++-aarch64-linux-gnu qemu-user (qemu-user-static works too); the
# aarch64 C and C++ runtime come with the cross compiler (/usr/aarch64-linux-gnu, qemu's -L). MVN_FLAGS adds Maven
# flags (e.g. -o); CNN4J_ARM64_CXX names another cross g++.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/target/arm64-tests"
CXX=${CNN4J_ARM64_CXX:-aarch64-linux-gnu-g++}
SYSROOT=${CNN4J_ARM64_SYSROOT:-/usr/aarch64-linux-gnu}
JAVA_TESTS=0
for arg in "$@"; do
  case "$arg" in
    --java) JAVA_TESTS=1 ;;
    *) echo "arm64-native-tests.sh: unknown argument '$arg' (only --java)" >&2; exit 2 ;;
  esac
done
# shellcheck disable=SC2206 # MVN_FLAGS is a list of flags
MVN=(mvn -B ${MVN_FLAGS:-} -Dcnn4j.arm64=true "-Dcnn4j.arm64.cxx=$CXX")

die() { echo "arm64-native-tests.sh: $*" >&2; exit 1; }

# How to run an aarch64 executable here: directly on aarch64, else through qemu-user with the cross sysroot.
RUN=()
if [ "$(uname -m)" != aarch64 ]; then
  QEMU=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
  [ -n "$QEMU" ] || die "no qemu-aarch64 to run arm64 code on this $(uname -m) machine (Debian: apt-get install qemu-user)"
  [ -d "$SYSROOT/lib" ] || die "no aarch64 runtime in $SYSROOT (Debian: apt-get install g++-aarch64-linux-gnu; or set CNN4J_ARM64_SYSROOT)"
  RUN=("$QEMU" -L "$SYSROOT")
fi
command -v "$CXX" >/dev/null || die "cross compiler '$CXX' not found (Debian: apt-get install g++-aarch64-linux-gnu)"

echo "arm64-native-tests.sh: building the linux-arm64 native core"
(cd "$ROOT" && "${MVN[@]}" -q generate-resources -pl :cnn4j)
OPENBLAS="$ROOT/target/openblas/org/bytedeco/openblas/linux-arm64"
CORE="$ROOT/cppbuild/linux-arm64/lib"
[ -f "$CORE/libcnn4j_core.a" ] || die "the build left no $CORE/libcnn4j_core.a"

mkdir -p "$OUT"
echo "arm64-native-tests.sh: compiling src/test/native/kernel_variants_test.cpp with $CXX"
"$CXX" -std=c++17 -O2 -Wall -Wextra -Werror -I"$ROOT/native" \
  "$ROOT/src/test/native/kernel_variants_test.cpp" -L"$CORE" -lcnn4j_core -lopenblas -lpthread \
  -Wl,-rpath-link,"$OPENBLAS" -o "$OUT/kernel_variants_test"
echo "arm64-native-tests.sh: running the kernel tests ${RUN[*]:+under ${RUN[*]}}"
if [ ${#RUN[@]} -gt 0 ]; then
  "${RUN[@]}" -E LD_LIBRARY_PATH="$OPENBLAS" "$OUT/kernel_variants_test"
else
  LD_LIBRARY_PATH="$OPENBLAS" "$OUT/kernel_variants_test"
fi

[ "$JAVA_TESTS" = 1 ] || exit 0

# ---- the Java side under an arm64 JRE ----
if [ -n "${ARM64_JAVA_HOME:-}" ]; then
  JRE="$ARM64_JAVA_HOME"
  LIBS=""
else
  APT="$OUT/apt"
  JRE_ROOT="$OUT/jre"
  JRE="$JRE_ROOT/usr/lib/jvm/java-17-openjdk-arm64"
  LIBS="$JRE_ROOT/lib/aarch64-linux-gnu"
  if [ ! -x "$JRE/bin/java" ]; then
    echo "arm64-native-tests.sh: fetching Debian's openjdk-17-jre-headless:arm64 into $JRE_ROOT (private apt state)"
    mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$JRE_ROOT"
    touch "$APT/status"
    opts=(-o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache" -o "Dir::State::status=$APT/status"
          -o "APT::Architectures::=arm64" -o "APT::Architecture=arm64")
    # As root, apt would download as user _apt, who cannot write into this private folder.
    [ "$(id -u)" = 0 ] && opts+=(-o "APT::Sandbox::User=root")
    apt-get -q "${opts[@]}" update >/dev/null || die "apt-get update for arm64 failed (no Debian mirror reachable?)"
    (cd "$APT" && apt-get -q "${opts[@]}" download openjdk-17-jre-headless:arm64 zlib1g:arm64 >/dev/null) \
      || die "apt-get download openjdk-17-jre-headless:arm64 failed; set ARM64_JAVA_HOME to an arm64 JRE 17 instead"
    for deb in "$APT"/*.deb; do dpkg -x "$deb" "$JRE_ROOT"; done
  fi
fi
[ -x "$JRE/bin/java" ] || die "no arm64 java in $JRE/bin"

# A `java` that surefire (-Djvm) and this script can start: the arm64 one, through qemu where needed.
JVM="$OUT/jvm"
mkdir -p "$JVM/bin"
cp "$JRE/release" "$JVM/release" 2>/dev/null || true
{
  echo '#!/bin/sh'
  printf 'exec'
  for word in "${RUN[@]}"; do printf ' %q' "$word"; done
  [ ${#RUN[@]} -gt 0 ] && [ -n "$LIBS" ] && printf ' -E LD_LIBRARY_PATH=%q' "$LIBS"
  printf ' %q "$@"\n' "$JRE/bin/java"
} > "$JVM/bin/java"
chmod +x "$JVM/bin/java"
"$JVM/bin/java" -version 2>&1 | head -1

echo "arm64-native-tests.sh: building target/cnn4j.jar with the linux-arm64 natives"
(cd "$ROOT" && "${MVN[@]}" -q package -DskipTests -pl :cnn4j-cli -am)
GLUE="$ROOT/target/classes/io/cnn4j/jni/linux-arm64/libjnicnn4j.so"
# Undefined helpers of libgcc.a (outline atomics) would only fail when first called, in the middle of a run.
if command -v aarch64-linux-gnu-nm >/dev/null && aarch64-linux-gnu-nm -D --undefined-only "$GLUE" | grep -q ' __aarch64_'; then
  die "$GLUE calls libgcc.a helpers it does not carry (build the core with -mno-outline-atomics, as cppbuild.sh does)"
fi
echo "arm64-native-tests.sh: the README command on arm64"
result=$(cd "$ROOT" && "$JVM/bin/java" -jar target/cnn4j.jar run models/lenet5-mnist.json models/samples/digit-7-19.png)
echo "$result"
echo "$result" | grep -q '99.70%  7' || die "the LeNet-5 run on arm64 did not print 99.70% for the 7"

# The Java tests that need no libtorch (the conformance tests' oracle has no linux-arm64 build here): ISA
# selection, the kernels through Java, models, ONNX, weights, the CLI.
ARM64_TESTS=${ARM64_TESTS:-IsaTest,TensorTest,NativeMemoryTest,StridedIm2colIsaConformanceTest,GemmTilingConformanceTest,WinogradConformanceTest,WinogradArgumentsTest,ConvArgumentsTest,ConvAlgorithmChoiceTest,EpilogueFusionTest,ExpandDepthwiseFusionTest,UpsampleLayerTest,ActivationLayersV2Test,ModelGraphTest,ModelInputShapesTest,ModelPrepareTest,ModelConcurrencyTest,ModelLimitsTest,HostileModelFilesTest,ModelJsonMutationTest,OnnxModelRunTest,OnnxGeluFusionTest,OnnxPoolAndTransposeTest,OnnxCorruptionTest,OnnxMalformedGraphTest,OnnxLimitsTest,OpConvertersTest,SafetensorsReaderTest,HostileImagesTest,FileKindTest,CliTest,CliMultiIoTest,CliImagesTest,SeedExamplesTest}
echo "arm64-native-tests.sh: Java tests on arm64: $ARM64_TESTS"
rm -rf "$ROOT/target/surefire-reports" "$ROOT/cli/target/surefire-reports"
# test-compile first: the -DskipTests build above compiles no tests.
(cd "$ROOT" && "${MVN[@]}" -pl :cnn4j,:cnn4j-cli test-compile surefire:test@default-test "-Djvm=$JVM/bin/java" \
  "-Dtest=$ARM64_TESTS" -Dsurefire.failIfNoSpecifiedTests=false)
echo "arm64-native-tests.sh: the tests ran on $(grep -h -o 'name="os.arch" value="[^"]*"' \
  "$ROOT"/target/surefire-reports/TEST-*.xml "$ROOT"/cli/target/surefire-reports/TEST-*.xml | sort -u | tr '\n' ' ')"
