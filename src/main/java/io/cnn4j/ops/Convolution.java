package io.cnn4j.ops;

import io.cnn4j.Shapes;
import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Convolution over 1, 2 or 3 spatial dims with PyTorch's {@code F.conv1d/2d/3d} semantics, plus
 * {@code padding_mode} as {@code nn.Conv*d} applies it (a pad step, then an unpadded convolution).
 *
 * <p>Lifecycle: {@link #create} takes hyperparameters and weights and checks them; {@link #outputShape} and
 * {@link #workspaceSize} check an input shape and size the scratch; the first {@link #prepare} packs the weights for
 * the native GEMM into memory this op owns (close the op when done; a depthwise convolution's direct kernel reads
 * them as they are); {@link #run} computes without allocating scratch. Threads may share an instance, each with its
 * own workspace. The weight and bias tensors are borrowed: keep them open while the op is used. Created over a
 * {@link ConvWeight}, the op reads the raw weights only to pack them (once), except a depthwise convolution, which
 * reads them on every run and so needs weights held for the holder's life.
 */
public final class Convolution implements EpilogueOp, AutoCloseable {
    private final String op;
    private final int dims;
    private final ConvWeight weight;
    /** The weights packed for the native GEMM (owned), made by the first prepare; null until then. */
    private Tensor packedWeight;
    private boolean closed;
    private final Tensor bias;
    private final long outChannels;
    private final long inChannelsPerGroup;
    private final long groups;
    private final long[] kernel;
    private final long[] stride;
    private final long[] dilation;
    private final long[] padBegin;
    private final long[] padEnd;
    private final PaddingMode paddingMode;

    private Convolution(String op, int dims, ConvWeight weight, Tensor bias, long groups, long[] stride, long[] dilation,
            long[] padBegin, long[] padEnd, PaddingMode paddingMode) {
        this.op = op;
        this.dims = dims;
        this.weight = weight;
        this.bias = bias;
        this.groups = groups;
        this.stride = stride;
        this.dilation = dilation;
        this.padBegin = padBegin;
        this.padEnd = padEnd;
        this.paddingMode = paddingMode;
        long[] w = weight.shape();
        this.outChannels = w[0];
        this.inChannelsPerGroup = w[1];
        this.kernel = Arrays.copyOfRange(w, 2, w.length);
    }

    /**
     * @param dims spatial dims (1, 2 or 3)
     * @param weight [out_channels, in_channels / groups, k...]
     * @param bias [out_channels], or null
     */
    public static Convolution create(int dims, Tensor weight, Tensor bias, ConvOptions options) {
        checkWeightTensor(dims, weight, options);
        return create(dims, ConvWeight.borrowed(weight), bias, options);
    }

    private static final String WEIGHT_LAYOUT = "out_channels, in_channels/groups, kernel...";

    /** What a holder over a tensor cannot check later: the tensor is given, open and (dims + 2)-d. */
    static void checkWeightTensor(int dims, Tensor weight, ConvOptions options) {
        ConvChecks.checkCreate("convolution", "conv", dims, options, weight, WEIGHT_LAYOUT);
    }

    /**
     * As {@link #create(int, Tensor, Tensor, ConvOptions)}, over weights whose holder says when they are in memory
     * (the holder stays the caller's: close it after this op).
     */
    public static Convolution create(int dims, ConvWeight weight, Tensor bias, ConvOptions options) {
        long[] weightShape = weight.shape();
        String op = ConvChecks.checkCreate("convolution", "conv", dims, options, weightShape, WEIGHT_LAYOUT);
        long outChannels = weightShape[0];
        long groups = options.groups;
        ConvChecks.checkGroups(op, groups, outChannels, "out_channels");
        if (weight.isRederivable() && readsRawWeightsOnEveryRun(weightShape, options)) {
            throw new IllegalArgumentException(op + ": a depthwise convolution reads its raw weights on every run, so "
                    + "they cannot be freed between derivations; give it owned or borrowed weights (ConvWeight)");
        }
        rejectTransposedOnly(op, options);
        long[] kernel = Arrays.copyOfRange(weightShape, 2, dims + 2);
        long[] stride = Args.expand(op, "stride", options.stride, dims);
        Args.checkPositive(op, "stride", stride);
        long[] dilation = Args.expand(op, "dilation", options.dilation, dims);
        Args.checkPositive(op, "dilation", dilation);
        long[] padBegin;
        long[] padEnd;
        if ("valid".equals(options.paddingString)) {
            padBegin = new long[dims];
            padEnd = new long[dims];
        } else if ("same".equals(options.paddingString)) {
            for (long s : stride) {
                if (s != 1) {
                    throw new IllegalArgumentException(op + ": padding='same' is not supported for strided "
                            + "convolutions, got stride=" + Arrays.toString(stride));
                }
            }
            // PyTorch pads d*(k-1) in total; an odd total puts the extra element at the end.
            padBegin = new long[dims];
            padEnd = new long[dims];
            for (int i = 0; i < dims; i++) {
                long total = dilation[i] * (kernel[i] - 1);
                padBegin[i] = total / 2;
                padEnd[i] = total - padBegin[i];
            }
        } else {
            padBegin = Args.expand(op, "padding", options.padding, dims);
            Args.checkNonNegative(op, "padding", padBegin);
            padEnd = padBegin.clone();
        }
        if (options.paddingMode == null) {
            throw new IllegalArgumentException(op + ": padding_mode must not be null");
        }
        ConvChecks.checkBias(op, bias, outChannels);
        Args.checkFitsInt(op, "out_channels", outChannels);
        Args.checkFitsInt(op, "in_channels/groups x kernel volume", Shapes.product(weightShape, 1, dims + 2));
        return new Convolution(op, dims, weight, bias, groups, stride, dilation, padBegin, padEnd,
                options.paddingMode);
    }

    /**
     * The weights the native convolution takes: packed for the GEMM on first use (once per op: a model packs only
     * the layers that run this way), or the weight tensor itself where the native side reads it as it is
     * (depthwise).
     */
    synchronized Tensor nativeWeight() {
        if (closed) {
            throw new IllegalStateException(op + ": this op is closed");
        }
        if (packedWeight != null) {
            return packedWeight;
        }
        long size = packedWeightSize();
        if (size == 0) {
            return weight.held(op);
        }
        packedWeight = weight.derive(op, raw -> {
            Tensor packed = Tensor.empty(size);
            try {
                NativeCore.check(NativeCore.cnn4j_conv_pack_weights(outChannels, inChannels(), groups,
                        kernelVolume(), raw.pointer(), packed.pointer()), "cnn4j_conv_pack_weights");
                return packed;
            } catch (RuntimeException e) {
                packed.close();
                throw e;
            }
        });
        return packedWeight;
    }

    /**
     * Whether a convolution over weights of this shape reads them on every run (depthwise: one input channel per
     * group), so they must stay in memory; any other reads them once, to pack them for the GEMM.
     *
     * @param weightShape [out_channels, in_channels / groups, kernel...]
     * @param options whose groups are positive and divide out_channels
     */
    public static boolean readsRawWeightsOnEveryRun(long[] weightShape, ConvOptions options) {
        long groups = options.groups;
        return NativeCore.cnn4j_conv_packed_weight_size(weightShape[0], weightShape[1] * groups, groups,
                Shapes.product(weightShape, 2, weightShape.length)) == 0;
    }

    private long kernelVolume() {
        return Shapes.product(kernel, 0, kernel.length);
    }

    /** Floats of the packed weights, 0 where the native side reads the raw weights as they are (depthwise). */
    private long packedWeightSize() {
        return NativeCore.cnn4j_conv_packed_weight_size(outChannels, inChannels(), groups, kernelVolume());
    }

    /** Frees the packed weights; later runs throw IllegalStateException. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (packedWeight != null) {
            packedWeight.close();
        }
    }

    /** output_padding and output_size belong to transposed convolutions; F.conv*d has no such arguments. */
    private static void rejectTransposedOnly(String op, ConvOptions options) {
        if (options.outputSize != null) {
            throw new IllegalArgumentException(op + ": output_size is only for transposed convolutions, got "
                    + "output_size=" + Arrays.toString(options.outputSize));
        }
        if (options.outputPadding == null || Arrays.stream(options.outputPadding).anyMatch(v -> v != 0)) {
            throw new IllegalArgumentException(op + ": output_padding is only for transposed convolutions, got "
                    + "output_padding=" + Arrays.toString(options.outputPadding));
        }
    }

    /** A 2-d 1x1 convolution with stride 1, no padding, no dilation and one group: a plain matrix product. */
    boolean isPointwise2d() {
        return dims == 2 && groups == 1 && Arrays.equals(kernel, new long[] {1, 1})
                && Arrays.equals(stride, new long[] {1, 1}) && Arrays.equals(dilation, new long[] {1, 1})
                && Arrays.equals(padBegin, new long[] {0, 0}) && Arrays.equals(padEnd, new long[] {0, 0});
    }

    /** A 2-d depthwise convolution, one filter per channel (channel multiplier 1), zero padding. */
    boolean isDepthwise2d() {
        return dims == 2 && groups > 1 && inChannelsPerGroup == 1 && outChannels == groups
                && paddingMode == PaddingMode.ZEROS;
    }

    /** The bias tensor (borrowed), or null. */
    Tensor bias() {
        return bias;
    }

    /** The window cnn4j_conv_forward sees for an input of this (checked) shape. */
    long[] windowFor(long[] inputShape) {
        checkInput(inputShape);
        return nativeWindow(inputShape);
    }

    /** The padding before each of the two spatial dims of a 2-d convolution (for Winograd, which needs it). */
    long[] padding2d() {
        return new long[] {padBegin[0], padBegin[dims - 1]};
    }

    public long outChannels() {
        return outChannels;
    }

    public long inChannels() {
        return inChannelsPerGroup * groups;
    }

    /** The output shape for an input of shape [N, C, spatial...] or unbatched [C, spatial...]. */
    @Override
    public long[] outputShape(long[] inputShape) {
        boolean batched = checkInput(inputShape);
        long[] out = new long[inputShape.length];
        int s = batched ? 2 : 1;
        if (batched) {
            out[0] = inputShape[0];
        }
        out[s - 1] = outChannels;
        System.arraycopy(outputSpatial(inputShape, s), 0, out, s, dims);
        return out;
    }

    /** Floats of workspace that {@link #run} needs for an input of this shape. */
    @Override
    public long workspaceSize(long[] inputShape) {
        checkInput(inputShape);
        // One column-block slot per thread of the pool as it is now; a run uses as many as its workspace holds.
        long perSlot = NativeCore.cnn4j_conv_workspace_size(nativeWindow(inputShape), inChannels(), outChannels,
                groups);
        return paddedInputSize(inputShape) + perSlot * NativeCore.cnn4j_get_num_threads();
    }

    /** output = conv(input); output must have {@link #outputShape}, workspace at least {@link #workspaceSize}. */
    @Override
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        run(input, output, workspace, Epilogue.NONE, null);
    }

    /** Always: convolutions add a residual in their output pass. */
    @Override
    public boolean takesResidual() {
        return true;
    }

    /**
     * output = epilogue(conv(input) + residual) in one pass over the output: the residual (nullable) has the
     * output's shape and does not overlap it.
     */
    @Override
    public void run(Tensor input, Tensor output, FloatPointer workspace, Epilogue epilogue, Tensor residual) {
        Args.checkOpen(op, "input", input);
        Args.checkResidual(op, residual, output);
        prepare(input.shape(), epilogue).run(input, output, workspace, residual);
    }

    /**
     * This convolution for one input shape: the geometry, sizes and native arguments worked out once, so each run
     * only checks the tensors' shapes and calls the native core.
     */
    @Override
    public PreparedWithEpilogue prepare(long[] inputShape, Epilogue epilogue) {
        long[] inShape = inputShape.clone();
        long[] outShape = outputShape(inShape);
        boolean batched = inShape.length == dims + 2;
        long batch = batched ? inShape[0] : 1;
        long[] window = nativeWindow(inShape);
        long padded = paddedInputSize(inShape);
        long[] spatial3d = Window.to3d(Arrays.copyOfRange(inShape, batched ? 2 : 1, inShape.length), 1);
        long[] padBegin3d = Window.to3d(padBegin, 0);
        long[] padEnd3d = Window.to3d(padEnd, 0);
        long channels = inChannels();
        long perSlot = NativeCore.cnn4j_conv_workspace_size(window, channels, outChannels, groups);
        long minimumWorkspace = padded + perSlot; // one slot: the threads that fit share the blocks
        Tensor nativeWeight = nativeWeight();
        return (input, output, workspace, residual) -> {
            Args.checkPrepared(op, input, inShape, output, outShape, residual, workspace, minimumWorkspace);
            long slots = perSlot == 0 ? 1 : (Workspaces.available(workspace) - padded) / perSlot;
            FloatPointer convInput = input.pointer();
            FloatPointer convWorkspace = workspace;
            if (padded > 0) {
                NativeCore.check(NativeCore.cnn4j_pad(paddingMode.nativeCode, 0f, batch * channels, spatial3d,
                        padBegin3d, padEnd3d, convInput, workspace), "cnn4j_pad");
                convInput = workspace;
                convWorkspace = Workspaces.slice(workspace, padded);
            }
            NativeCore.check(NativeCore.cnn4j_conv_forward(window, batch, channels, outChannels, groups, convInput,
                    nativeWeight.pointer(), bias == null ? null : bias.pointer(), epilogue.kind, epilogue.alpha,
                    residual == null ? null : residual.pointer(), output.pointer(), convWorkspace, slots),
                    "cnn4j_conv_forward");
        };
    }

    /** Validates an input shape; returns whether it is batched. */
    private boolean checkInput(long[] inputShape) {
        boolean batched = ConvChecks.checkInput(op, inputShape, dims, inChannels(),
                "weight.size(1)=" + inChannelsPerGroup + " x groups=" + groups);
        int s = batched ? 2 : 1;
        for (int i = 0; i < dims; i++) {
            long size = inputShape[s + i];
            long padded = size + padBegin[i] + padEnd[i];
            long effectiveKernel = dilation[i] * (kernel[i] - 1) + 1;
            if (padded < effectiveKernel) {
                throw new IllegalArgumentException(op + ": input of shape " + Args.shape(inputShape)
                        + " padded to " + padded + " at spatial dim " + i + " is smaller than the effective kernel "
                        + "size " + effectiveKernel + " (kernel_size=" + Arrays.toString(kernel) + ", dilation="
                        + Arrays.toString(dilation) + ")");
            }
            boolean tooWide = switch (paddingMode) {
                case REFLECT -> padBegin[i] >= size || padEnd[i] >= size;
                case CIRCULAR -> padBegin[i] > size || padEnd[i] > size;
                default -> false;
            };
            if (tooWide) {
                throw new IllegalArgumentException(op + ": padding_mode='" + paddingMode.torchName + "' needs padding "
                        + (paddingMode == PaddingMode.REFLECT ? "<" : "<=") + " the input size, got padding=["
                        + padBegin[i] + ", " + padEnd[i] + "] for size " + size + " at spatial dim " + i
                        + " of input " + Args.shape(inputShape));
            }
        }
        Args.checkFitsInt(op, "output positions per image", Shapes.numel(outputSpatial(inputShape, s)));
        return batched;
    }

    private long[] outputSpatial(long[] inputShape, int s) {
        long[] out = new long[dims];
        for (int i = 0; i < dims; i++) {
            long padded = inputShape[s + i] + padBegin[i] + padEnd[i];
            out[i] = (padded - dilation[i] * (kernel[i] - 1) - 1) / stride[i] + 1;
        }
        return out;
    }

    /** Floats of the padded copy that a non-'zeros' padding_mode needs (0 for 'zeros'). */
    private long paddedInputSize(long[] inputShape) {
        if (paddingMode == PaddingMode.ZEROS) {
            return 0;
        }
        boolean batched = inputShape.length == dims + 2;
        long[] padded = new long[dims + 2];
        padded[0] = batched ? inputShape[0] : 1;
        padded[1] = inChannels();
        for (int i = 0; i < dims; i++) {
            padded[2 + i] = inputShape[(batched ? 2 : 1) + i] + padBegin[i] + padEnd[i];
        }
        return Shapes.checkShape(op + ": padded input", padded);
    }

    /** The window the native convolution sees: after a pad step, the padded input with no padding. */
    private long[] nativeWindow(long[] inputShape) {
        int s = inputShape.length == dims + 2 ? 2 : 1;
        long[] in = Arrays.copyOfRange(inputShape, s, s + dims);
        long[] pad = padBegin;
        if (paddingMode != PaddingMode.ZEROS) {
            for (int i = 0; i < dims; i++) {
                in[i] += padBegin[i] + padEnd[i];
            }
            pad = new long[dims];
        }
        return Window.of(in, outputSpatial(inputShape, s), kernel, stride, pad, dilation);
    }

    /** Each sample (dim 0) of the output is computed from the same sample of the input alone. */
    @Override
    public boolean samplewise() {
        return true;
    }
}
