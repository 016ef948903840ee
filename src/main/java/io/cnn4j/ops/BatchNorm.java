package io.cnn4j.ops;

import io.cnn4j.Shapes;
import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Batch normalization at inference, with PyTorch's semantics ({@code nn.BatchNorm1d/2d/3d} in eval mode,
 * {@code F.batch_norm(..., training=False)}): {@code y = (x - running_mean) / sqrt(running_var + eps) * weight + bias}
 * per channel (dim 1), computed as ATen does, as one multiply-add per element.
 *
 * <p>Input ranks: BatchNorm1d takes (N, C) or (N, C, L), BatchNorm2d (N, C, H, W), BatchNorm3d (N, C, D, H, W), and
 * {@link #createAnyRank} (F.batch_norm) any (N, C, *). As in ATen, running_mean and running_var must be 1-d with C
 * elements while weight and bias need only C elements (any shape); eps is taken as given (PyTorch does not check
 * it), converted to float as ATen's float kernel does.
 *
 * <p>Lifecycle as {@link Convolution}; workspaceSize is always 0 and run may write in place (output == input).
 * Immutable and thread-safe; the statistics and affine tensors are borrowed, keep them open.
 */
public final class BatchNorm implements UnaryOp {
    /** PyTorch's default eps. */
    public static final double DEFAULT_EPS = 1e-5;

    private final String op;
    private final int dims; // 1, 2, 3, or 0 for any rank >= 2
    private final long channels;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor weight;
    private final Tensor bias;
    private final float eps;

    private BatchNorm(String op, int dims, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
            double eps) {
        this.op = op;
        this.dims = dims;
        this.channels = runningMean.numel();
        this.runningMean = runningMean;
        this.runningVar = runningVar;
        this.weight = weight;
        this.bias = bias;
        this.eps = (float) eps;
    }

    /**
     * {@code nn.BatchNorm1d/2d/3d} in eval mode.
     *
     * @param dims 1, 2 or 3
     * @param runningMean [C]
     * @param runningVar [C]
     * @param weight C elements, or null (1)
     * @param bias C elements, or null (0)
     */
    public static BatchNorm create(int dims, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
            double eps) {
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException("batch_norm: spatial dims must be 1, 2 or 3, got dims=" + dims);
        }
        return checked("batch_norm" + dims + "d", dims, runningMean, runningVar, weight, bias, eps);
    }

    /** {@code F.batch_norm(input, running_mean, running_var, weight, bias, training=False, eps=eps)}: any (N, C, *). */
    public static BatchNorm createAnyRank(Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
            double eps) {
        return checked("batch_norm", 0, runningMean, runningVar, weight, bias, eps);
    }

    private static BatchNorm checked(String op, int dims, Tensor runningMean, Tensor runningVar, Tensor weight,
            Tensor bias, double eps) {
        Args.checkOpen(op, "running_mean", runningMean);
        Args.checkOpen(op, "running_var", runningVar);
        long channels = runningMean.numel();
        checkStatistic(op, "running_mean", runningMean, channels);
        checkStatistic(op, "running_var", runningVar, channels);
        checkAffine(op, "weight", weight, channels);
        checkAffine(op, "bias", bias, channels);
        return new BatchNorm(op, dims, runningMean, runningVar, weight, bias, eps);
    }

    // ATen reads the running statistics through a 1-d accessor.
    private static void checkStatistic(String op, String name, Tensor t, long channels) {
        if (t.dim() != 1 || t.numel() != channels) {
            throw new IllegalArgumentException(op + ": " + name + " must be 1-d with " + channels + " elements "
                    + "(running_mean's), got " + name + " of shape " + Args.shape(t.shape()));
        }
    }

    // ATen checks only the element count of weight and bias.
    private static void checkAffine(String op, String name, Tensor t, long channels) {
        if (t == null) {
            return;
        }
        Args.checkOpen(op, name, t);
        if (t.numel() != channels) {
            throw new IllegalArgumentException(op + ": " + name + " must have " + channels + " elements (one per "
                    + "channel), got " + name + " of shape " + Args.shape(t.shape()));
        }
    }

    public long numFeatures() {
        return channels;
    }

    /** Same as the input shape. */
    public long[] outputShape(long[] inputShape) {
        checkInput(inputShape);
        return inputShape.clone();
    }

    /** Always 0. */
    public long workspaceSize(long[] inputShape) {
        checkInput(inputShape);
        return 0;
    }

    /** output = batch_norm(input); output may be input itself, else must not overlap it. */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        long[] shape = Args.checkRun(op, input, output, this::outputShape, true);
        NativeCore.check(NativeCore.cnn4j_batch_norm_forward(shape[0], channels, Shapes.product(shape, 2,
                shape.length), input.pointer(), runningMean.pointer(), runningVar.pointer(),
                weight == null ? null : weight.pointer(), bias == null ? null : bias.pointer(), eps,
                output.pointer()), "cnn4j_batch_norm_forward");
    }

    private void checkInput(long[] inputShape) {
        Args.checkInputShape(op, inputShape);
        int rank = inputShape.length;
        boolean rankOk = switch (dims) {
            case 1 -> rank == 2 || rank == 3;
            case 0 -> rank >= 2;
            default -> rank == dims + 2;
        };
        if (!rankOk) {
            String expected = switch (dims) {
                case 1 -> "2-d (N, C) or 3-d (N, C, L)";
                case 0 -> "at least 2-d (N, C, *)";
                default -> (dims + 2) + "-d (N, C" + (dims == 2 ? ", H, W)" : ", D, H, W)");
            };
            throw new IllegalArgumentException(op + ": expected " + expected + " input, got input of shape "
                    + Args.shape(inputShape));
        }
        if (inputShape[1] != channels) {
            throw new IllegalArgumentException(op + ": expected input with " + channels + " channels (running_mean's "
                    + "elements) at dim 1, got input of shape " + Args.shape(inputShape));
        }
    }
}
