"""How one torch.fx node becomes cnn4j layers (model format version 2, docs/model-format.md): the tables from a
leaf module's class, a function or a tensor method to its translation. The translations live by family:
_translate (the shared machinery: Steps, Unsupported, argument binding), _modules, _pooling, _elementwise,
_reductions and _shapes; _parametric has the functions that take a module's own parameters.
"""
import operator

import torch
import torch.nn.functional as F

from ._elementwise import _COMPARISONS, _OPERATOR_INPLACE, _binary, _unary
from ._pooling import _pool_functions
from ._reductions import _matmul, _reduction
from ._shapes import _alias, _cat, _expand, _getitem, _pad, _permute, _reshape, _squeeze_unsqueeze, _transpose
from ._translate import REQUIRED, _call

_INPLACE = (("inplace", False),)
_SOFTMAX = (("dim", None), ("_stacklevel", 3), ("dtype", None))
_TORCH_SOFTMAX = (("dim", REQUIRED), ("dtype", None))
_DROPOUT = (("p", 0.5), ("training", True), ("inplace", False))
_FLATTEN = (("start_dim", 0), ("end_dim", -1))
_INTERPOLATE = (("size", None), ("scale_factor", None), ("mode", "nearest"), ("align_corners", None),
                ("recompute_scale_factor", None))


FUNCTIONS = {
    F.relu: _call("ReLU", _INPLACE), torch.relu: _call("ReLU", ()),
    torch.relu_: _call("ReLU", (), inplace=True), F.relu_: _call("ReLU", (), inplace=True),
    F.relu6: _call("ReLU6", _INPLACE),
    F.leaky_relu: _call("LeakyReLU", (("negative_slope", 0.01),) + _INPLACE),
    F.elu: _call("ELU", (("alpha", 1.0),) + _INPLACE),
    F.gelu: _call("GELU", (("approximate", "none"),)),
    F.silu: _call("SiLU", _INPLACE),
    torch.sigmoid: _call("Sigmoid", ()), F.sigmoid: _call("Sigmoid", ()),
    torch.tanh: _call("Tanh", ()), F.tanh: _call("Tanh", ()),
    F.hardswish: _call("Hardswish", _INPLACE), F.hardsigmoid: _call("Hardsigmoid", _INPLACE),
    F.softplus: _call("Softplus", (("beta", 1.0), ("threshold", 20.0))), F.mish: _call("Mish", _INPLACE),
    F.selu: _call("SELU", _INPLACE), torch.selu: _call("SELU", ()), F.celu: _call("CELU", (("alpha", 1.0),) + _INPLACE),
    F.hardtanh: _call("Hardtanh", (("min_val", -1.0), ("max_val", 1.0)) + _INPLACE),
    F.softsign: _call("Softsign", ()), F.logsigmoid: _call("LogSigmoid", ()),
    F.interpolate: _call("Upsample", _INTERPOLATE + (("antialias", False),), {"antialias": False}),
    F.upsample: _call("Upsample", _INTERPOLATE),
    F.pixel_shuffle: _call("PixelShuffle", (("upscale_factor", REQUIRED),)),
    F.pixel_unshuffle: _call("PixelUnshuffle", (("downscale_factor", REQUIRED),)),
    F.softmax: _call("Softmax", _SOFTMAX, {"dtype": None}),
    torch.softmax: _call("Softmax", _TORCH_SOFTMAX, {"dtype": None}),
    F.log_softmax: _call("LogSoftmax", _SOFTMAX, {"dtype": None}),
    torch.log_softmax: _call("LogSoftmax", _TORCH_SOFTMAX, {"dtype": None}),
    F.dropout: _call("Dropout", _DROPOUT), F.dropout1d: _call("Dropout1d", _DROPOUT),
    F.dropout2d: _call("Dropout2d", _DROPOUT), F.dropout3d: _call("Dropout3d", _DROPOUT),
    torch.flatten: _call("Flatten", _FLATTEN),
    torch.reshape: _reshape,
    operator.add: _binary("Add"), operator.iadd: _binary("Add"), torch.add: _binary("Add", alpha=True),
    operator.sub: _binary("Sub"), operator.isub: _binary("Sub"), torch.sub: _binary("Sub", alpha=True),
    operator.mul: _binary("Mul"), operator.imul: _binary("Mul"), torch.mul: _binary("Mul"),
    operator.truediv: _binary("Div"), operator.itruediv: _binary("Div"), torch.div: _binary("Div"),
    torch.true_divide: _binary("Div"),
    torch.maximum: _binary("Maximum"), torch.minimum: _binary("Minimum"),
    operator.pow: _binary("Pow"), torch.pow: _binary("Pow"),
    operator.mod: _binary("Remainder"), operator.imod: _binary("Remainder"), torch.remainder: _binary("Remainder"),
    torch.fmod: _binary("Fmod"),
    **{f: _binary(type_) for type_, functions in _COMPARISONS.items() for f in functions},
    operator.neg: _unary("Neg"), torch.neg: _unary("Neg"), torch.negative: _unary("Neg"),
    operator.abs: _unary("Abs"), torch.abs: _unary("Abs"), torch.sqrt: _unary("Sqrt"), torch.exp: _unary("Exp"),
    torch.log: _unary("Log"), torch.floor: _unary("Floor"), torch.ceil: _unary("Ceil"), torch.round: _unary("Round"),
    torch.sign: _unary("Sign"), torch.erf: _unary("Erf"), torch.special.erf: _unary("Erf"),
    torch.cat: _cat, torch.concat: _cat, operator.getitem: _getitem, F.pad: _pad,
    torch.permute: _permute, torch.transpose: _transpose, torch.swapaxes: _transpose,
    torch.mean: _reduction("Mean", None, mean=True), torch.sum: _reduction("Sum", None),
    torch.amax: _reduction("Amax", ()), torch.amin: _reduction("Amin", ()),
    torch.matmul: _matmul, torch.bmm: _matmul, operator.matmul: _matmul,
    torch.squeeze: _squeeze_unsqueeze(False), torch.unsqueeze: _squeeze_unsqueeze(True),
    **_pool_functions(),
}


METHODS = {
    "relu": _call("ReLU", ()), "relu_": _call("ReLU", (), inplace=True),
    "sigmoid": _call("Sigmoid", ()), "sigmoid_": _call("Sigmoid", (), inplace=True),
    "tanh": _call("Tanh", ()), "tanh_": _call("Tanh", (), inplace=True),
    "softmax": _call("Softmax", _TORCH_SOFTMAX, {"dtype": None}),
    "log_softmax": _call("LogSoftmax", _TORCH_SOFTMAX, {"dtype": None}),
    "flatten": _call("Flatten", _FLATTEN),
    "view": _reshape, "reshape": _reshape,
    **{name + suffix: _binary(type_) for name, type_ in (("add", "Add"), ("sub", "Sub"), ("mul", "Mul"),
                                                         ("div", "Div"), ("pow", "Pow"), ("fmod", "Fmod"),
                                                         ("remainder", "Remainder"))
       for suffix in ("", "_")},
    "maximum": _binary("Maximum"), "minimum": _binary("Minimum"),
    **{name: _binary(type_) for name, type_ in (("gt", "Gt"), ("ge", "Ge"), ("lt", "Lt"), ("le", "Le"), ("eq", "Eq"))},
    **{name + suffix: _unary(type_) for name, type_ in (("neg", "Neg"), ("abs", "Abs"), ("sqrt", "Sqrt"),
                                                        ("exp", "Exp"), ("log", "Log"), ("floor", "Floor"),
                                                        ("ceil", "Ceil"), ("round", "Round"), ("sign", "Sign"),
                                                        ("erf", "Erf"))
       for suffix in ("", "_")},
    "mean": _reduction("Mean", None, mean=True), "sum": _reduction("Sum", None),
    "amax": _reduction("Amax", ()), "amin": _reduction("Amin", ()),
    "matmul": _matmul, "bmm": _matmul,
    "squeeze": _squeeze_unsqueeze(False), "unsqueeze": _squeeze_unsqueeze(True),
    "contiguous": _alias,
    "permute": _permute, "transpose": _transpose, "swapaxes": _transpose,
    "expand": _expand, "expand_as": _expand,
}


# Results that only feed the arguments of other nodes (x.size(0) in a view): never layers themselves.
# chunk / split results are tuples: the getitem of a piece becomes a Slice of their input.
HELPER_METHODS = {"size", "dim", "chunk", "split"}
# Integer arithmetic on sizes (c // groups) only feeds such arguments too.
HELPER_FUNCTIONS = {getattr, operator.getitem, torch.chunk, torch.split, operator.floordiv, operator.mul,
                    operator.add, operator.sub, operator.mod}


def may_write_input(node):
    """For a node that could not be translated: whether it might write into its input (then it matters even
    when its own result is unused)."""
    if node.op == "call_method":
        return node.target.endswith("_")
    return node.op == "call_function" and (node.kwargs.get("inplace") is True or node.target in _OPERATOR_INPLACE)
