package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Normalization by each sample's own statistics, as PyTorch's functions compute it at inference:
 * {@code F.group_norm}, {@code F.instance_norm} without running statistics, and {@code F.layer_norm}. Each block of
 * elements sharing one mean and (biased) variance becomes {@code (x - mean) / sqrt(var + eps) * weight + bias}:
 * <ul>
 *   <li>group norm: input (N, C, *), a block per sample and group of C / num_groups consecutive channels; weight and
 *       bias one value per channel;</li>
 *   <li>instance norm: input (N, C, *) with at least one spatial dim of more than one element in all, a block per
 *       sample and channel; weight and bias one value per channel;</li>
 *   <li>layer norm: the trailing dims equal to normalized_shape form one block; weight and bias have
 *       normalized_shape.</li>
 * </ul>
 * Statistics are computed in double ({@code native/ops/norm.cpp}), so results are within a float rounding of the
 * exact values; eps is taken as given (PyTorch does not check it). Lifecycle as {@link Activation}: no scratch, run may write in place (output == input). Immutable and
 * thread-safe; weight and bias are borrowed (may be null: 1 and 0), keep them open.
 */
public final class Normalization extends ScratchFreeOp {
    private enum Kind { GROUP, INSTANCE, LAYER }

    private final String op;
    private final Kind kind;
    private final long numGroups;
    private final long[] normalizedShape;
    private final Tensor weight;
    private final Tensor bias;
    private final double eps;

    private Normalization(String op, Kind kind, long numGroups, long[] normalizedShape, Tensor weight, Tensor bias,
            double eps) {
        this.op = op;
        this.kind = kind;
        this.numGroups = numGroups;
        this.normalizedShape = normalizedShape;
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
    }

    /** {@code F.group_norm(input, num_groups, weight, bias, eps)}; weight and bias 1-d of C values, or null. */
    public static Normalization groupNorm(long numGroups, Tensor weight, Tensor bias, double eps) {
        String op = "group_norm";
        if (numGroups <= 0) {
            throw new IllegalArgumentException(op + ": num_groups must be positive, got num_groups=" + numGroups);
        }
        checkAffine(op, weight, bias, null);
        return new Normalization(op, Kind.GROUP, numGroups, null, weight, bias, eps);
    }

    /** {@code F.instance_norm(input, weight=weight, bias=bias, eps=eps)} (batch statistics, as without running ones). */
    public static Normalization instanceNorm(Tensor weight, Tensor bias, double eps) {
        String op = "instance_norm";
        checkAffine(op, weight, bias, null);
        return new Normalization(op, Kind.INSTANCE, 0, null, weight, bias, eps);
    }

    /** {@code F.layer_norm(input, normalized_shape, weight, bias, eps)}; weight and bias of normalized_shape, or null. */
    public static Normalization layerNorm(long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        String op = "layer_norm";
        if (normalizedShape == null || normalizedShape.length == 0) {
            throw new IllegalArgumentException(op + ": expected normalized_shape to be at least 1-dimensional, i.e., "
                    + "containing at least one element, got normalized_shape=" + Arrays.toString(normalizedShape));
        }
        Args.checkPositive(op, "normalized_shape", normalizedShape);
        checkAffine(op, weight, bias, normalizedShape);
        return new Normalization(op, Kind.LAYER, 0, normalizedShape.clone(), weight, bias, eps);
    }

    /** weight and bias: open, and of normalized_shape (layer norm) or 1-d (one value per channel, checked later). */
    private static void checkAffine(String op, Tensor weight, Tensor bias, long[] normalizedShape) {
        for (int i = 0; i < 2; i++) {
            Tensor t = i == 0 ? weight : bias;
            String name = i == 0 ? "weight" : "bias";
            if (t == null) {
                continue;
            }
            Args.checkOpen(op, name, t);
            boolean fits = normalizedShape != null ? Arrays.equals(t.shape(), normalizedShape) : t.dim() == 1;
            if (!fits) {
                throw new IllegalArgumentException(op + ": expected " + name + " to be "
                        + (normalizedShape != null ? "of same shape as normalized_shape " + Args.shape(normalizedShape)
                                : "a vector of one value per channel") + ", but got " + name + " of shape "
                        + Args.shape(t.shape()));
            }
        }
    }

    /** The input viewed as [outer, groups, group channels, inner] for the native kernel, after PyTorch's checks. */
    private long[] blocks(long[] in) {
        Args.checkInputShape(op, in);
        int rank = in.length;
        if (kind == Kind.LAYER) {
            int k = normalizedShape.length;
            if (rank < k || !Arrays.equals(Arrays.copyOfRange(in, rank - k, rank), normalizedShape)) {
                throw new IllegalArgumentException(op + ": given normalized_shape=" + Args.shape(normalizedShape)
                        + ", expected input with shape [*, " + Args.shape(normalizedShape).substring(1)
                        + ", but got input of size " + Args.shape(in));
            }
            long inner = io.cnn4j.Shapes.product(in, rank - k, rank);
            return new long[] {io.cnn4j.Shapes.product(in, 0, rank - k), 1, inner, 1};
        }
        if (rank < 2) {
            throw new IllegalArgumentException(op + ": expected an input of at least 2 dims (N, C, *), got input of "
                    + "shape " + Args.shape(in));
        }
        long channels = in[1];
        long spatial = io.cnn4j.Shapes.product(in, 2, rank);
        long groups = kind == Kind.GROUP ? numGroups : channels;
        if (kind == Kind.GROUP && channels % numGroups != 0) {
            throw new IllegalArgumentException(op + ": expected number of channels in input to be divisible by "
                    + "num_groups, but got input of shape " + Args.shape(in) + " and num_groups=" + numGroups);
        }
        if (kind == Kind.INSTANCE && spatial == 1) {
            throw new IllegalArgumentException(op + ": expected more than 1 spatial element when normalizing by "
                    + "the input's own statistics, got input of shape " + Args.shape(in) + " (every output would be "
                    + "the bias; give the layer track_running_stats=True and running statistics, or drop it)");
        }
        for (int i = 0; i < 2; i++) {
            Tensor t = i == 0 ? weight : bias;
            if (t != null && t.numel() != channels) {
                throw new IllegalArgumentException(op + ": expected " + (i == 0 ? "weight" : "bias") + " to be a "
                        + "vector of size equal to the number of channels in input, but got " + (i == 0 ? "weight"
                        : "bias") + " of shape " + Args.shape(t.shape()) + " and input of shape " + Args.shape(in));
            }
        }
        return new long[] {in[0], groups, channels / groups, spatial};
    }

    @Override
    public long[] outputShape(long[] inputShape) {
        blocks(inputShape);
        return inputShape.clone();
    }

    /** output = normalization(input); output may be input itself, else must not overlap it. */
    @Override
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        long[] shape = Args.checkRun(op, input, output, this::outputShape, true);
        forward(blocks(shape), input, output);
    }

    @Override
    public Prepared prepare(long[] inputShape) {
        long[] blocks = blocks(inputShape);
        long[] outputShape = inputShape.clone();
        return (x, y, workspace) -> {
            Args.checkPrepared(op, x, inputShape, y, outputShape, null, workspace, 0);
            Args.checkNoOverlap(op, y, "input", x, true);
            forward(blocks, x, y);
        };
    }

    private void forward(long[] blocks, Tensor input, Tensor output) {
        if (weight != null) {
            Args.checkOpen(op, "weight", weight);
        }
        if (bias != null) {
            Args.checkOpen(op, "bias", bias);
        }
        NativeCore.check(NativeCore.cnn4j_norm_forward(blocks[0], blocks[1], blocks[2], blocks[3], eps,
                weight == null ? null : weight.pointer(), bias == null ? null : bias.pointer(), input.pointer(),
                output.pointer()), "cnn4j_norm_forward");
    }
}
