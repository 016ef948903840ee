package io.cnn4j.layers;

import io.cnn4j.Tensor;
import io.cnn4j.ops.Concat;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;

/** The graph op {@code Concat(dim)} of the format: its inputs joined along one dim ({@code Add} is {@link ArithmeticLayer}). */
public final class GraphLayer implements Layer {
    private final Concat concat;

    private GraphLayer(Concat concat) {
        this.concat = concat;
    }

    static Layer concat(LayerArgs a) {
        int dim = a.integer("dim", 1);
        a.finish();
        return new GraphLayer(Concat.create(dim));
    }

    @Override
    public long[] outputShape(List<long[]> inputShapes) {
        return concat.outputShape(inputShapes.toArray(new long[0][]));
    }

    @Override
    public void run(List<Tensor> inputs, Tensor output, FloatPointer workspace) {
        concat.run(inputs.toArray(new Tensor[0]), output, workspace);
    }
}
