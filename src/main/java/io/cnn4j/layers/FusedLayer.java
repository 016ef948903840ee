package io.cnn4j.layers;

import io.cnn4j.Tensor;
import io.cnn4j.ops.EpilogueOp;
import io.cnn4j.ops.Epilogue;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A convolution or linear layer that also does the work of the layers after it in its output pass: an activation
 * and, for convolutions, a residual {@code Add} (the residual is the layer's second input). Made by
 * {@link EpilogueFusion}; shapes, parameters and weights are the base layer's, which this layer owns.
 */
final class FusedLayer implements Layer {
    private final UnaryOpLayer base;
    private final EpilogueOp op;
    private final Epilogue epilogue;
    private final boolean residual;

    FusedLayer(UnaryOpLayer base, Epilogue epilogue, boolean residual) {
        this.base = base;
        this.op = (EpilogueOp) base.op();
        this.epilogue = epilogue;
        this.residual = residual;
    }

    UnaryOpLayer base() {
        return base;
    }

    boolean hasResidual() {
        return residual;
    }

    Epilogue epilogue() {
        return epilogue;
    }

    @Override
    public long[] outputShape(List<long[]> inputShapes) {
        long[] out = base.outputShape(inputShapes.subList(0, 1));
        if (residual && !java.util.Arrays.equals(out, inputShapes.get(1))) {
            throw new IllegalArgumentException("the residual of shape " + java.util.Arrays.toString(inputShapes.get(1))
                    + " does not match the output shape " + java.util.Arrays.toString(out));
        }
        return out;
    }

    @Override
    public long workspaceSize(List<long[]> inputShapes) {
        return base.workspaceSize(inputShapes.subList(0, 1));
    }

    @Override
    public void run(List<Tensor> inputs, Tensor output, FloatPointer workspace) {
        op.run(inputs.get(0), output, workspace, epilogue, residual ? inputs.get(1) : null);
    }

    @Override
    public Step prepare(List<long[]> inputShapes) {
        outputShape(inputShapes); // checks the residual's shape
        EpilogueOp.PreparedWithEpilogue prepared = op.prepare(inputShapes.get(0), epilogue);
        return residual ? (inputs, output, workspace) -> prepared.run(inputs[0], output, workspace, inputs[1])
                : (inputs, output, workspace) -> prepared.run(inputs[0], output, workspace, null);
    }

    @Override
    public long parameterCount() {
        return base.parameterCount();
    }

    @Override
    public long macs(List<long[]> inputShapes, long[] outputShape) {
        return base.macs(inputShapes.subList(0, 1), outputShape);
    }

    @Override
    public void close() {
        base.close();
    }
}
