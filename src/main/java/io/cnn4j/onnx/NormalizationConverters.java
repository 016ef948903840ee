package io.cnn4j.onnx;

import static io.cnn4j.onnx.ConversionContext.*;
import static io.cnn4j.onnx.JsonArgs.*;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import java.util.List;
import java.util.Map;

/** Normalization layers: BatchNormalization (inference, running statistics) as PyTorch's BatchNormNd. */
final class NormalizationConverters {
    private NormalizationConverters() {}

    static void register(Map<String, OpConverter> r) {
        r.put("BatchNormalization", NormalizationConverters::batchNorm);
    }

    private static void batchNorm(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        cx.onlyFirstOutput(n, "running statistics");
        if (a.integer("training_mode", 0) != 0) {
            throw new IllegalArgumentException(n.label() + " is in training mode (training_mode=1): it normalizes "
                    + "with batch statistics; cnn4j runs inference with the running statistics only");
        }
        if (a.integer("spatial", 1) == 0) {
            throw new IllegalArgumentException(n.label() + ": spatial=0 (statistics per element, not per channel) "
                    + "has no PyTorch layer");
        }
        Act x = cx.act(n, 0);
        int rank = x.shape.length;
        if (rank < 2 || rank > 5) {
            throw new IllegalArgumentException(n.label() + ": expected a 2-d to 5-d input, got shape "
                    + text(x.shape));
        }
        String[] suffixes = {"weight", "bias", "running_mean", "running_var"};
        String[] names = {"scale", "B", "mean", "var"};
        ConstTensor[] p = new ConstTensor[4];
        for (int i = 0; i < 4; i++) {
            p[i] = cx.constant(n, i + 1, names[i]);
            if (p[i] == null) {
                throw new IllegalArgumentException(n.label() + ": missing input " + names[i]);
            }
        }
        long channels = p[0].numel();
        checkChannels(n, x, channels);
        LayerNode l = cx.layer("BatchNorm" + Math.max(1, rank - 2) + "d", n, List.of(x), x.shape);
        l.args.put("num_features", channels);
        float eps = a.f("epsilon", 1e-5f);
        if (eps != 1e-5f) {
            l.args.put("eps", number(eps));
        }
        for (int i = 0; i < 4; i++) {
            checkVector(n, p[i], channels, names[i]);
            ConstTensor flat = ConstTensor.ofFloats(p[i].floats(n.label()), channels);
            cx.param(l, suffixes[i], flat, n, i + 1);
        }
        cx.output(n, l.out);
    }
}
