#!/usr/bin/env bash
# Fuzzes one cnn4j loader for as long as asked, with Jazzer (coverage-guided, libFuzzer's engine).
#   usage: scripts/fuzz.sh TARGET [DURATION]     e.g. scripts/fuzz.sh OnnxFuzzTest 4h   (DURATION: 90s, 30m, 4h)
# TARGET is a class of src/test/java/io/cnn4j/fuzz: ModelJsonFuzzTest, SafetensorsFuzzTest, PyTorchFuzzTest,
# OnnxFuzzTest, NpyFuzzTest or ImagesFuzzTest. It starts from the committed seeds
# (src/test/resources/io/cnn4j/fuzz/<TARGET>Inputs/<method>) and keeps what it learns in target/fuzz-corpus/<TARGET>,
# so a second run goes on where the first stopped. A finding (a crash, an undocumented exception, an input slower than
# FuzzHarness.MAX_SECONDS_PER_INPUT) stops the run and is written as crash-<hash> in the current folder: copy it into
# the seeds folder, and `mvn test` replays it as a regression test from then on.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${1:?usage: scripts/fuzz.sh TARGET [DURATION], TARGET one of $(cd "$ROOT/src/test/java/io/cnn4j/fuzz" && ls *FuzzTest.java | sed 's/.java//' | tr '\n' ' ')}
DURATION=${2:-1h}
case "$DURATION" in
  *h) SECONDS_TOTAL=$(( ${DURATION%h} * 3600 )) ;;
  *m) SECONDS_TOTAL=$(( ${DURATION%m} * 60 )) ;;
  *s) SECONDS_TOTAL=${DURATION%s} ;;
  *) SECONDS_TOTAL=$DURATION ;;
esac
SOURCE="$ROOT/src/test/java/io/cnn4j/fuzz/$TARGET.java"
if [ ! -f "$SOURCE" ]; then
  echo "scripts/fuzz.sh: no fuzz target $TARGET (expected $SOURCE)" >&2
  exit 2
fi
# The one @FuzzTest method of the class: the only method taking the fuzzer's byte[].
METHOD=$(grep -o 'void [a-zA-Z]*(byte\[\]' "$SOURCE" | head -1 | sed 's/void \([a-zA-Z]*\).*/\1/')
SEEDS="$ROOT/src/test/resources/io/cnn4j/fuzz/${TARGET}Inputs/$METHOD"
CORPUS="$ROOT/target/fuzz-corpus/$TARGET"
mkdir -p "$CORPUS"

cd "$ROOT"
mvn -B -q -DskipTests test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/fuzz.classpath
echo "scripts/fuzz.sh: fuzzing $TARGET.$METHOD for $SECONDS_TOTAL s (corpus $CORPUS, seeds $SEEDS)"
# -timeout is libFuzzer's own per-input limit, above the harness's: a true hang is caught even if the harness never
# returns. -rss_limit_mb covers the JVM's heap (-Xmx2g) and native memory.
exec java -Xmx2g -cp "target/test-classes:target/classes:$(cat target/fuzz.classpath)" \
  com.code_intelligence.jazzer.Jazzer --target_class="io.cnn4j.fuzz.$TARGET" --target_method="$METHOD" \
  --instrumentation_includes='io.cnn4j.**' \
  -max_total_time="$SECONDS_TOTAL" -timeout=30 -rss_limit_mb=6144 "$CORPUS" "$SEEDS"
