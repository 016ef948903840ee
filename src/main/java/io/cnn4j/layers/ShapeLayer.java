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

    static Layer unflatten(LayerArgs a) {
        if (!a.has("dim")) {
            throw a.error("missing required argument dim");
        }
        int dim = a.integer("dim", 0);
        long[] sizes = java.util.Arrays.stream(a.intList("unflattened_size")).asLongStream().toArray();
        return UnaryOpLayer.create(a, Layer.Aliasing.VIEW, () -> Unflatten.create(dim, sizes));
    }
}
