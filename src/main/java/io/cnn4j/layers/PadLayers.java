package io.cnn4j.layers;

import io.cnn4j.ops.Pad;
import java.util.Map;

/**
 * The padding modules, with PyTorch's arguments: {@code ConstantPad1d/2d/3d(padding, value)},
 * {@code ZeroPad1d/2d/3d(padding)}, {@code ReflectionPad1d/2d/3d(padding)}, {@code ReplicationPad1d/2d/3d(padding)}
 * and {@code CircularPad1d/2d/3d(padding)}: padding an int (every side) or 2 x d ints (left, right, top, bottom,
 * front, back: the last dim first), run by {@link Pad} with its mode. Negative padding crops, as in PyTorch.
 */
final class PadLayers {
    private PadLayers() {}

    static void register(Map<String, LayerFactory> factories) {
        for (int d = 1; d <= 3; d++) {
            int dims = d;
            factories.put("ConstantPad" + d + "d", a -> create(a, dims, "constant", true));
            factories.put("ZeroPad" + d + "d", a -> create(a, dims, "constant", false));
            factories.put("ReflectionPad" + d + "d", a -> create(a, dims, "reflect", false));
            factories.put("ReplicationPad" + d + "d", a -> create(a, dims, "replicate", false));
            factories.put("CircularPad" + d + "d", a -> create(a, dims, "circular", false));
        }
    }

    private static Layer create(LayerArgs a, int dims, String mode, boolean takesValue) {
        if (!a.has("padding")) {
            throw a.error("missing required argument padding");
        }
        int[] given = a.intOrTuple("padding", 2 * dims, null);
        int[] padding = new int[2 * dims];
        for (int i = 0; i < padding.length; i++) {
            padding[i] = given.length == 1 ? given[0] : given[i];
        }
        double value = takesValue ? requiredValue(a) : 0;
        return UnaryOpLayer.create(a, Layer.Aliasing.NONE, () -> new CheckedOp(Pad.create(padding, mode, value),
                in -> {
                    // The module takes (C, *) unbatched or (N, C, *) batched inputs of its dims; a model's are batched.
                    // Constant padding is F.pad on the last dims of any input, so it may pad the channels too.
                    if (mode.equals("constant") ? in.length < dims + 1 : in.length != dims + 2) {
                        throw a.error("expected " + (dims + 2) + "-d input (N, C, " + dims + " padded dim"
                                + (dims > 1 ? "s" : "") + "), got input of shape " + java.util.Arrays.toString(in));
                    }
                }));
    }

    private static double requiredValue(LayerArgs a) {
        if (!a.has("value")) {
            throw a.error("missing required argument value");
        }
        return a.number("value", 0);
    }
}
