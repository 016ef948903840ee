"""Data movement that keeps the batch dim first: torch.cat, view / reshape / squeeze / unsqueeze (Flatten and
Unflatten), chunk / split pieces and constant slicing (Slice), the pieces of MaxPool(return_indices=True)'s tuple,
permute / transpose (Permute), expand / expand_as (Expand), F.pad (the padding modules) and aliases
(x.contiguous()).
"""
import math
import operator

import torch
import torch.fx

from ._pooling import pool_indices, pooled_with_indices
from ._translate import REQUIRED, Steps, Unsupported, _tensor, bind, json_value, tensor_shape


def _cat(node):
    bound = bind(node, (("tensors", REQUIRED), ("dim", 0)))
    tensors = bound["tensors"]
    if not isinstance(tensors, (list, tuple)) or not tensors:
        raise Unsupported("tensors must be a list of tensors")
    inputs = [_tensor({"tensors": t}, "tensors") for t in tensors]
    return Steps([("Concat", {"dim": json_value("dim", bound["dim"])})], inputs)


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
        return pool_indices(source)  # the indices as data (MaxUnpool recomputes them instead)
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


def _expand(node):
    """x.expand(*sizes) / x.expand_as(other): the format's Expand, -1 for every dim it keeps; the batch dim must stay
    (-1 or x.size(0) in sizes; other's batch is the batch) and no dims may be added in front of x's."""
    x = node.args[0]
    shape, result = tensor_shape(x), tensor_shape(node)
    if shape is None:
        raise Unsupported("input is not a tensor computed by the model")
    if node.target == "expand_as":
        if tensor_shape(node.args[1] if len(node.args) > 1 else node.kwargs.get("other")) is None:
            raise Unsupported("other is not a tensor computed by the model")
    else:
        sizes = node.args[1:] or tuple(node.kwargs.get("size", ()))
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list, torch.Size)):
            sizes = tuple(sizes[0])
        if len(sizes) != len(shape):
            raise Unsupported(f"expand to {len(sizes)} dims of a tensor of {len(shape)}: new leading dims would move "
                              "the batch dim; give one size per dim")
        if not (sizes[0] == -1 or _is_batch_size_of(sizes[0], x)):
            raise Unsupported(f"expand size {sizes[0]!r} in dim 0 (the batch): give -1 or x.size(0)")
    if len(result) != len(shape):
        raise Unsupported(f"expand_as a tensor of {len(result)} dims from {len(shape)}: new leading dims would move "
                          "the batch dim")
    size = [-1] + [r if r != s else -1 for s, r in zip(shape[1:], result[1:])]
    if size == [-1] * len(size):
        return Steps([], [x])
    return Steps([("Expand", {"size": size})], [x])


def _alias(node):
    return Steps([], [_tensor({"input": node.args[0]}, "input")])
