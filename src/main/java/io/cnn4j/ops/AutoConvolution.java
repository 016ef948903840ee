package io.cnn4j.ops;

import io.cnn4j.Tensor;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A 2-d 3x3 convolution that runs each input shape with the algorithm {@link ConvAlgorithm#choose} picks from
 * measurements: Winograd F(4x4, 3x3) where it is faster, F(2x2, 3x3) where F(4,3) has too few tiles, the exact
 * im2col path elsewhere (small maps, few tiles). Holds each form it runs, made on first use by an input shape (so a
 * model whose shapes never pick one does not keep its weights): the weights packed for im2col ({@link Convolution})
 * and their Winograd transforms. Results of the
 * two differ by Winograd's stated error (see {@link WinogradConvolution}); a model loaded with exact convolutions
 * never creates one of these.
 *
 * <p>Each form is derived from the raw weights through their {@link ConvWeight} holder: with {@link
 * ConvWeight#rederivable} weights, the raw weights are freed once the forms the shapes run so far are made, and read
 * again only to make another (a new input shape that picks another algorithm, or the exact path's first input
 * holding NaN or Inf), so a layer that runs Winograd holds its transforms alone.
 */
public final class AutoConvolution implements EpilogueOp, AutoCloseable {
    private final Convolution exact;
    private final ConvWeight weight;
    private final Tensor bias;
    private final long[] weightShape;
    private final ConvOptions options;
    // Indexed by ConvAlgorithm ordinal; each made by the first input shape that picks it.
    private final WinogradConvolution[] winograd = new WinogradConvolution[ConvAlgorithm.values().length];
    private boolean closed;

    private AutoConvolution(Convolution exact, ConvWeight weight, Tensor bias, ConvOptions options) {
        this.exact = exact;
        this.weight = weight;
        this.bias = bias;
        this.weightShape = weight.shape();
        this.options = options;
    }

    /**
     * The op for a convolution: an AutoConvolution where {@link ConvAlgorithm#mayChooseWinograd} holds and
     * {@code exactOnly} is false, else the plain {@link Convolution}.
     */
    public static EpilogueOp create(int dims, Tensor weight, Tensor bias, ConvOptions options, boolean exactOnly) {
        Convolution.checkWeightTensor(dims, weight, options);
        return create(dims, ConvWeight.borrowed(weight), bias, options, exactOnly);
    }

    /**
     * As {@link #create(int, Tensor, Tensor, ConvOptions, boolean)}, over weights whose holder says when they are in
     * memory (the holder stays the caller's: close it after the op). Rederivable weights must not be given to a
     * convolution that reads them on every run ({@link Convolution#readsRawWeightsOnEveryRun}).
     */
    public static EpilogueOp create(int dims, ConvWeight weight, Tensor bias, ConvOptions options,
            boolean exactOnly) {
        Convolution exact = Convolution.create(dims, weight, bias, options);
        if (exactOnly || !ConvAlgorithm.mayChooseWinograd(dims, weight.shape(), options)) {
            return exact;
        }
        return new AutoConvolution(exact, weight, bias, options);
    }

    /** The algorithm this op runs for inputs of this shape. */
    public ConvAlgorithm algorithm(long[] inputShape) {
        return ConvAlgorithm.choose(2, weightShape, options, inputShape, false);
    }

    /** The Winograd op of this algorithm, its weights transformed on first use. */
    private synchronized WinogradConvolution winograd(ConvAlgorithm algorithm) {
        if (closed) {
            throw new IllegalStateException("conv2d: this op is closed");
        }
        WinogradConvolution op = winograd[algorithm.ordinal()];
        if (op == null) {
            long[] pad = exact.padding2d();
            op = weight.derive("conv2d", raw -> WinogradConvolution.create(raw, bias, options.groups, pad[0], pad[1],
                    algorithm.tile()));
            winograd[algorithm.ordinal()] = op;
        }
        return op;
    }

    @Override
    public long[] outputShape(long[] inputShape) {
        return exact.outputShape(inputShape);
    }

    @Override
    public long workspaceSize(long[] inputShape) {
        exact.outputShape(inputShape); // the exact op's checks and messages for every input
        ConvAlgorithm algorithm = algorithm(inputShape);
        if (algorithm == ConvAlgorithm.IM2COL) {
            return exact.workspaceSize(inputShape);
        }
        // Sized without making the Winograd op: a plan that only checks shapes (a model's load) transforms nothing,
        // so a process that never runs this shape never holds its transformed weights. Room for the exact path too,
        // which runs inputs holding NaN or Inf.
        long[] pad = exact.padding2d();
        return Math.max(exact.workspaceSize(inputShape), WinogradConvolution.workspaceSize(algorithm.tile(),
                weightShape[1] * options.groups, weightShape[0], options.groups, pad[0], pad[1], inputShape));
    }

    @Override
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        run(input, output, workspace, Epilogue.NONE, null);
    }

    @Override
    public boolean takesResidual() {
        return true;
    }

    @Override
    public void run(Tensor input, Tensor output, FloatPointer workspace, Epilogue epilogue, Tensor residual) {
        Args.checkOpen("conv2d", "input", input);
        ConvAlgorithm algorithm = algorithm(input.shape());
        if (algorithm == ConvAlgorithm.IM2COL) {
            exact.run(input, output, workspace, epilogue, residual);
        } else {
            prepare(winograd(algorithm).checkRun(input, output, residual), epilogue).run(input, output, workspace,
                    residual);
        }
    }

    /**
     * The step for one input shape. A Winograd step hands an input holding NaN or Inf to the exact path (PyTorch's
     * result: Winograd would spread each such value over its whole output tile), prepared on the first such input:
     * only then are the weights packed for it.
     */
    @Override
    public PreparedWithEpilogue prepare(long[] inputShape, Epilogue epilogue) {
        exact.outputShape(inputShape);
        ConvAlgorithm algorithm = algorithm(inputShape);
        if (algorithm == ConvAlgorithm.IM2COL) {
            return exact.prepare(inputShape, epilogue);
        }
        long[] shape = inputShape.clone();
        return winograd(algorithm).prepare(shape, epilogue, new WinogradConvolution.NonFiniteFallback() {
            private volatile PreparedWithEpilogue step;

            @Override
            public PreparedWithEpilogue exact() {
                PreparedWithEpilogue s = step;
                if (s == null) {
                    step = s = exact.prepare(shape, epilogue); // idempotent: a race packs once (synchronized)
                }
                return s;
            }
        });
    }

    /** Frees both ops' packed and transformed weights (the weights given at creation are the caller's). */
    @Override
    public synchronized void close() {
        closed = true;
        for (WinogradConvolution op : winograd) {
            if (op != null) {
                op.close();
            }
        }
        exact.close();
    }

    /** Each sample (dim 0) of the output is computed from the same sample of the input alone. */
    @Override
    public boolean samplewise() {
        return true;
    }
}
