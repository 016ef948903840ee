package io.cnn4j.layers;

import io.cnn4j.ops.Reduce;
import java.util.Arrays;
import java.util.Map;

/**
 * The reductions of the format (version 2): {@code Sum}, {@code Mean}, {@code Amax}, {@code Amin}, as torch.sum,
 * torch.mean, torch.amax and torch.amin with {@code dim} (required: an int or a list of ints, negative counting from
 * the end, never the batch dim 0) and {@code keepdim} (default false), run by {@link Reduce}.
 */
final class ReductionLayers {
    private ReductionLayers() {}

    static void register(Map<String, LayerFactory> factories) {
        factories.put("Sum", a -> create(a, Reduce.Kind.SUM));
        factories.put("Mean", a -> create(a, Reduce.Kind.MEAN));
        factories.put("Amax", a -> create(a, Reduce.Kind.AMAX));
        factories.put("Amin", a -> create(a, Reduce.Kind.AMIN));
    }

    private static Layer create(LayerArgs a, Reduce.Kind kind) {
        if (!a.has("dim")) {
            throw a.error("missing required argument dim (an int or a list of ints; reducing every dim would "
                    + "reduce the batch dim 0, which cnn4j models keep)");
        }
        long[] dims = a.intOrList("dim");
        boolean keepdim = a.bool("keepdim", false);
        for (long d : dims) {
            if (d == 0) {
                throw a.error("dim " + Arrays.toString(dims) + " includes 0, the batch dim, which cnn4j models keep "
                        + "whole; reduce other dims");
            }
        }
        return UnaryOpLayer.create(a, Layer.Aliasing.NONE, () -> new CheckedOp(Reduce.create(kind, dims, keepdim),
                in -> {
                    for (long d : dims) {
                        if (d == -in.length) {
                            throw a.error("dim " + d + " is the batch dim of a " + in.length + "-d input, which "
                                    + "cnn4j models keep whole; reduce other dims");
                        }
                    }
                }));
    }
}
