"""Leaf modules: class -> the format type (the class name) and its constructor arguments, read back from the
module's attributes. `inplace` and `return_indices` are not written: they do not change what an inference computes
(in-place safety is checked on the graph; MaxPool's return_indices=True tuple is read piece by piece: the values
are the MaxPool layer, the indices a MaxPoolIndices layer or what MaxUnpool recomputes, see _pooling).
"""
import torch.nn as nn

from ._translate import Unsupported, json_value


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
