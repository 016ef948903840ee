package io.cnn4j.onnx;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import io.cnn4j.onnx.Value.Const;
import io.cnn4j.onnx.Value.Padded;
import io.cnn4j.onnx.Value.Reshaped;
import io.cnn4j.onnx.Value.Transposed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the op converters share while one graph is converted: the value each ONNX name stands for, the layers made
 * so far, the model inputs, and the helpers that read a node's inputs (computed or constant) and emit layers. Static
 * helpers here are the shape and argument checks several op families use.
 */
final class ConversionContext {
    final long opset;
    final Path baseDir;
    final Map<String, Value> values = new HashMap<>();
    final Map<String, OnnxProto.Tensor> initializers = new HashMap<>();
    final List<LayerNode> layers = new ArrayList<>();
    final Map<String, long[]> inputs = new LinkedHashMap<>();
    /** Values that a live node or the graph's outputs read. */
    final Set<String> used = new HashSet<>();
    /**
     * The computed tensors that stand for ONNX BOOL tensors (comparison and logic results, float32 1 or 0): only these
     * may be the condition of Where or the operands of Not, And, Or.
     */
    final Set<Act> booleans = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /** The first input's batch size when the file fixes it (torch.onnx.export without dynamic_axes), else -1. */
    long staticBatch = -1;

    ConversionContext(long opset, Path baseDir) {
        this.opset = opset;
        this.baseDir = baseDir;
    }

    // ---- values -----------------------------------------------------------------------------------------------

    /** An initializer as a constant value (cached), or null when {@code name} is none. */
    Value constantOrNull(String name) {
        OnnxProto.Tensor t = initializers.get(name);
        if (t == null) {
            return null;
        }
        Value v = new Const(ConstTensor.of(t, baseDir));
        values.put(name, v);
        return v;
    }

    /** Input {@code i} of {@code n}, or null when the optional input is absent. */
    Value input(Node n, int i) {
        if (i >= n.inputs().size() || n.inputs().get(i).isEmpty()) {
            return null;
        }
        String name = n.inputs().get(i);
        Value v = values.containsKey(name) ? values.get(name) : constantOrNull(name);
        if (v == null) {
            throw new IllegalArgumentException(n.label() + " uses '" + name + "', which no earlier node produces "
                    + "(nodes must be in topological order) and which is neither an input nor an initializer");
        }
        return v;
    }

    Value required(Node n, int i) {
        Value v = input(n, i);
        if (v == null) {
            throw new IllegalArgumentException(n.label() + ": missing input " + i);
        }
        return v;
    }

    Act act(Node n, int i) {
        return materialize(required(n, i), n.label());
    }

    ConstTensor constant(Node n, int i, String what) {
        Value v = input(n, i);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Const c)) {
            throw new IllegalArgumentException(n.label() + ": " + what + " ('" + n.inputs().get(i) + "') must be a "
                    + "constant (an initializer or computed from constants), but it depends on the model input");
        }
        return c.tensor;
    }

    void output(Node n, Value v) {
        if (n.outputs().isEmpty() || n.outputs().get(0).isEmpty()) {
            throw new IllegalArgumentException(n.label() + " has no output");
        }
        values.put(n.outputs().get(0), v);
    }

    /** Fails if a node's extra output (MaxPool indices, BatchNorm statistics, Dropout mask) is used. */
    void onlyFirstOutput(Node n, String what) {
        for (int i = 1; i < n.outputs().size(); i++) {
            String o = n.outputs().get(i);
            if (!o.isEmpty() && isUsed(o)) {
                throw new IllegalArgumentException(n.label() + ": output " + i + " ('" + o + "', " + what
                        + ") is used, but cnn4j layers have one output");
            }
        }
    }

    boolean isUsed(String value) {
        return used.contains(value);
    }

    /** The computed tensor behind a value, emitting the layers a pending reshape needs. */
    Act materialize(Value v, String consumer) {
        if (v instanceof Act a) {
            return a;
        }
        if (v instanceof Reshaped r) {
            if (r.materialized == null) {
                r.materialized = Reshapes.materialize(r, this::addLayer);
            }
            return r.materialized;
        }
        if (v instanceof Padded p) {
            if (p.materialized == null) {
                p.materialized = DataMovementConverters.padLayer(this, p);
            }
            return p.materialized;
        }
        if (v instanceof Transposed t) {
            if (t.materialized == null) {
                if (t.perm[0] != 0) {
                    throw new IllegalArgumentException(consumer + ": its input comes from " + t.node.label()
                            + " with perm " + text(t.perm) + ", which moves the batch dim; cnn4j models keep dim 0 "
                            + "as the batch");
                }
                LayerNode l = layer("Permute", t.node, List.of(t.source), t.shape);
                l.args.set("dims", JsonArgs.list(t.perm));
                t.materialized = l.out;
            }
            return t.materialized;
        }
        if (v instanceof Value.Comparison c) {
            if (c.materialized == null) {
                c.materialized = ArithmeticConverters.binary(this, c.node, c.type, required(c.node, 0),
                        required(c.node, 1));
                booleans.add(c.materialized);
            }
            return c.materialized;
        }
        if (v instanceof Value.PoolIndices i) {
            if (i.materialized == null) {
                // ONNX counts the indices across the whole tensor; cnn4j carries them as float32 integers.
                LayerNode l = layer("MaxPoolIndices" + (i.shape.length - 2) + "d", i.node, List.of(i.source),
                        i.shape);
                i.pool.args.fields().forEachRemaining(f -> l.args.set(f.getKey(), f.getValue()));
                l.args.put("indices", "tensor");
                i.materialized = l.out;
            }
            return i.materialized;
        }
        throw new IllegalArgumentException(consumer + ": its input is a constant; cnn4j needs a tensor computed "
                + "from the model input here");
    }

    LayerNode addLayer(LayerNode layer) {
        layers.add(layer);
        return layer;
    }

    LayerNode layer(String type, Node origin, List<Act> in, long[] shape) {
        LayerNode l = new LayerNode(type, origin, in, shape);
        l.nodeHints.addAll(Naming.nodeHints(origin));
        return addLayer(l);
    }

    void param(LayerNode l, String suffix, ConstTensor t, Node n, int input) {
        l.params.put(suffix, new OnnxTensorData(t.shape, t.floats(n.label() + " " + suffix)));
        if (n != null && input >= 0) {
            Naming.addParamHint(l, n.inputs().get(input), suffix);
        }
    }

    // ---- checks and small helpers -----------------------------------------------------------------------------

    static float scalar(Node n, ConstTensor t, String what) {
        if (t.numel() != 1) {
            throw new IllegalArgumentException(n.label() + ": " + what + " must be a scalar, got shape "
                    + Arrays.toString(t.shape));
        }
        return t.floats(n.label() + " " + what)[0];
    }

    /** Spatial sizes of an activation (dims 2...). */
    static long[] spatial(long[] shape) {
        return Arrays.copyOfRange(shape, 2, shape.length);
    }

    static Act checkRank(Node n, Act x, int spatialDims) {
        if (x.shape.length != spatialDims + 2) {
            throw new IllegalArgumentException(n.label() + ": expected a " + (spatialDims + 2) + "-d input [N, C, "
                    + "spatial...] for " + spatialDims + " spatial dims, got shape " + text(x.shape));
        }
        return x;
    }

    static void checkChannels(Node n, Act x, long channels) {
        if (x.shape[1] >= 0 && x.shape[1] != channels) {
            throw new IllegalArgumentException(n.label() + ": the weight expects " + channels + " input channels, "
                    + "but the input has shape " + text(x.shape));
        }
    }

    static void checkVector(Node n, ConstTensor t, long size, String what) {
        if (t.numel() != size) {
            throw new IllegalArgumentException(n.label() + ": " + what + " has shape " + text(t.shape)
                    + ", expected " + size + " values");
        }
    }

    static float[] scaled(float[] v, float factor) {
        if (factor == 1f) {
            return v;
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * factor;
        }
        return out;
    }

    static boolean allEqual(long[] v) {
        return Arrays.stream(v).allMatch(x -> x == v[0]);
    }

    static boolean allEqual(float[] v, float x) {
        for (float f : v) {
            if (f != x) {
                return false;
            }
        }
        return true;
    }

    static boolean allOnes(long[] v) {
        return Arrays.stream(v).allMatch(x -> x == 1);
    }

    static boolean allZeros(long[] v) {
        return Arrays.stream(v).allMatch(x -> x == 0);
    }

    static String text(long[] v) {
        return Arrays.toString(v);
    }
}
