package io.cnn4j.layers;

import io.cnn4j.ops.AdaptiveAvgPool;
import io.cnn4j.ops.AdaptiveMaxPool;
import io.cnn4j.ops.AvgPool;
import io.cnn4j.ops.LpPool;
import io.cnn4j.ops.MaxPool;
import io.cnn4j.ops.MaxPoolIndices;
import io.cnn4j.ops.PoolOptions;
import io.cnn4j.ops.UnaryOp;

/**
 * The pooling modules: {@code MaxPool1d/2d/3d}, {@code AvgPool1d/2d/3d}, {@code LPPool1d/2d/3d},
 * {@code AdaptiveAvgPool1d/2d/3d}, {@code AdaptiveMaxPool1d/2d/3d}, with PyTorch's constructor arguments.
 * {@code return_indices=True} is refused: it makes the module return a tuple, and a layer has one result; the
 * indices are the format's {@code MaxPoolIndices1d/2d/3d} (MaxPoolNd's arguments, the indices as float32 integers).
 */
public final class PoolLayer {
    private PoolLayer() {}

    static Layer maxPool(LayerArgs a, int dims) {
        PoolOptions o = new PoolOptions(a.intOrTuple("kernel_size", dims, null))
                .stride(a.has("stride") ? a.intOrTuple("stride", dims, null) : null)
                .padding(a.intOrTuple("padding", dims, new int[] {0}))
                .dilation(a.intOrTuple("dilation", dims, new int[] {1}))
                .ceilMode(a.bool("ceil_mode", false));
        refuseIndices(a);
        return create(a, () -> MaxPool.create(dims, o));
    }

    /**
     * {@code MaxPoolIndices1d/2d/3d}: the indices {@code MaxPoolNd(return_indices=True)} returns with the values, as
     * float32 integers; {@code indices}: {@code "plane"} (PyTorch's, the default) or {@code "tensor"} (counted across
     * the whole input, as ONNX's MaxPool counts them).
     */
    static Layer maxPoolIndices(LayerArgs a, int dims) {
        PoolOptions o = new PoolOptions(a.intOrTuple("kernel_size", dims, null))
                .stride(a.has("stride") ? a.intOrTuple("stride", dims, null) : null)
                .padding(a.intOrTuple("padding", dims, new int[] {0}))
                .dilation(a.intOrTuple("dilation", dims, new int[] {1}))
                .ceilMode(a.bool("ceil_mode", false));
        boolean perTensor = a.string("indices", "plane", "plane", "tensor").equals("tensor");
        return create(a, () -> MaxPoolIndices.create(MaxPool.create(dims, o), perTensor));
    }

    static Layer avgPool(LayerArgs a, int dims) {
        PoolOptions o = new PoolOptions(a.intOrTuple("kernel_size", dims, null))
                .stride(a.has("stride") ? a.intOrTuple("stride", dims, null) : null)
                .padding(a.intOrTuple("padding", dims, new int[] {0}))
                .ceilMode(a.bool("ceil_mode", false))
                .countIncludePad(a.bool("count_include_pad", true));
        if (dims > 1 && a.has("divisor_override")) {
            o.divisorOverride(a.integer("divisor_override", 0));
        }
        return create(a, () -> AvgPool.create(dims, o));
    }

    static Layer lpPool(LayerArgs a, int dims) {
        double normType = a.number("norm_type", Double.NaN);
        if (Double.isNaN(normType)) {
            throw a.error("missing required argument norm_type");
        }
        PoolOptions o = new PoolOptions(a.intOrTuple("kernel_size", dims, null))
                .stride(a.has("stride") ? a.intOrTuple("stride", dims, null) : null)
                .ceilMode(a.bool("ceil_mode", false));
        return create(a, () -> LpPool.create(dims, normType, o));
    }

    static Layer adaptiveAvgPool(LayerArgs a, int dims) {
        Integer[] size = a.nullableTuple("output_size", dims);
        return create(a, () -> AdaptiveAvgPool.create(dims, size));
    }

    static Layer adaptiveMaxPool(LayerArgs a, int dims) {
        Integer[] size = a.nullableTuple("output_size", dims);
        refuseIndices(a);
        return create(a, () -> AdaptiveMaxPool.create(dims, size, false));
    }

    private static void refuseIndices(LayerArgs a) {
        if (a.bool("return_indices", false)) {
            throw a.error("return_indices=true makes the module return a tuple (values, indices); a model layer "
                    + "has one result. Use Functional.maxPool2dWithIndices for indices");
        }
    }

    private static Layer create(LayerArgs a, java.util.function.Supplier<UnaryOp> factory) {
        return UnaryOpLayer.create(a, Layer.Aliasing.NONE, factory);
    }
}
