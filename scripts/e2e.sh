#!/usr/bin/env bash
# End-to-end tests with real PyTorch, run by `mvn verify` after the jar is built:
#   python/tests  the exporter (every exported network rebuilt from its files matches PyTorch)
#   python/e2e    reference architectures through cnn4j by both roads (exporter, ONNX by both torch exporters);
#                 the shipped LeNet-5 on all 2,000 held-out MNIST digits
# Python packages go to a venv (.venv, or $CNN4J_VENV). If PyTorch cannot be installed, the tests are skipped
# with a loud notice and the script succeeds: the Java suite still ran against libtorch.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${CNN4J_VENV:-$ROOT/.venv}
PY="$VENV/bin/python"

skip() {
  echo "################################################################################"
  echo "#  SKIPPING the Python end-to-end tests: $1"
  echo "#  (the exporter and reference-architecture checks did NOT run)"
  echo "################################################################################"
  exit 0
}

if ! "$PY" -c 'import torch, onnx, onnxruntime, onnxscript, pytest, numpy' 2>/dev/null; then
  echo "e2e: setting up $VENV with python/requirements.txt (torch CPU, onnx, onnxruntime, onnxscript, pytest)"
  python3 -m venv "$VENV" || skip "python3 -m venv failed"
  # --retries 1: where only a local mirror answers, each package would otherwise wait out five retries of PyPI.
  "$VENV/bin/pip" install -q --retries 1 -r "$ROOT/python/requirements.txt" || skip "pip could not install python/requirements.txt"
fi
[ -f "$ROOT/target/cnn4j.jar" ] || { echo "e2e: $ROOT/target/cnn4j.jar is missing; run mvn package first" >&2; exit 1; }

cd "$ROOT"
"$PY" -m pytest -q -p no:cacheprovider python/e2e python/tests  # e2e first: it fetches the MNIST digits
