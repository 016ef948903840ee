"""End to end: a SegNet-style encoder/decoder with MaxUnpool at the encoder's argmax positions, by both roads.

Road 1: the cnn4j exporter (MaxPool2d(return_indices=True) + MaxUnpool2d). Road 2: ONNX, twice. The TorchScript
exporter cannot write max_unpool2d (tracing fails on F.max_unpool2d's size check; asserted below), so that ONNX file
is written here with onnx.helper from the module's own weights, as an exporter would: Conv, BatchNormalization,
Relu, MaxPool with its Indices output, MaxUnpool with output_shape from Shape, as ONNX defines them. The dynamo
exporter (torch.onnx.export(dynamo=True)) writes the unpooling as a ScatterND of the values at flat indices computed
from the MaxPool's (Range, Sub, Add ...), which cnn4j fuses back into MaxUnpool. onnxruntime runs each ONNX file as
a second opinion. Within 1e-4 of PyTorch float64, batch 1 and 3.
"""
import copy
import pathlib
import sys

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from cnn4j_export import export  # noqa: E402
from reference_models import SegNetTiny, _randomize_batchnorm  # noqa: E402
from test_reference_models import assert_close, export_onnx, jar_exists, run_cnn4j, second_opinion  # noqa: E402,F401

INPUT = (3, 20, 14)


def build():
    torch.manual_seed(0)
    return _randomize_batchnorm(SegNetTiny(), seed=1)


def onnx_model(module):
    """SegNetTiny as ONNX nodes, weights as initializers."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    inits, nodes = [], []

    def weight(name, tensor):
        inits.append(numpy_helper.from_array(tensor.detach().numpy().astype(np.float32), name))
        return name

    def block(prefix, seq, x):
        conv, bn = seq[0], seq[1]
        nodes.append(helper.make_node("Conv", [x, weight(f"{prefix}.0.weight", conv.weight)], [f"{prefix}_c"],
                                      pads=[1, 1, 1, 1], kernel_shape=[3, 3]))
        nodes.append(helper.make_node("BatchNormalization", [f"{prefix}_c", weight(f"{prefix}.1.weight", bn.weight),
                                      weight(f"{prefix}.1.bias", bn.bias), weight(f"{prefix}.1.mean", bn.running_mean),
                                      weight(f"{prefix}.1.var", bn.running_var)], [f"{prefix}_bn"], epsilon=bn.eps))
        nodes.append(helper.make_node("Relu", [f"{prefix}_bn"], [prefix]))
        return prefix

    e1 = block("enc1", module.enc1, "input")
    nodes.append(helper.make_node("MaxPool", [e1], ["p1", "i1"], kernel_shape=[2, 2], strides=[2, 2]))
    e2 = block("enc2", module.enc2, "p1")
    nodes.append(helper.make_node("MaxPool", [e2], ["p2", "i2"], kernel_shape=[2, 2], strides=[2, 2]))
    nodes.append(helper.make_node("Shape", [e2], ["s2"]))
    nodes.append(helper.make_node("MaxUnpool", ["p2", "i2", "s2"], ["u2"], kernel_shape=[2, 2], strides=[2, 2]))
    d2 = block("dec2", module.dec2, "u2")
    nodes.append(helper.make_node("MaxUnpool", [d2, "i1"], ["u1"], kernel_shape=[2, 2], strides=[2, 2]))
    d1 = block("dec1", module.dec1, "u1")
    nodes.append(helper.make_node("Conv", [d1, weight("classifier.weight", module.classifier.weight),
                                           weight("classifier.bias", module.classifier.bias)], ["output"],
                                  kernel_shape=[1, 1]))
    graph = helper.make_graph(nodes, "segnet_tiny",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", *INPUT])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 4, *INPUT[1:]])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(model)
    return model


def test_segnet_exporter_road(tmp_path):
    check(build(), "exporter", tmp_path)


def test_segnet_onnx_road(tmp_path):
    check(build(), "onnx", tmp_path)


def test_segnet_dynamo_road(tmp_path):
    check(build(), "dynamo", tmp_path)


def test_segnet_torchscript_export_fails_in_torch(tmp_path):
    """Why the "onnx" road's file is written by hand: the TorchScript exporter itself cannot trace max_unpool2d."""
    import pytest
    with pytest.raises(Exception) as error:
        export_onnx(build(), torch.randn(1, *INPUT), tmp_path / "segnet.onnx", "onnx")
    print(f"torch.onnx.export(dynamo=False) fails: {type(error.value).__name__}: {str(error.value)[:300]}")


def check(module, road, tmp_path):
    if road == "exporter":
        path = tmp_path / "segnet.json"
        export(module, torch.randn(1, *INPUT), str(path))
    elif road == "dynamo":
        path = tmp_path / "segnet.onnx"
        export_onnx(module, torch.randn(1, *INPUT), path, road)
    else:
        path = tmp_path / "segnet.onnx"
        path.write_bytes(onnx_model(module).SerializeToString())
    for batch in (1, 3):
        x = torch.randn(batch, *INPUT)
        with torch.no_grad():
            expected = copy.deepcopy(module).double()(x.double()).numpy()
            float32 = module(x).numpy()
        actual = run_cnn4j(path, x.numpy(), tmp_path, f"b{batch}")
        assert_close(expected, actual, f"segnet via {road}, batch {batch}")
        second_opinion(expected, float32, f"segnet: PyTorch float32, batch {batch}")
        if road != "exporter":
            import onnxruntime
            session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            second_opinion(expected, session.run(None, {"input": x.numpy()})[0], f"segnet: onnxruntime, batch {batch}")
