package io.cnn4j.layers;

import io.cnn4j.Tensor;
import io.cnn4j.ops.Activation;
import io.cnn4j.ops.PRelu;
import io.cnn4j.ops.Softmax;
import io.cnn4j.ops.UnaryMath;
import io.cnn4j.ops.UnaryOp;
import java.util.List;
import java.util.function.Supplier;

/**
 * The activation modules (ReLU, ReLU6, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Hardswish, Hardsigmoid, Softplus,
 * Mish, SELU, CELU, Hardtanh, Softsign, LogSigmoid, PReLU) and Softmax / LogSoftmax, with PyTorch's arguments. They may run in place over an input nobody reads later; the
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
        factories.put("Softplus", a -> {
            double beta = a.number("beta", 1.0);
            double threshold = a.number("threshold", 20.0);
            return create(a, false, () -> UnaryMath.softplus(beta, threshold));
        });
        factories.put("Mish", a -> create(a, true, UnaryMath::mish));
        factories.put("SELU", a -> create(a, true, UnaryMath::selu));
        factories.put("CELU", a -> {
            double alpha = a.number("alpha", 1.0);
            return create(a, true, () -> UnaryMath.celu(alpha));
        });
        factories.put("Hardtanh", a -> {
            double min = a.number("min_val", -1.0);
            double max = a.number("max_val", 1.0);
            return create(a, true, () -> UnaryMath.hardtanh(min, max));
        });
        factories.put("Softsign", a -> create(a, false, UnaryMath::softsign));
        factories.put("LogSigmoid", a -> create(a, false, UnaryMath::logSigmoid));
        factories.put("PReLU", ActivationLayer::prelu);
        factories.put("Softmax", a -> softmax(a, false));
        factories.put("LogSoftmax", a -> softmax(a, true));
    }

    private static Layer create(LayerArgs a, boolean takesInplace, Supplier<UnaryOp> op) {
        if (takesInplace) {
            a.bool("inplace", false);
        }
        return UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, op);
    }

    /** nn.PReLU(num_parameters=1, init=0.25): the weight <name>.weight of num_parameters values (init only seeds it). */
    private static Layer prelu(LayerArgs a) {
        int count = a.integer("num_parameters", 1);
        a.number("init", 0.25);
        if (count < 1) {
            throw a.error("num_parameters must be at least 1, got " + count);
        }
        a.finish();
        Tensor weight = a.weight("weight", count);
        try {
            return new UnaryOpLayer(PRelu.create(weight), Layer.Aliasing.IN_PLACE_OK, List.of(weight),
                    (in, out) -> 0);
        } catch (IllegalArgumentException e) {
            weight.close();
            throw a.inContext(e);
        }
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
