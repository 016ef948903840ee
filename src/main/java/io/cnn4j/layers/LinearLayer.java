package io.cnn4j.layers;

import io.cnn4j.Shapes;
import io.cnn4j.Tensor;
import io.cnn4j.ops.Linear;
import java.util.ArrayList;
import java.util.List;

/** {@code nn.Linear(in_features, out_features, bias=True)}: weights {@code <name>.weight} [out, in], {@code .bias}. */
public final class LinearLayer {
    private LinearLayer() {}

    static Layer create(LayerArgs a) {
        int in = a.requiredInt("in_features");
        int out = a.requiredInt("out_features");
        boolean hasBias = a.bool("bias", true);
        if (in <= 0 || out <= 0) {
            throw a.error("in_features and out_features must be positive, got in_features=" + in + ", out_features="
                    + out);
        }
        a.finish();
        List<Tensor> owned = new ArrayList<>();
        try {
            Tensor weight = a.weight("weight", out, in);
            owned.add(weight);
            Tensor bias = hasBias ? a.weight("bias", out) : null;
            if (bias != null) {
                owned.add(bias);
            }
            Linear op = Linear.create(weight, bias);
            return new UnaryOpLayer(op, Layer.Aliasing.NONE, owned,
                    (inShape, outShape) -> Shapes.numel(outShape) * in);
        } catch (RuntimeException e) {
            owned.forEach(Tensor::close);
            throw a.inContext(e);
        }
    }
}
