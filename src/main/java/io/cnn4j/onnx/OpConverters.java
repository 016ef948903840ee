package io.cnn4j.onnx;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The registry of ONNX ops that may act on computed tensors, one converter per op, registered by op family. Its key
 * set is the list of supported ops (constant-only ops are {@link ConstantFolding}'s); adding an op is adding it to
 * its family's {@code register}.
 */
final class OpConverters {
    private static final Map<String, OpConverter> BY_OP = new TreeMap<>();

    static {
        ActivationConverters.register(BY_OP);
        ArithmeticConverters.register(BY_OP);
        ConditionConverters.register(BY_OP);
        ConvConverters.register(BY_OP);
        DataMovementConverters.register(BY_OP);
        DenseConverters.register(BY_OP);
        NormalizationConverters.register(BY_OP);
        PoolConverters.register(BY_OP);
        ReduceConverters.register(BY_OP);
        ResizeConverters.register(BY_OP);
        SliceConverters.register(BY_OP);
        SoftmaxConverters.register(BY_OP);
    }

    private OpConverters() {}

    /** The supported ONNX ops (default domain), sorted. */
    static Set<String> supported() {
        return Collections.unmodifiableSet(BY_OP.keySet());
    }

    /** The converter for {@code op}, or null when cnn4j has none. */
    static OpConverter forOp(String op) {
        return BY_OP.get(op);
    }
}
