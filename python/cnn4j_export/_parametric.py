"""Functions whose operands are a module's own parameters or several tensors, as cnn4j layers: F.linear,
F.layer_norm and F.group_norm called with `self.<module>.weight` / `.bias` (the format's Linear, LayerNorm, GroupNorm
named by that module's path, which holds the parameters), and torch.where (the format's Where, its condition a
comparison's result). Each translator takes a torch.fx node and returns `Steps` or raises `Unsupported`, as those of
_layers do.
"""

import torch
import torch.fx
import torch.nn.functional as F

from ._translate import REQUIRED, Steps, Unsupported, _tensor, bind, json_value, operands, tensor_shape


def _owner(bound, names, attributes):
    """The module path whose own parameters the arguments `names` are (None when all are None): each must be the
    parameter of the attribute name the format's layer reads (`attributes`), all of one module."""
    owner = None
    for name, attribute in zip(names, attributes):
        value = bound[name]
        if value is None:
            continue
        if not (isinstance(value, torch.fx.Node) and value.op == "get_attr"):
            raise Unsupported(f"{name} must be a module's own parameter (self.<module>.{attribute}); a computed or "
                              "constant one has no place in the format")
        path, _, got = value.target.rpartition(".")
        if not path:
            raise Unsupported(f"{name} is the top-level parameter {value.target}; the format names parameters by "
                              "module path: keep it in a submodule")
        if got != attribute:
            raise Unsupported(f"{name} is {value.target}, but the layer reads <module>.{attribute}: name the "
                              f"parameter {attribute}")
        if owner not in (None, path):
            raise Unsupported(f"the parameters belong to two modules ({owner}, {path}); the layer reads them from one")
        owner = path
    return owner


def _linear(node):
    """F.linear(input, weight, bias) with a module's own weight [out, in] and bias: the format's Linear."""
    bound = bind(node, (("input", REQUIRED), ("weight", REQUIRED), ("bias", None)))
    x = _tensor(bound, "input")
    owner = _owner(bound, ("weight", "bias"), ("weight", "bias"))
    if bound["weight"] is None or owner is None:
        raise Unsupported("weight must be a module's own parameter (self.<module>.weight)")
    out_features, in_features = tensor_shape(bound["weight"])
    return Steps([("Linear", {"in_features": in_features, "out_features": out_features,
                              "bias": bound["bias"] is not None})], [x], False, owner)


def _layer_norm(node):
    """F.layer_norm(input, normalized_shape, weight, bias, eps) with a module's own weight and bias: LayerNorm."""
    bound = bind(node, (("input", REQUIRED), ("normalized_shape", REQUIRED), ("weight", None), ("bias", None),
                        ("eps", 1e-5)))
    x = _tensor(bound, "input")
    if bound["weight"] is None and bound["bias"] is not None:
        raise Unsupported("a bias without a weight: nn.LayerNorm has a bias only with elementwise_affine=True")
    owner = _owner(bound, ("weight", "bias"), ("weight", "bias"))
    args = {"normalized_shape": json_value("normalized_shape", bound["normalized_shape"]),
            "eps": json_value("eps", bound["eps"]), "elementwise_affine": bound["weight"] is not None,
            "bias": bound["bias"] is not None}
    return Steps([("LayerNorm", args)], [x], False, owner)


def _group_norm(node):
    """F.group_norm(input, num_groups, weight, bias, eps) with a module's own weight and bias: GroupNorm."""
    bound = bind(node, (("input", REQUIRED), ("num_groups", REQUIRED), ("weight", None), ("bias", None),
                        ("eps", 1e-5)))
    x = _tensor(bound, "input")
    if (bound["weight"] is None) != (bound["bias"] is None):
        raise Unsupported("weight and bias must be given together: nn.GroupNorm has both (affine=True) or neither")
    owner = _owner(bound, ("weight", "bias"), ("weight", "bias"))
    args = {"num_groups": json_value("num_groups", bound["num_groups"]), "num_channels": tensor_shape(x)[1],
            "eps": json_value("eps", bound["eps"]), "affine": bound["weight"] is not None}
    return Steps([("GroupNorm", args)], [x], False, owner)


def _where(node):
    """torch.where(condition, input, other): the format's Where, the condition (a comparison's result) first; input
    and other are tensors, Python numbers or a module's own parameters, as the binary types take them."""
    bound = bind(node, (("condition", REQUIRED), ("input", REQUIRED), ("other", REQUIRED)))
    condition = _tensor(bound, "condition")
    inputs = [condition]
    args, owner = operands(bound, inputs)
    ranks = {len(tensor_shape(t)) for t in inputs}
    if len(ranks) > 1:
        raise Unsupported(f"where of tensors of ranks {sorted(ranks)}: broadcasting would align the batch dim of one "
                          "with another dim of another; give all the same rank (unsqueeze)")
    return Steps([("Where", args)], inputs, False, owner)


FUNCTIONS = {torch.where: _where, F.linear: _linear, F.layer_norm: _layer_norm, F.group_norm: _group_norm}
