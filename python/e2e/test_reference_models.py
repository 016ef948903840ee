"""End to end: real PyTorch modules -> cnn4j by both roads -> same numbers as PyTorch.

Road 1: the cnn4j exporter (torch.fx) writes model JSON + safetensors. Road 2: torch.onnx.export writes .onnx,
which cnn4j loads directly (ONNX Runtime must agree too), by both of torch's exporters: the TorchScript one
(`dynamo=False`, road "onnx") and the dynamo one (`dynamo=True`, road "dynamo", which writes opset 18+ forms:
LayerNormalization, Split with a split input, Resize with sizes, Softplus(beta) as Where, MaxUnpool as ScatterND). cnn4j runs through its command line (the shaded jar,
built by `mvn package`), on random inputs with batch 1 and 3. Tolerance: 1e-4 relative to the output's scale.

The anchor is PyTorch in float64 (a double copy of the module on the double input), which is right on any CPU;
PyTorch's and ONNX Runtime's float32 results are second opinions: a disagreement with the anchor is printed and
warned about, never failed on (float32 kernels differ between CPUs, and some are wrong on some).
"""
import copy
import os
import pathlib
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from cnn4j_export import export  # noqa: E402
from reference_models import REFERENCE_MODELS, build  # noqa: E402

JAR = ROOT / "target" / "cnn4j.jar"
RTOL = 1e-4


def run_cnn4j(model_path, x, tmp_path, tag):
    x_path = tmp_path / f"{tag}-x.npy"
    y_path = tmp_path / f"{tag}-y.npy"
    np.save(x_path, x)
    result = subprocess.run(
        ["java", "-jar", str(JAR), "run", str(model_path), "--input", str(x_path), "--output", str(y_path)],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"cnn4j failed on {model_path}:\n{result.stdout}\n{result.stderr}"
    return np.load(y_path)


def mismatch(expected, actual, what):
    """None when actual is within RTOL of expected's scale, else why not."""
    if expected.shape != actual.shape:
        return f"{what}: shape {actual.shape} != {expected.shape}"
    scale = max(float(np.abs(expected).max()), 1e-6)
    err = float(np.abs(expected - actual).max())
    return None if err <= RTOL * scale else f"{what}: max error {err:.3g} exceeds {RTOL} x scale {scale:.3g}"


def assert_close(expected, actual, what):
    problem = mismatch(expected, actual, what)
    assert problem is None, problem


def second_opinion(expected, actual, what):
    """A float32 result against the float64 anchor: a disagreement is reported, not failed on."""
    problem = mismatch(expected, actual, what)
    if problem is not None:
        line = f"second opinion disagrees with PyTorch float64: {problem}"
        print(line)
        warnings.warn(line)


@pytest.fixture(scope="module", autouse=True)
def jar_exists():
    if not JAR.exists():
        pytest.fail(f"{JAR} is missing: run `mvn package` first (mvn verify does it)")


# Models whose ONNX export differs at other opsets: below 17 torch writes LayerNorm as ReduceMean / Sub / Pow / Sqrt /
# Div arithmetic, below 18 GroupNorm as Reshape / InstanceNormalization / Reshape; cnn4j fuses both back.
OLDER_OPSETS = [("norm_net", 13), ("convnext_tiny", 13)]


@pytest.mark.parametrize("name", list(REFERENCE_MODELS))
@pytest.mark.parametrize("road", ["exporter", "onnx", "dynamo"])
def test_reference_model(name, road, tmp_path):
    check_model(name, road, 17, tmp_path)


def export_onnx(module, example, path, road, opset=17):
    """torch.onnx.export with a free batch dim: road "onnx" by the TorchScript exporter at `opset`, road "dynamo" by
    the dynamo exporter at its own default opset (what a user calling torch.onnx.export(dynamo=True) gets)."""
    if road == "dynamo":
        torch.onnx.export(module, (example,), str(path), input_names=["input"], output_names=["output"],
                          dynamic_shapes=({0: torch.export.Dim("batch")},), dynamo=True, verbose=False)
    else:
        torch.onnx.export(module, (example,), str(path), input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=opset,
                          dynamo=False)


@pytest.mark.parametrize("name,opset", OLDER_OPSETS)
def test_reference_model_at_older_opset(name, opset, tmp_path):
    check_model(name, "onnx", opset, tmp_path)


def check_model(name, road, opset, tmp_path):
    torch.manual_seed(123)
    module = build(name)
    _, input_shape = REFERENCE_MODELS[name]
    example = torch.randn(1, *input_shape)
    if road == "exporter":
        model_path = tmp_path / f"{name}.json"
        export(module, example, str(model_path))
    else:
        model_path = tmp_path / f"{name}.onnx"
        export_onnx(module, example, model_path, road, opset)
    for batch in (1, 3):
        x = torch.randn(batch, *input_shape)
        with torch.no_grad():
            expected = copy.deepcopy(module).double()(x.double()).numpy()
            float32 = module(x).numpy()
        actual = run_cnn4j(model_path, x.numpy(), tmp_path, f"b{batch}")
        assert_close(expected, actual, f"{name} via {road}, batch {batch}")
        second_opinion(expected, float32, f"{name}: PyTorch float32, batch {batch}")
        if road != "exporter":
            import onnxruntime
            session = onnxruntime.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
            try:
                ort = session.run(None, {"input": x.numpy()})[0]
            except Exception as e:  # noqa: BLE001 - onnxruntime raises its own pybind types
                # torch writes padding='same' with dilation as auto_pad=SAME_UPPER, which onnxruntime's Conv refuses;
                # cnn4j was checked against PyTorch above, so only the third opinion is missing.
                if "Dilation not supported for AutoPadType::SAME_UPPER" not in str(e):
                    raise
                warnings.warn(f"{name}: onnxruntime cannot run its own file ({e}); cnn4j checked against PyTorch only")
                continue
            second_opinion(expected, ort, f"{name}: onnxruntime, batch {batch}")
