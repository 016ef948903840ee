package io.cnn4j.layers;

import io.cnn4j.Tensor;
import io.cnn4j.ops.Binary;
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

    /**
     * The output shape: the base layer's, or with a residual the broadcast of it and the residual's. A residual of
     * another shape (a broadcasting Add, {@code conv(x) + gate} with a [N, C, 1, 1] gate) cannot be added in the output
     * pass; such a layer runs the base layer into scratch, then the Add and the activation as the separate layers
     * would, with the same results.
     */
    @Override
    public long[] outputShape(List<long[]> inputShapes) {
        long[] out = base.outputShape(inputShapes.subList(0, 1));
        if (residual && !java.util.Arrays.equals(out, inputShapes.get(1))) {
            return Binary.create(Binary.Kind.ADD).outputShape(out, inputShapes.get(1));
        }
        return out;
    }

    /** Whether the residual is added in a separate pass (its shape is not the base layer's output shape). */
    private boolean broadcasting(List<long[]> inputShapes) {
        return residual && !java.util.Arrays.equals(base.outputShape(inputShapes.subList(0, 1)), inputShapes.get(1));
    }

    @Override
    public long workspaceSize(List<long[]> inputShapes) {
        long ws = base.workspaceSize(inputShapes.subList(0, 1));
        if (broadcasting(inputShapes)) {
            ws += io.cnn4j.Shapes.numel(base.outputShape(inputShapes.subList(0, 1)));
        }
        return ws;
    }

    @Override
    public void run(List<Tensor> inputs, Tensor output, FloatPointer workspace) {
        List<long[]> shapes = new java.util.ArrayList<>();
        for (Tensor t : inputs) {
            shapes.add(t.shape());
        }
        if (broadcasting(shapes)) {
            prepare(shapes).run(inputs.toArray(new Tensor[0]), output, workspace);
            return;
        }
        op.run(inputs.get(0), output, workspace, epilogue, residual ? inputs.get(1) : null);
    }

    @Override
    public Step prepare(List<long[]> inputShapes) {
        long[] out = outputShape(inputShapes); // checks the residual's shape
        if (broadcasting(inputShapes)) {
            long[] baseOut = base.outputShape(inputShapes.subList(0, 1));
            long baseWorkspace = base.workspaceSize(inputShapes.subList(0, 1));
            EpilogueOp.PreparedWithEpilogue prepared = op.prepare(inputShapes.get(0), Epilogue.NONE);
            Binary.Prepared add = Binary.create(Binary.Kind.ADD).prepare(baseOut, inputShapes.get(1));
            return (inputs, output, workspace) -> {
                try (Tensor scratch = Tensor.wrap(workspace, baseWorkspace, baseOut)) {
                    prepared.run(inputs[0], scratch, workspace, null);
                    add.run(scratch, inputs[1], output);
                }
                epilogue.applyInPlace(output);
            };
        }
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

    /** As the base layer (a residual is another value of the same batch). */
    @Override
    public boolean samplewise() {
        return base.samplewise();
    }
}
