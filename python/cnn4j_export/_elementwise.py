"""Element-wise calls: the format's binary types (Add, Sub, Mul, Div, Maximum, Minimum, Pow and the comparisons Gt ...
Eq, from torch functions, tensor methods and Python operators) over broadcast operands, and the unary math types
(Neg, Abs, Sqrt, Exp, Log, Floor, Ceil, Round, Sign, Erf).
"""
import operator

import torch

from ._translate import REQUIRED, Steps, Unsupported, _tensor, bind, operands, tensor_shape


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


def _unary(type_):
    def translate(node):
        params = (("input", REQUIRED),)
        if type_ == "Round":
            params += (("decimals", 0),)
        bound = bind(node, params)
        if bound.get("decimals", 0) != 0:
            raise Unsupported(f"decimals={bound['decimals']!r} is not supported, only 0 (rounding to integers)")
        writes = isinstance(node.target, str) and node.target.endswith("_")
        return Steps([(type_, {})], [_tensor(bound, "input")], writes)
    return translate


_TORCH_BINARY = {torch.add, torch.sub}

# The comparisons: the format's Gt ... Eq (a torch.bool result, float32 1 / 0 in cnn4j), for torch.where's condition.
_COMPARISONS = {"Gt": (operator.gt, torch.gt, torch.greater), "Ge": (operator.ge, torch.ge, torch.greater_equal),
                "Lt": (operator.lt, torch.lt, torch.less), "Le": (operator.le, torch.le, torch.less_equal),
                "Eq": (operator.eq, torch.eq)}


_OPERATOR_INPLACE = {operator.iadd, operator.isub, operator.imul, operator.itruediv, operator.ifloordiv,
                     operator.imod, operator.ipow, operator.imatmul, operator.iand, operator.ior, operator.ixor,
                     operator.ilshift, operator.irshift}
