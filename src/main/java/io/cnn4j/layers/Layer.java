package io.cnn4j.layers;

import io.cnn4j.Tensor;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;

/**
 * One node of a model: a PyTorch module (Conv2d, ReLU, ...) or a graph op (Add, Concat), created from its JSON
 * description and weights by a {@link LayerFactory}. Lifecycle as the ops: shapes in ({@link #outputShape}), scratch
 * size ({@link #workspaceSize}), then {@link #run} with caller-owned memory. A layer is immutable and shared by every
 * thread running the model; it owns its weight tensors, freed by {@link #close()}.
 */
public interface Layer extends AutoCloseable {

    /** The output shape for these input shapes (batch dim included); throws IllegalArgumentException if they do not fit. */
    long[] outputShape(List<long[]> inputShapes);

    /** Floats of scratch that {@link #run} needs for these input shapes. */
    default long workspaceSize(List<long[]> inputShapes) {
        return 0;
    }

    /** output = layer(inputs); output has {@link #outputShape}; workspace has at least {@link #workspaceSize} floats. */
    void run(List<Tensor> inputs, Tensor output, FloatPointer workspace);

    /**
     * This layer for fixed input shapes, checked and worked out once: a model plans one step per layer and input
     * shape and runs the steps. The default runs {@link #run}, checking everything on each call.
     */
    default Step prepare(List<long[]> inputShapes) {
        outputShape(inputShapes);
        return (inputs, output, workspace) -> run(java.util.Arrays.asList(inputs), output, workspace);
    }

    /**
     * {@link #run} of a layer whose work lives in {@link #prepare}: prepared for the inputs' own shapes and run once
     * (a layer input may be null where the layer's operand is a constant it owns).
     */
    static void runPrepared(Layer layer, List<Tensor> inputs, Tensor output, FloatPointer workspace) {
        long[][] shapes = new long[inputs.size()][];
        for (int i = 0; i < shapes.length; i++) {
            shapes[i] = inputs.get(i) == null ? null : inputs.get(i).shape();
        }
        layer.prepare(java.util.Arrays.asList(shapes)).run(inputs.toArray(new Tensor[0]), output, workspace);
    }

    /** A layer prepared for fixed input shapes. */
    @FunctionalInterface
    interface Step {
        void run(Tensor[] inputs, Tensor output, FloatPointer workspace);
    }

    /**
     * How the output relates to the input memory: {@link Aliasing#NONE} computes into fresh memory;
     * {@link Aliasing#VIEW} only reshapes (the output is the input's memory, run does nothing);
     * {@link Aliasing#IN_PLACE_OK} may write its output over its single input when that input is not needed later.
     */
    default Aliasing aliasing() {
        return Aliasing.NONE;
    }

    /**
     * Whether each sample (dim 0) of the output depends on the same sample of every input alone, the batch dim
     * staying dim 0, so that a model may run this layer on slices of the batch (model/SplitExecution). False unless a
     * layer says so.
     */
    default boolean samplewise() {
        return false;
    }

    /** Number of learned parameters (weights and biases, running statistics excluded). */
    default long parameterCount() {
        return 0;
    }

    /** Multiply-accumulates per run for these shapes (0 for layers that do no arithmetic worth counting). */
    default long macs(List<long[]> inputShapes, long[] outputShape) {
        return 0;
    }

    @Override
    default void close() {}

    enum Aliasing { NONE, VIEW, IN_PLACE_OK }
}
