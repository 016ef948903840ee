package io.cnn4j.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cnn4j.onnx.OnnxProto.Graph;
import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import io.cnn4j.onnx.Value.Const;
import io.cnn4j.onnx.Value.Padded;
import io.cnn4j.onnx.Value.Reshaped;
import io.cnn4j.onnx.Value.Transposed;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one ONNX graph into cnn4j layers: each live node (one an output depends on) in file order becomes a layer,
 * a pending value ({@link Value}) or a constant, with shapes inferred along the way. Mapping rules are PyTorch's
 * modules with PyTorch's arguments; where ONNX can say something a version-1 model cannot, conversion fails with a
 * message naming the node and what is wrong. GELU spelled as arithmetic (before opset 20) is fused into one node
 * first ({@link Fusions}); x * Sigmoid(x) becomes SiLU when its Mul is converted.
 */
final class GraphConverter {
    /** ONNX ops that may act on computed tensors (the constant-only ones are in {@link ConstantFolding}). */
    static final Set<String> LAYER_OPS = Set.of("Conv", "ConvTranspose", "MaxPool", "AveragePool",
            "GlobalAveragePool", "GlobalMaxPool", "Gemm", "MatMul", "Flatten", "Reshape", "Squeeze", "Unsqueeze",
            "Relu", "LeakyRelu", "Elu", "Clip", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Gelu", "Softmax",
            "LogSoftmax", "BatchNormalization", "Add", "Sub", "Mul", "Div", "Sum", "Concat", "Pad", "Identity",
            "Dropout", "Transpose", "Shape", "ReduceMean", "ReduceMax");
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final float HARDSIGMOID_ALPHA = 1f / 6;

    private final Graph graph;
    private final long opset;
    private final Path baseDir;
    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, OnnxProto.Tensor> initializers = new HashMap<>();
    private final List<LayerNode> layers = new ArrayList<>();
    private final Map<String, long[]> inputs = new LinkedHashMap<>();
    /** Values that a live node or the graph's outputs read. */
    private final Set<String> used = new HashSet<>();
    /** The first input's batch size when the file fixes it (torch.onnx.export without dynamic_axes), else -1. */
    private long staticBatch = -1;

    GraphConverter(Graph graph, long opset, Path baseDir) {
        this.graph = graph;
        this.opset = opset;
        this.baseDir = baseDir;
    }

    /** Layers in creation (topological) order, model inputs, and for each graph output its name and value. */
    record Result(List<LayerNode> layers, Map<String, long[]> inputs, List<Map.Entry<String, Act>> outputs) {}

    Result convert() {
        for (OnnxProto.Tensor t : graph.initializers()) {
            initializers.put(t.name(), t);
        }
        declareInputs();
        List<Node> live = Fusions.apply(liveNodes(), graph.outputs().stream().map(OnnxProto.ValueInfo::name).toList(),
                initializers, opset, baseDir);
        checkSupported(live);
        graph.outputs().forEach(o -> used.add(o.name()));
        live.forEach(n -> used.addAll(n.inputs()));
        for (Node n : live) {
            NodeChecks.inContext(n, () -> {
                convertNode(n);
                Value out = values.get(n.outputs().get(0));
                if (!(out instanceof Const)) {
                    NodeChecks.checkSampleSize("its output '" + n.outputs().get(0) + "'", out.shape);
                }
            });
        }
        List<Map.Entry<String, Act>> outputs = new ArrayList<>();
        for (OnnxProto.ValueInfo o : graph.outputs()) {
            Value v = values.containsKey(o.name()) ? values.get(o.name()) : constantOrNull(o.name());
            if (v == null) {
                throw new IllegalArgumentException("graph output '" + o.name() + "' is not produced by any node");
            }
            if (v instanceof Const) {
                throw new IllegalArgumentException("graph output '" + o.name() + "' is a constant; cnn4j models "
                        + "compute their outputs from their inputs");
            }
            outputs.add(Map.entry(o.name(), materialize(v, "graph output '" + o.name() + "'")));
        }
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("the graph has no outputs");
        }
        return new Result(layers, inputs, outputs);
    }

    // ---- graph structure --------------------------------------------------------------------------------------

    private void declareInputs() {
        for (OnnxProto.ValueInfo in : graph.inputs()) {
            if (initializers.containsKey(in.name())) {
                continue; // IR < 4 lists initializers as inputs too: they are weights, not model inputs
            }
            String where = "graph input '" + in.name() + "'";
            if (!in.isTensor() || in.dims() == null) {
                throw new IllegalArgumentException(where + " has no tensor shape; cnn4j needs at least its rank");
            }
            if (in.elemType() != ConstTensor.FLOAT) {
                throw new IllegalArgumentException(where + " is " + ConstTensor.typeName(in.elemType())
                        + "; cnn4j models take float32 inputs");
            }
            long[] dims = in.dims().clone();
            if (dims.length == 0) {
                throw new IllegalArgumentException(where + " is a scalar; cnn4j inputs have a batch dim");
            }
            for (int d = 1; d < dims.length; d++) {
                if (dims[d] == 0) {
                    throw new IllegalArgumentException(where + " has a zero-size dim in " + Arrays.toString(dims));
                }
            }
            NodeChecks.checkSampleSize(where, dims);
            if (inputs.isEmpty() && dims[0] > 0) {
                staticBatch = dims[0];
            }
            dims[0] = -1; // the batch dim: any size, whatever the exporter fixed
            inputs.put(in.name(), dims);
            values.put(in.name(), new Act(dims, null, in.name()));
        }
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("the graph has no inputs besides its initializers");
        }
    }

    /** Nodes an output depends on, in file order; unused branches are ignored even if unsupported. */
    private List<Node> liveNodes() {
        Map<String, Node> producer = new HashMap<>();
        for (Node n : graph.nodes()) {
            for (String o : n.outputs()) {
                if (!o.isEmpty()) {
                    producer.put(o, n);
                }
            }
        }
        Set<Node> live = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        graph.outputs().forEach(o -> todo.push(o.name()));
        while (!todo.isEmpty()) {
            Node n = producer.get(todo.pop());
            if (n != null && live.add(n)) {
                n.inputs().forEach(todo::push);
            }
        }
        return graph.nodes().stream().filter(live::contains).toList();
    }

    private void checkSupported(List<Node> live) {
        List<String> unsupported = new ArrayList<>();
        for (Node n : live) {
            boolean defaultDomain = n.domain().isEmpty() || n.domain().equals("ai.onnx");
            if (!defaultDomain || !(LAYER_OPS.contains(n.opType()) || ConstantFolding.OPS.contains(n.opType()))) {
                unsupported.add((defaultDomain ? "" : n.domain() + ":") + n.label());
            }
        }
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException("unsupported ONNX ops: " + String.join(", ", unsupported));
        }
    }

    // ---- values -----------------------------------------------------------------------------------------------

    private Value constantOrNull(String name) {
        OnnxProto.Tensor t = initializers.get(name);
        if (t == null) {
            return null;
        }
        Value v = new Const(ConstTensor.of(t, baseDir));
        values.put(name, v);
        return v;
    }

    /** Input {@code i} of {@code n}, or null when the optional input is absent. */
    private Value input(Node n, int i) {
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

    private Value required(Node n, int i) {
        Value v = input(n, i);
        if (v == null) {
            throw new IllegalArgumentException(n.label() + ": missing input " + i);
        }
        return v;
    }

    private Act act(Node n, int i) {
        return materialize(required(n, i), n.label());
    }

    private ConstTensor constant(Node n, int i, String what) {
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

    private void output(Node n, Value v) {
        if (n.outputs().isEmpty() || n.outputs().get(0).isEmpty()) {
            throw new IllegalArgumentException(n.label() + " has no output");
        }
        values.put(n.outputs().get(0), v);
    }

    /** Fails if a node's extra output (MaxPool indices, BatchNorm statistics, Dropout mask) is used. */
    private void onlyFirstOutput(Node n, String what) {
        for (int i = 1; i < n.outputs().size(); i++) {
            String o = n.outputs().get(i);
            if (!o.isEmpty() && isUsed(o)) {
                throw new IllegalArgumentException(n.label() + ": output " + i + " ('" + o + "', " + what
                        + ") is used, but cnn4j layers have one output");
            }
        }
    }

    private boolean isUsed(String value) {
        return used.contains(value);
    }

    /** The computed tensor behind a value, emitting the layers a pending reshape needs. */
    private Act materialize(Value v, String consumer) {
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
            throw new IllegalArgumentException(consumer + ": its input comes from " + p.node.label() + " (mode "
                    + p.mode + "), which cnn4j can only fold into a directly following Conv (constant 0, reflect, "
                    + "edge or wrap), AveragePool (constant 0) or MaxPool (constant -inf): the format has no "
                    + "padding layer");
        }
        if (v instanceof Transposed t) {
            throw new IllegalArgumentException(consumer + ": its input comes from " + t.node.label() + "; cnn4j "
                    + "supports Transpose of computed tensors only around Softmax/LogSoftmax (as exporters write a "
                    + "softmax over a dim other than the last before opset 13)");
        }
        throw new IllegalArgumentException(consumer + ": its input is a constant; cnn4j needs a tensor computed "
                + "from the model input here");
    }

    private LayerNode addLayer(LayerNode layer) {
        layers.add(layer);
        return layer;
    }

    private LayerNode layer(String type, Node origin, List<Act> in, long[] shape) {
        LayerNode l = new LayerNode(type, origin, in, shape);
        l.nodeHints.addAll(Naming.nodeHints(origin));
        return addLayer(l);
    }

    private void param(LayerNode l, String suffix, ConstTensor t, Node n, int input) {
        l.params.put(suffix, new OnnxTensorData(t.shape, t.floats(n.label() + " " + suffix)));
        if (n != null && input >= 0) {
            Naming.addParamHint(l, n.inputs().get(input), suffix);
        }
    }

    // ---- nodes ------------------------------------------------------------------------------------------------

    private void convertNode(Node n) {
        String op = n.opType();
        boolean allConst = true;
        for (int i = 0; i < n.inputs().size(); i++) {
            Value v = input(n, i);
            allConst &= v == null || v instanceof Const;
        }
        if (allConst && ConstantFolding.OPS.contains(op)) {
            List<ConstTensor> in = new ArrayList<>();
            for (int i = 0; i < n.inputs().size(); i++) {
                Value v = input(n, i);
                in.add(v == null ? null : ((Const) v).tensor);
            }
            output(n, new Const(ConstantFolding.fold(n, in, opset, baseDir)));
            return;
        }
        if (ConstantFolding.CONSTANT_ONLY.contains(op) && !op.equals("Shape")) {
            throw new IllegalArgumentException(n.label() + " acts on a tensor computed from the model input; cnn4j "
                    + "evaluates " + op + " only on constants and shapes");
        }
        switch (op) {
            case "Conv" -> conv(n);
            case "ConvTranspose" -> convTranspose(n);
            case "MaxPool", "AveragePool" -> pool(n);
            case "GlobalAveragePool", "GlobalMaxPool" -> globalPool(n);
            case "ReduceMean", "ReduceMax" -> reduce(n);
            case "Sum" -> sum(n);
            case "Gemm" -> gemm(n);
            case "MatMul" -> matMul(n);
            case "Flatten", "Reshape", "Squeeze", "Unsqueeze" -> reshape(n);
            case "Relu" -> activation(n, "ReLU");
            case "Sigmoid" -> activation(n, "Sigmoid");
            case "Tanh" -> activation(n, "Tanh");
            case "HardSwish" -> activation(n, "Hardswish");
            case "LeakyRelu" -> {
                LayerNode l = activation(n, "LeakyReLU");
                float alpha = new Attributes(n).f("alpha", 0.01f);
                if (alpha != 0.01f) {
                    l.args.put("negative_slope", number(alpha));
                }
            }
            case "Elu" -> {
                LayerNode l = activation(n, "ELU");
                float alpha = new Attributes(n).f("alpha", 1f);
                if (alpha != 1f) {
                    l.args.put("alpha", number(alpha));
                }
            }
            case "HardSigmoid" -> hardSigmoid(n);
            case "Gelu" -> {
                String approximate = new Attributes(n).string("approximate", "none");
                if (!approximate.equals("none") && !approximate.equals("tanh")) {
                    throw new IllegalArgumentException(n.label() + ": approximate must be none or tanh, got "
                            + "approximate=" + approximate);
                }
                LayerNode l = activation(n, "GELU");
                if (approximate.equals("tanh")) {
                    l.args.put("approximate", "tanh");
                }
            }
            case "Clip" -> clip(n);
            case "Softmax", "LogSoftmax" -> softmax(n);
            case "BatchNormalization" -> batchNorm(n);
            case "Add", "Sub", "Mul", "Div" -> arithmetic(n);
            case "Concat" -> concat(n);
            case "Pad" -> pad(n);
            case "Identity" -> output(n, required(n, 0));
            case "Dropout" -> dropout(n);
            case "Transpose" -> transpose(n);
            case "Shape" -> {
                long[] dims = required(n, 0).shape.clone();
                byte[] symbols = new byte[dims.length];
                for (int d = 0; d < dims.length; d++) {
                    symbols[d] = d == 0 ? ConstTensor.BATCH : dims[d] < 0 ? ConstTensor.UNKNOWN : ConstTensor.KNOWN;
                }
                output(n, new Const(ConstantFolding.shapeOf(ConstTensor.ofSymbolic(dims, symbols, dims.length),
                        new Attributes(n))));
            }
            default -> throw new IllegalStateException("no converter for " + op);
        }
    }

    private LayerNode activation(Node n, String type) {
        Act x = act(n, 0);
        LayerNode l = layer(type, n, List.of(x), x.shape);
        output(n, l.out);
        return l;
    }

    private void hardSigmoid(Node n) {
        Attributes a = new Attributes(n);
        float alpha = a.f("alpha", 0.2f);
        float beta = a.f("beta", 0.5f);
        if (alpha != HARDSIGMOID_ALPHA || beta != 0.5f) {
            throw new IllegalArgumentException(n.label() + ": alpha=" + alpha + ", beta=" + beta + " has no PyTorch "
                    + "layer; nn.Hardsigmoid is alpha=1/6, beta=0.5");
        }
        activation(n, "Hardsigmoid");
    }

    private void clip(Node n) {
        float min;
        float max;
        if (opset < 11) {
            Attributes a = new Attributes(n);
            min = a.f("min", -Float.MAX_VALUE);
            max = a.f("max", Float.MAX_VALUE);
        } else {
            ConstTensor lo = constant(n, 1, "min");
            ConstTensor hi = constant(n, 2, "max");
            min = lo == null ? Float.NEGATIVE_INFINITY : scalar(n, lo, "min");
            max = hi == null ? Float.POSITIVE_INFINITY : scalar(n, hi, "max");
        }
        boolean unbounded = max == Float.POSITIVE_INFINITY || max == Float.MAX_VALUE;
        if (min == 0 && max == 6) {
            activation(n, "ReLU6");
        } else if (min == 0 && unbounded) {
            activation(n, "ReLU");
        } else {
            throw new IllegalArgumentException(n.label() + ": min=" + min + ", max=" + max + " has no cnn4j layer "
                    + "(Clip to [0, 6] is ReLU6 and to [0, inf) is ReLU; the format has no Hardtanh)");
        }
    }

    private static float scalar(Node n, ConstTensor t, String what) {
        if (t.numel() != 1) {
            throw new IllegalArgumentException(n.label() + ": " + what + " must be a scalar, got shape "
                    + Arrays.toString(t.shape));
        }
        return t.floats(n.label() + " " + what)[0];
    }

    private void dropout(Node n) {
        onlyFirstOutput(n, "the dropout mask");
        ConstTensor training = opset >= 12 ? constant(n, 2, "training_mode") : null;
        if (training != null && training.numel() == 1 && training.longs()[0] != 0) {
            throw new IllegalArgumentException(n.label() + " is in training mode (training_mode=true); cnn4j runs "
                    + "inference only");
        }
        output(n, required(n, 0));
    }

    // ---- convolution and pooling ------------------------------------------------------------------------------

    /** Spatial sizes of an activation (dims 2...). */
    private static long[] spatial(long[] shape) {
        return Arrays.copyOfRange(shape, 2, shape.length);
    }

    private Act checkRank(Node n, Act x, int spatialDims) {
        if (x.shape.length != spatialDims + 2) {
            throw new IllegalArgumentException(n.label() + ": expected a " + (spatialDims + 2) + "-d input [N, C, "
                    + "spatial...] for " + spatialDims + " spatial dims, got shape " + text(x.shape));
        }
        return x;
    }

    /** A Conv/ConvTranspose weight: a constant [C, C', kernel...] with 1 to 3 spatial dims. */
    private ConstTensor convWeight(Node n, String family) {
        ConstTensor w = constant(n, 1, "weight");
        if (w == null) {
            throw new IllegalArgumentException(n.label() + ": missing weight input");
        }
        int dims = w.rank() - 2;
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException(n.label() + ": weight of shape " + text(w.shape) + " has " + dims
                    + " spatial dims; cnn4j has " + family + "1d, " + family + "2d and " + family + "3d");
        }
        return w;
    }

    private void conv(Node n) {
        Attributes a = new Attributes(n);
        ConstTensor w = convWeight(n, "Conv");
        ConstTensor b = constant(n, 2, "bias");
        int dims = w.rank() - 2;
        Value in = required(n, 0);
        Padded pad = in instanceof Padded p ? p : null;
        Act x = checkRank(n, pad != null ? pad.source : materialize(in, n.label()), dims);
        long[] kernel = kernel(n, a, w, dims);
        long[] strides = positive(n, a, "strides", dims);
        long[] dilations = positive(n, a, "dilations", dims);
        long group = a.integer("group", 1);
        long outChannels = w.shape[0];
        long inChannels = w.shape[1] * group;
        if (group < 1 || outChannels % group != 0) {
            throw new IllegalArgumentException(n.label() + ": group must be positive and divide the " + outChannels
                    + " output channels, got group=" + group);
        }
        checkChannels(n, x, inChannels);
        String autoPad = a.string("auto_pad", "NOTSET");
        long[] inSizes = spatial(x.shape);
        String paddingMode = "zeros";
        Object padding;
        boolean same = autoPad.equals("SAME_UPPER") && allOnes(strides) && pad == null;
        if (same) {
            padding = "same";
        } else {
            long[] explicitPads = NodeChecks.windowSizes(a, "pads", 2 * dims, 0, 0);
            long[][] pads = Windows.onnxPads(n.label(), autoPad, explicitPads, inSizes, kernel, strides, dilations);
            if (pad != null) {
                paddingMode = foldPad(n, pad, pads, dims);
            }
            padding = Windows.symmetric(n.label(), pads[0], pads[1], inSizes, kernel, strides, dilations, false);
        }
        long[] shape = new long[dims + 2];
        shape[0] = -1;
        shape[1] = outChannels;
        for (int i = 0; i < dims; i++) {
            shape[2 + i] = same ? inSizes[i]
                    : Windows.outSize(inSizes[i], kernel[i], strides[i], dilations[i], ((long[]) padding)[i], false);
            if (shape[2 + i] == 0 || shape[2 + i] < -1) {
                throw new IllegalArgumentException(n.label() + ": the input " + text(x.shape) + " is too small for "
                        + "kernel " + text(kernel) + " with dilation " + text(dilations));
            }
        }
        LayerNode l = layer("Conv" + dims + "d", n, List.of(x), shape);
        l.args.put("in_channels", inChannels);
        l.args.put("out_channels", outChannels);
        l.args.set("kernel_size", tuple(kernel));
        putTuple(l, "stride", strides, 1);
        if (padding instanceof String s) {
            l.args.put("padding", s);
        } else {
            putTuple(l, "padding", (long[]) padding, 0);
        }
        putTuple(l, "dilation", dilations, 1);
        if (group != 1) {
            l.args.put("groups", group);
        }
        if (b == null) {
            l.args.put("bias", false);
        }
        if (!paddingMode.equals("zeros")) {
            l.args.put("padding_mode", paddingMode);
        }
        param(l, "weight", w, n, 1);
        if (b != null) {
            checkVector(n, b, outChannels, "bias");
            param(l, "bias", b, n, 2);
        }
        output(n, l.out);
    }

    /**
     * Adds an ONNX Pad feeding a Conv into the Conv's own pads; returns the padding_mode. Only spatial dims may be
     * padded; a non-zero constant or a reflect/edge/wrap pad on top of the Conv's own padding cannot be expressed.
     */
    private String foldPad(Node n, Padded pad, long[][] pads, int dims) {
        checkSpatialPad(n, pad, dims);
        String mode = switch (pad.mode) {
            case "constant" -> pad.fill == 0 ? "zeros" : null;
            case "reflect" -> "reflect";
            case "edge" -> "replicate";
            case "wrap" -> "circular";
            default -> null;
        };
        boolean ownPads = false;
        for (int i = 0; i < dims; i++) {
            ownPads |= pads[0][i] != 0 || pads[1][i] != 0;
        }
        if (mode == null || (!mode.equals("zeros") && ownPads)) {
            throw new IllegalArgumentException(n.label() + " follows " + pad.node.label() + " (mode " + pad.mode
                    + (pad.mode.equals("constant") ? ", value " + pad.fill : "") + ")" + (ownPads ? " and pads "
                    + "itself" : "") + "; PyTorch's Conv can only add zero padding to its own, or use one "
                    + "padding_mode for all of it");
        }
        for (int i = 0; i < dims; i++) {
            pads[0][i] += pad.begin[2 + i];
            pads[1][i] += pad.end[2 + i];
        }
        return mode;
    }

    private static void checkSpatialPad(Node n, Padded pad, int dims) {
        for (int d = 0; d < pad.begin.length; d++) {
            if (pad.begin[d] < 0 || pad.end[d] < 0 || (d < 2 && (pad.begin[d] != 0 || pad.end[d] != 0))) {
                throw new IllegalArgumentException(n.label() + " follows " + pad.node.label() + ", which pads "
                        + (d < 2 ? "the batch or channel dim" : "by a negative amount (cropping)") + ": begin "
                        + text(pad.begin) + ", end " + text(pad.end) + "; only padding of the " + dims
                        + " spatial dims folds into " + n.opType());
            }
        }
    }

    private long[] kernel(Node n, Attributes a, ConstTensor w, int dims) {
        long[] fromWeight = Arrays.copyOfRange(w.shape, 2, w.shape.length);
        long[] declared = a.ints("kernel_shape", null);
        if (declared != null && !Arrays.equals(declared, fromWeight)) {
            throw new IllegalArgumentException(n.label() + ": kernel_shape " + text(declared) + " does not match "
                    + "the weight's shape " + text(w.shape));
        }
        for (long k : fromWeight) {
            if (k < 1) {
                throw new IllegalArgumentException(n.label() + ": weight of shape " + text(w.shape)
                        + " has an empty kernel");
            }
        }
        return fromWeight;
    }

    private static long[] positive(Node n, Attributes a, String name, int dims) {
        return NodeChecks.windowSizes(a, name, dims, 1, 1);
    }

    private static void checkChannels(Node n, Act x, long channels) {
        if (x.shape[1] >= 0 && x.shape[1] != channels) {
            throw new IllegalArgumentException(n.label() + ": the weight expects " + channels + " input channels, "
                    + "but the input has shape " + text(x.shape));
        }
    }

    private static void checkVector(Node n, ConstTensor t, long size, String what) {
        if (t.numel() != size) {
            throw new IllegalArgumentException(n.label() + ": " + what + " has shape " + text(t.shape)
                    + ", expected " + size + " values");
        }
    }

    private void convTranspose(Node n) {
        Attributes a = new Attributes(n);
        ConstTensor w = convWeight(n, "ConvTranspose");
        ConstTensor b = constant(n, 2, "bias");
        int dims = w.rank() - 2;
        Act x = checkRank(n, act(n, 0), dims);
        long[] kernel = kernel(n, a, w, dims);
        long[] strides = positive(n, a, "strides", dims);
        long[] dilations = positive(n, a, "dilations", dims);
        long group = a.integer("group", 1);
        if (group < 1 || w.shape[0] % group != 0) {
            throw new IllegalArgumentException(n.label() + ": group must be positive and divide the " + w.shape[0]
                    + " input channels, got group=" + group);
        }
        long inChannels = w.shape[0];
        long outChannels = w.shape[1] * group;
        checkChannels(n, x, inChannels);
        long[] outputPadding = NodeChecks.windowSizes(a, "output_padding", dims, 0, 0);
        long[] outputShape = a.ints("output_shape", null);
        if (outputShape != null && outputShape.length != dims && outputShape.length != dims + 2) {
            throw a.error("output_shape", "has " + outputShape.length + " values " + text(outputShape) + ", expected "
                    + dims + " (the spatial sizes of the output; or " + (dims + 2) + " with batch and channels first)");
        }
        if (outputShape != null && Arrays.stream(outputShape).anyMatch(d -> d < 1)) {
            throw a.error("output_shape", "must be positive, got output_shape=" + text(outputShape));
        }
        String autoPad = a.string("auto_pad", "NOTSET");
        long[] in = spatial(x.shape);
        long[] begin = new long[dims];
        long[] end = new long[dims];
        long[] pads = NodeChecks.windowSizes(a, "pads", 2 * dims, 0, 0);
        for (int i = 0; i < dims; i++) {
            long full = dilations[i] * (kernel[i] - 1) + 1 + outputPadding[i];
            long total;
            if (outputShape != null) {
                long[] target = outputShape.length == dims ? outputShape
                        : Arrays.copyOfRange(outputShape, outputShape.length - dims, outputShape.length);
                if (in[i] < 0) {
                    throw new IllegalArgumentException(n.label() + ": output_shape needs the input size, but spatial "
                            + "dim " + i + " is not known");
                }
                long produced = Math.addExact(Math.multiplyExact(strides[i], in[i] - 1), full);
                total = Math.subtractExact(produced, target[i]);
            } else if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
                total = full - strides[i]; // output = input * stride
            } else {
                total = -1;
            }
            if (total >= 0 || outputShape != null) {
                if (total < 0) {
                    throw new IllegalArgumentException(n.label() + ": output_shape " + text(outputShape)
                            + " is larger than the transposed convolution produces");
                }
                // As onnxruntime: SAME_UPPER puts the odd pad at the end, otherwise at the beginning.
                begin[i] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                end[i] = total - begin[i];
            } else if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
                throw new IllegalArgumentException(n.label() + ": auto_pad=" + autoPad + " with stride " + strides[i]
                        + " and kernel " + kernel[i] + " would need negative padding");
            } else if (!autoPad.equals("VALID")) {
                begin[i] = pads[i];
                end[i] = pads[dims + i];
            }
        }
        // PyTorch crops `padding` from both ends, then output_padding extends the end: a larger begin pad than end
        // pad is padding=begin with that much more output_padding.
        long[] padding = new long[dims];
        long[] torchOutputPadding = new long[dims];
        long[] shape = new long[dims + 2];
        shape[0] = -1;
        shape[1] = outChannels;
        for (int i = 0; i < dims; i++) {
            padding[i] = begin[i];
            torchOutputPadding[i] = outputPadding[i] + begin[i] - end[i];
            if (begin[i] < 0 || end[i] < 0 || torchOutputPadding[i] < 0
                    || torchOutputPadding[i] >= Math.max(strides[i], dilations[i])) {
                throw new IllegalArgumentException(n.label() + ": pads " + begin[i] + " (begin) and " + end[i]
                        + " (end) with output_padding " + outputPadding[i] + " on spatial dim " + i + " cannot be "
                        + "expressed by PyTorch's ConvTranspose (symmetric padding, 0 <= output_padding < "
                        + "max(stride, dilation))");
            }
            shape[2 + i] = in[i] < 0 ? -1 : Math.multiplyExact(in[i] - 1, strides[i]) - 2 * padding[i]
                    + dilations[i] * (kernel[i] - 1) + torchOutputPadding[i] + 1;
            if (shape[2 + i] == 0 || shape[2 + i] < -1) {
                throw new IllegalArgumentException(n.label() + ": the output would be empty for input "
                        + text(x.shape));
            }
        }
        LayerNode l = layer("ConvTranspose" + dims + "d", n, List.of(x), shape);
        l.args.put("in_channels", inChannels);
        l.args.put("out_channels", outChannels);
        l.args.set("kernel_size", tuple(kernel));
        putTuple(l, "stride", strides, 1);
        putTuple(l, "padding", padding, 0);
        putTuple(l, "output_padding", torchOutputPadding, 0);
        if (group != 1) {
            l.args.put("groups", group);
        }
        if (b == null) {
            l.args.put("bias", false);
        }
        putTuple(l, "dilation", dilations, 1);
        param(l, "weight", w, n, 1);
        if (b != null) {
            checkVector(n, b, outChannels, "bias");
            param(l, "bias", b, n, 2);
        }
        output(n, l.out);
    }

    private void pool(Node n) {
        boolean max = n.opType().equals("MaxPool");
        Attributes a = new Attributes(n);
        if (max) {
            onlyFirstOutput(n, "the argmax indices");
        }
        long[] kernel = a.ints("kernel_shape", null);
        if (kernel == null || kernel.length < 1 || kernel.length > 3) {
            throw a.error("kernel_shape", kernel == null ? "is required" : "must have 1 to 3 values, got "
                    + text(kernel));
        }
        int dims = kernel.length;
        for (long k : kernel) {
            if (k < 1) {
                throw a.error("kernel_shape", "must be positive, got kernel_shape=" + text(kernel));
            }
        }
        Value in = required(n, 0);
        Padded pad = in instanceof Padded p ? p : null;
        Act x = checkRank(n, pad != null ? pad.source : materialize(in, n.label()), dims);
        long[] strides = positive(n, a, "strides", dims);
        long[] dilations = positive(n, a, "dilations", dims);
        boolean ceil = a.integer("ceil_mode", 0) != 0;
        boolean countIncludePad = a.integer("count_include_pad", 0) != 0;
        if (!max && !allOnes(dilations)) {
            throw a.error("dilations", "must be 1 for AveragePool: PyTorch's AvgPool has no dilation, got "
                    + "dilations=" + text(dilations));
        }
        long[] inSizes = spatial(x.shape);
        String autoPad = a.string("auto_pad", "NOTSET");
        long[] explicitPads = NodeChecks.windowSizes(a, "pads", 2 * dims, 0, 0);
        long[][] pads = Windows.onnxPads(n.label(), autoPad, explicitPads, inSizes, kernel, strides, dilations);
        if (!autoPad.equals("NOTSET") && !autoPad.isEmpty()) {
            ceil = false; // auto_pad fixes the output size at ceil(in / stride), which the explicit pads give
        }
        if (pad != null) {
            checkSpatialPad(n, pad, dims);
            boolean ownPads = false;
            for (int i = 0; i < dims; i++) {
                ownPads |= pads[0][i] != 0 || pads[1][i] != 0;
            }
            boolean foldable = pad.mode.equals("constant") && !ceil && (max
                    ? pad.fill == Float.NEGATIVE_INFINITY
                    : pad.fill == 0 && (countIncludePad || !ownPads));
            if (!foldable) {
                throw new IllegalArgumentException(n.label() + " follows " + pad.node.label() + " (mode " + pad.mode
                        + ", value " + pad.fill + "), which cannot fold into its padding: PyTorch pads "
                        + (max ? "MaxPool with -inf" : "AvgPool with zeros that count only with count_include_pad")
                        + (ceil ? ", and ceil_mode windows may reach past the pad" : ""));
            }
            for (int i = 0; i < dims; i++) {
                pads[0][i] += pad.begin[2 + i];
                pads[1][i] += pad.end[2 + i];
            }
            countIncludePad = true;
        }
        long[] padding = Windows.symmetric(n.label(), pads[0], pads[1], inSizes, kernel, strides, dilations, ceil);
        for (int i = 0; i < dims; i++) {
            if (padding[i] > kernel[i] / 2) {
                throw new IllegalArgumentException(n.label() + ": padding " + text(padding) + " is more than half "
                        + "the kernel " + text(kernel) + ", which PyTorch's pooling does not allow");
            }
        }
        long[] shape = x.shape.clone();
        for (int i = 0; i < dims; i++) {
            shape[2 + i] = Windows.outSize(inSizes[i], kernel[i], strides[i], dilations[i], padding[i], ceil);
            if (shape[2 + i] == 0 || shape[2 + i] < -1) {
                throw new IllegalArgumentException(n.label() + ": the input " + text(x.shape) + " is too small for "
                        + "kernel " + text(kernel));
            }
        }
        LayerNode l = layer((max ? "MaxPool" : "AvgPool") + dims + "d", n, List.of(x), shape);
        l.args.set("kernel_size", tuple(kernel));
        if (!Arrays.equals(strides, kernel)) {
            l.args.set("stride", tuple(strides)); // PyTorch's default stride is the kernel size, ONNX's is 1
        }
        putTuple(l, "padding", padding, 0);
        if (max) {
            putTuple(l, "dilation", dilations, 1);
        }
        if (ceil) {
            l.args.put("ceil_mode", true);
        }
        if (!max && !countIncludePad && (ceil || !allZeros(padding))) {
            l.args.put("count_include_pad", false);
        }
        output(n, l.out);
    }

    private void globalPool(Node n) {
        Act x = act(n, 0);
        int dims = x.shape.length - 2;
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException(n.label() + ": expected a 3-d to 5-d input [N, C, spatial...], got "
                    + "shape " + text(x.shape));
        }
        long[] shape = x.shape.clone();
        Arrays.fill(shape, 2, shape.length, 1);
        String type = (n.opType().equals("GlobalAveragePool") ? "AdaptiveAvgPool" : "AdaptiveMaxPool") + dims + "d";
        LayerNode l = layer(type, n, List.of(x), shape);
        l.args.put("output_size", 1);
        output(n, l.out);
    }

    /** Mean or max over all spatial dims (dims 2...) is global pooling; keepdims=0 then drops those dims. */
    private void reduce(Node n) {
        Attributes a = new Attributes(n);
        Act x = act(n, 0);
        int rank = x.shape.length;
        long[] axes;
        if (opset < 18) { // axes became an input in opset 18
            axes = a.ints("axes", null);
        } else {
            ConstTensor t = constant(n, 1, "axes");
            axes = t == null ? null : t.knownLongs(n.label() + " axes");
        }
        boolean[] reduced = new boolean[rank];
        for (long ax : axes == null ? new long[0] : axes) {
            reduced[ConstantFolding.axis(ax, rank, n.label())] = true;
        }
        boolean spatial = rank >= 3 && rank <= 5 && !reduced[0] && !reduced[1];
        for (int d = 2; d < rank; d++) {
            spatial &= reduced[d];
        }
        if (!spatial) {
            throw new IllegalArgumentException(n.label() + ": axes " + (axes == null ? "(all)" : text(axes))
                    + " of a rank-" + rank + " input; cnn4j maps " + n.opType() + " only over all spatial dims "
                    + "(2..." + (rank - 1) + "), as global pooling");
        }
        long[] pooled = x.shape.clone();
        Arrays.fill(pooled, 2, rank, 1);
        String type = (n.opType().equals("ReduceMean") ? "AdaptiveAvgPool" : "AdaptiveMaxPool") + (rank - 2) + "d";
        LayerNode l = layer(type, n, List.of(x), pooled);
        l.args.put("output_size", 1);
        if (a.integer("keepdims", 1) != 0) {
            output(n, l.out);
        } else {
            output(n, new Reshaped(Arrays.copyOf(pooled, 2), l.out, n));
        }
    }

    private void sum(Node n) {
        List<Act> in = new ArrayList<>();
        long[] shape = null;
        for (int i = 0; i < n.inputs().size(); i++) {
            Act x = act(n, i);
            shape = shape == null ? x.shape : sameShape(n, shape, x.shape);
            in.add(x);
        }
        if (in.isEmpty()) {
            throw new IllegalArgumentException(n.label() + " has no inputs");
        }
        output(n, in.size() == 1 ? in.get(0) : layer("Add", n, in, shape).out);
    }

    // ---- dense ------------------------------------------------------------------------------------------------

    private void gemm(Node n) {
        Attributes a = new Attributes(n);
        if (a.integer("transA", 0) != 0) {
            throw new IllegalArgumentException(n.label() + ": transA=1 transposes the computed input, which "
                    + "PyTorch's Linear cannot do");
        }
        Act x = act(n, 0);
        if (x.shape.length != 2) {
            throw new IllegalArgumentException(n.label() + ": expected a 2-d input, got shape " + text(x.shape));
        }
        ConstTensor bMatrix = constant(n, 1, "B");
        if (bMatrix == null || bMatrix.rank() != 2) {
            throw new IllegalArgumentException(n.label() + ": B must be a 2-d constant, got "
                    + (bMatrix == null ? "none" : "shape " + text(bMatrix.shape)));
        }
        boolean transB = a.integer("transB", 0) != 0;
        float alpha = a.f("alpha", 1f);
        float beta = a.f("beta", 1f);
        // Linear's weight is [out, in]: B itself with transB=1, else B transposed.
        ConstTensor w = transB ? bMatrix : ConstantFolding.transpose(bMatrix, null, n.label());
        long outFeatures = w.shape[0];
        long inFeatures = w.shape[1];
        float[] weight = scaled(w.floats(n.label()), alpha);
        float[] bias = null;
        ConstTensor c = constant(n, 2, "C");
        if (c != null && beta != 0) {
            bias = scaled(biasVector(n, c, outFeatures), beta);
        }
        LayerNode l = linear(n, x, inFeatures, outFeatures, new OnnxTensorData(w.shape, weight),
                bias == null ? null : new OnnxTensorData(new long[] {outFeatures}, bias));
        Naming.addParamHint(l, n.inputs().get(1), "weight");
        if (c != null) {
            Naming.addParamHint(l, n.inputs().get(2), "bias");
        }
        output(n, l.out);
    }

    /** Gemm's C as a per-output vector: only shapes that broadcast the same row to every sample ([], [out], [1, out]). */
    private static float[] biasVector(Node n, ConstTensor c, long out) {
        long[] s = c.shape;
        boolean perRow = s.length <= 2 && (s.length == 0 || s[s.length - 1] == out || s[s.length - 1] == 1)
                && (s.length < 2 || s[0] == 1);
        if (!perRow) {
            throw new IllegalArgumentException(n.label() + ": C of shape " + text(s) + " differs between samples; "
                    + "only a bias of shape [" + out + "], [1, " + out + "] or a scalar folds into Linear");
        }
        float[] v = c.floats(n.label() + " C");
        float[] bias = new float[(int) out];
        for (int i = 0; i < out; i++) {
            bias[i] = v.length == 1 ? v[0] : v[i];
        }
        return bias;
    }

    private static float[] scaled(float[] v, float factor) {
        if (factor == 1f) {
            return v;
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * factor;
        }
        return out;
    }

    private LayerNode linear(Node n, Act x, long in, long out, OnnxTensorData weight, OnnxTensorData bias) {
        long[] shape = x.shape.clone();
        if (shape[shape.length - 1] >= 0 && shape[shape.length - 1] != in) {
            throw new IllegalArgumentException(n.label() + ": the weight expects " + in + " input features, but "
                    + "the input has shape " + text(x.shape));
        }
        shape[shape.length - 1] = out;
        LayerNode l = layer("Linear", n, List.of(x), shape);
        l.args.put("in_features", in);
        l.args.put("out_features", out);
        if (bias == null) {
            l.args.put("bias", false);
        }
        l.params.put("weight", weight);
        if (bias != null) {
            l.params.put("bias", bias);
        }
        return l;
    }

    private void matMul(Node n) {
        Act x = act(n, 0);
        ConstTensor b = constant(n, 1, "B");
        if (b == null || b.rank() != 2 || x.shape.length < 2) {
            throw new IllegalArgumentException(n.label() + ": only a computed [..., in] input times a constant "
                    + "[in, out] matrix maps to Linear; got input " + text(x.shape) + " and B "
                    + (b == null ? "none" : text(b.shape)));
        }
        ConstTensor w = ConstantFolding.transpose(b, null, n.label());
        LayerNode l = linear(n, x, w.shape[1], w.shape[0], new OnnxTensorData(w.shape, w.floats(n.label())), null);
        Naming.addParamHint(l, n.inputs().get(1), "weight");
        output(n, l.out);
    }

    // ---- normalization, softmax -------------------------------------------------------------------------------

    private void batchNorm(Node n) {
        Attributes a = new Attributes(n);
        onlyFirstOutput(n, "running statistics");
        if (a.integer("training_mode", 0) != 0) {
            throw new IllegalArgumentException(n.label() + " is in training mode (training_mode=1): it normalizes "
                    + "with batch statistics; cnn4j runs inference with the running statistics only");
        }
        if (a.integer("spatial", 1) == 0) {
            throw new IllegalArgumentException(n.label() + ": spatial=0 (statistics per element, not per channel) "
                    + "has no PyTorch layer");
        }
        Act x = act(n, 0);
        int rank = x.shape.length;
        if (rank < 2 || rank > 5) {
            throw new IllegalArgumentException(n.label() + ": expected a 2-d to 5-d input, got shape "
                    + text(x.shape));
        }
        String[] suffixes = {"weight", "bias", "running_mean", "running_var"};
        String[] names = {"scale", "B", "mean", "var"};
        ConstTensor[] p = new ConstTensor[4];
        for (int i = 0; i < 4; i++) {
            p[i] = constant(n, i + 1, names[i]);
            if (p[i] == null) {
                throw new IllegalArgumentException(n.label() + ": missing input " + names[i]);
            }
        }
        long channels = p[0].numel();
        checkChannels(n, x, channels);
        LayerNode l = layer("BatchNorm" + Math.max(1, rank - 2) + "d", n, List.of(x), x.shape);
        l.args.put("num_features", channels);
        float eps = a.f("epsilon", 1e-5f);
        if (eps != 1e-5f) {
            l.args.put("eps", number(eps));
        }
        for (int i = 0; i < 4; i++) {
            checkVector(n, p[i], channels, names[i]);
            ConstTensor flat = ConstTensor.ofFloats(p[i].floats(n.label()), channels);
            param(l, suffixes[i], flat, n, i + 1);
        }
        output(n, l.out);
    }

    private void softmax(Node n) {
        Attributes a = new Attributes(n);
        String type = n.opType().equals("Softmax") ? "Softmax" : "LogSoftmax";
        Value in = required(n, 0);
        int rank = in.shape.length;
        int axis = ConstantFolding.axis(a.integer("axis", opset < 13 ? 1 : -1), rank, n.label());
        if (opset < 13 && axis != rank - 1) {
            // Before opset 13 the input is coerced to 2-D [prod(d < axis), prod(d >= axis)]: the same as dim=axis
            // only when the dims after axis are all 1; otherwise flatten them into axis and unflatten after.
            boolean trailingOnes = true;
            for (int d = axis + 1; d < rank; d++) {
                trailingOnes &= in.shape[d] == 1;
            }
            if (!trailingOnes) {
                softmaxCoerced(n, type, materialize(in, n.label()), axis);
                return;
            }
        }
        if (in instanceof Transposed t) {
            // softmax(transpose(x, perm), axis) = transpose(softmax(x, perm[axis]), perm)
            LayerNode l = layer(type, n, List.of(t.source), t.source.shape);
            l.args.put("dim", t.perm[axis]);
            output(n, new Transposed(in.shape, l.out, t.perm, t.node));
            return;
        }
        Act x = materialize(in, n.label());
        LayerNode l = layer(type, n, List.of(x), x.shape);
        l.args.put("dim", axis);
        output(n, l.out);
    }

    private void softmaxCoerced(Node n, String type, Act x, int axis) {
        long[] trailing = Arrays.copyOfRange(x.shape, axis, x.shape.length);
        if (axis == 0 || Arrays.stream(trailing).anyMatch(d -> d < 0)) {
            throw new IllegalArgumentException(n.label() + ": opset " + opset + " normalizes over dims " + axis + ".."
                    + (x.shape.length - 1) + " together" + (axis == 0 ? ", including the batch dim"
                    : ", whose sizes are not all known") + "; cnn4j cannot express that");
        }
        long[] flatShape = Arrays.copyOf(x.shape, axis + 1);
        flatShape[axis] = Arrays.stream(trailing).reduce(1, (p, q) -> p * q);
        LayerNode flat = layer("Flatten", n, List.of(x), flatShape);
        if (axis != 1) {
            flat.args.put("start_dim", axis);
        }
        LayerNode soft = layer(type, n, List.of(flat.out), flatShape);
        soft.args.put("dim", axis);
        LayerNode unflat = layer("Unflatten", n, List.of(soft.out), x.shape);
        unflat.args.put("dim", axis);
        unflat.args.set("unflattened_size", list(trailing));
        output(n, unflat.out);
    }

    // ---- element-wise -----------------------------------------------------------------------------------------

    private void arithmetic(Node n) {
        String op = n.opType();
        Value x = required(n, 0);
        Value y = required(n, 1);
        if (!(x instanceof Const) && !(y instanceof Const)) {
            Act p = materialize(x, n.label());
            Act q = materialize(y, n.label());
            if (op.equals("Add")) {
                long[] shape = sameShape(n, p.shape, q.shape);
                output(n, layer("Add", n, List.of(p, q), shape).out);
            } else if (op.equals("Mul") && gated(p, q) != null) {
                output(n, gated(p, q));
            } else if (op.equals("Mul") && gated(q, p) != null) {
                output(n, gated(q, p));
            } else {
                throw new IllegalArgumentException(n.label() + ": " + op + " of two computed tensors is supported "
                        + (op.equals("Mul") ? "only as x * sigmoid(x) (SiLU) or x * hardsigmoid(x) (Hardswish)"
                        : "by cnn4j only as Add"));
            }
            return;
        }
        boolean constFirst = x instanceof Const;
        if (constFirst && (op.equals("Sub") || op.equals("Div"))) {
            throw new IllegalArgumentException(n.label() + ": a constant " + (op.equals("Sub") ? "minus" : "divided by")
                    + " a computed tensor has no cnn4j layer");
        }
        ConstTensor c = ((Const) (constFirst ? x : y)).tensor;
        Act a = materialize(constFirst ? y : x, n.label());
        float[] v = c.floats(n.label());
        boolean additive = op.equals("Add") || op.equals("Sub");
        float neutral = additive ? 0f : 1f;
        if (allEqual(v, neutral) && broadcastsInto(c.shape, a.shape)) {
            output(n, a); // x + 0, x * 1: nothing to do
            return;
        }
        LayerNode producer = a.layer;
        // ConvTranspose's weight is [in, out / groups, ...]: its bias takes an Add, its rows no per-output scale.
        int channelDim = producer == null || (!additive && producer.type.startsWith("ConvTranspose")) ? -1
                : channelDim(producer);
        float[] perChannel = channelDim < 0 ? null : perChannel(c, a.shape, channelDim);
        if (perChannel == null) {
            throw new IllegalArgumentException(n.label() + ": " + op + " with a constant of shape " + text(c.shape)
                    + " cannot be folded into " + (producer == null ? "the model input" : "the preceding "
                    + producer.type + " (node '" + producer.origin.name() + "')") + "; cnn4j folds a per-channel "
                    + "constant into the weights and bias of a directly preceding Conv, Linear or BatchNorm (and an "
                    + "added one into a ConvTranspose's bias)");
        }
        LayerNode folded = producer.copy();
        if (op.equals("Sub")) {
            perChannel = scaled(perChannel, -1f);
        } else if (op.equals("Div")) {
            for (int i = 0; i < perChannel.length; i++) {
                perChannel[i] = 1f / perChannel[i];
            }
        }
        if (additive) {
            addToBias(folded, perChannel);
        } else {
            scaleOutputs(folded, perChannel);
        }
        addLayer(folded);
        output(n, folded.out);
    }

    /** x * sigmoid(x) -> SiLU, x * hardsigmoid(x) -> Hardswish, as exporters write them; null if not that. */
    private Act gated(Act x, Act gate) {
        LayerNode g = gate.layer;
        if (g == null || g.inputs.size() != 1 || g.inputs.get(0) != x) {
            return null;
        }
        String type = switch (g.type) {
            case "Sigmoid" -> "SiLU";
            case "Hardsigmoid" -> "Hardswish";
            default -> null;
        };
        if (type == null) {
            return null;
        }
        return layer(type, g.origin, List.of(x), x.shape).out;
    }

    private static long[] sameShape(Node n, long[] p, long[] q) {
        boolean same = p.length == q.length;
        long[] out = p.clone();
        for (int d = 0; same && d < p.length; d++) {
            same = p[d] == q[d] || p[d] < 0 || q[d] < 0;
            out[d] = p[d] >= 0 ? p[d] : q[d];
        }
        if (!same) {
            throw new IllegalArgumentException(n.label() + ": inputs of shapes " + text(p) + " and " + text(q)
                    + "; cnn4j's Add needs equal shapes (no broadcasting)");
        }
        return out;
    }

    /** The dim of a layer's output that its bias runs along, or -1 if it has none. */
    private static int channelDim(LayerNode l) {
        if (l.type.startsWith("Conv") || l.type.startsWith("BatchNorm")) {
            return 1;
        }
        if (l.type.equals("Linear")) {
            return l.shape.length - 1;
        }
        return -1;
    }

    /**
     * A constant's values per channel when it varies only along {@code channelDim} of a tensor of {@code shape}
     * and broadcasting keeps that shape; else null.
     */
    private static float[] perChannel(ConstTensor c, long[] shape, int channelDim) {
        if (c.rank() > shape.length || shape[channelDim] < 0) {
            return null;
        }
        int shift = shape.length - c.rank();
        for (int d = 0; d < c.rank(); d++) {
            if (c.shape[d] != 1 && (d + shift != channelDim || c.shape[d] != shape[channelDim])) {
                return null;
            }
        }
        float[] v = c.floats("");
        float[] out = new float[(int) shape[channelDim]];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.length == 1 ? v[0] : v[i];
        }
        return out;
    }

    private static boolean broadcastsInto(long[] c, long[] shape) {
        if (c.length > shape.length) {
            return false;
        }
        for (int d = 0; d < c.length; d++) {
            long s = shape[shape.length - c.length + d];
            if (c[d] != 1 && c[d] != s) {
                return false;
            }
        }
        return true;
    }

    private static void addToBias(LayerNode l, float[] add) {
        OnnxTensorData old = l.params.get("bias");
        float[] bias = old == null ? new float[add.length] : old.data().clone();
        for (int i = 0; i < bias.length; i++) {
            bias[i] += add[i];
        }
        l.params.put("bias", new OnnxTensorData(new long[] {bias.length}, bias));
        if (!l.type.startsWith("BatchNorm")) {
            l.args.remove("bias"); // bias=True is the default
        }
    }

    /** Multiplies output channel i by s[i]: weight rows (BatchNorm: the scale) and bias. */
    private static void scaleOutputs(LayerNode l, float[] s) {
        OnnxTensorData w = l.params.get("weight");
        float[] weight = w.data().clone();
        int row = weight.length / s.length;
        for (int i = 0; i < weight.length; i++) {
            weight[i] *= s[i / row];
        }
        l.params.put("weight", new OnnxTensorData(w.shape(), weight));
        OnnxTensorData b = l.params.get("bias");
        if (b != null) {
            float[] bias = b.data().clone();
            for (int i = 0; i < bias.length; i++) {
                bias[i] *= s[i];
            }
            l.params.put("bias", new OnnxTensorData(b.shape(), bias));
        }
    }

    private void concat(Node n) {
        Attributes a = new Attributes(n);
        if (!a.has("axis")) {
            throw a.error("axis", "is required");
        }
        List<Act> in = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) {
            Value v = input(n, i);
            if (v instanceof Const) {
                throw new IllegalArgumentException(n.label() + ": input " + i + " ('" + n.inputs().get(i) + "') is "
                        + "a constant; cnn4j concatenates computed tensors only");
            }
            if (v != null) {
                in.add(materialize(v, n.label()));
            }
        }
        long[] shape = in.get(0).shape.clone();
        int axis = ConstantFolding.axis(a.integer("axis", 1), shape.length, n.label());
        if (axis == 0) {
            throw new IllegalArgumentException(n.label() + ": concatenating along axis 0 (the batch dim) is not "
                    + "supported");
        }
        for (int i = 1; i < in.size(); i++) {
            long[] s = in.get(i).shape;
            boolean fits = s.length == shape.length;
            for (int d = 0; fits && d < s.length; d++) {
                fits = d == axis || s[d] == shape[d] || s[d] < 0 || shape[d] < 0;
            }
            if (!fits) {
                throw new IllegalArgumentException(n.label() + ": input shapes " + text(in.get(0).shape) + " and "
                        + text(s) + " do not concatenate along axis " + axis);
            }
            shape[axis] = shape[axis] < 0 || s[axis] < 0 ? -1 : shape[axis] + s[axis];
        }
        if (in.size() == 1) {
            output(n, in.get(0));
            return;
        }
        LayerNode l = layer("Concat", n, in, shape);
        if (axis != 1) {
            l.args.put("dim", axis);
        }
        output(n, l.out);
    }

    // ---- pending values: pad, reshape, transpose --------------------------------------------------------------

    private void pad(Node n) {
        Attributes a = new Attributes(n);
        Act x = act(n, 0);
        int rank = x.shape.length;
        String mode = a.string("mode", "constant");
        long[] pads;
        float fill;
        long[] axes = null;
        if (opset < 11) {
            pads = a.ints("pads", null);
            fill = a.f("value", 0f);
        } else {
            ConstTensor p = constant(n, 1, "pads");
            if (p == null) {
                throw new IllegalArgumentException(n.label() + ": missing pads input");
            }
            pads = p.knownLongs(n.label() + " pads");
            ConstTensor v = constant(n, 2, "constant_value");
            fill = v == null ? 0f : scalar(n, v, "constant_value");
            ConstTensor ax = constant(n, 3, "axes");
            axes = ax == null ? null : ax.knownLongs(n.label() + " axes");
        }
        int count = axes == null ? rank : axes.length;
        if (pads == null || pads.length != 2 * count) {
            throw new IllegalArgumentException(n.label() + ": pads " + (pads == null ? "missing" : text(pads))
                    + " must have " + 2 * count + " values");
        }
        NodeChecks.checkPads(n.label(), pads);
        long[] begin = new long[rank];
        long[] end = new long[rank];
        for (int i = 0; i < count; i++) {
            int d = axes == null ? i : ConstantFolding.axis(axes[i], rank, n.label());
            begin[d] = pads[i];
            end[d] = pads[count + i];
        }
        if (allZeros(begin) && allZeros(end)) {
            output(n, x);
            return;
        }
        long[] shape = x.shape.clone();
        for (int d = 0; d < rank; d++) {
            shape[d] = shape[d] < 0 ? -1 : shape[d] + begin[d] + end[d];
        }
        output(n, new Padded(shape, x, begin, end, mode, fill, n));
    }

    private void reshape(Node n) {
        Value in = required(n, 0);
        Act source = in instanceof Reshaped r ? r.source : materialize(in, n.label());
        long[] shape = in.shape;
        long[] target = switch (n.opType()) {
            case "Flatten" -> {
                long attribute = new Attributes(n).integer("axis", 1);
                int axis = ConstantFolding.flattenAxis(attribute, shape.length, n.label());
                // Axis 0 makes [1, N * rest]: the same as axis 1 only for the batch of 1 the file fixed.
                if (axis != 1 && !(axis == 0 && staticBatch == 1)) {
                    throw new IllegalArgumentException(n.label() + ": axis=" + attribute + " (dim " + axis + " of a "
                            + "rank-" + shape.length + " input) merges the batch dim with others; cnn4j models keep "
                            + "dim 0 as the batch (only axis=1, or -" + (shape.length - 1) + ", is supported)");
                }
                long rest = 1;
                for (int d = 1; d < shape.length; d++) {
                    rest = rest < 0 || shape[d] < 0 ? -1 : rest * shape[d];
                }
                yield new long[] {-1, rest};
            }
            case "Reshape" -> {
                ConstTensor t = constant(n, 1, "shape");
                if (t == null) {
                    throw new IllegalArgumentException(n.label() + ": missing shape input");
                }
                yield Reshapes.target(n, shape, t, new Attributes(n).integer("allowzero", 0) != 0, staticBatch);
            }
            default -> {
                Attributes a = new Attributes(n);
                List<ConstTensor> axesInput = new ArrayList<>();
                axesInput.add(null);
                axesInput.add(constant(n, 1, "axes"));
                long[] axes = ConstantFolding.axes(n, axesInput, a, opset, n.label());
                boolean squeeze = n.opType().equals("Squeeze");
                if (squeeze && axes == null && (staticBatch == 1 || Arrays.stream(shape).skip(1).anyMatch(d -> d < 0))) {
                    throw new IllegalArgumentException(n.label() + " without axes needs all sizes known and must "
                            + "not remove the batch dim; input shape " + text(shape));
                }
                if (axes == null && squeeze) {
                    long[] rest = ConstantFolding.squeeze(Arrays.copyOfRange(shape, 1, shape.length), null,
                            n.label());
                    long[] out = new long[rest.length + 1];
                    out[0] = -1;
                    System.arraycopy(rest, 0, out, 1, rest.length);
                    yield out;
                }
                int outRank = squeeze ? shape.length : shape.length + (axes == null ? 0 : axes.length);
                for (long ax : axes == null ? new long[0] : axes) {
                    if (ConstantFolding.axis(ax, outRank, n.label()) == 0) {
                        throw new IllegalArgumentException(n.label() + ": axes " + text(axes) + " include the batch "
                                + "dim 0; cnn4j models keep dim 0 as the batch");
                    }
                }
                yield squeeze ? ConstantFolding.squeeze(shape, axes, n.label())
                        : ConstantFolding.unsqueeze(shape, axes, n.label());
            }
        };
        output(n, new Reshaped(target, source, n));
    }

    private void transpose(Node n) {
        Value in = required(n, 0);
        long[] perm = new Attributes(n).ints("perm", null);
        int rank = in.shape.length;
        if (perm == null) {
            perm = new long[rank];
            for (int d = 0; d < rank; d++) {
                perm[d] = rank - 1 - d;
            }
        }
        ConstantFolding.checkPerm(perm, rank, n.label());
        Act source;
        long[] composed;
        if (in instanceof Transposed t) {
            source = t.source;
            composed = new long[rank];
            for (int d = 0; d < rank; d++) {
                composed[d] = t.perm[(int) perm[d]];
            }
        } else {
            source = materialize(in, n.label());
            composed = perm;
        }
        boolean identity = true;
        for (int d = 0; d < rank; d++) {
            identity &= composed[d] == d;
        }
        if (identity) {
            output(n, source);
            return;
        }
        long[] shape = new long[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = source.shape[(int) composed[d]];
        }
        output(n, new Transposed(shape, source, composed, n));
    }

    // ---- JSON helpers -----------------------------------------------------------------------------------------

    /** A float32 attribute as the shortest decimal that reads back as the same float (0.2, not 0.20000000298). */
    static JsonNode number(float f) {
        return JSON.numberNode(Double.parseDouble(Float.toString(f)));
    }

    /** An int-or-tuple argument: a number when all values agree, as PyTorch prints them, else a list. */
    static JsonNode tuple(long[] v) {
        return allEqual(v) ? JSON.numberNode(v[0]) : list(v);
    }

    static ArrayNode list(long[] v) {
        ArrayNode a = JSON.arrayNode();
        for (long x : v) {
            a.add(x);
        }
        return a;
    }

    private static void putTuple(LayerNode l, String name, long[] v, long pytorchDefault) {
        if (!(allEqual(v) && v[0] == pytorchDefault)) {
            l.args.set(name, tuple(v));
        }
    }

    private static boolean allEqual(long[] v) {
        return Arrays.stream(v).allMatch(x -> x == v[0]);
    }

    private static boolean allEqual(float[] v, float x) {
        for (float f : v) {
            if (f != x) {
                return false;
            }
        }
        return true;
    }

    private static boolean allOnes(long[] v) {
        return Arrays.stream(v).allMatch(x -> x == 1);
    }

    private static boolean allZeros(long[] v) {
        return Arrays.stream(v).allMatch(x -> x == 0);
    }

    static String text(long[] v) {
        return Arrays.toString(v);
    }
}
