package io.cnn4j;

import io.cnn4j.ops.ConvOptions;
import io.cnn4j.ops.Convolution;
import io.cnn4j.ops.Workspaces;
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
        if (input == null) {
            throw new IllegalArgumentException("conv" + dims + "d: input must not be null");
        }
        long[] inShape = input.shape();
        Tensor output = Tensor.empty(conv.outputShape(inShape));
        try (FloatPointer workspace = Workspaces.allocate(conv.workspaceSize(inShape))) {
            conv.run(input, output, workspace);
            return output;
        } catch (RuntimeException | Error e) {
            output.close();
            throw e;
        }
    }
}
