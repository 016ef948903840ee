package io.cnn4j.layers;

import io.cnn4j.Tensor;
import io.cnn4j.ops.UnaryOp;
import java.util.function.Consumer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * An op whose input shape a layer checks before the op sees it: the rules a module adds to its function (an
 * InstanceNorm2d takes 4-d inputs only, a model's Slice never slices the batch dim), with messages naming the layer.
 */
record CheckedOp(UnaryOp op, Consumer<long[]> check) implements UnaryOp {
    @Override
    public long[] outputShape(long[] inputShape) {
        check.accept(inputShape);
        return op.outputShape(inputShape);
    }

    @Override
    public long workspaceSize(long[] inputShape) {
        check.accept(inputShape);
        return op.workspaceSize(inputShape);
    }

    @Override
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        if (input != null && !input.isClosed()) {
            check.accept(input.shape());
        }
        op.run(input, output, workspace);
    }

    @Override
    public Prepared prepare(long[] inputShape) {
        check.accept(inputShape);
        return op.prepare(inputShape);
    }
}
