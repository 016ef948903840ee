package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A 3x3, stride-1, undilated 2-d convolution with zero padding ({@code nn.Conv2d(C, O, 3, padding=p, groups=g)}) by
 * Winograd's minimal filtering F(m x m, 3 x 3): the input in (m+2) x (m+2) tiles, transformed, one GEMM per
 * transformed frequency, transformed back (native/ops/winograd.cpp). Fewer multiplications than im2col (2.25x for
 * F(2,3), 4x for F(4,3), 5.06x for F(6,3) in the GEMMs), at the price of float32 accuracy: see {@link Tile} for each
 * algorithm's measured error, and {@link ConvAlgorithm} for when it is faster.
 *
 * <p>Lifecycle as {@link Convolution}, except that {@link #create} transforms the weights once into memory this op
 * owns: close it when done (the weight and bias tensors are not kept; the bias is copied). {@link #run} may add a
 * residual and apply an activation in the same output pass. Immutable and thread-safe until closed.
 */
public final class WinogradConvolution implements EpilogueOp, AutoCloseable {
    /** The output tile size; all are exact in real arithmetic, their float32 rounding differs. */
    public enum Tile {
        /**
         * F(2x2, 3x3): 16 GEMMs, 2.25x fewer multiplications than im2col, and transformed weights only 16/9 the size
         * of the raw ones (F(4,3)'s are 4x): chosen where a layer's weights outweigh its tiles (see {@link
         * ConvAlgorithm}). Transforms of entries +-1 and 1/2 only, so it rounds barely more than im2col: max |error| /
         * max |output| = 3.1e-7 at 64 channels, 4.6e-7 at 512 (float64 reference, as below); the tests allow 2e-6.
         */
        F2(2),
        /**
         * F(4x4, 3x3): 36 GEMMs. Measured against a float64 reference (uniform [-1, 1) data and weights, every ISA):
         * max |error| / max |output| = 2.8e-6 on small layers, 6.6e-6 at 64 channels, 1.1e-5 at 512; the tests allow
         * 3e-5 (WinogradConformanceTest).
         */
        F4(4),
        /**
         * F(6x6, 3x3): 64 GEMMs. Its transforms have larger entries (32, 21/4): max |error| / max |output| = 6.4e-6 on
         * small layers, 8.7e-6 at 64 channels, 1.4e-5 at 512; the tests allow 5e-5. Never faster than F(4,3) in
         * the measurements of {@link ConvAlgorithm}, so only used when asked for.
         */
        F6(6);

        /** m: the output tile's side. */
        public final int size;

        Tile(int size) {
            this.size = size;
        }
    }

    private static final String OP = "winograd_conv2d";

    private final Tile tile;
    private final long outChannels;
    private final long inChannels;
    private final long groups;
    private final long padH;
    private final long padW;
    private final Tensor transformedWeight;
    private final Tensor bias; // a copy, or null

    private WinogradConvolution(Tile tile, long outChannels, long inChannels, long groups, long padH, long padW,
            Tensor transformedWeight, Tensor bias) {
        this.tile = tile;
        this.outChannels = outChannels;
        this.inChannels = inChannels;
        this.groups = groups;
        this.padH = padH;
        this.padW = padW;
        this.transformedWeight = transformedWeight;
        this.bias = bias;
    }

    /**
     * Whether a convolution can run by Winograd: 2-d, 3x3 kernel, stride 1, dilation 1, explicit zero padding (the
     * same on both sides) and not depthwise (one input channel per group makes 1x1 GEMMs; the direct depthwise
     * kernel is better). Any other groups are fine.
     *
     * @param weightShape [out_channels, in_channels / groups, kH, kW]
     */
    public static boolean applicable(int dims, long[] weightShape, ConvOptions options) {
        if (dims != 2 || weightShape == null || weightShape.length != 4 || options == null) {
            return false;
        }
        boolean depthwise = options.groups > 1 && weightShape[1] == 1;
        return weightShape[2] == 3 && weightShape[3] == 3 && options.groups >= 1 && !depthwise
                && weightShape[0] % options.groups == 0 && options.paddingMode == PaddingMode.ZEROS
                && allEqual(options.stride, 1) && allEqual(options.dilation, 1)
                && ("same".equals(options.paddingString) || "valid".equals(options.paddingString)
                        || (options.paddingString == null
                        && options.padding != null && options.padding.length >= 1 && options.padding.length <= 2
                        && Arrays.stream(options.padding).allMatch(p -> p >= 0)));
    }

    private static boolean allEqual(int[] values, int expected) {
        return values != null && values.length >= 1 && values.length <= 2
                && Arrays.stream(values).allMatch(v -> v == expected);
    }

    /**
     * @param weight [out_channels, in_channels / groups, 3, 3]
     * @param bias [out_channels], or null
     * @param groups positive, dividing out_channels
     * @param padH zero padding on both sides of the height, >= 0
     * @param padW zero padding on both sides of the width, >= 0
     */
    public static WinogradConvolution create(Tensor weight, Tensor bias, long groups, long padH, long padW,
            Tile tile) {
        Args.checkOpen(OP, "weight", weight);
        long[] w = weight.shape();
        if (w.length != 4 || w[2] != 3 || w[3] != 3) {
            throw new IllegalArgumentException(OP + ": weight must be [out_channels, in_channels/groups, 3, 3], got "
                    + "weight of shape " + Args.shape(w));
        }
        ConvChecks.checkGroups(OP, groups, w[0], "out_channels");
        ConvChecks.checkBias(OP, bias, w[0]);
        Args.checkNonNegative(OP, "padding", new long[] {padH, padW});
        if (tile == null) {
            throw new IllegalArgumentException(OP + ": tile must be F2, F4 or F6, got null");
        }
        Args.checkFitsInt(OP, "out_channels", w[0]);
        Args.checkFitsInt(OP, "in_channels/groups", w[1]);
        long inChannels = w[1] * groups;
        int t = tile.size;
        long size = NativeCore.cnn4j_winograd_weight_size(t, w[0], inChannels, groups);
        // [groups][alpha^2] matrices [out/groups, in/groups], each packed for the native GEMM (panels of rows).
        Tensor transformed = Tensor.empty(size);
        Tensor biasCopy = null;
        try {
            NativeCore.check(NativeCore.cnn4j_winograd_transform_weights(t, w[0], inChannels, groups,
                    weight.pointer(), transformed.pointer()), "cnn4j_winograd_transform_weights");
            biasCopy = bias == null ? null : Tensor.of(bias.toFloatArray(), bias.shape());
        } catch (RuntimeException e) {
            transformed.close();
            throw e;
        }
        return new WinogradConvolution(tile, w[0], inChannels, groups, padH, padW, transformed, biasCopy);
    }

    public Tile tile() {
        return tile;
    }

    public long outChannels() {
        return outChannels;
    }

    public long inChannels() {
        return inChannels;
    }

    /** [N, O, H + 2 padH - 2, W + 2 padW - 2] for an input [N, C, H, W], or unbatched [O, ...] for [C, H, W]. */
    @Override
    public long[] outputShape(long[] inputShape) {
        checkInput(inputShape);
        long[] out = inputShape.clone();
        int s = inputShape.length - 2;
        out[s - 1] = outChannels;
        out[s] = inputShape[s] + 2 * padH - 2;
        out[s + 1] = inputShape[s + 1] + 2 * padW - 2;
        return out;
    }

    /** Floats of workspace {@link #run} needs for this input shape (one block of transformed tiles, not the map). */
    @Override
    public long workspaceSize(long[] inputShape) {
        checkInput(inputShape);
        return workspaceSize(tile, inChannels, outChannels, groups, padH, padW, inputShape);
    }

    /**
     * {@link #workspaceSize(long[])} of an op not made yet (so a plan can size it without transforming weights):
     * inputShape [N, C, H, W] or [C, H, W], already checked against the layer.
     */
    static long workspaceSize(Tile tile, long inChannels, long outChannels, long groups, long padH, long padW,
            long[] inputShape) {
        return NativeCore.cnn4j_winograd_workspace_size(tile.size, nativeWindow(inputShape, padH, padW),
                batch(inputShape), inChannels, outChannels, groups);
    }

    /** output = conv(input) + bias. */
    @Override
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        run(input, output, workspace, Epilogue.NONE, null);
    }

    /**
     * output = act(conv(input) + bias + residual): the conv-add-activation of a residual block in one pass.
     * ReLU and ReLU6 run inside the output transform, other activations as one more pass over the output.
     *
     * @param activationKind a {@code NativeCore.ACT_*} value
     * @param alpha the activation's parameter (LeakyReLU's negative_slope, ELU's alpha), else ignored
     * @param residual null, or a tensor of the output's shape not overlapping it
     */
    public void run(Tensor input, Tensor output, FloatPointer workspace, int activationKind, double alpha,
            Tensor residual) {
        if (activationKind < NativeCore.ACT_IDENTITY || activationKind > NativeCore.ACT_HARDSIGMOID) {
            throw new IllegalArgumentException(OP + ": activationKind must be one of NativeCore.ACT_* ("
                    + NativeCore.ACT_IDENTITY + ".." + NativeCore.ACT_HARDSIGMOID + "), got " + activationKind);
        }
        run(input, output, workspace, new Epilogue(activationKind, (float) alpha, "activation " + activationKind),
                residual);
    }

    /** Always: the residual is added in the output transform. */
    @Override
    public boolean takesResidual() {
        return true;
    }

    /** As {@link #prepare(long[], Epilogue)}'s step: an input holding NaN or Inf is refused. */
    @Override
    public void run(Tensor input, Tensor output, FloatPointer workspace, Epilogue epilogue, Tensor residual) {
        prepare(checkRun(input, output, residual), epilogue).run(input, output, workspace, residual);
    }

    /** The checks of an unprepared run (open op, shapes, a residual that fits and does not overlap); the input shape. */
    long[] checkRun(Tensor input, Tensor output, Tensor residual) {
        checkOpen();
        long[] inShape = Args.checkRun(OP, input, output, this::outputShape, false);
        if (residual != null) {
            Args.checkShape(OP, "residual", residual, output.shape());
            Args.checkNoOverlap(OP, output, "residual", residual, false);
        }
        return inShape;
    }

    /**
     * This convolution for one input shape: sizes and native arguments worked out once. An input holding NaN or Inf
     * is refused with IllegalArgumentException (Winograd would spread each such value over its whole output tile,
     * where PyTorch's convolution confines it to the outputs whose window holds it): run such inputs through the
     * exact {@link Convolution}, as models do on their own ({@link AutoConvolution}).
     */
    @Override
    public PreparedWithEpilogue prepare(long[] inputShape, Epilogue epilogue) {
        return prepare(inputShape, epilogue, () -> {
            throw new IllegalArgumentException(OP + ": the input holds NaN or Inf, which Winograd would spread over "
                    + "whole output tiles; run it through the exact convolution (io.cnn4j.ops.Convolution)");
        });
    }

    /** Where an input holding NaN or Inf goes instead: the exact path for the same shape and epilogue. */
    interface NonFiniteFallback {
        PreparedWithEpilogue exact();
    }

    /** As {@link #prepare(long[], Epilogue)}, an input holding NaN or Inf run by {@code fallback} instead. */
    PreparedWithEpilogue prepare(long[] inputShape, Epilogue epilogue, NonFiniteFallback fallback) {
        long[] inShape = inputShape.clone();
        long[] outShape = outputShape(inShape);
        long workspaceFloats = workspaceSize(inShape);
        long[] window = nativeWindow(inShape);
        long batch = batch(inShape);
        return (input, output, workspace, residual) -> {
            checkOpen();
            Args.checkPrepared(OP, input, inShape, output, outShape, residual, workspace, workspaceFloats);
            int status = NativeCore.cnn4j_winograd_forward(tile.size, window, batch, inChannels, outChannels,
                    groups, input.pointer(), transformedWeight.pointer(), bias == null ? null : bias.pointer(),
                    epilogue.kind, epilogue.alpha, residual == null ? null : residual.pointer(), output.pointer(),
                    workspace);
            if (status == NativeCore.NONFINITE_INPUT) {
                fallback.exact().run(input, output, workspace, residual);
                return;
            }
            NativeCore.check(status, "cnn4j_winograd_forward");
        };
    }

    /** Frees the transformed weights; later calls throw IllegalStateException. Idempotent. */
    @Override
    public void close() {
        transformedWeight.close();
        if (bias != null) {
            bias.close();
        }
    }

    private void checkOpen() {
        if (transformedWeight.isClosed()) {
            throw new IllegalStateException(OP + ": this op is closed");
        }
    }

    private void checkInput(long[] inputShape) {
        checkOpen();
        ConvChecks.checkInput(OP, inputShape, 2, inChannels, "weight.size(1) x groups=" + groups);
        int s = inputShape.length - 2;
        Args.checkInputShape(OP, inputShape);
        long[] pad = {padH, padW};
        for (int i = 0; i < 2; i++) {
            if (inputShape[s + i] + 2 * pad[i] < 3) {
                throw new IllegalArgumentException(OP + ": input of shape " + Args.shape(inputShape) + " padded to "
                        + (inputShape[s + i] + 2 * pad[i]) + " at spatial dim " + i + " is smaller than the kernel "
                        + "size 3");
            }
        }
    }

    private static long batch(long[] inputShape) {
        return inputShape.length == 4 ? inputShape[0] : 1;
    }

    private long[] nativeWindow(long[] inputShape) {
        return nativeWindow(inputShape, padH, padW);
    }

    private static long[] nativeWindow(long[] inputShape, long padH, long padW) {
        int s = inputShape.length - 2;
        long[] in = {inputShape[s], inputShape[s + 1]};
        long[] out = {in[0] + 2 * padH - 2, in[1] + 2 * padW - 2};
        return Window.of(in, out, new long[] {3, 3}, new long[] {1, 1}, new long[] {padH, padW}, new long[] {1, 1});
    }

    @Override
    public String toString() {
        return OP + "(" + inChannels + ", " + outChannels + ", tile=" + tile + ", padding=(" + padH + ", " + padW
                + "), groups=" + groups + ")";
    }

    /** Each sample (dim 0) of the output is computed from the same sample of the input alone. */
    @Override
    public boolean samplewise() {
        return true;
    }
}
