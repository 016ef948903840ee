package io.cnn4j.layers;

import io.cnn4j.Tensor;
import io.cnn4j.ops.Add;
import io.cnn4j.ops.Concat;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;

/** The graph ops of the format: {@code Add} (element-wise sum of 2+ same-shape inputs) and {@code Concat(dim=1)}. */
public final class GraphLayer implements Layer {
    private final Add add;
    private final Concat concat;

    private GraphLayer(Add add, Concat concat) {
        this.add = add;
        this.concat = concat;
    }

    static Layer add(LayerArgs a) {
        a.finish();
        return new GraphLayer(Add.create(), null);
    }

    static Layer concat(LayerArgs a) {
        int dim = a.integer("dim", 1);
        a.finish();
        return new GraphLayer(null, Concat.create(dim));
    }

    /** Whether this is an Add (else a Concat). */
    boolean isAdd() {
        return add != null;
    }

    @Override
    public long[] outputShape(List<long[]> inputShapes) {
        long[][] shapes = inputShapes.toArray(new long[0][]);
        if (add != null && shapes.length < 2) {
            throw new IllegalArgumentException("Add needs two or more inputs, got " + shapes.length);
        }
        return add != null ? add.outputShape(shapes) : concat.outputShape(shapes);
    }

    @Override
    public void run(List<Tensor> inputs, Tensor output, FloatPointer workspace) {
        Tensor[] in = inputs.toArray(new Tensor[0]);
        if (add != null) {
            add.run(in, output, workspace);
        } else {
            concat.run(in, output, workspace);
        }
    }
}
