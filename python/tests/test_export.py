"""The exporter against real networks: the files follow the format, hold the weights byte for byte, and are
enough to rebuild the network (tests/cnn4j_reference.py) with the original's outputs."""
import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import models
from cnn4j_export import export
from cnn4j_export._safetensors import write_safetensors
from cnn4j_reference import Interpreter, check_schema

PYTHON_DIR = Path(__file__).resolve().parents[1]
MODELS = models.all_models()


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """name -> (module, example inputs, JSON path, returned dict)."""
    folder = tmp_path_factory.mktemp("models")
    result = {}
    for name, (module, example) in MODELS.items():
        path = folder / f"{name}.json"
        description = export(module, example, path)
        result[name] = (module, example if isinstance(example, tuple) else (example,), path, description)
    return result


def read_safetensors(path):
    """(header, data bytes), parsed by hand to check the layout itself."""
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + length]), raw[8 + length:], length


@pytest.mark.parametrize("name", MODELS)
def test_json_follows_the_format(exported, name):
    module, example, path, description = exported[name]
    model = json.loads(path.read_text())
    assert model == description
    check_schema(model)
    assert model["name"] == name
    assert [i["shape"] for i in model["inputs"]] == [[-1] + list(x.shape[1:]) for x in example]
    assert "outputs" in model
    for layer in model["layers"]:
        if "name" in layer:
            assert any(key.startswith(layer["name"] + ".") for key in module.state_dict()), layer


@pytest.mark.parametrize("name", MODELS)
def test_the_safetensors_package_and_the_hand_written_fallback_write_the_same_bytes(exported, name, tmp_path):
    module, _, path, model = exported[name]
    if "weights" not in model:
        return
    state = {key: value for key, value in module.state_dict().items() if not key.endswith("num_batches_tracked")}
    write_safetensors(tmp_path / "package.safetensors", state, {"k": "v"}, use_package=True)
    write_safetensors(tmp_path / "by_hand.safetensors", state, {"k": "v"}, use_package=False)
    assert (tmp_path / "package.safetensors").read_bytes() == (tmp_path / "by_hand.safetensors").read_bytes()


def test_export_without_the_safetensors_package_writes_the_same_file(exported, tmp_path, monkeypatch):
    module, example, path, _ = exported["lenet5"]
    monkeypatch.setitem(sys.modules, "safetensors.torch", None)  # import fails as if the package were missing
    export(module, example[0], tmp_path / "lenet5.json")
    assert (tmp_path / "lenet5.safetensors").read_bytes() == path.with_suffix(".safetensors").read_bytes()


@pytest.mark.parametrize("name", MODELS)
def test_weights_are_the_state_dict_byte_for_byte(exported, name):
    module, _, path, model = exported[name]
    header, data, length = read_safetensors(path.with_suffix(".safetensors"))
    assert model["weights"] == path.with_suffix(".safetensors").name
    assert length % 8 == 0
    names = [key for key in header if key != "__metadata__"]
    assert names == sorted(names)
    state = module.state_dict()
    used = {key for layer in model["layers"] if "name" in layer for key in state
            if key.startswith(layer["name"] + ".") and not key.endswith("num_batches_tracked")}
    assert set(names) == used
    offset = 0
    for key in names:
        entry = header[key]
        assert entry["dtype"] == "F32"
        assert entry["shape"] == list(state[key].shape)
        assert entry["data_offsets"] == [offset, offset + 4 * state[key].numel()]
        assert data[offset:entry["data_offsets"][1]] == state[key].detach().contiguous().numpy().tobytes()
        offset = entry["data_offsets"][1]
    assert offset == len(data)


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("batch", [1, 3])
def test_rebuilt_model_computes_what_the_original_computes(exported, name, batch):
    module, example, path, _ = exported[name]
    torch.manual_seed(batch)
    inputs = [torch.randn(batch, *x.shape[1:]) for x in example]
    if name == "shifted_sequential":  # Flatten(0) folds the batch: only the batch of the example fits
        inputs = [torch.randn(*x.shape) for x in example]
    module.eval()
    with torch.no_grad():
        expected = module(*inputs)
        actual = Interpreter(path)(*inputs)
    expected = expected if isinstance(expected, tuple) else (expected,)
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        torch.testing.assert_close(a, e, rtol=1e-5, atol=1e-5)


def test_export_leaves_training_mode_as_it_was(tmp_path):
    module, example = models.lenet5(), torch.randn(1, 1, 28, 28)
    module.train()
    export(module, example, tmp_path / "m.json")
    assert module.training


def test_ids_are_unique_where_names_and_indices_collide(exported):
    _, _, _, model = exported["shifted_sequential"]
    layers = model["layers"]
    assert layers[0]["type"] == "ReLU" and layers[0]["id"] != "0"
    assert layers[1]["name"] == "0" and "id" not in layers[1]


def test_module_called_twice_gets_two_layers_sharing_weights(exported):
    _, _, _, model = exported["resnet_tiny"]
    shared = [layer for layer in model["layers"] if layer.get("name") == "shared"]
    assert len(shared) == 2 and "id" not in shared[0] and shared[1]["id"] != "shared"


def test_functional_forms_map_to_layers(exported):
    types = [layer["type"] for layer in exported["functional_lenet"][3]["layers"]]
    assert types == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "AvgPool2d", "Flatten", "Linear", "ReLU",
                     "Linear", "SiLU", "Linear", "LogSoftmax"]
    inception = exported["inception_tiny"][3]["layers"]
    assert [layer["type"] for layer in inception].count("AdaptiveAvgPool2d") == 2
    assert {"type": "Concat", "dim": 1, "inputs": ["b1", "b3.2", "b5_1", "pool_2"]} in inception


def test_arguments_keep_pytorch_names_and_forms(exported):
    layers = {layer.get("name"): layer for layer in exported["net3d"][3]["layers"]}
    assert layers["features.0"]["padding"] == [1, 0, 1]
    assert layers["features.5"]["kernel_size"] == [2, 3, 2] and layers["features.5"]["groups"] == 2
    pool = next(layer for layer in exported["net3d"][3]["layers"] if layer["type"] == "AdaptiveAvgPool3d")
    assert pool["output_size"] == [2, None, 1]
    assert exported["resnet_tiny"][3]["layers"][19]["padding"] == "same"
    lenet = exported["lenet5"][3]["layers"]
    assert lenet[0] == {"type": "Conv2d", "name": "0", "in_channels": 1, "out_channels": 6, "kernel_size": 5,
                        "stride": 1, "padding": 2, "dilation": 1, "groups": 1, "bias": True,
                        "padding_mode": "zeros"}


def test_labels_preprocess_and_name(tmp_path):
    preprocess = {"resize": [28, 28], "color": "grayscale", "scale": 1 / 255, "mean": [0.5], "std": [0.25]}
    model = export(models.lenet5(), torch.zeros(1, 1, 28, 28), tmp_path / "out.json", name="digits",
                   labels=range(10), preprocess=preprocess)
    assert json.loads((tmp_path / "out.json").read_text()) == model
    assert model["name"] == "digits"
    assert model["labels"] == [str(d) for d in range(10)]
    assert model["preprocess"] == preprocess


def test_input_and_output_names(tmp_path):
    module, example = MODELS["zoo"]
    model = export(module, example, tmp_path / "zoo.json", input_names=["image", "mask"],
                   output_names=["probabilities", "log_probabilities", "features", "mask_out"])
    assert [i["name"] for i in model["inputs"]] == ["image", "mask"]
    assert model["outputs"] == ["probabilities", "log_probabilities", "features", "mask_out"]
    assert model["layers"][0].get("inputs", ["image"]) == ["image"]
    with torch.no_grad():
        for a, e in zip(Interpreter(tmp_path / "zoo.json")(*example), module.eval()(*example)):
            torch.testing.assert_close(a, e, rtol=1e-5, atol=1e-5)

    lenet = export(models.lenet5(), torch.zeros(1, 1, 28, 28), tmp_path / "l.json", output_names=["logits"])
    assert lenet["outputs"] == ["logits"] and lenet["layers"][-1]["id"] == "logits"
    for names, message in (({"input_names": ["a", "b"]}, "input_names must be 1 distinct"),
                           ({"output_names": ["input"]}, "are input names"),
                           ({"output_names": []}, "output_names must be 1 distinct")):
        with pytest.raises(ValueError, match=message):
            export(models.lenet5(), torch.zeros(1, 1, 28, 28), tmp_path / "l.json", **names)


def test_model_without_weights_has_no_weights_file(tmp_path):
    model = export(nn.Sequential(nn.ReLU(), nn.MaxPool2d(2)), torch.zeros(1, 1, 4, 4), tmp_path / "p.json")
    assert "weights" not in model and not (tmp_path / "p.safetensors").exists()


class Unsupported(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3, padding=1)
        self.shuffle = nn.ChannelShuffle(3)

    def forward(self, x):
        y = torch.roll(self.conv(x), 1, dims=2)
        y = y.cumsum(2) + x
        return self.shuffle(torch.relu(y)), F.conv2d(x, self.conv.weight)


def test_unsupported_nodes_are_all_listed_in_one_error(tmp_path):
    with pytest.raises(ValueError) as error:
        export(Unsupported(), torch.randn(1, 3, 8, 8), tmp_path / "u.json")
    message = str(error.value)
    assert "5 unsupported node(s)" in message
    for expected in ("roll (call_function torch.roll)", "cumsum (call_method Tensor.cumsum)",
                     "shuffle (call_module ChannelShuffle shuffle)", "conv_weight (get_attr conv.weight)"):
        assert expected in message
    assert "conv2d (call_function" in message
    assert not (tmp_path / "u.json").exists()


def test_unsupported_arguments_are_refused_with_the_reason(tmp_path):
    cases = [
        (lambda x: x.view(-1), "does not keep dim 0 as the batch"),
        (lambda x: x[0], "only constant slices"),
        (lambda x: x[1:], "slicing the batch dim"),
        (lambda x: x.chunk(2, dim=0)[1], "a chunk / split of the batch dim"),
        (lambda x: x.permute(1, 0, 2, 3), "move the batch dim"),
        (lambda x: x + float("inf"), "JSON has no infinities"),
        (lambda x: x.sub(x, alpha=0.5), "alpha=0.5 is not supported"),
        (lambda x: torch.div(x, 2, rounding_mode="floor"), "rounding_mode='floor' is not supported"),
        (lambda x: torch.add(x, x, alpha=2), "alpha=2 is not supported"),
        (lambda x: torch.round(x, decimals=2), "decimals=2 is not supported, only 0"),
        (lambda x: x[:, :1].expand(2, 3, 4, 4), "expand size 2 in dim 0 \\(the batch\\): give -1 or x.size\\(0\\)"),
        (lambda x: x.expand(1, -1, -1, -1, -1), "new leading dims would move the batch dim"),
        (lambda x: x.mean(), "a reduction over every dim would reduce the batch dim"),
        (lambda x: torch.sum(x, 0), "includes the batch dim 0"),
        (lambda x: torch.amax(x, (1, 2), keepdim=x.size(0) > 0), "keepdim="),
        (lambda x: x.squeeze(), "squeeze\\(\\) without dim would also drop a batch of size 1"),
        (lambda x: x.unsqueeze(0), "is the batch dim 0"),
        (lambda x: F.max_pool2d(x, 2, return_indices=True)[0], "max_pool2d_with_indices"),
        (lambda x: nn.functional.adaptive_max_pool2d(x, 2, True)[0], "adaptive_max_pool2d_with_indices"),
    ]
    for function, reason in cases:
        with pytest.raises(ValueError, match=reason):
            export(Lambda(function), torch.randn(2, 3, 4, 4), tmp_path / "u.json")


class Parameters(nn.Module):
    """Parameters for functional calls: a Linear, a LayerNorm, a GroupNorm, and a module with oddly named ones."""

    def __init__(self, function):
        super().__init__()
        self.function = function
        self.fc = nn.Linear(4, 4)
        self.ln = nn.LayerNorm(4)
        self.gn = nn.GroupNorm(3, 3)
        self.odd = nn.Module()
        self.odd.scale = nn.Parameter(torch.ones(4, 4))

    def forward(self, x):
        return self.function(self, x)


def test_functional_calls_with_parameters_are_refused_with_the_reason(tmp_path):
    cases = [
        (lambda m, x: F.linear(x, x[0, 0, :2]), "weight must be a module's own parameter"),
        (lambda m, x: F.linear(x, m.odd.scale), "is odd.scale, but the layer reads <module>.weight"),
        (lambda m, x: F.linear(x, m.fc.weight, m.ln.bias), r"the parameters belong to two modules \(fc, ln\)"),
        (lambda m, x: F.layer_norm(x, (4,), None, m.ln.bias), "a bias without a weight"),
        (lambda m, x: F.group_norm(x, 3, m.gn.weight), "weight and bias must be given together"),
        (lambda m, x: torch.where(x > 0, x, x[0, 0]), r"where of tensors of ranks \[2, 4\]"),
        (lambda m, x: torch.where(x > 0, x, float("nan")), "JSON has no infinities or NaN"),
    ]
    for function, reason in cases:
        with pytest.raises(ValueError, match=reason):
            export(Parameters(function), torch.randn(2, 3, 4, 4), tmp_path / "p.json")


class Product(nn.Module):
    def forward(self, x, y):
        return x * y


def test_operands_of_different_ranks_are_refused(tmp_path):
    with pytest.raises(ValueError, match="Mul of tensors of ranks 4 and 2"):
        export(Product(), (torch.randn(2, 3, 4, 4), torch.randn(4, 4)), tmp_path / "u.json")


class MatrixProduct(nn.Module):
    def forward(self, x, y):
        return torch.matmul(x, y)


def test_matmul_of_computed_tensors_of_different_ranks_is_refused(tmp_path):
    with pytest.raises(ValueError, match="matmul of computed tensors of ranks 3 and 2: both need the same rank"):
        export(MatrixProduct(), (torch.randn(2, 3, 4), torch.randn(4, 5)), tmp_path / "m.json")


class Lambda(nn.Module):
    def __init__(self, function):
        super().__init__()
        self.function = function

    def forward(self, x):
        return self.function(x)


class ReadAfterWrite(nn.Module):
    def forward(self, x):
        y = x.sigmoid()
        z = y.relu_()
        return z + y


def test_in_place_write_read_afterwards_is_refused(tmp_path):
    with pytest.raises(ValueError, match="relu_ .*writes into sigmoid in place, which add read"):
        export(ReadAfterWrite(), torch.randn(1, 4), tmp_path / "w.json")


def test_untraceable_module_is_refused(tmp_path):
    class DataDependent(nn.Module):
        def forward(self, x):
            return x if x.sum() > 0 else -x

    with pytest.raises(ValueError, match="torch.fx cannot trace it"):
        export(DataDependent(), torch.randn(1, 4), tmp_path / "d.json")


def test_command_line(tmp_path):
    labels = tmp_path / "labels.txt"
    labels.write_text("\n".join(str(d) for d in range(10)))
    out = tmp_path / "cli" / "lenet.json"
    run = subprocess.run(
        [sys.executable, "-m", "cnn4j_export", f"{Path(models.__file__)}:lenet5_module", str(out),
         "--input-shape", "1,1,28,28", "--labels", str(labels), "--preprocess", '{"scale": 0.5}',
         "--input-names", "image", "--output-names", "logits"],
        cwd=PYTHON_DIR, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "wrote" in run.stdout
    model = json.loads(out.read_text())
    assert model["labels"][9] == "9" and model["preprocess"] == {"scale": 0.5}
    assert model["inputs"][0]["name"] == "image" and model["outputs"] == ["logits"]
    assert out.with_suffix(".safetensors").exists()
    Interpreter(out)

    failed = subprocess.run([sys.executable, "-m", "cnn4j_export", f"{Path(__file__)}:Unsupported",
                             str(tmp_path / "u.json"), "--input-shape", "1,3,8,8"],
                            cwd=PYTHON_DIR, capture_output=True, text=True)
    assert failed.returncode != 0 and "torch.roll" in failed.stderr


def test_module_returning_indices_gives_them_as_float32_integers(tmp_path):
    class Indices(nn.Module):
        def __init__(self):
            super().__init__()
            self.pool = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True, return_indices=True)

        def forward(self, x):
            values, indices = self.pool(x)
            return values, indices, indices * 2 + values  # the indices as data, and computed with

    module = Indices().eval()
    model = export(module, torch.randn(1, 2, 7, 9), tmp_path / "i.json")
    assert [layer["type"] for layer in model["layers"]][:2] == ["MaxPool2d", "MaxPoolIndices2d"]
    assert model["layers"][1]["kernel_size"] == 3 and model["layers"][1]["ceil_mode"] is True
    rebuilt = Interpreter(tmp_path / "i.json")
    for batch in (1, 3):
        x = torch.randn(batch, 2, 7, 9)
        x[0, 0, :3, :3] = 1.0  # ties: the first maximum wins
        expected = module(x)
        for got, want in zip(rebuilt(x), expected):
            assert got.dtype == torch.float32
            torch.testing.assert_close(got, want.float(), rtol=0, atol=1e-5)


def test_adaptive_pool_returning_indices_is_refused(tmp_path):
    class AdaptiveIndices(nn.Module):
        def __init__(self):
            super().__init__()
            self.pool = nn.AdaptiveMaxPool2d(2, return_indices=True)

        def forward(self, x):
            return self.pool(x)[0]

    with pytest.raises(ValueError, match=r"pool \(call_module AdaptiveMaxPool2d pool\): return_indices=True"):
        export(AdaptiveIndices(), torch.randn(1, 1, 4, 4), tmp_path / "a.json")
