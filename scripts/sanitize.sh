#!/usr/bin/env bash
# Builds cnn4j's native core and JNI glue with AddressSanitizer and UndefinedBehaviorSanitizer and runs the
# native-facing Java tests against them, in a copy of the tree under target/sanitize (the normal build is untouched).
#   usage: scripts/sanitize.sh [TEST_PATTERN]     (default: the tests below; e.g. 'ConvConformanceTest')
# The JVM itself is not instrumented, so libasan (first) and libstdc++ are preloaded into it, and ASan leaves
# SIGSEGV to the JVM (handle_segv=0), which uses it on purpose. Leak checking is off: the JVM frees little at exit.
# Any ASan or UBSan report aborts the test JVM, so the Maven run fails.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK="$ROOT/target/sanitize"
TESTS=${1:-'*ConformanceTest,*ArgumentsTest,TensorTest,ModelGraphTest,ModelFilesTest,ModelConcurrencyTest,ModelLimitsTest,ModelJsonMutationTest,ArenaBudgetTest,HostileModelFilesTest,LeNetMnistTest,OnnxModelRunTest,ConvConcurrencyTest,CliTest,EpilogueFusionTest,ExpandDepthwiseFusionTest,NativeMemoryTest,ModelPrepareTest,SafetensorsFileTest'}

CC_LIB_DIR=$(dirname "$(g++ -print-file-name=libasan.so)")
LIBASAN=$(g++ -print-file-name=libasan.so)
LIBSTDCXX=$(g++ -print-file-name=libstdc++.so)
if [ ! -e "$LIBASAN" ] || [ "$LIBASAN" = libasan.so ]; then
  echo "sanitize.sh: g++ has no libasan.so (on Debian: apt-get install libasan8)" >&2
  exit 1
fi

# A copy of the sources: the sanitized objects and JNI library must not mix with the normal build's.
rm -rf "$WORK"
mkdir -p "$WORK"
(cd "$ROOT" && tar cf - --exclude=./target --exclude='./*/target' --exclude=./cppbuild --exclude=./.git \
  --exclude=./.venv --exclude=./benchmarks --exclude=./data .) | (cd "$WORK" && tar xf -)

FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -g"
echo "sanitize.sh: building the native core and JNI glue with $FLAGS and running $TESTS under ASan + UBSan"
cd "$WORK"
# allocator_may_return_null: an allocation too large to make returns null, as without ASan (the tests that ask for
# 64 TiB expect cnn4j's OutOfMemoryError, not an ASan abort).
export ASAN_OPTIONS="handle_segv=0:detect_leaks=0:allow_user_segv_handler=1:abort_on_error=1:use_sigaltstack=0:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# One reactor run of the library and the command line (CliTest), the modules whose tests call the natives: it builds
# them sanitized, and the profile "sanitize" (cnn4j.sanitize.preload) preloads the runtime into the test JVMs only.
# The command line's tests thus use this build's sanitized library, never a jar installed in ~/.m2.
CNN4J_EXTRA_CXXFLAGS="$FLAGS -O1" mvn -B -o -pl :cnn4j,:cnn4j-cli test \
  -Djavacpp.compilerOptions=-fsanitize=address,-fsanitize=undefined,-fno-omit-frame-pointer,-g \
  "-Dcnn4j.sanitize.preload=$LIBASAN $LIBSTDCXX" -Dtest="$TESTS" \
  -Dsurefire.failIfNoSpecifiedTests=false -DtrimStackTrace=false
echo "sanitize.sh: no ASan or UBSan report in $TESTS (libraries in $CC_LIB_DIR)"
