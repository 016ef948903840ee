package io.cnn4j.layers;

import io.cnn4j.Tensor;
import io.cnn4j.ops.UnaryOp;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A layer that is one op on one input: pooling, activations, softmax, flatten, linear. The family files
 * ({@link PoolLayer}, {@link ActivationLayer}, {@link ShapeLayer}, {@link LinearLayer}) read the arguments and build
 * the op; this class runs it and owns the op's weight tensors, if any. {@link ConvLayer} extends it with batch-norm
 * folding.
 */
class UnaryOpLayer implements Layer {
    /** Multiply-accumulates for an input and output shape. */
    interface MacCount {
        long of(long[] inputShape, long[] outputShape);
    }

    private final UnaryOp op;
    private final Aliasing aliasing;
    private final List<Tensor> weights;
    private final MacCount macs;

    UnaryOpLayer(UnaryOp op, Aliasing aliasing) {
        this(op, aliasing, List.of(), (in, out) -> 0);
    }

    UnaryOpLayer(UnaryOp op, Aliasing aliasing, List<Tensor> weights, MacCount macs) {
        this.op = op;
        this.aliasing = aliasing;
        this.weights = weights;
        this.macs = macs;
    }

    /** Builds the op, turning its argument errors into errors that name the layer, and freeing weights on failure. */
    static Layer create(LayerArgs a, Aliasing aliasing, java.util.function.Supplier<UnaryOp> factory) {
        a.finish();
        try {
            return new UnaryOpLayer(factory.get(), aliasing);
        } catch (IllegalArgumentException e) {
            throw a.inContext(e);
        }
    }

    /** The op this layer runs (for the fusion pass). */
    UnaryOp op() {
        return op;
    }

    @Override
    public long[] outputShape(List<long[]> inputShapes) {
        return op.outputShape(inputShapes.get(0));
    }

    @Override
    public long workspaceSize(List<long[]> inputShapes) {
        return op.workspaceSize(inputShapes.get(0));
    }

    @Override
    public void run(List<Tensor> inputs, Tensor output, FloatPointer workspace) {
        op.run(inputs.get(0), output, workspace);
    }

    @Override
    public Step prepare(List<long[]> inputShapes) {
        UnaryOp.Prepared prepared = op.prepare(inputShapes.get(0));
        return (inputs, output, workspace) -> prepared.run(inputs[0], output, workspace);
    }

    @Override
    public Aliasing aliasing() {
        return aliasing;
    }

    @Override
    public long parameterCount() {
        return weights.stream().mapToLong(Tensor::numel).sum();
    }

    @Override
    public long macs(List<long[]> inputShapes, long[] outputShape) {
        return macs.of(inputShapes.get(0), outputShape);
    }

    @Override
    public void close() {
        weights.forEach(Tensor::close);
    }

    /** As its op: each sample from the same input sample alone. */
    @Override
    public boolean samplewise() {
        return op.samplewise();
    }
}
