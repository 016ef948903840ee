"""Pooling functions (F.max_pool1d ... F.lp_pool3d, their arguments the modules' constructor arguments), the
indices of a MaxPoolNd(return_indices=True) as data (the format's MaxPoolIndicesNd: float32 integers, PyTorch's
int64 values) and unpooling: nn.MaxUnpoolNd at those indices, written as the format's MaxUnpoolNd over the tensor
that MaxPool pooled (cnn4j recomputes the indices from it).
"""
import operator

import torch.fx
import torch.nn.functional as F

from ._modules import _AVG_POOL, _AVG_POOL_1D, _LP_POOL, _MAX_POOL, _MAX_POOLS
from ._translate import REQUIRED, Steps, Unsupported, _call, _tensor, bind, json_value, tensor_shape


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


def pooled_with_indices(value):
    """The MaxPoolNd module node value is, when it has return_indices=True (its result is (values, indices)), else
    None."""
    if not isinstance(value, torch.fx.Node) or value.op != "call_module":
        return None
    module = value.graph.owning_module.get_submodule(value.target)
    return value if isinstance(module, _MAX_POOLS) and module.return_indices else None


def pool_indices(pool):
    """The indices (the tuple's second element) of the MaxPoolNd(return_indices=True) module node pool, read as data:
    the format's MaxPoolIndicesNd with the pool's arguments, on the tensor it pooled. Exact while each input plane
    has at most 2^24 elements (cnn4j refuses larger ones)."""
    module = pool.graph.owning_module.get_submodule(pool.target)
    args = {field: json_value(field, getattr(module, field)) for field in _MAX_POOL}
    return Steps([(f"MaxPoolIndices{type(module).__name__[-2]}d", args)], [_tensor({"x": pool.args[0]}, "x")])


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
