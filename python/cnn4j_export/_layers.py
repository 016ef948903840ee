"""How one torch.fx node becomes cnn4j layers (model format version 2, docs/model-format.md).

A translation is a `Steps`: the layers a node becomes, chained (the first takes `inputs`, each next one the
previous result), the graph nodes whose tensors it consumes, whether it writes into its first input (the
exporter then checks that nothing reads that tensor afterwards), and the module path whose parameters the
layers use (`name`, for an operand that is a module's own nn.Parameter). Zero layers is an alias (`x.contiguous()`).
Anything the format cannot say raises `Unsupported` with the reason; the exporter gathers every such node
before refusing the model, so the user sees the whole list at once.
"""
import math
import operator
from collections import namedtuple

import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F

Steps = namedtuple("Steps", "layers inputs inplace name", defaults=(False, None))

REQUIRED = object()

# Arguments PyTorch takes as an int or a tuple: a tuple of equal ints is written as the number.
_NTUPLE_FIELDS = {"kernel_size", "stride", "padding", "dilation", "output_padding", "output_size"}


class Unsupported(Exception):
    """The node cannot be written in the model format; the message says why."""


def json_value(field, value):
    """A constructor argument as JSON: tuples become lists, None stays None (null), strings are kept."""
    if isinstance(value, torch.Size):
        value = tuple(value)
    if isinstance(value, (tuple, list)):
        items = [json_value(None, v) for v in value]
        if field in _NTUPLE_FIELDS and items and all(type(v) is int and v == items[0] for v in items):
            return items[0]
        return items
    if isinstance(value, torch.fx.Node):
        raise Unsupported(f"argument {field} is computed in the graph ({value.name}); it must be a constant")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise Unsupported(f"argument {field}={value!r} is not a number, string, list or None")


# ---------------------------------------------------------------------------------------------------------
# Modules: class -> (format type, constructor arguments read back from the module's attributes).
# `inplace` and `return_indices` are not written: they do not change what an inference computes
# (in-place safety is checked on the graph, return_indices=True is refused).

_CONV = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias",
         "padding_mode")
_CONV_T = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups",
           "bias", "dilation", "padding_mode")
_MAX_POOL = ("kernel_size", "stride", "padding", "dilation", "ceil_mode")
_AVG_POOL_1D = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad")
_AVG_POOL = _AVG_POOL_1D + ("divisor_override",)
_LP_POOL = ("norm_type", "kernel_size", "stride", "ceil_mode")
_BATCH_NORM = ("num_features", "eps", "momentum", "affine", "track_running_stats")
_INSTANCE_NORM = _BATCH_NORM

MODULES = {
    nn.Conv1d: _CONV, nn.Conv2d: _CONV, nn.Conv3d: _CONV,
    nn.ConvTranspose1d: _CONV_T, nn.ConvTranspose2d: _CONV_T, nn.ConvTranspose3d: _CONV_T,
    nn.MaxPool1d: _MAX_POOL, nn.MaxPool2d: _MAX_POOL, nn.MaxPool3d: _MAX_POOL,
    nn.AvgPool1d: _AVG_POOL_1D, nn.AvgPool2d: _AVG_POOL, nn.AvgPool3d: _AVG_POOL,
    nn.AdaptiveAvgPool1d: ("output_size",), nn.AdaptiveAvgPool2d: ("output_size",),
    nn.AdaptiveAvgPool3d: ("output_size",),
    nn.AdaptiveMaxPool1d: ("output_size",), nn.AdaptiveMaxPool2d: ("output_size",),
    nn.AdaptiveMaxPool3d: ("output_size",),
    nn.LPPool1d: _LP_POOL, nn.LPPool2d: _LP_POOL, nn.LPPool3d: _LP_POOL,
    nn.Flatten: ("start_dim", "end_dim"),
    nn.Unflatten: ("dim", "unflattened_size"),
    nn.Identity: (),
    nn.Dropout: ("p",), nn.Dropout1d: ("p",), nn.Dropout2d: ("p",), nn.Dropout3d: ("p",),
    nn.Linear: ("in_features", "out_features", "bias"),
    nn.BatchNorm1d: _BATCH_NORM, nn.BatchNorm2d: _BATCH_NORM, nn.BatchNorm3d: _BATCH_NORM,
    nn.InstanceNorm1d: _INSTANCE_NORM, nn.InstanceNorm2d: _INSTANCE_NORM, nn.InstanceNorm3d: _INSTANCE_NORM,
    nn.GroupNorm: ("num_groups", "num_channels", "eps", "affine"),
    nn.LayerNorm: ("normalized_shape", "eps", "elementwise_affine", "bias"),
    nn.ReLU: (), nn.ReLU6: (), nn.LeakyReLU: ("negative_slope",), nn.ELU: ("alpha",),
    nn.GELU: ("approximate",), nn.SiLU: (), nn.Sigmoid: (), nn.Tanh: (), nn.Hardswish: (),
    nn.Hardsigmoid: (),
    nn.Upsample: ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"),
    nn.UpsamplingNearest2d: ("size", "scale_factor"), nn.UpsamplingBilinear2d: ("size", "scale_factor"),
    nn.PixelShuffle: ("upscale_factor",), nn.PixelUnshuffle: ("downscale_factor",),
    nn.PReLU: ("num_parameters",), nn.Softplus: ("beta", "threshold"), nn.Mish: (), nn.SELU: (),
    nn.CELU: ("alpha",), nn.Hardtanh: ("min_val", "max_val"), nn.Softsign: (), nn.LogSigmoid: (),
    nn.Softmax: ("dim",), nn.LogSoftmax: ("dim",),
    **{getattr(nn, f"{kind}Pad{d}d"): ("padding",) + (("value",) if kind == "Constant" else ())
       for kind in ("Constant", "Zero", "Reflection", "Replication", "Circular") for d in (1, 2, 3)},
}

_MAX_POOLS = (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)
_MAX_UNPOOLS = (nn.MaxUnpool1d, nn.MaxUnpool2d, nn.MaxUnpool3d)

# Identity at inference, like Dropout, but not a format type of their own.
_AS_IDENTITY = (nn.AlphaDropout, nn.FeatureAlphaDropout)


def module_layer(module):
    """(type, args, writes into its input) for a leaf module, or Unsupported."""
    cls = type(module)
    if cls in _AS_IDENTITY:
        return "Identity", {}, False
    if cls not in MODULES:
        raise Unsupported(f"module type {cls.__name__} is not in the cnn4j model format")
    if getattr(module, "return_indices", False) and not isinstance(module, _MAX_POOLS):
        raise Unsupported("return_indices=True returns a tuple, which the format cannot carry")
    if isinstance(module, nn.modules.batchnorm._BatchNorm) and not module.track_running_stats:
        raise Unsupported("track_running_stats=False normalizes with batch statistics at inference")
    args = {}
    for field in MODULES[cls]:
        value = module.bias is not None if field == "bias" else getattr(module, field)
        args[field] = json_value(field, value)
    # Dropout's inplace flag does nothing at inference.
    writes = getattr(module, "inplace", False) is True and not isinstance(module, nn.modules.dropout._DropoutNd)
    return cls.__name__, args, writes


# ---------------------------------------------------------------------------------------------------------
# Functions and tensor methods.

def bind(node, params):
    """node's arguments by name; params lists (name, default) in signature order, the input tensor first."""
    args, kwargs = list(node.args), dict(node.kwargs)
    if len(args) > len(params):
        raise Unsupported(f"takes at most {len(params)} arguments, got {len(args)}")
    bound = dict(zip((name for name, _ in params), args))
    for name, default in params[len(args):]:
        if name in kwargs:
            bound[name] = kwargs.pop(name)
        elif default is REQUIRED:
            raise Unsupported(f"missing argument {name}")
        else:
            bound[name] = default
    if kwargs:
        raise Unsupported(f"unexpected arguments {sorted(kwargs)}")
    return bound


def tensor_shape(value):
    """The shape ShapeProp recorded for a tensor-valued node, or None for anything else."""
    meta = value.meta.get("tensor_meta") if isinstance(value, torch.fx.Node) else None
    return list(meta.shape) if hasattr(meta, "shape") else None


def _tensor(bound, name):
    value = bound[name]
    if tensor_shape(value) is None:
        raise Unsupported(f"argument {name}={value!r} is not a tensor computed by the model")
    return value


# Arguments a function takes that do not describe the layer: which tensor is mutated (checked on the graph),
# a warning stack level, and the training flag of functional dropout (dropout is the identity at inference).
_NOT_ARGUMENTS = {"inplace", "_stacklevel", "training"}


def _call(type_, params, must=None, inplace=False):
    """A function whose arguments after the input are the format type's constructor arguments by name.

    must: {argument: the only value the format can express}; inplace: the function always writes into its input
    (torch.relu_), else an `inplace` argument says so.
    """
    must = must or {}
    ignores_inplace = type_.startswith("Dropout")

    def translate(node):
        bound = bind(node, (("input", REQUIRED),) + params)
        for name, value in must.items():
            if bound[name] != value:
                raise Unsupported(f"{name}={bound[name]!r} is not supported, only {value!r}")
        args = {name: json_value(name, value) for name, value in bound.items()
                if name != "input" and name not in _NOT_ARGUMENTS and name not in must}
        writes = inplace or (bound.get("inplace") is True and not ignores_inplace)
        return Steps([(type_, args)], [_tensor(bound, "input")], writes)
    return translate


_POOL_DEFAULTS = {"kernel_size": REQUIRED, "norm_type": REQUIRED, "output_size": REQUIRED, "stride": None,
                  "padding": 0, "dilation": 1, "ceil_mode": False, "count_include_pad": True,
                  "divisor_override": None}
_WITH_INDICES = (("return_indices", False),)
_NO_INDICES = {"return_indices": False}


def _pool_signature(fields):
    return tuple((field, _POOL_DEFAULTS[field]) for field in fields)


def _pool_functions():
    """F.max_pool1d ... F.lp_pool3d: their arguments are the modules' constructor arguments, in the same order."""
    table = {}
    for rank in (1, 2, 3):
        adaptive = _pool_signature(("output_size",))
        table[getattr(F, f"max_pool{rank}d")] = _call(f"MaxPool{rank}d", _pool_signature(_MAX_POOL) + _WITH_INDICES,
                                                      _NO_INDICES)
        table[getattr(F, f"avg_pool{rank}d")] = _call(f"AvgPool{rank}d",
                                                      _pool_signature(_AVG_POOL_1D if rank == 1 else _AVG_POOL))
        table[getattr(F, f"adaptive_avg_pool{rank}d")] = _call(f"AdaptiveAvgPool{rank}d", adaptive)
        table[getattr(F, f"adaptive_max_pool{rank}d")] = _call(f"AdaptiveMaxPool{rank}d", adaptive + _WITH_INDICES,
                                                               _NO_INDICES)
        table[getattr(F, f"lp_pool{rank}d")] = _call(f"LPPool{rank}d", _pool_signature(_LP_POOL))
    return table


_INPLACE = (("inplace", False),)
_SOFTMAX = (("dim", None), ("_stacklevel", 3), ("dtype", None))
_TORCH_SOFTMAX = (("dim", REQUIRED), ("dtype", None))
_DROPOUT = (("p", 0.5), ("training", True), ("inplace", False))
_FLATTEN = (("start_dim", 0), ("end_dim", -1))
_INTERPOLATE = (("size", None), ("scale_factor", None), ("mode", "nearest"), ("align_corners", None),
                ("recompute_scale_factor", None))


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _binary(type_, alpha=False):
    """a op b of the format's element-wise types (torch.add, sub, mul, div, maximum, minimum, pow and the Python
    operators): operands broadcast; each is a tensor computed by the model or a Python number, which becomes the
    layer's `input` or `other` argument."""

    def translate(node):
        params = (("input", REQUIRED), ("other", REQUIRED))
        if node.op == "call_method" or (node.target in _TORCH_BINARY and alpha):
            params += (("alpha", 1),)
        if node.target in (torch.div, "div", "div_"):
            params += (("rounding_mode", None),)
        bound = bind(node, params)
        if bound.get("alpha", 1) != 1:
            raise Unsupported(f"alpha={bound['alpha']!r} is not supported, only 1")
        if bound.get("rounding_mode") is not None:
            raise Unsupported(f"rounding_mode={bound['rounding_mode']!r} is not supported, only true division")
        inputs = []
        args, owner = operands(bound, inputs)
        if not inputs:
            raise Unsupported("both operands are constants")
        if len(inputs) == 2 and len(tensor_shape(inputs[0])) != len(tensor_shape(inputs[1])):
            raise Unsupported(f"{type_} of tensors of ranks {len(tensor_shape(inputs[0]))} and "
                              f"{len(tensor_shape(inputs[1]))}: broadcasting would align the batch dim of one with "
                              "another dim of the other; give both the same rank (unsqueeze)")
        writes = node.target in _OPERATOR_INPLACE or (isinstance(node.target, str) and node.target.endswith("_"))
        return Steps([(type_, args)], inputs, writes, owner)
    return translate


def operands(bound, inputs):
    """(args, owner) for the `input` and `other` operands of an element-wise call: a Python number, or a module's own
    parameter (ConvNeXt's layer scale; owner is that module's path, which names the layer), becomes the layer's
    argument of that name; a tensor is appended to `inputs`."""
    args, owner = {}, None
    for name in ("input", "other"):
        value = bound[name]
        if _number(value):
            if not math.isfinite(value):
                raise Unsupported(f"argument {name}={value!r}: JSON has no infinities or NaN")
            args[name] = value
        elif isinstance(value, torch.fx.Node) and value.op == "get_attr":
            path, _, attribute = value.target.rpartition(".")
            if not path:
                raise Unsupported(f"operand {name} is the top-level parameter {value.target}; the format names "
                                  "parameters by module path: keep it in a submodule")
            if owner not in (None, path):
                raise Unsupported(f"the parameter operands belong to two modules ({owner}, {path}); the layer reads "
                                  "them from one")
            owner, args[name] = path, attribute
        else:
            inputs.append(_tensor(bound, name))
    return args, owner


def _unary(type_):
    def translate(node):
        bound = bind(node, (("input", REQUIRED),))
        writes = isinstance(node.target, str) and node.target.endswith("_")
        return Steps([(type_, {})], [_tensor(bound, "input")], writes)
    return translate


_TORCH_BINARY = {torch.add, torch.sub}

# The comparisons: the format's Gt ... Eq (a torch.bool result, float32 1 / 0 in cnn4j), for torch.where's condition.
_COMPARISONS = {"Gt": (operator.gt, torch.gt, torch.greater), "Ge": (operator.ge, torch.ge, torch.greater_equal),
                "Lt": (operator.lt, torch.lt, torch.less), "Le": (operator.le, torch.le, torch.less_equal),
                "Eq": (operator.eq, torch.eq)}


def _cat(node):
    bound = bind(node, (("tensors", REQUIRED), ("dim", 0)))
    tensors = bound["tensors"]
    if not isinstance(tensors, (list, tuple)) or not tensors:
        raise Unsupported("tensors must be a list of tensors")
    inputs = [_tensor({"tensors": t}, "tensors") for t in tensors]
    return Steps([("Concat", {"dim": json_value("dim", bound["dim"])})], inputs)


def _reduction(type_, dim_default=REQUIRED, mean=False):
    """torch.sum / mean / amax / amin (and the tensor methods) over constant dims: the format's Sum / Mean / Amax /
    Amin with dim and keepdim; a mean over exactly the spatial dims (2...) of a 3-d to 5-d tensor stays global
    average pooling (then Flatten unless keepdim), as in version 1 files."""

    def translate(node):
        params = (("input", REQUIRED), ("dim", dim_default), ("keepdim", False))
        if type_ in ("Sum", "Mean"):
            params += (("dtype", None),)
        bound = bind(node, params)
        x = _tensor(bound, "input")
        rank = len(tensor_shape(x))
        if bound.get("dtype") is not None:
            raise Unsupported(f"dtype={bound['dtype']!r} is not supported; cnn4j computes float32")
        dims = bound["dim"]
        dims = [dims] if isinstance(dims, int) else list(dims or ())
        if not dims:
            raise Unsupported("a reduction over every dim would reduce the batch dim; give dim (not 0)")
        if not all(isinstance(d, int) for d in dims):
            raise Unsupported(f"dim={bound['dim']!r} must be constant ints")
        if any(d % rank == 0 for d in dims):
            raise Unsupported(f"dim={bound['dim']!r} includes the batch dim 0; cnn4j models keep it whole")
        keepdim = bound["keepdim"]
        if not isinstance(keepdim, bool):
            raise Unsupported(f"keepdim={keepdim!r} must be a constant bool")
        if mean and 3 <= rank <= 5 and sorted(d % rank for d in dims) == list(range(2, rank)):
            layers = [(f"AdaptiveAvgPool{rank - 2}d", {"output_size": 1})]
            if not keepdim:
                layers.append(("Flatten", {"start_dim": 1, "end_dim": -1}))
            return Steps(layers, [x])
        return Steps([(type_, {"dim": dims[0] if isinstance(bound["dim"], int) else dims, "keepdim": keepdim})],
                     [x])
    return translate


def _matmul(node):
    """torch.matmul / bmm / `@` (and the tensor methods): the format's Matmul of two computed tensors of the same
    rank (at least 3), or of a computed tensor and a module's own parameter."""
    bound = bind(node, (("input", REQUIRED), ("other", REQUIRED)))
    args, inputs, owner = {}, [], None
    for name in ("input", "other"):
        value = bound[name]
        if isinstance(value, torch.fx.Node) and value.op == "get_attr":
            owner, _, attribute = value.target.rpartition(".")
            if not owner:
                raise Unsupported(f"operand {name} is the top-level parameter {value.target}; the format names "
                                  "parameters by module path: keep it in a submodule")
            args[name] = attribute
        else:
            inputs.append(_tensor(bound, name))
    if not inputs:
        raise Unsupported("both operands are parameters")
    if len(inputs) == 2 and (len(tensor_shape(inputs[0])) != len(tensor_shape(inputs[1]))
                             or len(tensor_shape(inputs[0])) < 3):
        raise Unsupported(f"matmul of computed tensors of ranks {len(tensor_shape(inputs[0]))} and "
                          f"{len(tensor_shape(inputs[1]))}: both need the same rank, at least 3, so that dim 0 stays "
                          "the batch of both")
    return Steps([("Matmul", args)], inputs, False, owner)


def _squeeze_unsqueeze(unsqueeze):
    """x.unsqueeze(d) / x.squeeze(d) (and torch.*) of a non-batch dim: Flatten then Unflatten to the result's sizes
    (only Unflatten from a 2-d input, only Flatten to a 2-d result), as view does."""

    def translate(node):
        bound = bind(node, (("input", REQUIRED), ("dim", REQUIRED if unsqueeze else None)))
        x = _tensor(bound, "input")
        shape, result = tensor_shape(x), tensor_shape(node)
        dims = bound["dim"]
        if dims is None:
            raise Unsupported("squeeze() without dim would also drop a batch of size 1; give the dims to squeeze")
        dims = list(dims) if isinstance(dims, (tuple, list)) else [dims]
        if not all(isinstance(d, int) for d in dims):
            raise Unsupported(f"dim={bound['dim']!r} must be constant ints")
        rank = len(result) if unsqueeze else len(shape)
        if any(d % rank == 0 for d in dims):
            raise Unsupported(f"dim={bound['dim']!r} is the batch dim 0; cnn4j models keep it first")
        return _view_steps(x, shape, result)
    return translate


def _view_steps(x, shape, result):
    """Steps that view x (shape, batch first) as result (the same batch first)."""
    if result[1:] == shape[1:]:
        return Steps([], [x])
    if len(result) < 2:
        raise Unsupported(f"a result of shape {tuple(result)} has no dim besides the batch; cnn4j keeps at least "
                          "[N, 1]")
    if len(result) == 2:
        return Steps([("Flatten", {"start_dim": 1, "end_dim": -1})], [x])
    unflatten = ("Unflatten", {"dim": 1, "unflattened_size": list(result[1:])})
    if len(shape) == 2:
        return Steps([unflatten], [x])
    return Steps([("Flatten", {"start_dim": 1, "end_dim": -1}), unflatten], [x])


def _is_size_call(value, x):
    """value is t.size(...) of a tensor t the model computes: x, or any other, since every tensor of a cnn4j model
    has the batch as dim 0 (ShuffleNet's channel shuffle reads the batch size off the tensor before a transpose)."""
    return (isinstance(value, torch.fx.Node) and value.op == "call_method" and value.target == "size"
            and tensor_shape(value.args[0]) is not None)


def _is_batch_size_of(value, x):
    """Whether value is x.size(0), x.size()[0] or x.shape[0] in the graph (x or an alias of it)."""
    if _is_size_call(value, x):
        return value.args[1:] == (0,) or value.kwargs == {"dim": 0}
    if isinstance(value, torch.fx.Node) and value.op == "call_function" and value.target is operator.getitem \
            and value.args[1] == 0:
        whole = value.args[0]
        return (_is_size_call(whole, x) and len(whole.args) == 1 and not whole.kwargs) or (
            isinstance(whole, torch.fx.Node) and whole.op == "call_function" and whole.target is getattr
            and whole.args[1] == "shape" and tensor_shape(whole.args[0]) is not None)
    return False


def _reshape(node):
    """x.view(x.size(0), ...), x.reshape(-1, ...) and the like, keeping the batch dim: nothing (same shape), a
    Flatten from dimension 1 (to 2 dims), else Flatten then Unflatten to the result's sizes (ShuffleNet's channel
    shuffle: view(b, groups, c // groups, h, w))."""
    if node.op == "call_method":
        x, dims = node.args[0], node.args[1:]
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
    else:
        bound = bind(node, (("input", REQUIRED), ("shape", REQUIRED)))
        x, dims = bound["input"], tuple(bound["shape"])
    shape, result = tensor_shape(x), tensor_shape(node)
    if shape is None:
        raise Unsupported("input is not a tensor computed by the model")
    others = [d for d in dims[1:] if isinstance(d, int)]
    keeps_batch = _is_batch_size_of(dims[0], x) or (dims[0] == -1 and -1 not in others and len(dims) > 1
                                                     and not (len(dims) == 2 and dims[1] != math.prod(shape[1:])))
    if not keeps_batch or result is None or result[0] != shape[0]:
        raise Unsupported(f"{node.target}{tuple(d.name if isinstance(d, torch.fx.Node) else d for d in dims)} "
                          "does not keep dim 0 as the batch; write the batch size as x.size(0) (or -1 with every "
                          "other size given)")
    return _view_steps(x, shape, result)


def _pieces(node):
    """(input, dim, [(start, end)]) of a torch.chunk / split node (function or method), else None."""
    if not isinstance(node, torch.fx.Node):
        return None
    chunk = node.target in (torch.chunk, "chunk")
    if node.op not in ("call_function", "call_method") or not (chunk or node.target in (torch.split, "split")):
        return None
    if chunk:
        bound = bind(node, (("input", REQUIRED), ("chunks", REQUIRED), ("dim", 0)))
    else:
        bound = bind(node, (("input", REQUIRED), ("split_size_or_sections", REQUIRED), ("dim", 0)))
    x = _tensor(bound, "input")
    shape = tensor_shape(x)
    dim = bound["dim"] % len(shape)
    size = shape[dim]
    if chunk:
        step = -(-size // bound["chunks"])
        sizes = [min(step, size - start) for start in range(0, size, step)]
    elif isinstance(bound["split_size_or_sections"], int):
        step = bound["split_size_or_sections"]
        sizes = [min(step, size - start) for start in range(0, size, step)]
    else:
        sizes = list(bound["split_size_or_sections"])
    bounds, start = [], 0
    for piece in sizes:
        bounds.append((start, start + piece))
        start += piece
    return x, dim, bounds


def _getitem(node):
    """A piece of x.chunk / split (a Slice of x), or x[:, a:b, ..., c:d:s] (one Slice per sliced dim)."""
    source, index = node.args
    if pooled_with_indices(source) is not None:
        if index == 0:
            return Steps([], [source])  # the pooled values: the MaxPool layer's result
        raise Unsupported("the indices of MaxPool(return_indices=True) are usable only by MaxUnpool")
    pieces = _pieces(source)
    if pieces is not None:
        x, dim, bounds = pieces
        if dim == 0:
            raise Unsupported("a chunk / split of the batch dim; cnn4j models keep dim 0 whole")
        start, end = bounds[index]
        return Steps([("Slice", {"dim": dim, "start": start, "end": end})], [x])
    shape = tensor_shape(source)
    if shape is None:
        raise Unsupported(f"indexing {source!r}, which is not a tensor computed by the model")
    index = index if isinstance(index, tuple) else (index,)
    if Ellipsis in index:
        at = index.index(Ellipsis)
        index = index[:at] + (slice(None),) * (len(shape) - len(index) + 1) + index[at + 1:]
    layers = []
    for dim, item in enumerate(index):
        if not isinstance(item, slice) or any(isinstance(v, torch.fx.Node) for v in (item.start, item.stop, item.step)):
            raise Unsupported(f"index {item!r} in dim {dim}: only constant slices (a:b:s) are supported")
        if item == slice(None):
            continue
        if dim == 0:
            raise Unsupported("slicing the batch dim; cnn4j models keep dim 0 whole")
        if item.step is not None and item.step <= 0:
            raise Unsupported(f"slice step {item.step} in dim {dim}: only positive steps exist in PyTorch")
        args = {"dim": dim}
        for key, value in (("start", item.start), ("end", item.stop), ("step", item.step)):
            if value is not None:
                args[key] = value
        layers.append(("Slice", args))
    return Steps(layers, [source])


def _permute(node):
    """x.permute(0, 2, 3, 1), torch.permute(x, dims): a Permute, which keeps the batch dim first."""
    if node.op == "call_method":
        x, dims = node.args[0], node.args[1:]
        if "dims" in node.kwargs:
            dims = node.kwargs["dims"]
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = dims[0]
    else:
        bound = bind(node, (("input", REQUIRED), ("dims", REQUIRED)))
        x, dims = bound["input"], bound["dims"]
    return _permutation(x, list(dims))


def _transpose(node):
    """x.transpose(a, b), torch.transpose(x, a, b): a Permute swapping two dims (not the batch dim)."""
    bound = bind(node, (("input", REQUIRED), ("dim0", REQUIRED), ("dim1", REQUIRED)))
    x = bound["input"]
    shape = tensor_shape(x)
    if shape is None:
        raise Unsupported("input is not a tensor computed by the model")
    dims = list(range(len(shape)))
    a, b = bound["dim0"] % len(shape), bound["dim1"] % len(shape)
    dims[a], dims[b] = dims[b], dims[a]
    return _permutation(x, dims)


def _permutation(x, dims):
    shape = tensor_shape(x)
    if shape is None:
        raise Unsupported("input is not a tensor computed by the model")
    if not all(isinstance(d, int) for d in dims) or sorted(d % len(shape) for d in dims) != list(range(len(shape))):
        raise Unsupported(f"dims {dims!r} are not a permutation of the {len(shape)} dims")
    dims = [d % len(shape) for d in dims]
    if dims[0] != 0:
        raise Unsupported(f"dims {dims!r} move the batch dim; cnn4j models keep dim 0 as the batch")
    if dims == list(range(len(shape))):
        return Steps([], [x])
    return Steps([("Permute", {"dims": dims})], [x])


def _pad(node):
    """F.pad(x, pad, mode, value): the padding module of the mode over len(pad) / 2 trailing dims."""
    bound = bind(node, (("input", REQUIRED), ("pad", REQUIRED), ("mode", "constant"), ("value", None)))
    pad, mode, value = list(bound["pad"]), bound["mode"], bound["value"]
    kinds = {"constant": "Constant", "reflect": "Reflection", "replicate": "Replication", "circular": "Circular"}
    if mode not in kinds or len(pad) % 2 or not 2 <= len(pad) <= 6 or not all(isinstance(p, int) for p in pad):
        raise Unsupported(f"pad={pad!r}, mode={mode!r}: the padding modules take 1 to 3 dims of constant int "
                          "padding, mode constant, reflect, replicate or circular")
    if mode != "constant" and value not in (None, 0):
        raise Unsupported(f"mode={mode!r} takes no value, got value={value!r}")
    args = {"padding": json_value("padding", pad)}
    if mode == "constant":
        value = 0.0 if value is None else value
        if not math.isfinite(value):
            raise Unsupported(f"value={value!r}: JSON has no infinities or NaN")
        args["value"] = value
    return Steps([(f"{kinds[mode]}Pad{len(pad) // 2}d", args)], [_tensor(bound, "input")])


def pooled_with_indices(value):
    """The MaxPoolNd module node value is, when it has return_indices=True (its result is (values, indices)), else
    None."""
    if not isinstance(value, torch.fx.Node) or value.op != "call_module":
        return None
    module = value.graph.owning_module.get_submodule(value.target)
    return value if isinstance(module, _MAX_POOLS) and module.return_indices else None


def max_unpool(module, node):
    """nn.MaxUnpoolNd(x, indices[, output_size]) with the indices of a MaxPoolNd(return_indices=True): the format's
    MaxUnpoolNd, whose inputs are x and the tensor that MaxPool pooled (the indices are recomputed from it), with the
    pool's arguments as pool_*; output_size (a forward argument) as the result's spatial sizes."""
    bound = bind(node, (("input", REQUIRED), ("indices", REQUIRED), ("output_size", None)))
    indices = bound["indices"]
    pool = indices.args[0] if (isinstance(indices, torch.fx.Node) and indices.op == "call_function"
                               and indices.target is operator.getitem and indices.args[1] == 1) else None
    if pooled_with_indices(pool) is None:
        raise Unsupported("indices must be those a MaxPool module with return_indices=True returned")
    pool_module = node.graph.owning_module.get_submodule(pool.target)
    dims = int(type(module).__name__[-2])
    if type(pool_module).__name__[-2] != type(module).__name__[-2]:
        raise Unsupported(f"{type(module).__name__} with the indices of {type(pool_module).__name__}")
    args = {field: json_value(field, getattr(module, field)) for field in ("kernel_size", "stride", "padding")}
    if bound["output_size"] is not None:
        args["output_size"] = list(tensor_shape(node)[-dims:])
    for field in _MAX_POOL:
        args["pool_" + field] = json_value(field, getattr(pool_module, field))
    return Steps([(type(module).__name__, args)], [_tensor(bound, "input"), _tensor({"x": pool.args[0]}, "x")])


def _alias(node):
    return Steps([], [_tensor({"input": node.args[0]}, "input")])


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
    **{f: _binary(type_) for type_, functions in _COMPARISONS.items() for f in functions},
    operator.neg: _unary("Neg"), torch.neg: _unary("Neg"), torch.negative: _unary("Neg"),
    operator.abs: _unary("Abs"), torch.abs: _unary("Abs"), torch.sqrt: _unary("Sqrt"), torch.exp: _unary("Exp"),
    torch.log: _unary("Log"),
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
                                                         ("div", "Div"), ("pow", "Pow"))
       for suffix in ("", "_")},
    "maximum": _binary("Maximum"), "minimum": _binary("Minimum"),
    **{name: _binary(type_) for name, type_ in (("gt", "Gt"), ("ge", "Ge"), ("lt", "Lt"), ("le", "Le"), ("eq", "Eq"))},
    **{name + suffix: _unary(type_) for name, type_ in (("neg", "Neg"), ("abs", "Abs"), ("sqrt", "Sqrt"),
                                                        ("exp", "Exp"), ("log", "Log"))
       for suffix in ("", "_")},
    "mean": _reduction("Mean", None, mean=True), "sum": _reduction("Sum", None),
    "amax": _reduction("Amax", ()), "amin": _reduction("Amin", ()),
    "matmul": _matmul, "bmm": _matmul,
    "squeeze": _squeeze_unsqueeze(False), "unsqueeze": _squeeze_unsqueeze(True),
    "contiguous": _alias,
    "permute": _permute, "transpose": _transpose, "swapaxes": _transpose,
}

# Results that only feed the arguments of other nodes (x.size(0) in a view): never layers themselves.
# chunk / split results are tuples: the getitem of a piece becomes a Slice of their input.
HELPER_METHODS = {"size", "dim", "chunk", "split"}
# Integer arithmetic on sizes (c // groups) only feeds such arguments too.
HELPER_FUNCTIONS = {getattr, operator.getitem, torch.chunk, torch.split, operator.floordiv, operator.mul,
                    operator.add, operator.sub}


def may_write_input(node):
    """For a node that could not be translated: whether it might write into its input (then it matters even
    when its own result is unused)."""
    if node.op == "call_method":
        return node.target.endswith("_")
    return node.op == "call_function" and (node.kwargs.get("inplace") is True or node.target in _OPERATOR_INPLACE)


_OPERATOR_INPLACE = {operator.iadd, operator.isub, operator.imul, operator.itruediv, operator.ifloordiv,
                     operator.imod, operator.ipow, operator.imatmul, operator.iand, operator.ior, operator.ixor,
                     operator.ilshift, operator.irshift}
