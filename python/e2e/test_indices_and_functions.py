"""End to end: models with several outputs that the simpler tests do not reach.

1. A net returning MaxPool2d(return_indices=True)'s values and indices and a tensor computed from the indices, by
   all three roads (the cnn4j exporter, torch.onnx.export's TorchScript and dynamo exporters). cnn4j carries the
   indices as float32 integers (PyTorch's and ONNX's are int64); they must equal PyTorch's exactly, the values within
   1e-4 of PyTorch float64. Both torch exporters write the per-plane indices as ONNX's whole-tensor indices minus
   those of a kernel-1 MaxPool's first element of each plane (Slice, Sub).
2. An SE gate broadcast with expand_as / expand (ONNX Expand on computed tensors), and the rounding, sign, erf and
   remainder functions (Floor, Ceil, Round, Sign, Erf, Mod), by all three roads.
3. ONNX models with model-local functions (FunctionProto), which cnn4j inlines: one written with onnx.helper
   (nested calls, attribute references bound by the call or by the function's default) and, where torch still
   offers it, torch.onnx.export(export_modules_as_functions=True), whose functions take LeakyReLU's slope as an
   attribute reference. cnn4j must agree with PyTorch float64 and with onnxruntime (which binds a function's
   attribute defaults as ONNX specifies; onnx 1.23's onnx.inliner drops them, so it is no oracle here), batch 1
   and 3.
"""
import copy
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from cnn4j_export import export  # noqa: E402
from test_reference_models import JAR, assert_close, export_onnx, second_opinion  # noqa: E402

INPUT = (3, 11, 13)


def run_cnn4j_all(model_path, x, tmp_path, tag):
    """Every output of the model, by id, from cnn4j's command line (--output-dir)."""
    x_path = tmp_path / f"{tag}-x.npy"
    out_dir = tmp_path / f"{tag}-out"
    np.save(x_path, x)
    result = subprocess.run(["java", "-jar", str(JAR), "run", str(model_path), "--input", str(x_path),
                             "--output-dir", str(out_dir)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"cnn4j failed on {model_path}:\n{result.stdout}\n{result.stderr}"
    return out_dir


class PoolWithIndices(nn.Module):
    """conv -> MaxPool2d(return_indices=True) -> (values, indices, a head reading both)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True, return_indices=True)

    def forward(self, x):
        values, indices = self.pool(torch.relu(self.conv(x)))
        return values, indices, values * 2 + indices * 0.5


@pytest.mark.parametrize("road", ["exporter", "onnx", "dynamo"])
def test_max_pool_indices_as_outputs(road, tmp_path):
    torch.manual_seed(7)
    module = PoolWithIndices().eval()
    example = torch.randn(1, *INPUT)
    names = ["values", "indices", "mixed"]
    if road == "exporter":
        path = tmp_path / "pool.json"
        export(module, example, str(path), output_names=names)
    else:
        path = tmp_path / "pool.onnx"
        export_indices_onnx(module, example, path, road, names)
    for batch in (1, 3):
        x = torch.randn(batch, *INPUT)
        x[0, :, :4, :4] = 0.25  # flat windows: ties, where the first maximum must win
        with torch.no_grad():
            expected = [t.numpy() for t in copy.deepcopy(module).double()(x.double())]
            float32 = [t.numpy() for t in module(x)]
        out = run_cnn4j_all(path, x.numpy(), tmp_path, f"{road}-b{batch}")
        got = {name: np.load(out / f"{name}.npy") for name in names}
        assert got["indices"].dtype == np.float32
        np.testing.assert_array_equal(got["indices"], float32[1].astype(np.float32),
                                      err_msg=f"indices via {road}, batch {batch}")
        assert_close(expected[0], got["values"], f"values via {road}, batch {batch}")
        assert_close(expected[2], got["mixed"], f"mixed via {road}, batch {batch}")
        if road != "exporter":
            import onnxruntime
            session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            ort = dict(zip(names, session.run(names, {"input": x.numpy()})))
            np.testing.assert_array_equal(got["indices"], ort["indices"].astype(np.float32))
            second_opinion(expected[2], ort["mixed"], f"mixed: onnxruntime, batch {batch}")


class ExpandGate(nn.Module):
    """A squeeze-and-excitation gate broadcast by expand_as / expand, then the rounding family on a smooth input
    (rounding is exact only where no value sits at a step: the steps are taken of a tanh scaled away from them)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.fc = nn.Conv2d(4, 4, 1)

    def forward(self, x):
        y = torch.relu(self.conv(x))
        gate = torch.sigmoid(self.fc(y.mean((2, 3), keepdim=True)))
        y = y * gate.expand_as(y) + gate.expand(-1, -1, y.size(2), y.size(3))
        z = torch.tanh(y) * 3.2
        steps = torch.floor(z) + torch.ceil(z) * 0.5 + torch.sign(z - 1) + torch.erf(y) - torch.round(z)
        return steps + torch.fmod(y, 0.7) + torch.remainder(y - 1, 0.9)


@pytest.mark.parametrize("road", ["exporter", "onnx", "dynamo"])
def test_expand_gate_and_rounding(road, tmp_path):
    torch.manual_seed(11)
    module = ExpandGate().eval()
    example = torch.randn(1, *INPUT)
    if road == "exporter":
        path = tmp_path / "gate.json"
        export(module, example, str(path), output_names=["output"])
    else:
        path = tmp_path / "gate.onnx"
        export_onnx(module, example, path, road)
    for batch in (1, 3):
        x = torch.randn(batch, *INPUT)
        with torch.no_grad():
            expected = copy.deepcopy(module).double()(x.double()).numpy()
        got = np.load(run_cnn4j_all(path, x.numpy(), tmp_path, f"{road}-b{batch}") / "output.npy")
        assert_close(expected, got, f"expand gate via {road}, batch {batch}")


def export_indices_onnx(module, example, path, road, names):
    if road == "dynamo":
        torch.onnx.export(module, (example,), str(path), input_names=["input"], output_names=names,
                          dynamic_shapes=({0: torch.export.Dim("batch")},), dynamo=True, verbose=False)
    else:
        torch.onnx.export(module, (example,), str(path), input_names=["input"], output_names=names,
                          dynamic_axes={"input": {0: "batch"}, **{n: {0: "batch"} for n in names}}, opset_version=17,
                          dynamo=False)


def function_model():
    """A graph of two calls of local.Stage, which calls local.ConvAct twice; ConvAct's LeakyRelu slope is an
    attribute reference (bound by Stage's call, or Stage's own default)."""
    import onnx
    from onnx import AttributeProto, TensorProto, helper, numpy_helper
    rng = np.random.default_rng(3)

    def leaky_ref(out_slope_ref):
        node = helper.make_node("LeakyRelu", ["c"], ["Y"])
        ref = AttributeProto()
        ref.name, ref.ref_attr_name, ref.type = "alpha", out_slope_ref, AttributeProto.FLOAT
        node.attribute.append(ref)
        return node

    conv_act = helper.make_function(
        "local", "ConvAct", ["X", "W", "B"], ["Y"],
        [helper.make_node("Conv", ["X", "W", "B"], ["c"], pads=[1, 1, 1, 1]), leaky_ref("slope")],
        opset_imports=[helper.make_opsetid("", 17)], attributes=["slope"])
    call_a = helper.make_node("ConvAct", ["X", "W1", "B1"], ["h"], domain="local")
    call_b = helper.make_node("ConvAct", ["h", "W2", "B2"], ["c"], domain="local")
    ref = AttributeProto()
    ref.name, ref.ref_attr_name, ref.type = "slope", "slope", AttributeProto.FLOAT
    call_a.attribute.append(ref)
    call_b.attribute.append(helper.make_attribute("slope", 0.3))
    stage = helper.make_function(
        "local", "Stage", ["X", "W1", "B1", "W2", "B2"], ["Y"],
        [call_a, call_b, helper.make_node("Add", ["c", "X"], ["Y"])],
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("local", 1)], attributes=[])
    stage.attribute_proto.append(helper.make_attribute("slope", 0.05))  # the default

    inits, weights = [], {}
    for k in ("1", "2"):
        for j in ("1", "2"):
            weights[f"w{k}{j}"] = rng.standard_normal((3, 3, 3, 3)).astype(np.float32) * 0.3
            weights[f"b{k}{j}"] = rng.standard_normal(3).astype(np.float32) * 0.1
    inits = [numpy_helper.from_array(v, k) for k, v in weights.items()]
    first = helper.make_node("Stage", ["input", "w11", "b11", "w12", "b12"], ["s1"], domain="local")
    second = helper.make_node("Stage", ["s1", "w21", "b21", "w22", "b22"], ["s2"], domain="local")
    second.attribute.append(helper.make_attribute("slope", 0.2))
    head = helper.make_node("GlobalAveragePool", ["s2"], ["output"])
    graph = helper.make_graph([first, second, head], "functions",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 9, 7])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 3, 1, 1])], inits)
    model = helper.make_model(graph, functions=[conv_act, stage], ir_version=8,
                              opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("local", 1)])
    onnx.checker.check_model(model)
    return model, weights


def torch_reference(x, weights):
    """The function model in float64 torch: two stages, slopes (0.05 then 0.3) and (0.2 then 0.3)."""
    def conv_act(h, w, b, slope):
        return torch.nn.functional.leaky_relu(torch.nn.functional.conv2d(h, w, b, padding=1), slope)

    t = {k: torch.from_numpy(v).double() for k, v in weights.items()}
    h = torch.from_numpy(x).double()
    for stage, slope in (("1", 0.05), ("2", 0.2)):
        inner = conv_act(h, t[f"w{stage}1"], t[f"b{stage}1"], slope)
        h = conv_act(inner, t[f"w{stage}2"], t[f"b{stage}2"], 0.3) + h
    return h.mean(dim=(2, 3), keepdim=True).numpy()


def test_model_local_functions_are_inlined(tmp_path):
    import onnxruntime
    model, weights = function_model()
    path = tmp_path / "functions.onnx"
    path.write_bytes(model.SerializeToString())
    for batch in (1, 3):
        x = np.random.default_rng(batch).standard_normal((batch, 3, 9, 7)).astype(np.float32)
        expected = torch_reference(x, weights)
        got = np.load(run_cnn4j_all(path, x, tmp_path, f"f-b{batch}") / "output.npy")
        assert_close(expected, got, f"functions, batch {batch}")
        ort = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
        assert_close(ort.astype(np.float64), got, f"functions against onnxruntime, batch {batch}")


class Block(nn.Module):
    def __init__(self, slope):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)
        self.act = nn.LeakyReLU(slope)

    def forward(self, x):
        return self.act(self.conv(x)) + x


class Blocks(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 1)
        self.blocks = nn.Sequential(Block(0.1), Block(0.2))

    def forward(self, x):
        return self.blocks(self.stem(x))


def test_torchscript_modules_as_functions(tmp_path):
    """torch.onnx.export(export_modules_as_functions=True): each Block (and what torch makes a function of) becomes
    a FunctionProto called from the graph."""
    import onnx
    torch.manual_seed(5)
    module = Blocks().eval()
    path = tmp_path / "blocks.onnx"
    torch.onnx.export(module, (torch.randn(1, *INPUT),), str(path), input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=17, dynamo=False,
                      export_modules_as_functions={Block})
    assert onnx.load(str(path)).functions, "torch wrote no functions"
    for batch in (1, 3):
        x = torch.randn(batch, *INPUT)
        with torch.no_grad():
            expected = copy.deepcopy(module).double()(x.double()).numpy()
        (file,) = run_cnn4j_all(path, x.numpy(), tmp_path, f"t-b{batch}").iterdir()  # torch names it, not "output"
        got = np.load(file)
        assert_close(expected, got, f"modules as functions, batch {batch}")
