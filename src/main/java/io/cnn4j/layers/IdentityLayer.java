package io.cnn4j.layers;

import io.cnn4j.Tensor;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;

/** {@code nn.Identity} and the Dropout family, which are identities at inference: the output is the input. */
public final class IdentityLayer implements Layer {
    public IdentityLayer() {}

    static Layer create(LayerArgs a) {
        // Dropout's arguments exist in PyTorch and mean nothing at inference; accept and ignore them.
        a.number("p", 0.5);
        a.bool("inplace", false);
        a.finish();
        return new IdentityLayer();
    }

    @Override
    public long[] outputShape(List<long[]> inputShapes) {
        return inputShapes.get(0).clone();
    }

    @Override
    public void run(List<Tensor> inputs, Tensor output, FloatPointer workspace) {
        // A view: the planner gives the output the input's memory, so there is nothing to do.
    }

    @Override
    public Aliasing aliasing() {
        return Aliasing.VIEW;
    }

    /** The input itself. */
    @Override
    public boolean samplewise() {
        return true;
    }
}
