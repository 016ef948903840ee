package io.cnn4j.layers;

import io.cnn4j.ops.Activation;
import io.cnn4j.ops.Softmax;
import io.cnn4j.ops.UnaryOp;
import java.util.function.Supplier;

/**
 * The activation modules (ReLU, ReLU6, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Hardswish, Hardsigmoid) and
 * Softmax / LogSoftmax, with PyTorch's arguments. They may run in place over an input nobody reads later; the
 * {@code inplace} argument is accepted and left to the planner.
 */
public final class ActivationLayer {
    private ActivationLayer() {}

    static void register(java.util.Map<String, LayerFactory> factories) {
        factories.put("ReLU", a -> create(a, true, Activation::relu));
        factories.put("ReLU6", a -> create(a, true, Activation::relu6));
        factories.put("LeakyReLU", a -> {
            double slope = a.number("negative_slope", 0.01);
            return create(a, true, () -> Activation.leakyRelu(slope));
        });
        factories.put("ELU", a -> {
            double alpha = a.number("alpha", 1.0);
            return create(a, true, () -> Activation.elu(alpha));
        });
        factories.put("GELU", a -> {
            String approximate = a.string("approximate", "none", "none", "tanh");
            return create(a, false, () -> Activation.gelu(approximate));
        });
        factories.put("SiLU", a -> create(a, true, Activation::silu));
        factories.put("Sigmoid", a -> create(a, false, Activation::sigmoid));
        factories.put("Tanh", a -> create(a, false, Activation::tanh));
        factories.put("Hardswish", a -> create(a, true, Activation::hardswish));
        factories.put("Hardsigmoid", a -> create(a, true, Activation::hardsigmoid));
        factories.put("Softmax", a -> softmax(a, false));
        factories.put("LogSoftmax", a -> softmax(a, true));
    }

    private static Layer create(LayerArgs a, boolean takesInplace, Supplier<UnaryOp> op) {
        if (takesInplace) {
            a.bool("inplace", false);
        }
        return UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, op);
    }

    private static Layer softmax(LayerArgs a, boolean log) {
        if (!a.has("dim")) {
            throw a.error("dim is required: nn." + a.type() + "(dim=None) picks a dim by an old, deprecated rule; "
                    + "export the module with an explicit dim");
        }
        int dim = a.integer("dim", 0);
        return UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK,
                () -> log ? Softmax.logSoftmax(dim) : Softmax.softmax(dim));
    }
}
