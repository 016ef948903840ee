package io.cnn4j.ops;

import io.cnn4j.Shapes;
import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A fully connected layer with the semantics of PyTorch's {@code nn.Linear} / {@code F.linear}:
 * {@code y = x W^T + b} over the last dim of an input of shape {@code (*, in_features)}, any rank >= 1.
 *
 * <p>Differences from {@code F.linear}, all refusals: the weight must be 2-d (F.linear also takes a 1-d weight and
 * then drops the last dim, which for a 1-d input gives a 0-d tensor cnn4j cannot represent), and the bias must be
 * {@code [out_features]} exactly (F.linear also broadcasts a bias such as {@code [1]}). Every dim handed to BLAS
 * must fit an int (rows = all leading dims multiplied).
 *
 * <p>Lifecycle as {@link Convolution}: create with the weights, then outputShape / workspaceSize (always 0) per
 * input shape, then run. Immutable and thread-safe; the weight and bias are borrowed, keep them open.
 */
public final class Linear implements EpilogueOp {
    private static final String OP = "linear";
    private final Tensor weight;
    private final Tensor bias;
    private final long inFeatures;
    private final long outFeatures;

    private Linear(Tensor weight, Tensor bias) {
        this.weight = weight;
        this.bias = bias;
        this.outFeatures = weight.size(0);
        this.inFeatures = weight.size(1);
    }

    /**
     * @param weight [out_features, in_features]
     * @param bias [out_features], or null
     */
    public static Linear create(Tensor weight, Tensor bias) {
        Args.checkOpen(OP, "weight", weight);
        if (weight.dim() != 2) {
            throw new IllegalArgumentException(OP + ": weight must be 2-d [out_features, in_features], got weight of "
                    + "shape " + Args.shape(weight.shape()));
        }
        Args.checkFitsInt(OP, "in_features", weight.size(1));
        Args.checkFitsInt(OP, "out_features", weight.size(0));
        if (bias != null) {
            Args.checkOpen(OP, "bias", bias);
            if (bias.dim() != 1 || bias.size(0) != weight.size(0)) {
                throw new IllegalArgumentException(OP + ": bias must have shape [" + weight.size(0)
                        + "] (out_features), got bias of shape " + Args.shape(bias.shape()));
            }
        }
        return new Linear(weight, bias);
    }

    public long inFeatures() {
        return inFeatures;
    }

    public long outFeatures() {
        return outFeatures;
    }

    /** {@code (*, in_features) -> (*, out_features)}. */
    public long[] outputShape(long[] inputShape) {
        checkInput(inputShape);
        long[] out = inputShape.clone();
        out[out.length - 1] = outFeatures;
        return out;
    }

    /** Always 0: the product is written straight into the output. */
    public long workspaceSize(long[] inputShape) {
        checkInput(inputShape);
        return 0;
    }

    /** output = input W^T + b; output must have {@link #outputShape} and not overlap the input. */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        run(input, output, workspace, Epilogue.NONE, null);
    }

    /** Never: a linear layer's epilogue is its activation only. */
    @Override
    public boolean takesResidual() {
        return false;
    }

    /** output = epilogue(linear(input)), the activation applied as the output is written; residual must be null. */
    @Override
    public void run(Tensor input, Tensor output, FloatPointer workspace, Epilogue epilogue, Tensor residual) {
        if (residual != null) {
            throw new IllegalArgumentException(OP + ": takes no residual");
        }
        long[] shape = Args.checkRun(OP, input, output, this::outputShape, false);
        prepare(shape, epilogue).run(input, output, workspace, null);
    }

    /** This layer for one input shape; each run checks the tensors' shapes and calls the native core. */
    @Override
    public PreparedWithEpilogue prepare(long[] inputShape, Epilogue epilogue) {
        long[] inShape = inputShape.clone();
        long[] outShape = outputShape(inShape);
        long rows = Shapes.numel(inShape) / inFeatures;
        return (input, output, workspace, residual) -> {
            if (residual != null) {
                throw new IllegalArgumentException(OP + ": takes no residual");
            }
            Args.checkPrepared(OP, input, inShape, output, outShape, null, workspace, 0);
            NativeCore.check(NativeCore.cnn4j_linear_forward(rows, inFeatures, outFeatures, input.pointer(),
                    weight.pointer(), bias == null ? null : bias.pointer(), epilogue.kind, epilogue.alpha,
                    output.pointer()), "cnn4j_linear_forward");
        };
    }

    private void checkInput(long[] inputShape) {
        Args.checkInputShape(OP, inputShape);
        long last = inputShape[inputShape.length - 1];
        if (last != inFeatures) {
            throw new IllegalArgumentException(OP + ": input's last dim must equal in_features=" + inFeatures
                    + " (weight.size(1)), got input of shape " + Args.shape(inputShape));
        }
        Args.checkFitsInt(OP, "rows (input's leading dims multiplied)",
                Shapes.product(inputShape, 0, inputShape.length - 1));
    }
}
