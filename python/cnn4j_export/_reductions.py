"""Reductions (torch.sum / mean / amax / amin over constant non-batch dims) and matrix products (torch.matmul, bmm,
`@`) as the format's Sum / Mean / Amax / Amin and Matmul.
"""
import torch.fx

from ._translate import REQUIRED, Steps, Unsupported, _tensor, bind, tensor_shape


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
