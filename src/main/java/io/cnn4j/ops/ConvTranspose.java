package io.cnn4j.ops;

import io.cnn4j.Shapes;
import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Transposed convolution over 1, 2 or 3 spatial dims with PyTorch's {@code F.conv_transpose1d/2d/3d} semantics,
 * plus the {@code output_size} that {@code nn.ConvTranspose*d.forward} accepts. Each output size is
 * {@code (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1}.
 *
 * <p>Lifecycle as {@link Convolution}: {@link #create} checks hyperparameters and weights, {@link #outputShape} and
 * {@link #workspaceSize} check an input shape and size the scratch, {@link #run} computes without allocating
 * scratch. Immutable and thread-safe; the weight and bias tensors are borrowed.
 */
public final class ConvTranspose implements UnaryOp {
    private final String op;
    private final int dims;
    private final Tensor weight;
    private final Tensor bias;
    private final long inChannels;
    private final long outChannels;
    private final long groups;
    private final long[] kernel;
    private final long[] stride;
    private final long[] padding;
    private final long[] outputPadding;
    private final long[] dilation;
    private final long[] outputSize; // null: outputPadding decides

    private ConvTranspose(String op, int dims, Tensor weight, Tensor bias, long groups, long[] stride, long[] padding,
            long[] outputPadding, long[] dilation, long[] outputSize) {
        this.op = op;
        this.dims = dims;
        this.weight = weight;
        this.bias = bias;
        this.groups = groups;
        this.stride = stride;
        this.padding = padding;
        this.outputPadding = outputPadding;
        this.dilation = dilation;
        this.outputSize = outputSize;
        long[] w = weight.shape();
        this.inChannels = w[0];
        this.outChannels = w[1] * groups;
        this.kernel = Arrays.copyOfRange(w, 2, w.length);
    }

    /**
     * @param dims spatial dims (1, 2 or 3)
     * @param weight [in_channels, out_channels / groups, k...]
     * @param bias [out_channels], or null
     * @param options stride, padding (ints only), output_padding, groups, dilation, output_size; padding_mode must
     *     be 'zeros', as in PyTorch
     */
    public static ConvTranspose create(int dims, Tensor weight, Tensor bias, ConvOptions options) {
        String op = ConvChecks.checkCreate("transposed convolution", "conv_transpose", dims, options, weight,
                "in_channels, out_channels/groups, kernel...");
        long groups = options.groups;
        ConvChecks.checkGroups(op, groups, weight.size(0), "in_channels");
        if (options.paddingString != null) {
            throw new IllegalArgumentException(op + ": padding must be an int or a tuple of ints for transposed "
                    + "convolutions, got padding='" + options.paddingString + "'");
        }
        if (options.paddingMode != PaddingMode.ZEROS) {
            throw new IllegalArgumentException(op + ": only padding_mode='zeros' is supported for transposed "
                    + "convolutions, got padding_mode=" + (options.paddingMode == null ? "null"
                    : "'" + options.paddingMode.torchName + "'"));
        }
        long[] stride = Args.expand(op, "stride", options.stride, dims);
        Args.checkPositive(op, "stride", stride);
        long[] padding = Args.expand(op, "padding", options.padding, dims);
        Args.checkNonNegative(op, "padding", padding);
        long[] dilation = Args.expand(op, "dilation", options.dilation, dims);
        Args.checkPositive(op, "dilation", dilation);
        long[] outputPadding = Args.expand(op, "output_padding", options.outputPadding, dims);
        Args.checkNonNegative(op, "output_padding", outputPadding);
        for (int i = 0; i < dims; i++) {
            // ATen's slow_conv_transpose kernels accept either bound.
            if (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i]) {
                throw new IllegalArgumentException(op + ": output_padding must be smaller than either stride or "
                        + "dilation, got output_padding=" + Arrays.toString(outputPadding) + " with stride="
                        + Arrays.toString(stride) + " and dilation=" + Arrays.toString(dilation));
            }
        }
        long[] outputSize = null;
        if (options.outputSize != null) {
            outputSize = Arrays.stream(options.outputSize).asLongStream().toArray();
        }
        long outChannels = weight.size(1) * groups;
        ConvChecks.checkBias(op, bias, outChannels);
        Args.checkFitsInt(op, "in_channels", weight.size(0));
        Args.checkFitsInt(op, "out_channels/groups x kernel volume", Shapes.product(weight.shape(), 1, dims + 2));
        return new ConvTranspose(op, dims, weight, bias, groups, stride, padding, outputPadding, dilation, outputSize);
    }

    public long inChannels() {
        return inChannels;
    }

    public long outChannels() {
        return outChannels;
    }

    /** The output shape for an input of shape [N, C_in, spatial...] or unbatched [C_in, spatial...]. */
    public long[] outputShape(long[] inputShape) {
        boolean batched = checkInput(inputShape);
        int s = batched ? 2 : 1;
        long[] out = new long[inputShape.length];
        if (batched) {
            out[0] = inputShape[0];
        }
        out[s - 1] = outChannels;
        System.arraycopy(outputSpatial(inputShape), 0, out, s, dims);
        return out;
    }

    /** Floats of workspace that {@link #run} needs for an input of this shape. */
    public long workspaceSize(long[] inputShape) {
        checkInput(inputShape);
        return NativeCore.cnn4j_conv_transpose_workspace_size(nativeWindow(inputShape), outChannels, groups);
    }

    /** output = conv_transpose(input); output must have {@link #outputShape}, workspace {@link #workspaceSize}. */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        Args.checkOpen(op, "input", input);
        long[] inShape = input.shape();
        Args.checkShape(op, "output", output, outputShape(inShape));
        Workspaces.checkSize(op, workspace, workspaceSize(inShape));
        long batch = inShape.length == dims + 2 ? inShape[0] : 1;
        NativeCore.check(NativeCore.cnn4j_conv_transpose_forward(nativeWindow(inShape), batch, inChannels,
                outChannels, groups, input.pointer(), weight.pointer(), bias == null ? null : bias.pointer(),
                output.pointer(), workspace), "cnn4j_conv_transpose_forward");
    }

    /** Validates an input shape (rank, channels, output size, BLAS limits); returns whether it is batched. */
    private boolean checkInput(long[] inputShape) {
        boolean batched = ConvChecks.checkInput(op, inputShape, dims, inChannels, "weight.size(0)");
        long[] out = outputSpatial(inputShape);
        for (long o : out) {
            if (o < 1) {
                throw new IllegalArgumentException(op + ": calculated output size " + Arrays.toString(out)
                        + " is too small for input of shape " + Args.shape(inputShape) + " (kernel_size="
                        + Arrays.toString(kernel) + ", stride=" + Arrays.toString(stride) + ", padding="
                        + Arrays.toString(padding) + ", dilation=" + Arrays.toString(dilation) + ", output_padding="
                        + Arrays.toString(outputPaddingFor(inputShape)) + ")");
            }
        }
        Args.checkFitsInt(op, "input positions per image", Shapes.product(inputShape, batched ? 2 : 1,
                inputShape.length));
        return batched;
    }

    /** Output spatial sizes; inputShape has passed ConvChecks.checkInput. */
    private long[] outputSpatial(long[] inputShape) {
        long[] extra = outputPaddingFor(inputShape);
        long[] min = smallestOutput(inputShape);
        long[] out = new long[dims];
        for (int i = 0; i < dims; i++) {
            out[i] = min[i] + extra[i];
        }
        return out;
    }

    /** The output size with output_padding 0: (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + 1. */
    private long[] smallestOutput(long[] inputShape) {
        int s = inputShape.length - dims;
        long[] min = new long[dims];
        for (int i = 0; i < dims; i++) {
            try {
                min[i] = Math.addExact(Math.multiplyExact(inputShape[s + i] - 1, stride[i]),
                        dilation[i] * (kernel[i] - 1) + 1 - 2 * padding[i]);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(op + ": output size overflows for input of shape "
                        + Args.shape(inputShape) + " and stride=" + Arrays.toString(stride));
            }
        }
        return min;
    }

    /**
     * output_padding for this input: the fixed one, or the one output_size asks for, derived as
     * {@code nn.ConvTranspose*d._output_padding} does (including its range check).
     */
    private long[] outputPaddingFor(long[] inputShape) {
        if (outputSize == null) {
            return outputPadding;
        }
        int nonSpatial = inputShape.length - dims;
        long[] wanted = outputSize;
        if (wanted.length == nonSpatial + dims) {
            wanted = Arrays.copyOfRange(wanted, nonSpatial, wanted.length);
        }
        if (wanted.length != dims) {
            throw new IllegalArgumentException(op + ": for a " + inputShape.length + "-d input, output_size must have "
                    + dims + " or " + (nonSpatial + dims) + " elements, got output_size="
                    + Arrays.toString(outputSize));
        }
        long[] min = smallestOutput(inputShape);
        long[] max = new long[dims];
        long[] derived = new long[dims];
        for (int i = 0; i < dims; i++) {
            max[i] = min[i] + stride[i] - 1;
            derived[i] = wanted[i] - min[i];
        }
        for (int i = 0; i < dims; i++) {
            if (wanted[i] < min[i] || wanted[i] > max[i]) {
                throw new IllegalArgumentException(op + ": requested an output size of " + Arrays.toString(wanted)
                        + ", but valid sizes range from " + Arrays.toString(min) + " to " + Arrays.toString(max)
                        + " (for an input of shape " + Args.shape(inputShape) + "), got output_size="
                        + Arrays.toString(outputSize));
            }
        }
        return derived;
    }

    /** Native geometry: window.in is this op's input, window.out its output. */
    private long[] nativeWindow(long[] inputShape) {
        long[] in = Arrays.copyOfRange(inputShape, inputShape.length - dims, inputShape.length);
        return Window.of(in, outputSpatial(inputShape), kernel, stride, padding, dilation);
    }
}
