package io.cnn4j.layers;

import io.cnn4j.Tensor;
import io.cnn4j.ops.MaxPool;
import io.cnn4j.ops.MaxUnpool;
import io.cnn4j.ops.PoolOptions;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;

/**
 * {@code MaxUnpool1d/2d/3d} (format version 2): {@code nn.MaxUnpoolNd(kernel_size, stride=None, padding=0)} called
 * as {@code unpool(x, indices, output_size)}, where the indices are those a {@code MaxPoolNd(return_indices=True)}
 * returned. A model layer has one result, so the format names the indices by where they come from: the layer's
 * inputs are {@code [x, the tensor that MaxPool pooled]}, and {@code pool_kernel_size}, {@code pool_stride},
 * {@code pool_padding}, {@code pool_dilation}, {@code pool_ceil_mode} are that MaxPool's arguments (PyTorch's
 * defaults); the indices are recomputed from them exactly. {@code output_size} (optional) is the forward argument.
 */
final class MaxUnpoolLayer implements Layer {
    private final MaxUnpool op;

    private MaxUnpoolLayer(MaxUnpool op) {
        this.op = op;
    }

    static void register(Map<String, LayerFactory> factories) {
        for (int d = 1; d <= 3; d++) {
            int dims = d;
            factories.put("MaxUnpool" + d + "d", a -> create(a, dims));
        }
    }

    private static Layer create(LayerArgs a, int dims) {
        if (!a.has("kernel_size")) {
            throw a.error("missing required argument kernel_size");
        }
        if (!a.has("pool_kernel_size")) {
            throw a.error("missing required argument pool_kernel_size (the kernel_size of the MaxPool" + dims
                    + "d whose indices this unpooling uses)");
        }
        int[] kernel = a.intOrTuple("kernel_size", dims, null);
        int[] stride = a.has("stride") ? a.intOrTuple("stride", dims, null) : null;
        int[] padding = a.intOrTuple("padding", dims, new int[] {0});
        long[] outputSize = a.has("output_size") ? a.intOrList("output_size") : null;
        PoolOptions o = new PoolOptions(a.intOrTuple("pool_kernel_size", dims, null))
                .stride(a.has("pool_stride") ? a.intOrTuple("pool_stride", dims, null) : null)
                .padding(a.intOrTuple("pool_padding", dims, new int[] {0}))
                .dilation(a.intOrTuple("pool_dilation", dims, new int[] {1}))
                .ceilMode(a.bool("pool_ceil_mode", false));
        a.finish();
        try {
            return new MaxUnpoolLayer(MaxUnpool.create(dims, kernel, stride, padding, outputSize,
                    MaxPool.create(dims, o)));
        } catch (IllegalArgumentException e) {
            throw a.inContext(e);
        }
    }

    private static void checkCount(List<long[]> inputShapes) {
        if (inputShapes.size() != 2) {
            throw new IllegalArgumentException("max_unpool: takes 2 inputs (the values, then the tensor the MaxPool "
                    + "pooled), got " + inputShapes.size());
        }
    }

    @Override
    public long[] outputShape(List<long[]> inputShapes) {
        checkCount(inputShapes);
        return op.outputShape(inputShapes.get(0), inputShapes.get(1));
    }

    @Override
    public long workspaceSize(List<long[]> inputShapes) {
        checkCount(inputShapes);
        return op.workspaceSize(inputShapes.get(0), inputShapes.get(1));
    }

    @Override
    public void run(List<Tensor> inputs, Tensor output, FloatPointer workspace) {
        checkCount(inputs.stream().map(t -> t == null ? null : new long[0]).toList());
        op.run(inputs.get(0), inputs.get(1), output, workspace);
    }

    @Override
    public Step prepare(List<long[]> inputShapes) {
        checkCount(inputShapes);
        MaxUnpool.Prepared p = op.prepare(inputShapes.get(0), inputShapes.get(1));
        return (inputs, output, workspace) -> p.run(inputs[0], inputs[1], output, workspace);
    }
}
