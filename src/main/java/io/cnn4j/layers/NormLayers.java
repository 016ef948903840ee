package io.cnn4j.layers;

import io.cnn4j.Tensor;
import io.cnn4j.ops.BatchNorm;
import io.cnn4j.ops.Normalization;
import io.cnn4j.ops.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The normalization modules that use each sample's own statistics, with PyTorch's arguments and defaults:
 * {@code nn.GroupNorm(num_groups, num_channels, eps=1e-5, affine=True)},
 * {@code nn.LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True, bias=True)} and
 * {@code nn.InstanceNorm1d/2d/3d(num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False)}.
 * An InstanceNorm with track_running_stats=True normalizes with its running statistics in eval mode, as a batch
 * norm does. They may run in place.
 */
final class NormLayers {
    private NormLayers() {}

    static void register(Map<String, LayerFactory> factories) {
        factories.put("GroupNorm", NormLayers::groupNorm);
        factories.put("LayerNorm", NormLayers::layerNorm);
        for (int d = 1; d <= 3; d++) {
            int dims = d;
            factories.put("InstanceNorm" + d + "d", a -> instanceNorm(a, dims));
        }
    }

    private interface OpFactory {
        UnaryOp create(List<Tensor> weights);
    }

    /** Loads the weights, builds the op, and frees the weights if anything fails. */
    private static Layer build(LayerArgs a, List<String> suffixes, long[] shape, OpFactory factory) {
        a.finish();
        List<Tensor> owned = new ArrayList<>();
        try {
            long parameters = 0;
            for (String suffix : suffixes) {
                owned.add(a.weight(suffix, shape));
                parameters += suffix.startsWith("running_") ? 0 : owned.get(owned.size() - 1).numel();
            }
            long learned = parameters;
            return new UnaryOpLayer(factory.create(owned), Layer.Aliasing.IN_PLACE_OK, owned, (in, out) -> 0) {
                @Override
                public long parameterCount() {
                    return learned; // running statistics are not parameters
                }
            };
        } catch (RuntimeException e) {
            owned.forEach(Tensor::close);
            throw a.inContext(e);
        }
    }

    private static Tensor at(List<Tensor> weights, int i) {
        return i < weights.size() ? weights.get(i) : null;
    }

    private static Layer groupNorm(LayerArgs a) {
        int groups = a.requiredInt("num_groups");
        int channels = a.requiredInt("num_channels");
        double eps = a.number("eps", 1e-5);
        boolean affine = a.bool("affine", true);
        if (groups <= 0 || channels <= 0) {
            throw a.error("num_groups and num_channels must be positive, got num_groups=" + groups
                    + ", num_channels=" + channels);
        }
        if (channels % groups != 0) {
            throw a.error("num_channels must be divisible by num_groups, got num_channels=" + channels
                    + ", num_groups=" + groups);
        }
        List<String> params = affine ? List.of("weight", "bias") : List.of();
        return build(a, params, new long[] {channels},
                w -> channelsChecked(a, Normalization.groupNorm(groups, at(w, 0), at(w, 1), eps), channels));
    }

    private static Layer layerNorm(LayerArgs a) {
        long[] shape = a.intOrList("normalized_shape");
        if (shape == null) {
            throw a.error("missing required argument normalized_shape");
        }
        double eps = a.number("eps", 1e-5);
        boolean affine = a.bool("elementwise_affine", true);
        boolean bias = a.bool("bias", true);
        for (long s : shape) {
            if (s <= 0) {
                throw a.error("normalized_shape must have positive sizes, got normalized_shape="
                        + Arrays.toString(shape));
            }
        }
        // nn.LayerNorm has a bias only with elementwise_affine=True.
        List<String> params = !affine ? List.of() : bias ? List.of("weight", "bias") : List.of("weight");
        return build(a, params, shape, w -> Normalization.layerNorm(shape, at(w, 0), at(w, 1), eps));
    }

    private static Layer instanceNorm(LayerArgs a, int dims) {
        int features = a.requiredInt("num_features");
        double eps = a.number("eps", 1e-5);
        a.number("momentum", 0.1); // a training argument: no effect at inference
        boolean affine = a.bool("affine", false);
        boolean running = a.bool("track_running_stats", false);
        if (features <= 0) {
            throw a.error("num_features must be positive, got num_features=" + features);
        }
        List<String> params = new ArrayList<>();
        if (running) {
            params.addAll(List.of("running_mean", "running_var"));
        }
        if (affine) {
            params.addAll(List.of("weight", "bias"));
        }
        // PyTorch only warns when a module without weights or statistics meets another channel count.
        long channels = affine || running ? features : -1;
        return build(a, params, new long[] {features}, w -> {
            int k = running ? 2 : 0;
            UnaryOp op = running ? BatchNorm.createAnyRank(w.get(0), w.get(1), at(w, k), at(w, k + 1), eps)
                    : Normalization.instanceNorm(at(w, 0), at(w, 1), eps);
            return rankChecked(a, op, dims, channels);
        });
    }

    /** Refuses inputs whose dim 1 is not the layer's channel count, as nn.GroupNorm's weights would. */
    private static UnaryOp channelsChecked(LayerArgs a, UnaryOp op, long channels) {
        return new CheckedOp(op, shape -> {
            if (shape.length >= 2 && shape[1] != channels) {
                throw a.error("expected input with " + channels + " channels (num_channels) at dim 1, got input "
                        + "of shape " + Arrays.toString(shape));
            }
        });
    }

    /**
     * InstanceNormNd takes (N, C, *) inputs of exactly dims spatial dims (an unbatched (C, *) input, which PyTorch
     * also takes, has no batch dim for a model to run over); channels -1 accepts any count.
     */
    private static UnaryOp rankChecked(LayerArgs a, UnaryOp op, int dims, long channels) {
        String expected = dims == 1 ? "(N, C, L)" : dims == 2 ? "(N, C, H, W)" : "(N, C, D, H, W)";
        return new CheckedOp(op, shape -> {
            if (shape.length != dims + 2) {
                throw a.error("expected " + (dims + 2) + "-d input " + expected + ", got input of shape "
                        + Arrays.toString(shape));
            }
            if (channels >= 0 && shape[1] != channels) {
                throw a.error("expected input's size at dim=1 to match num_features (" + channels + "), but got: "
                        + shape[1]);
            }
        });
    }
}
