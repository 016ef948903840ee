package io.cnn4j.layers;

import io.cnn4j.ops.Flatten;
import io.cnn4j.ops.Unflatten;

/** {@code nn.Flatten(start_dim=1, end_dim=-1)} and {@code nn.Unflatten(dim, unflattened_size)}: views, no copy. */
public final class ShapeLayer {
    private ShapeLayer() {}

    static Layer flatten(LayerArgs a) {
        int start = a.integer("start_dim", 1);
        int end = a.integer("end_dim", -1);
        return UnaryOpLayer.create(a, Layer.Aliasing.VIEW, () -> Flatten.create(start, end));
    }

    /** torch.permute(x, dims) (format version 2); dims[0] must keep the batch dim first. */
    static Layer permute(LayerArgs a) {
        if (!a.has("dims")) {
            throw a.error("missing required argument dims");
        }
        long[] dims = java.util.Arrays.stream(a.intList("dims")).asLongStream().toArray();
        if (dims.length == 0 || dims[0] != 0) {
            throw a.error("dims " + java.util.Arrays.toString(dims) + " must start with 0: cnn4j models keep dim 0 "
                    + "as the batch");
        }
        return UnaryOpLayer.create(a, Layer.Aliasing.NONE, () -> io.cnn4j.ops.Permute.create(dims));
    }

    /**
     * Expand(size): {@code x.expand(*size)} (format version 2), one size per input dim, -1 keeping a dim; the batch
     * dim (0) must be -1, since the batch is free.
     */
    static Layer expand(LayerArgs a) {
        if (!a.has("size")) {
            throw a.error("missing required argument size");
        }
        long[] size = java.util.Arrays.stream(a.intList("size")).asLongStream().toArray();
        if (size.length == 0 || size[0] != -1) {
            throw a.error("size " + java.util.Arrays.toString(size) + " must start with -1: cnn4j models keep dim 0 "
                    + "as the batch, of any size");
        }
        return UnaryOpLayer.create(a, Layer.Aliasing.NONE, () -> io.cnn4j.ops.Expand.create(size));
    }

    /** Slice(dim, start=None, end=None, step=1): x[..., start:end:step] along dim, which may not be the batch dim. */
    static Layer slice(LayerArgs a) {
        if (!a.has("dim")) {
            throw a.error("missing required argument dim");
        }
        int dim = a.integer("dim", 0);
        Long start = a.has("start") ? (long) a.integer("start", 0) : null;
        Long end = a.has("end") ? (long) a.integer("end", 0) : null;
        int step = a.integer("step", 1);
        if (dim == 0) {
            throw a.error("dim 0 is the batch dim, which cnn4j models keep whole; slice another dim");
        }
        // A negative dim must not name the batch dim either.
        return UnaryOpLayer.create(a, Layer.Aliasing.NONE, () -> new CheckedOp(
                io.cnn4j.ops.Slice.create(dim, start, end, step), in -> {
                    if (dim == -in.length) {
                        throw a.error("dim " + dim + " is the batch dim of a " + in.length + "-d input, which cnn4j "
                                + "models keep whole; slice another dim");
                    }
                }));
    }

    static Layer unflatten(LayerArgs a) {
        if (!a.has("dim")) {
            throw a.error("missing required argument dim");
        }
        int dim = a.integer("dim", 0);
        long[] sizes = java.util.Arrays.stream(a.intList("unflattened_size")).asLongStream().toArray();
        return UnaryOpLayer.create(a, Layer.Aliasing.VIEW, () -> Unflatten.create(dim, sizes));
    }
}
