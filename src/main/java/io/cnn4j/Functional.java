package io.cnn4j;

import io.cnn4j.ops.ConvOptions;
import io.cnn4j.ops.ConvTranspose;
import io.cnn4j.ops.Convolution;
import io.cnn4j.ops.Fold;
import io.cnn4j.ops.Unfold;
import io.cnn4j.ops.Workspaces;
import java.util.function.BiConsumer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The functional API, named after {@code torch.nn.functional}: each call checks its arguments with PyTorch's rules,
 * allocates its output (the caller closes it) and any scratch it needs, and computes. For repeated runs on the same
 * shapes, use the op classes in {@code io.cnn4j.ops} (or a loaded model), which plan scratch once.
 *
 * <pre>{@code
 * try (Tensor x = Tensor.of(signal, 1, 1, 7); Tensor w = Tensor.of(filter, 1, 1, 3);
 *      Tensor y = Functional.conv1d(x, w, null, new ConvOptions().padding(1))) {
 *     float[] out = y.toFloatArray();
 * }
 * }</pre>
 */
public final class Functional {
    private Functional() {}

    // ---- convolution -------------------------------------------------------------------------------------------

    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        return conv(1, input, weight, bias, options);
    }

    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        return conv(2, input, weight, bias, options);
    }

    public static Tensor conv3d(Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        return conv(3, input, weight, bias, options);
    }

    private static Tensor conv(int dims, Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        Convolution conv = Convolution.create(dims, weight, bias, options == null ? new ConvOptions() : options);
        long[] inShape = inputShape("conv" + dims + "d", input);
        return compute(conv.outputShape(inShape), conv.workspaceSize(inShape), (out, ws) -> conv.run(input, out, ws));
    }

    // ---- transposed convolution, unfold / fold ------------------------------------------------------------------

    /** {@code F.conv_transpose1d}; options may also carry the output_size of {@code nn.ConvTranspose1d.forward}. */
    public static Tensor convTranspose1d(Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        return convTranspose(1, input, weight, bias, options);
    }

    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        return convTranspose(2, input, weight, bias, options);
    }

    public static Tensor convTranspose3d(Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        return convTranspose(3, input, weight, bias, options);
    }

    private static Tensor convTranspose(int dims, Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        ConvTranspose op = ConvTranspose.create(dims, weight, bias, options == null ? new ConvOptions() : options);
        long[] inShape = inputShape("conv_transpose" + dims + "d", input);
        return compute(op.outputShape(inShape), op.workspaceSize(inShape), (out, ws) -> op.run(input, out, ws));
    }

    /**
     * {@code F.unfold}: [N, C, H, W] or [C, H, W] -> [N, C*kH*kW, L] or [C*kH*kW, L]. Each argument is one int or a
     * pair; PyTorch's defaults are dilation {1}, padding {0}, stride {1}.
     */
    public static Tensor unfold(Tensor input, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
        Unfold op = Unfold.create(kernelSize, dilation, padding, stride);
        long[] inShape = inputShape("unfold", input);
        return compute(op.outputShape(inShape), op.workspaceSize(inShape), (out, ws) -> op.run(input, out, ws));
    }

    /** {@code F.fold}: [N, C*kH*kW, L] or [C*kH*kW, L] -> [N, C, H, W] or [C, H, W], (H, W) = outputSize. */
    public static Tensor fold(Tensor input, int[] outputSize, int[] kernelSize, int[] dilation, int[] padding,
            int[] stride) {
        Fold op = Fold.create(outputSize, kernelSize, dilation, padding, stride);
        long[] inShape = inputShape("fold", input);
        return compute(op.outputShape(inShape), op.workspaceSize(inShape), (out, ws) -> op.run(input, out, ws));
    }

    // ---- plumbing ----------------------------------------------------------------------------------------------

    private static long[] inputShape(String op, Tensor input) {
        if (input == null) {
            throw new IllegalArgumentException(op + ": input must not be null");
        }
        return input.shape();
    }

    /** Allocates the output and a workspace, runs, frees the workspace; the output is closed if the run fails. */
    private static Tensor compute(long[] outputShape, long workspaceFloats, BiConsumer<Tensor, FloatPointer> run) {
        Tensor output = Tensor.empty(outputShape);
        try (FloatPointer workspace = Workspaces.allocate(workspaceFloats)) {
            run.accept(output, workspace);
            return output;
        } catch (RuntimeException | Error e) {
            output.close();
            throw e;
        }
    }
}
