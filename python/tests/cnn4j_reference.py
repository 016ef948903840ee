"""A reader of cnn4j model files in plain PyTorch, written from the format description alone.

It rebuilds the network from the JSON (constructing each layer as the torch.nn class named by `type`, with the
arguments as keyword arguments, so a misspelt argument fails) and the weights (read with the safetensors library,
not with the exporter's writer). If its outputs match the original module's, the files carry everything the model
computes. It also checks the structural rules of the format: known keys and types, ids unique, inputs earlier.
"""
import inspect
import json
from pathlib import Path

import torch
import torch.nn as nn
from safetensors.torch import load_file

TOP_LEVEL_KEYS = {"cnn4j", "name", "weights", "inputs", "outputs", "preprocess", "labels", "layers"}
REQUIRED_TOP_LEVEL_KEYS = {"cnn4j", "inputs", "layers"}
LAYER_KEYS = {"type", "name", "id", "inputs"}
PREPROCESS_KEYS = {"resize", "color", "scale", "mean", "std"}

MODULE_TYPES = {
    "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
    "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "LPPool1d", "LPPool2d", "LPPool3d",
    "Flatten", "Unflatten", "Identity", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d",
    "Linear", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d",
    "GroupNorm", "LayerNorm",
    *(f"{kind}Pad{d}d" for kind in ("Constant", "Zero", "Reflection", "Replication", "Circular") for d in (1, 2, 3)),
    "ReLU", "ReLU6", "LeakyReLU", "ELU", "GELU", "SiLU", "Sigmoid", "Tanh", "Hardswish", "Hardsigmoid",
    "Softmax", "LogSoftmax", "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle", "PReLU", "Softplus", "Mish", "SELU", "CELU", "Hardtanh", "Softsign", "LogSigmoid",
}
# The element-wise types of version 2: torch functions of operands `input` and `other`, each the next layer input or
# a number argument; Add of tensors only may take more than two inputs, summed left to right.
BINARY_TYPES = {"Add": torch.add, "Sub": torch.sub, "Mul": torch.mul, "Div": torch.div, "Maximum": torch.maximum,
                "Minimum": torch.minimum, "Pow": torch.pow, "Fmod": torch.fmod, "Remainder": torch.remainder,
                # comparisons: their torch.bool result as float32 1 / 0, as cnn4j computes it
                **{t: (lambda f: lambda a, b: f(a, b).float())(f) for t, f in (
                    ("Gt", torch.gt), ("Ge", torch.ge), ("Lt", torch.lt), ("Le", torch.le), ("Eq", torch.eq))}}
UNARY_TYPES = {"Neg": torch.neg, "Abs": torch.abs, "Sqrt": torch.sqrt, "Exp": torch.exp, "Log": torch.log,
               "Floor": torch.floor, "Ceil": torch.ceil, "Round": torch.round, "Sign": torch.sign, "Erf": torch.erf}
# MaxPoolIndicesNd: the indices MaxPoolNd(return_indices=True) returns, as float32 (plane: PyTorch's count within each
# (n, c) plane; tensor: ONNX's, across the whole tensor).
_MAX_POOL_ARGUMENTS = {"kernel_size", "stride", "padding", "dilation", "ceil_mode"}
GRAPH_TYPES = {"Concat": {"dim"}, "Permute": {"dims"}, "Slice": {"dim", "start", "end", "step"}, "Expand": {"size"},
               **{f"MaxPoolIndices{d}d": _MAX_POOL_ARGUMENTS | {"indices"} for d in (1, 2, 3)},
               "Where": {"input", "other"}, **{t: {"input", "other"} for t in BINARY_TYPES},
               **{t: set() for t in UNARY_TYPES}}


def check_schema(model):
    """Asserts the structural rules of the format; returns [(id, input ids)] per layer with defaults applied."""
    assert set(model) <= TOP_LEVEL_KEYS, set(model) - TOP_LEVEL_KEYS
    assert REQUIRED_TOP_LEVEL_KEYS <= set(model)
    assert model["cnn4j"] in (1, 2)
    assert model["inputs"] and all(set(i) == {"name", "shape"} and i["shape"][0] == -1 for i in model["inputs"])
    assert set(model.get("preprocess", {})) <= PREPROCESS_KEYS
    assert all(isinstance(label, str) for label in model.get("labels", []))
    known = [i["name"] for i in model["inputs"]]
    wiring = []
    previous = known[0]
    for index, layer in enumerate(model["layers"]):
        type_ = layer["type"]
        if type_ in GRAPH_TYPES:
            arguments = GRAPH_TYPES[type_]
        else:
            assert type_ in MODULE_TYPES, f"layer {index}: unknown type {type_}"
            arguments = set(inspect.signature(getattr(nn, type_)).parameters) - {"device", "dtype"}
        extra = set(layer) - LAYER_KEYS - arguments
        assert not extra, f"layer {index} ({type_}): unknown keys {extra}"
        layer_id = layer.get("id", layer.get("name", str(index)))
        inputs = layer.get("inputs", [previous])
        assert all(i in known for i in inputs), f"layer {index}: inputs {inputs} not among earlier ids"
        assert layer_id not in known, f"layer {index}: id {layer_id} is not unique"
        known.append(layer_id)
        wiring.append((layer_id, inputs))
        previous = layer_id
    assert all(o in known for o in model.get("outputs", []))
    return wiring


class Interpreter(nn.Module):
    """The model a cnn4j JSON describes, as a torch module; forward returns a tuple of the outputs."""

    def __init__(self, json_path):
        super().__init__()
        json_path = Path(json_path)
        self.model = json.loads(json_path.read_text(encoding="utf-8"))
        self.wiring = check_schema(self.model)
        weights = load_file(json_path.parent / self.model["weights"]) if "weights" in self.model else {}
        self.used_weights = set()
        self.weights = {}
        self.layers = nn.ModuleList(self._build(layer, weights) for layer in self.model["layers"])
        self.input_names = [i["name"] for i in self.model["inputs"]]
        self.outputs = self.model.get("outputs", [self.wiring[-1][0]])
        assert self.used_weights == set(weights), f"unused weights: {set(weights) - self.used_weights}"
        self.eval()

    def _build(self, layer, weights):
        type_ = layer["type"]
        args = {k: tuple(v) if isinstance(v, list) else v for k, v in layer.items() if k not in LAYER_KEYS}
        if type_ in GRAPH_TYPES:
            for operand in ("input", "other"):
                if isinstance(layer.get(operand), str):  # a parameter operand
                    self.weights[f"{layer['name']}.{layer[operand]}"] = weights[f"{layer['name']}.{layer[operand]}"]
                    self.used_weights.add(f"{layer['name']}.{layer[operand]}")
            return nn.Identity()  # placeholder: Add and Concat are done in forward
        module = getattr(nn, type_)(**args)
        expected = {k: v for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}
        if expected:
            name = layer["name"]
            state = {}
            for key, tensor in expected.items():
                stored = weights[f"{name}.{key}"]
                assert stored.shape == tensor.shape, (name, key, stored.shape, tensor.shape)
                state[key] = stored
                self.used_weights.add(f"{name}.{key}")
            module.load_state_dict(state, strict=False)
        return module

    def forward(self, *inputs):
        values = dict(zip(self.input_names, inputs))
        for layer, module, (layer_id, input_ids) in zip(self.model["layers"], self.layers, self.wiring):
            arguments = [values[i] for i in input_ids]
            if layer["type"] in BINARY_TYPES:
                values[layer_id] = _binary(layer, arguments, self.weights)
            elif layer["type"] == "Where":  # torch.where(condition, input, other), the condition first
                condition, *rest = arguments
                values[layer_id] = torch.where(condition != 0, *_operands(layer, rest, self.weights))
            elif layer["type"] in UNARY_TYPES:
                (argument,) = arguments
                values[layer_id] = UNARY_TYPES[layer["type"]](argument)
            elif layer["type"] == "Slice":
                (argument,) = arguments
                where = (slice(None),) * (layer["dim"] % argument.dim())
                values[layer_id] = argument[where + (slice(layer.get("start"), layer.get("end"), layer.get("step")),)]
            elif layer["type"] == "Expand":
                (argument,) = arguments
                values[layer_id] = argument.expand(*layer["size"])
            elif layer["type"] == "Permute":
                (argument,) = arguments
                values[layer_id] = argument.permute(*layer["dims"])
            elif layer["type"].startswith("MaxPoolIndices"):
                (argument,) = arguments
                values[layer_id] = _max_pool_indices(layer, argument)
            elif layer["type"] == "Concat":
                values[layer_id] = torch.cat(arguments, dim=layer.get("dim", 1))
            else:
                (argument,) = arguments
                values[layer_id] = module(argument)
        return tuple(values[o] for o in self.outputs)


def _max_pool_indices(layer, x):
    dims = int(layer["type"][-2])
    args = {k: tuple(v) if isinstance(v, list) else v for k, v in layer.items() if k in _MAX_POOL_ARGUMENTS}
    indices = getattr(torch.nn.functional, f"max_pool{dims}d")(x, return_indices=True, **args)[1]
    if layer.get("indices", "plane") == "tensor":
        plane = x[0, 0].numel()
        indices = indices + (torch.arange(x.shape[0] * x.shape[1]) * plane).view(x.shape[:2] + (1,) * dims)
    return indices.float()


def _binary(layer, arguments, weights):
    """input op other (op the torch function of the type), a number operand as a 0-d float32 tensor, a string one
    as the parameter <name>.<string>."""
    function, arguments = BINARY_TYPES[layer["type"]], list(arguments)
    result = function(*_operands(layer, arguments, weights))
    for rest in arguments:  # Add of more than two inputs
        result = function(result, rest)
    return result


def _operands(layer, arguments, weights):
    """[input, other]: each the layer's number or parameter argument of that name, else the next of `arguments`
    (taken from the list)."""
    def constant(value):
        return weights[f"{layer['name']}.{value}"] if isinstance(value, str) else torch.tensor(float(value))
    return [constant(layer[name]) if name in layer else arguments.pop(0) for name in ("input", "other")]
