"""The translation machinery every node family shares: a translation is a `Steps`, the layers a torch.fx node
becomes, chained (the first takes `inputs`, each next one the previous result), the graph nodes whose tensors it
consumes, whether it writes into its first input (the exporter then checks that nothing reads that tensor afterwards),
and the module path whose parameters the layers use (`name`, for an operand that is a module's own nn.Parameter).
Zero layers is an alias (`x.contiguous()`). Anything the format cannot say raises `Unsupported` with the reason; the
exporter gathers every such node before refusing the model, so the user sees the whole list at once.

Here: binding a call's arguments, JSON values of constructor arguments, tensor operands and numbers.
"""
import math
from collections import namedtuple

import torch
import torch.fx


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


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


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
