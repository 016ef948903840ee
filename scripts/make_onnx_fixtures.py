#!/usr/bin/env python3
"""Writes the ONNX import test fixtures into src/test/resources/onnx/.

For each fixture NAME: NAME.onnx, NAME.input.npy (a fixed float32 input, batch 2) and NAME.output.npy (what
onnxruntime computes for it). Two kinds:
  - real nn.Modules exported with torch.onnx.export (TorchScript exporter, dynamo=False) at several opsets, so the
    tests see what PyTorch users' files look like (scoped node names, Shape/Gather/Concat for x.view(x.size(0), -1),
    Identity-shared BatchNorm statistics, Clip with attributes before opset 11 and inputs after...);
  - hand-made graphs (onnx.helper) for what torch never writes: auto_pad, Gemm with transB=0/alpha/beta, typed
    data fields instead of raw_data, DOUBLE/FLOAT16/INT32 initializers, opset 7.

Run with the project's venv (python/requirements.txt: torch 2.13.0+cpu, onnx, onnxruntime, numpy):
    .venv/bin/python scripts/make_onnx_fixtures.py
"""
import os
import sys
import warnings

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
from onnx import TensorProto, helper, numpy_helper

warnings.filterwarnings("ignore")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "onnx")
ONLY = sys.argv[1:]


def wanted(name):
    return not ONLY or any(name.startswith(prefix) for prefix in ONLY)


def save_expected(name, x):
    """Runs NAME.onnx in onnxruntime on x and saves input and output as .npy."""
    path = os.path.join(OUT, name + ".onnx")
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    y = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    np.save(os.path.join(OUT, name + ".input.npy"), x.astype(np.float32))
    np.save(os.path.join(OUT, name + ".output.npy"), y.astype(np.float32))
    print(f"{name}: {os.path.getsize(path)} bytes, output {y.shape}")


def randomize(module, seed):
    """Non-trivial weights and BatchNorm statistics (fresh BN has mean 0, var 1, which hides mistakes)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.rand(m.num_features, generator=g) - 0.5)
                m.running_mean.copy_(torch.rand(m.num_features, generator=g) - 0.5)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
    return module.eval()


def export(name, module, shape, opset, dynamic=True, seed=0, scale=1.0, **kwargs):
    """Exports module for an input uniform in [-scale, scale)."""
    if not wanted(name):
        return
    module = randomize(module, seed)
    x = np.random.RandomState(seed).uniform(-scale, scale, size=shape).astype(np.float32)
    torch.onnx.export(module, (torch.from_numpy(x),), os.path.join(OUT, name + ".onnx"), opset_version=opset,
                      dynamo=False, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "N"}, "y": {0: "N"}} if dynamic else None, **kwargs)
    save_expected(name, x)


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 5)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(4, 8, 3)
        self.fc1 = nn.Linear(8 * 3 * 3, 16)
        self.fc2 = nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = x.view(x.size(0), -1)
        return torch.log_softmax(self.fc2(torch.relu(self.fc1(x))), 1)


class Residual(nn.Module):
    def __init__(self, squeeze=False):
        super().__init__()
        self.squeeze = squeeze
        self.stem = nn.Conv2d(3, 6, 3, stride=2, padding=1)
        self.conv1 = nn.Conv2d(6, 6, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(6)
        self.conv2 = nn.Conv2d(6, 6, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(6)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(6, 5)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        y = torch.relu(self.bn1(self.conv1(x)))
        y = torch.relu(self.bn2(self.conv2(y)) + x)
        y = self.pool(y)
        y = y.squeeze(-1).squeeze(-1) if self.squeeze else torch.flatten(y, 1)
        return self.fc(y)


class Activations(nn.Module):
    """Branches with every activation, concatenated; GELU only where the opset has a Gelu op."""

    def __init__(self, gelu):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        acts = [nn.ReLU6(), nn.Hardswish(), nn.SiLU(), nn.Hardsigmoid(), nn.LeakyReLU(0.2), nn.Tanh(), nn.Sigmoid()]
        if gelu:
            acts += [nn.GELU(), nn.GELU(approximate="tanh")]
        self.acts = nn.ModuleList(acts)
        self.head = nn.Conv2d(4 * len(acts), 2, 1)

    def forward(self, x):
        x = self.conv(x)
        x = torch.cat([a(x) for a in self.acts], 1)
        return torch.softmax(self.head(x), 1)


class Gelus(nn.Module):
    """GELU, GELU(approximate="tanh") and SiLU, which opsets before 20 spell as arithmetic around Erf, Tanh and
    Sigmoid (Div, Add, Mul; x^3 as Mul(x, Mul(x, x))), on conv outputs; the 1-d net ends in a GELU on a Linear
    output. No pooling: every output element goes through the activations, nothing averages errors away."""

    def __init__(self, dims, length=None):
        super().__init__()
        conv = nn.Conv1d if dims == 1 else nn.Conv2d
        self.conv1 = conv(3, 4, 3, padding=1)
        self.gelu = nn.GELU()
        self.conv2 = conv(4, 4, 3, padding=1)
        self.gelu_tanh = nn.GELU(approximate="tanh")
        self.conv3 = conv(4, 4, 1)
        self.silu = nn.SiLU()
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * length, 6), nn.GELU()) if length else nn.Identity()

    def forward(self, x):
        return self.head(self.silu(self.conv3(self.gelu_tanh(self.conv2(self.gelu(self.conv1(x)))))))


class Upsample(nn.Module):
    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1)
        self.up2 = nn.ConvTranspose2d(3, 4, (2, 3), stride=(1, 2), groups=1, dilation=(2, 1))
        self.grouped = nn.ConvTranspose2d(4, 6, 3, stride=2, groups=2, bias=False)

    def forward(self, x):
        return self.grouped(torch.relu(self.up2(torch.relu(self.up(x)))))


class Signal(nn.Module):
    """1-d: dilated grouped conv, BatchNorm1d, both pools with padding/ceil_mode, global max pool, Linear."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 6, 3, dilation=2, groups=2)
        self.bn = nn.BatchNorm1d(6)
        self.mp = nn.MaxPool1d(3, 2, padding=1)
        self.ap = nn.AvgPool1d(3, 2, padding=1, ceil_mode=True, count_include_pad=False)
        self.gp = nn.AdaptiveMaxPool1d(1)
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        x = self.ap(self.mp(torch.relu(self.bn(self.conv(x)))))
        return self.fc(torch.flatten(self.gp(x), 1))


class Volume(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv3d(2, 4, (3, 3, 2), padding=(1, 1, 0))
        self.bn = nn.BatchNorm3d(4)
        self.pool = nn.MaxPool3d(2, ceil_mode=True)
        self.gap = nn.AdaptiveAvgPool3d(1)

    def forward(self, x):
        return self.gap(self.pool(torch.relu(self.bn(self.conv(x)))))


class Pools(nn.Module):
    def __init__(self):
        super().__init__()
        self.mp = nn.MaxPool2d(3, 2, padding=1, dilation=2, ceil_mode=True)
        self.ap = nn.AvgPool2d((3, 2), (2, 1), padding=1, ceil_mode=True, count_include_pad=False)
        self.ap2 = nn.AvgPool2d(2, padding=1)
        self.gmp = nn.AdaptiveMaxPool2d(1)

    def forward(self, x):
        return self.gmp(self.ap2(self.ap(self.mp(x))))


class Padded(nn.Module):
    """Explicit pads before convs and pools: zero (folds into padding), reflect/replicate (-> padding_mode)."""

    def __init__(self):
        super().__init__()
        self.zpad = nn.ZeroPad2d((1, 1, 2, 2))
        self.conv = nn.Conv2d(2, 3, 3)
        self.reflect = nn.Conv2d(3, 3, 3, padding=1, padding_mode="reflect")
        self.replicate = nn.Conv2d(3, 3, 3, padding=(2, 1), padding_mode="replicate")
        self.zpad2 = nn.ZeroPad2d(1)
        self.pool = nn.AvgPool2d(3, stride=1)

    def forward(self, x):
        return self.pool(self.zpad2(self.replicate(self.reflect(self.conv(self.zpad(x))))))


class Tokens(nn.Module):
    """nn.Linear on a 3-d input exports as MatMul (+ Add for the bias)."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(8, 5)
        self.out = nn.Linear(5, 3, bias=False)

    def forward(self, x):
        return self.out(torch.relu(self.proj(x)))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 3, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(3)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.bn1(self.conv1(x))) + x


class Nested(nn.Module):
    """Nested module names (layer1.0.conv1); mean and amax over the spatial dims (ReduceMean/Max) as global pooling."""

    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential(Block(), Block())
        self.head = nn.Linear(3, 2)

    def forward(self, x):
        y = self.layer1(x)
        return self.head(y.mean((2, 3)) + y.amax((2, 3), keepdim=True).flatten(1))


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        return torch.softmax(self.fc(x), 1)


def torch_fixtures():
    export("lenet_opset9", LeNet(), (2, 1, 20, 20), 9, keep_initializers_as_inputs=True)
    export("lenet_opset13", LeNet(), (2, 1, 20, 20), 13)
    export("lenet_opset17", LeNet(), (2, 1, 20, 20), 17)
    export("lenet_static_opset11", LeNet(), (2, 1, 20, 20), 11, dynamic=False)
    export("residual_opset11", Residual(), (2, 3, 10, 10), 11, training=torch.onnx.TrainingMode.PRESERVE)
    export("residual_opset17", Residual(squeeze=True), (2, 3, 10, 10), 17, do_constant_folding=False)
    export("activations_opset9", Activations(False), (2, 3, 6, 5), 9)
    export("activations_opset11", Activations(False), (2, 3, 6, 5), 11)
    export("activations_opset20", Activations(True), (2, 3, 6, 5), 20)
    export("upsample_opset13", Upsample(), (2, 4, 3, 2), 13)
    for opset in (13, 17):  # inputs in [-3, 3): through GELU's curved part into its tails
        export(f"gelu1d_opset{opset}", Gelus(1, length=12), (2, 3, 12), opset, scale=3.0)
        export(f"gelu2d_opset{opset}", Gelus(2), (2, 3, 6, 5), opset, scale=3.0)
    export("signal_opset13", Signal(), (2, 4, 30), 13, do_constant_folding=False)
    export("volume_opset17", Volume(), (2, 2, 6, 5, 5), 17, do_constant_folding=False)
    export("pools_opset13", Pools(), (2, 3, 13, 11), 13)
    export("padded_opset11", Padded(), (2, 2, 9, 8), 11)
    export("padded_opset19", Padded(), (2, 2, 9, 8), 19)
    export("tokens_opset13", Tokens(), (2, 4, 8), 13)
    export("softmax_opset11", Classifier(), (2, 6), 11)
    export("nested_opset13", Nested(), (2, 3, 6, 5), 13)
    export("nested_opset18", Nested(), (2, 3, 6, 5), 18)


def make(name, nodes, inputs, outputs, initializers, opset, x_shape, seed=0, ir_version=None):
    if not wanted(name):
        return
    graph = helper.make_graph(nodes, name, inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = ir_version or 8  # what onnxruntime 1.30 reads (onnx 1.23 writes 14 by default)
    onnx.save(model, os.path.join(OUT, name + ".onnx"))
    x = np.random.RandomState(seed).uniform(-1, 1, size=x_shape).astype(np.float32)
    save_expected(name, x)


def value(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def weights(name, shape, seed, raw=True, dtype=TensorProto.FLOAT):
    data = np.random.RandomState(seed).uniform(-0.5, 0.5, size=shape)
    np_type = helper.tensor_dtype_to_np_dtype(dtype)
    if raw:
        return numpy_helper.from_array(data.astype(np_type), name)
    return helper.make_tensor(name, dtype, shape, data.astype(np_type).flatten().tolist())


def handmade_fixtures():
    # auto_pad on Conv and pools: SAME_UPPER stride 1 with an even kernel (odd total pad: padding="same"),
    # SAME_LOWER stride 1 with an odd kernel (even total: explicit pads), SAME_UPPER stride 2 where the input size
    # makes the total even, VALID.
    make("autopad_opset13", [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="same_upper", auto_pad="SAME_UPPER",
                         kernel_shape=[2, 2]),
        helper.make_node("Conv", ["c1", "w2"], ["c2"], name="same_lower", auto_pad="SAME_LOWER"),
        helper.make_node("Conv", ["c2", "w3"], ["c3"], name="strided", auto_pad="SAME_UPPER", strides=[2, 2]),
        helper.make_node("MaxPool", ["c3"], ["p1"], name="pool_same", auto_pad="SAME_UPPER", kernel_shape=[3, 3],
                         strides=[1, 1]),
        helper.make_node("AveragePool", ["p1"], ["y"], name="pool_valid", auto_pad="VALID", kernel_shape=[2, 2],
                         strides=[2, 2]),
    ], [value("x", ["N", 2, 9, 9])], [value("y", ["N", 3, 2, 2])],
        [weights("w1", [3, 2, 2, 2], 1), weights("b1", [3], 2), weights("w2", [4, 3, 3, 3], 3),
         weights("w3", [3, 4, 3, 3], 4)], 13, (2, 2, 9, 9))

    # Gemm in every form: transB=0 (weights [in, out]), alpha/beta, a [1, out] C; typed float_data, a DOUBLE and a
    # FLOAT16 initializer behind Cast, an INT32 initializer feeding a Reshape shape behind Cast.
    make("gemm_opset13", [
        helper.make_node("Cast", ["shape32"], ["shape"], to=TensorProto.INT64),
        helper.make_node("Reshape", ["x", "shape"], ["flat"], name="flatten"),
        helper.make_node("Gemm", ["flat", "w1", "b1"], ["h1"], name="dense1", alpha=0.5, beta=2.0),
        helper.make_node("Relu", ["h1"], ["r1"]),
        helper.make_node("Cast", ["w2d"], ["w2"], to=TensorProto.FLOAT),
        helper.make_node("Cast", ["b2h"], ["b2"], to=TensorProto.FLOAT),
        helper.make_node("Gemm", ["r1", "w2", "b2"], ["y"], name="dense2", transB=1),
    ], [value("x", ["N", 2, 3])], [value("y", ["N", 4])],
        [helper.make_tensor("shape32", TensorProto.INT32, [2], [0, -1]),
         weights("w1", [6, 5], 1, raw=False), weights("b1", [1, 5], 2, raw=False),
         weights("w2d", [4, 5], 3, dtype=TensorProto.DOUBLE, raw=False),
         weights("b2h", [4], 4, dtype=TensorProto.FLOAT16)], 13, (2, 2, 3))

    # Opset 7: BatchNormalization-7, Gemm-7, Softmax-1 semantics (axis 1 of a 2-D input), MaxPool-7, Flatten-1.
    make("old_opset7", [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("BatchNormalization", ["c", "s", "bb", "m", "v"], ["n"], name="bn", epsilon=1e-3),
        helper.make_node("Relu", ["n"], ["r"]),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "fw", "fb"], ["g"], name="fc", transB=1),
        helper.make_node("Softmax", ["g"], ["y"]),
    ], [value("x", [1, 2, 4, 4])], [value("y", [1, 3])],
        [weights("w", [4, 2, 3, 3], 1), weights("b", [4], 2), weights("s", [4], 3), weights("bb", [4], 4),
         weights("m", [4], 5),
         numpy_helper.from_array(np.random.RandomState(6).uniform(0.5, 1.5, 4).astype(np.float32), "v"),
         weights("fw", [3, 16], 7), weights("fb", [3], 8)], 7, (1, 2, 4, 4), ir_version=3)


def const(name, values, dtype=np.int64):
    """A Constant node producing `values`."""
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.array(values, dtype=dtype)))


def edge_fixtures():
    # ConvTranspose: SAME_LOWER (odd pad at the beginning: PyTorch output_padding), explicit asymmetric pads,
    # output_shape, an added per-channel constant folded into the bias.
    make("convtranspose_opset13", [
        helper.make_node("ConvTranspose", ["x", "w1", "b1"], ["t1"], name="same_lower", auto_pad="SAME_LOWER",
                         strides=[2, 2]),
        helper.make_node("ConvTranspose", ["t1", "w2"], ["t2"], name="asymmetric", pads=[1, 1, 0, 0],
                         strides=[2, 2]),
        helper.make_node("ConvTranspose", ["t2", "w3", "b3"], ["t3"], name="output_shape", output_shape=[23, 23],
                         strides=[2, 2]),
        helper.make_node("Add", ["t3", "b4"], ["y"]),
    ], [value("x", ["N", 2, 3, 3])], [value("y", ["N", 2, 23, 23])],
        [weights("w1", [2, 3, 3, 3], 1), weights("b1", [3], 2), weights("w2", [3, 2, 3, 3], 3),
         weights("w3", [2, 2, 2, 2], 4), weights("b3", [2], 5), weights("b4", [2, 1, 1], 6)], 13, (2, 2, 3, 3))

    # Reshapes of computed tensors: merge dims (Flatten(start_dim=2)), add a dim (Unflatten), a general reshape
    # (Flatten + Unflatten), -1 in the batch position.
    make("reshapes_opset13", [
        const("s1", [0, 4, 6]),
        helper.make_node("Reshape", ["x", "s1"], ["r1"]),
        const("ax", [3]),
        helper.make_node("Unsqueeze", ["r1", "ax"], ["r2"]),
        helper.make_node("Relu", ["r2"], ["a1"]),
        const("s2", [-1, 2, 12]),
        helper.make_node("Reshape", ["a1", "s2"], ["r3"]),
        helper.make_node("Softmax", ["r3"], ["a2"], axis=-1),
        const("s3", [-1, 24]),
        helper.make_node("Reshape", ["a2", "s3"], ["y"]),
    ], [value("x", ["N", 4, 3, 2])], [value("y", ["N", 24])], [], 13, (2, 4, 3, 2))

    # Softmax before opset 13 coerces the input to 2-D: over C*H*W for axis=1, over H*W for axis=2.
    make("softmax_coerced_opset11", [
        helper.make_node("LogSoftmax", ["x"], ["l"], axis=2),
        helper.make_node("Softmax", ["l"], ["y"], axis=1),
    ], [value("x", ["N", 2, 3, 4])], [value("y", ["N", 2, 3, 4])], [], 11, (2, 2, 3, 4))

    # Constants folded into the preceding layer: Add/Mul/Sub/Div on Conv, BatchNorm and MatMul outputs.
    make("folds_opset13", [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c1", "add1"], ["f1"]),
        helper.make_node("Mul", ["mul1", "f1"], ["f2"]),
        helper.make_node("Relu", ["f2"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], name="conv2"),
        helper.make_node("Sub", ["c2", "sub2"], ["f3"]),
        helper.make_node("Div", ["f3", "div2"], ["f4"]),
        helper.make_node("BatchNormalization", ["f4", "s", "bb", "m", "v"], ["n"], name="bn"),
        helper.make_node("Mul", ["n", "two"], ["f5"]),
        helper.make_node("GlobalAveragePool", ["f5"], ["g"]),
        helper.make_node("Flatten", ["g"], ["fl"]),
        helper.make_node("MatMul", ["fl", "wm"], ["mm"], name="dense"),
        helper.make_node("Add", ["bm", "mm"], ["d"]),
        helper.make_node("Elu", ["d"], ["e"], alpha=0.5),
        const("zero", 0.0, np.float32),
        helper.make_node("Clip", ["e", "zero"], ["y"]),
    ], [value("x", ["N", 3, 5, 5])], [value("y", ["N", 3])],
        [weights("w1", [4, 3, 3, 3], 1), weights("add1", [1, 4, 1, 1], 2), weights("mul1", [4, 1, 1], 3),
         weights("w2", [4, 4, 3, 3], 4), weights("b2", [4], 5),
         numpy_helper.from_array(np.array(0.25, np.float32), "sub2"), weights("div2", [4, 1, 1], 6),
         weights("s", [4], 7), weights("bb", [4], 8), weights("m", [4], 9),
         numpy_helper.from_array(np.random.RandomState(10).uniform(0.5, 1.5, 4).astype(np.float32), "v"),
         numpy_helper.from_array(np.array([2.0], np.float32), "two"), weights("wm", [4, 3], 11),
         weights("bm", [3], 12)], 13, (2, 3, 5, 5))

    # Pads folded into pools (-inf before MaxPool, 0 before AveragePool) and an edge pad into a Conv; Dropout with a
    # ratio input; auto_pad SAME_LOWER with stride 2 (odd pad at the beginning: same windows as padding 1 here).
    make("padpool_opset13", [
        const("p1", [0, 0, 1, 1, 0, 0, 1, 1]),
        const("ninf", -np.inf, np.float32),
        helper.make_node("Pad", ["x", "p1", "ninf"], ["x1"], mode="constant"),
        helper.make_node("MaxPool", ["x1"], ["m"], kernel_shape=[3, 3], strides=[2, 2]),
        const("p2", [0, 0, 1, 1, 0, 0, 1, 1]),
        helper.make_node("Pad", ["m", "p2"], ["x2"]),
        helper.make_node("AveragePool", ["x2"], ["a"], kernel_shape=[3, 3], strides=[1, 1]),
        const("p3", [0, 0, 1, 2, 0, 0, 1, 2]),
        helper.make_node("Pad", ["a", "p3"], ["x3"], mode="edge"),
        helper.make_node("Conv", ["x3", "w"], ["c"], name="edge_conv"),
        const("ratio", 0.5, np.float32),
        helper.make_node("Dropout", ["c", "ratio"], ["d"]),
        helper.make_node("Conv", ["d", "w2"], ["y"], name="lower", auto_pad="SAME_LOWER", strides=[2, 2]),
    ], [value("x", ["N", 3, 15, 16])], [value("y", ["N", 2, 4, 4])],
        [weights("w", [3, 3, 3, 5], 1), weights("w2", [2, 3, 3, 3], 2)], 13, (2, 3, 15, 16))

    # Opset 9 shape arithmetic: Shape -> Slice (attributes) -> Concat -> Reshape, and a Cast.
    make("slice_opset9", [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv"),
        helper.make_node("Shape", ["c"], ["sh"]),
        helper.make_node("Slice", ["sh"], ["n"], starts=[0], ends=[1], axes=[0]),
        const("rest", [-1.0], np.float32),
        helper.make_node("Cast", ["rest"], ["rest64"], to=TensorProto.INT64),
        helper.make_node("Concat", ["n", "rest64"], ["target"], axis=0),
        helper.make_node("Reshape", ["c", "target"], ["flat"]),
        helper.make_node("Gemm", ["flat", "fw", "fb"], ["y"], name="fc", transB=1),
    ], [value("x", ["N", 2, 4, 4])], [value("y", ["N", 3])],
        [weights("w", [4, 2, 3, 3], 1), weights("b", [4], 2), weights("fw", [3, 16], 3), weights("fb", [3], 4)],
        9, (2, 2, 4, 4))

    # Convolutions only (what cnn4j's runtime can already run on its own): padding="same" with an even kernel,
    # groups and dilation, a reflect Pad folded into padding_mode, stride 2 with SAME_LOWER, a bias folded from Add.
    make("convs_opset13", [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="same", auto_pad="SAME_UPPER"),
        helper.make_node("Conv", ["c1", "w2", "b2"], ["c2"], name="grouped", group=2, dilations=[2, 2],
                         pads=[2, 1, 2, 1]),
        const("p", [0, 0, 1, 1, 0, 0, 1, 1]),
        helper.make_node("Pad", ["c2", "p"], ["c2p"], mode="reflect"),
        helper.make_node("Conv", ["c2p", "w3"], ["c3"], name="reflect"),
        helper.make_node("Conv", ["c3", "w4"], ["c4"], name="lower", auto_pad="SAME_LOWER", strides=[2, 2]),
        helper.make_node("Add", ["c4", "b4"], ["y"]),
    ], [value("x", ["N", 2, 10, 9])], [value("y", ["N", 3, 5, 4])],
        [weights("w1", [4, 2, 2, 2], 1), weights("b1", [4], 2), weights("w2", [4, 2, 3, 3], 3),
         weights("b2", [4], 4), weights("w3", [4, 4, 3, 3], 5), weights("w4", [3, 4, 3, 3], 6),
         weights("b4", [1, 3, 1, 1], 7)], 13, (2, 2, 10, 9))

    # Flatten's negative axis counts from the rank (axis in [-r, r]): -3 of a rank-4 input is axis 1, -1 of a rank-2
    # one is axis 1 (a no-op); on a constant, -2 of a rank-3 weight makes it [3, 24].
    make("flatten_negative_opset13", [
        helper.make_node("Flatten", ["x"], ["f"], axis=-3),
        helper.make_node("Flatten", ["w"], ["w2d"], axis=-2),
        helper.make_node("Gemm", ["f", "w2d", "b"], ["g"], name="fc", transB=1),
        helper.make_node("Flatten", ["g"], ["y"], axis=-1),
    ], [value("x", ["N", 2, 3, 4])], [value("y", ["N", 3])], [weights("w", [3, 4, 6], 1), weights("b", [3], 2)],
        13, (2, 2, 3, 4))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    torch_fixtures()
    handmade_fixtures()
    edge_fixtures()
