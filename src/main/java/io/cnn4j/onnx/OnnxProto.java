package io.cnn4j.onnx;

import io.cnn4j.Limits;
import io.cnn4j.onnx.ProtoReader.FloatList;
import io.cnn4j.onnx.ProtoReader.LongList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of onnx.proto (proto2, IR versions 3-10) that import needs, decoded by field number from the wire format.
 * Fields the converter does not use are skipped; subgraphs (If/Loop bodies) are skipped unread, so nesting depth is
 * bounded. Model-local functions (FunctionProto) are read whole, for {@link FunctionInliner}. Tensor payloads stay in the file's buffer until a tensor is used ({@link ConstTensor#of}).
 *
 * <p>Counts are checked against {@link Limits} as they are read (nodes, initializers, a node's inputs, a shape's
 * dims), so a file of millions of empty nodes or dims is refused before it is all decoded. What is kept is then at
 * most a small constant factor of the bytes read: every object decoded (a node, a string, a dim) costs at least one
 * byte of the file, typically several.
 */
final class OnnxProto {
    private OnnxProto() {}

    /** {@code functions}: the model-local functions (ModelProto.functions), inlined by {@link FunctionInliner}. */
    record Model(long irVersion, List<OpsetId> opsets, Graph graph, String producer, List<Function> functions) {}

    /**
     * FunctionProto: formal inputs, outputs and attribute names ({@code attributeDefaults}: those declared with a
     * default value), the body, and the opsets it imports.
     */
    record Function(String name, String domain, String overload, List<String> inputs, List<String> outputs,
            List<String> attributeNames, Map<String, Attribute> attributeDefaults, List<Node> nodes,
            List<OpsetId> opsets) {
        /** How a node calls it: "domain:name", with ":overload" when it has one (IR 10). */
        String key() {
            return callKey(domain, name, overload);
        }
    }

    /** The key of the function a node with this domain, op type and overload calls ({@link Function#key}). */
    static String callKey(String domain, String opType, String overload) {
        return domain + ":" + opType + (overload.isEmpty() ? "" : ":" + overload);
    }

    record OpsetId(String domain, long version) {}

    record Graph(String name, List<Node> nodes, List<Tensor> initializers, List<String> sparseInitializers,
            List<ValueInfo> inputs, List<ValueInfo> outputs, List<ValueInfo> valueInfo) {}

    /** {@code overload}: which overload of a model-local function the node calls (IR 10), else empty. */
    record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
            Map<String, Attribute> attributes, String overload) {
        Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                Map<String, Attribute> attributes) {
            this(name, opType, domain, inputs, outputs, attributes, "");
        }

        /** How error messages name this node: its name, else its first output. */
        String label() {
            return (opType.isEmpty() ? "<no op_type>" : opType) + " (node '"
                    + (name.isEmpty() && !outputs.isEmpty() ? outputs.get(0) : name) + "')";
        }
    }

    /**
     * AttributeProto; {@code type} is AttributeProto.AttributeType (FLOAT 1, INT 2, STRING 3, TENSOR 4, ...).
     * {@code refAttrName}: in a function's body, the caller's attribute this one stands for (else null).
     */
    record Attribute(String name, int type, Float f, Long i, String s, Tensor t, float[] floats, long[] ints,
            String refAttrName) {
        Attribute(String name, int type, Float f, Long i, String s, Tensor t, float[] floats, long[] ints) {
            this(name, type, f, i, s, t, floats, ints, null);
        }

        /** This attribute's value under another name (a caller's attribute passed into a function's node). */
        Attribute renamed(String newName) {
            return new Attribute(newName, type, f, i, s, t, floats, ints, null);
        }
    }

    /** ValueInfoProto of a tensor: elem type and dims, {@code -1} for a symbolic or missing dim; null dims = no shape. */
    record ValueInfo(String name, int elemType, long[] dims, boolean isTensor) {}

    /**
     * TensorProto with its payload undecoded: {@code raw} is {offset, length} into {@code buffer}; exactly one of
     * raw and the typed arrays normally holds the data (checked when the tensor is decoded).
     */
    record Tensor(String name, long[] dims, int dataType, byte[] buffer, int[] raw, float[] floatData,
            long[] int32Data, long[] int64Data, float[] doubleData, long[] uint64Data, int dataLocation,
            Map<String, String> externalData, String where) {}

    static Model parseModel(byte[] bytes) {
        ProtoReader r = new ProtoReader(bytes, 0, bytes.length, "ModelProto");
        long ir = 0;
        String producer = "";
        List<OpsetId> opsets = new ArrayList<>();
        List<Function> functions = new ArrayList<>();
        Graph graph = null;
        while (r.next()) {
            switch (r.fieldNumber()) {
                case 1 -> ir = r.as("ir_version").int64();
                case 2 -> producer = r.as("producer_name").string();
                case 7 -> graph = parseGraph(r.as("graph").message("GraphProto"));
                case 8 -> opsets.add(parseOpset(r.as("opset_import").message("OperatorSetIdProto")));
                case 25 -> {
                    checkLimit(Limits.ONNX_NODES, functions.size() + 1, r.as("functions"), "the model (functions)");
                    functions.add(parseFunction(r.message("FunctionProto")));
                }
                default -> r.skip();
            }
        }
        if (graph == null) {
            throw new IllegalArgumentException("not an ONNX model: ModelProto has no graph (field 7)"
                    + (bytes.length == 0 ? "; the file is empty" : ""));
        }
        return new Model(ir, List.copyOf(opsets), graph, producer, List.copyOf(functions));
    }

    private static Function parseFunction(ProtoReader r) {
        String name = "";
        String domain = "";
        String overload = "";
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        List<String> attributeNames = new ArrayList<>();
        Map<String, Attribute> defaults = new LinkedHashMap<>();
        List<Node> nodes = new ArrayList<>();
        List<OpsetId> opsets = new ArrayList<>();
        while (r.next()) {
            switch (r.fieldNumber()) {
                case 1 -> name = r.as("name").string();
                case 4 -> {
                    checkLimit(Limits.FAN_IN, inputs.size() + 1, r.as("input"), "a function");
                    inputs.add(r.string());
                }
                case 5 -> {
                    checkLimit(Limits.FAN_IN, outputs.size() + 1, r.as("output"), "a function (outputs)");
                    outputs.add(r.string());
                }
                case 6 -> attributeNames.add(r.as("attribute").string());
                case 11 -> {
                    Attribute a = parseAttribute(r.as("attribute_proto").message("AttributeProto"));
                    defaults.put(a.name(), a);
                }
                case 7 -> {
                    checkLimit(Limits.ONNX_NODES, nodes.size() + 1, r.as("node"), "a function");
                    nodes.add(parseNode(r.message("NodeProto")));
                }
                case 9 -> opsets.add(parseOpset(r.as("opset_import").message("OperatorSetIdProto")));
                case 10 -> domain = r.as("domain").string();
                case 13 -> overload = r.as("overload").string();
                default -> r.skip();
            }
        }
        return new Function(name, domain, overload, List.copyOf(inputs), List.copyOf(outputs),
                List.copyOf(attributeNames), Collections.unmodifiableMap(defaults), List.copyOf(nodes),
                List.copyOf(opsets));
    }

    private static OpsetId parseOpset(ProtoReader r) {
        String domain = "";
        long version = 0;
        while (r.next()) {
            switch (r.fieldNumber()) {
                case 1 -> domain = r.as("domain").string();
                case 2 -> version = r.as("version").int64();
                default -> r.skip();
            }
        }
        return new OpsetId(domain, version);
    }

    private static Graph parseGraph(ProtoReader r) {
        String name = "";
        List<Node> nodes = new ArrayList<>();
        List<Tensor> initializers = new ArrayList<>();
        List<String> sparse = new ArrayList<>();
        List<ValueInfo> inputs = new ArrayList<>();
        List<ValueInfo> outputs = new ArrayList<>();
        List<ValueInfo> valueInfo = new ArrayList<>();
        while (r.next()) {
            switch (r.fieldNumber()) {
                case 1 -> {
                    checkLimit(Limits.ONNX_NODES, nodes.size() + 1, r.as("node"), "the graph");
                    nodes.add(parseNode(r.message("NodeProto")));
                }
                case 2 -> name = r.as("name").string();
                case 5 -> {
                    checkLimit(Limits.TENSORS, initializers.size() + 1, r.as("initializer"), "the graph");
                    initializers.add(parseTensor(r.message("TensorProto"), "initializer"));
                }
                case 15 -> sparse.add(sparseName(r.as("sparse_initializer").message("SparseTensorProto")));
                case 11 -> inputs.add(parseValueInfo(r.as("input").message("ValueInfoProto")));
                case 12 -> outputs.add(parseValueInfo(r.as("output").message("ValueInfoProto")));
                case 13 -> valueInfo.add(parseValueInfo(r.as("value_info").message("ValueInfoProto")));
                default -> r.skip();
            }
        }
        return new Graph(name, nodes, initializers, sparse, inputs, outputs, valueInfo);
    }

    /** SparseTensorProto: 1 values (a TensorProto whose name is the sparse tensor's). */
    private static String sparseName(ProtoReader r) {
        String name = "";
        while (r.next()) {
            if (r.fieldNumber() == 1) {
                name = parseTensor(r.as("values").message("TensorProto"), "sparse initializer").name();
            } else {
                r.skip();
            }
        }
        return name;
    }

    private static Node parseNode(ProtoReader r) {
        // Lists and map made on first use: a hostile graph of millions of empty nodes then costs a record each.
        List<String> inputs = List.of();
        List<String> outputs = List.of();
        String name = "";
        String opType = "";
        String domain = "";
        String overload = "";
        Map<String, Attribute> attributes = Map.of();
        while (r.next()) {
            switch (r.fieldNumber()) {
                case 1 -> {
                    checkLimit(Limits.FAN_IN, inputs.size() + 1, r.as("input"), "a node");
                    inputs = inputs.isEmpty() ? new ArrayList<>() : inputs;
                    inputs.add(r.string());
                }
                case 2 -> {
                    checkLimit(Limits.FAN_IN, outputs.size() + 1, r.as("output"), "a node (outputs)");
                    outputs = outputs.isEmpty() ? new ArrayList<>() : outputs;
                    outputs.add(r.string());
                }
                case 3 -> name = r.as("name").string();
                case 4 -> opType = r.as("op_type").string();
                case 7 -> domain = r.as("domain").string();
                case 8 -> overload = r.as("overload").string();
                case 5 -> {
                    Attribute a = parseAttribute(r.as("attribute").message("AttributeProto"));
                    attributes = attributes.isEmpty() ? new LinkedHashMap<>() : attributes;
                    attributes.put(a.name(), a);
                }
                default -> r.skip();
            }
        }
        return new Node(name, opType, domain, Collections.unmodifiableList(inputs),
                Collections.unmodifiableList(outputs), Collections.unmodifiableMap(attributes), overload);
    }

    private static Attribute parseAttribute(ProtoReader r) {
        String name = "";
        int type = 0;
        Float f = null;
        Long i = null;
        String s = null;
        String ref = null;
        Tensor t = null;
        FloatList floats = new FloatList();
        LongList ints = new LongList();
        while (r.next()) {
            switch (r.fieldNumber()) {
                case 1 -> name = r.as("name").string();
                case 20 -> type = r.as("type").int32();
                case 2 -> f = r.as("f").float32();
                case 3 -> i = r.as("i").int64();
                case 4 -> s = r.as("s").string();
                case 5 -> t = parseTensor(r.as("t").message("TensorProto"), "attribute tensor");
                case 7 -> r.as("floats").floats(floats);
                case 8 -> r.as("ints").int64s(ints);
                case 21 -> ref = r.as("ref_attr_name").string();
                default -> r.skip(); // subgraphs, strings, sparse tensors, type protos: not used by the converter
            }
        }
        return new Attribute(name, type, f, i, s, t, floats.toArray(), ints.toArray(),
                ref == null || ref.isEmpty() ? null : ref);
    }

    private static ValueInfo parseValueInfo(ProtoReader r) {
        String name = "";
        int elemType = 0;
        long[] dims = null;
        boolean isTensor = false;
        while (r.next()) {
            switch (r.fieldNumber()) {
                case 1 -> name = r.as("name").string();
                case 2 -> {
                    ProtoReader type = r.as("type").message("TypeProto");
                    while (type.next()) {
                        if (type.fieldNumber() == 1) {
                            isTensor = true;
                            ProtoReader tensor = type.as("tensor_type").message("TypeProto.Tensor");
                            while (tensor.next()) {
                                switch (tensor.fieldNumber()) {
                                    case 1 -> elemType = tensor.as("elem_type").int32();
                                    case 2 -> dims = parseShape(tensor.as("shape").message("TensorShapeProto"));
                                    default -> tensor.skip();
                                }
                            }
                        } else {
                            type.skip();
                        }
                    }
                }
                default -> r.skip();
            }
        }
        return new ValueInfo(name, elemType, dims, isTensor);
    }

    private static long[] parseShape(ProtoReader r) {
        LongList dims = new LongList();
        while (r.next()) {
            if (r.fieldNumber() == 1) {
                ProtoReader dim = r.as("dim").message("TensorShapeProto.Dimension");
                long value = -1;
                while (dim.next()) {
                    if (dim.fieldNumber() == 1) {
                        value = dim.as("dim_value").int64();
                    } else {
                        dim.skip(); // dim_param, denotation: a symbolic size
                    }
                }
                dims.add(value < 0 ? -1 : value);
                checkLimit(Limits.RANK, dims.size(), r, "a shape");
            } else {
                r.skip();
            }
        }
        return dims.toArray();
    }

    /** Refuses the {@code count}th item of a field past its limit, naming the field. */
    private static void checkLimit(Limits.Limit limit, long count, ProtoReader r, String what) {
        if (limit.exceeded(count)) {
            throw new IllegalArgumentException(r.where() + ": " + limit.problem(what));
        }
    }

    static Tensor parseTensor(ProtoReader r, String kind) {
        LongList dims = new LongList();
        int dataType = 0;
        String name = "";
        int[] raw = null;
        FloatList floatData = new FloatList();
        LongList int32Data = new LongList();
        LongList int64Data = new LongList();
        FloatList doubleData = new FloatList();
        LongList uint64Data = new LongList();
        int location = 0;
        Map<String, String> external = new LinkedHashMap<>();
        while (r.next()) {
            switch (r.fieldNumber()) {
                case 1 -> r.as("dims").int64s(dims, Limits.RANK, "a tensor");
                case 2 -> dataType = r.as("data_type").int32();
                case 4 -> r.as("float_data").floats(floatData);
                case 5 -> r.as("int32_data").int64s(int32Data);
                case 7 -> r.as("int64_data").int64s(int64Data);
                case 8 -> name = r.as("name").string();
                case 9 -> raw = r.as("raw_data").bytesRange();
                case 10 -> r.as("double_data").doubles(doubleData);
                case 11 -> r.as("uint64_data").int64s(uint64Data);
                case 13 -> {
                    ProtoReader entry = r.as("external_data").message("StringStringEntryProto");
                    String key = "";
                    String value = "";
                    while (entry.next()) {
                        switch (entry.fieldNumber()) {
                            case 1 -> key = entry.as("key").string();
                            case 2 -> value = entry.as("value").string();
                            default -> entry.skip();
                        }
                    }
                    external.put(key, value);
                }
                case 14 -> location = r.as("data_location").int32();
                default -> r.skip();
            }
        }
        return new Tensor(name, dims.toArray(), dataType, r.buffer(), raw, floatData.toArray(), int32Data.toArray(),
                int64Data.toArray(), doubleData.toArray(), uint64Data.toArray(), location, external,
                kind + " '" + name + "'");
    }
}
