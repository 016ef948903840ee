"""End to end: a SegNet-style encoder/decoder with MaxUnpool at the encoder's argmax positions, by both roads.

Road 1: the cnn4j exporter (MaxPool2d(return_indices=True) + MaxUnpool2d). Road 2: ONNX. torch.onnx.export cannot
write max_unpool2d (TorchScript fails tracing F.max_unpool2d's size check; the dynamo exporter needs onnxscript), so
the ONNX file is written here with onnx.helper from the module's own weights, as an exporter would: Conv,
BatchNormalization, Relu, MaxPool with its Indices output, MaxUnpool with output_shape from Shape, as ONNX defines
them; onnxruntime runs the same file as a second opinion. Within 1e-4 of PyTorch float64, batch 1 and 3.
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
from test_reference_models import assert_close, jar_exists, run_cnn4j, second_opinion  # noqa: E402,F401

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


def check(module, road, tmp_path):
    if road == "exporter":
        path = tmp_path / "segnet.json"
        export(module, torch.randn(1, *INPUT), str(path))
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
        if road == "onnx":
            import onnxruntime
            session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            second_opinion(expected, session.run(None, {"input": x.numpy()})[0], f"segnet: onnxruntime, batch {batch}")
