package io.cnn4j.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small ONNX models for tests, field by field (onnx.proto numbers), so tests can build what no exporter
 * writes: unsupported ops, bad attributes, packed or unpacked repeated fields, typed data instead of raw_data.
 */
final class OnnxBuilder {
    /** A protobuf message being written. */
    static final class Msg {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Msg varint(int field, long v) {
            tag(field, 0);
            raw(v);
            return this;
        }

        Msg fixed32(int field, float v) {
            tag(field, 5);
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
            return this;
        }

        Msg fixed64(int field, double v) {
            tag(field, 1);
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(v).array());
            return this;
        }

        Msg bytes(int field, byte[] b) {
            tag(field, 2);
            raw(b.length);
            out.writeBytes(b);
            return this;
        }

        Msg string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Msg message(int field, Msg m) {
            return bytes(field, m.toBytes());
        }

        Msg varints(int field, long[] v, boolean packed) {
            if (!packed) {
                for (long x : v) {
                    varint(field, x);
                }
                return this;
            }
            Msg body = new Msg();
            for (long x : v) {
                body.raw(x);
            }
            return bytes(field, body.toBytes());
        }

        Msg floats(int field, float[] v, boolean packed) {
            if (!packed) {
                for (float x : v) {
                    fixed32(field, x);
                }
                return this;
            }
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float x : v) {
                b.putFloat(x);
            }
            return bytes(field, b.array());
        }

        private void tag(int field, int wire) {
            raw((long) field << 3 | wire);
        }

        private void raw(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }

    /** A node with attributes. */
    static final class NodeB {
        final Msg msg = new Msg();

        NodeB attr(String name, long v) {
            msg.message(5, new Msg().string(1, name).varint(20, 2).varint(3, v));
            return this;
        }

        NodeB attr(String name, float v) {
            msg.message(5, new Msg().string(1, name).varint(20, 1).fixed32(2, v));
            return this;
        }

        NodeB attr(String name, String v) {
            msg.message(5, new Msg().string(1, name).varint(20, 3).string(4, v));
            return this;
        }

        NodeB attr(String name, long... v) {
            msg.message(5, new Msg().string(1, name).varint(20, 7).varints(8, v, false));
            return this;
        }

        NodeB packedAttr(String name, long... v) {
            msg.message(5, new Msg().string(1, name).varint(20, 7).varints(8, v, true));
            return this;
        }

        NodeB tensorAttr(String name, Msg tensor) {
            msg.message(5, new Msg().string(1, name).varint(20, 4).message(5, tensor));
            return this;
        }

        /** An attribute of a function's body that stands for the caller's attribute {@code ref} (ref_attr_name). */
        NodeB refAttr(String name, int type, String ref) {
            msg.message(5, new Msg().string(1, name).varint(20, type).string(21, ref));
            return this;
        }

        NodeB domain(String d) {
            msg.string(7, d);
            return this;
        }
    }

    /** A model-local function (FunctionProto) being written. */
    static final class FunctionB {
        private final Msg msg = new Msg();
        private final List<Msg> body = new ArrayList<>();

        FunctionB inputs(String... names) {
            for (String n : names) {
                msg.string(4, n);
            }
            return this;
        }

        FunctionB outputs(String... names) {
            for (String n : names) {
                msg.string(5, n);
            }
            return this;
        }

        /** Attributes without a default. */
        FunctionB attributes(String... names) {
            for (String n : names) {
                msg.string(6, n);
            }
            return this;
        }

        /** A FLOAT attribute with a default (attribute_proto). */
        FunctionB attributeDefault(String name, float v) {
            msg.message(11, new Msg().string(1, name).varint(20, 1).fixed32(2, v));
            return this;
        }

        FunctionB opset(String domain, long version) {
            msg.message(9, new Msg().string(1, domain).varint(2, version));
            return this;
        }

        NodeB node(String op, String name, String[] in, String... out) {
            NodeB n = new NodeB();
            for (String i : in) {
                n.msg.string(1, i);
            }
            for (String o : out) {
                n.msg.string(2, o);
            }
            n.msg.string(3, name).string(4, op);
            body.add(n.msg);
            return n;
        }

        Msg toMsg() {
            Msg m = new Msg();
            m.out.writeBytes(msg.toBytes());
            body.forEach(n -> m.message(7, n));
            return m;
        }
    }

    private final List<Msg> nodes = new ArrayList<>();
    private final List<Msg> initializers = new ArrayList<>();
    private final List<Msg> inputs = new ArrayList<>();
    private final List<Msg> outputs = new ArrayList<>();
    private final List<Msg> opsets = new ArrayList<>();
    private final List<FunctionB> definitions = new ArrayList<>();

    OnnxBuilder opset(long version) {
        opsets.add(new Msg().string(1, "").varint(2, version));
        return this;
    }

    OnnxBuilder opset(String domain, long version) {
        opsets.add(new Msg().string(1, domain).varint(2, version));
        return this;
    }

    /** A float input; {@code -1} dims are symbolic ("N"). */
    OnnxBuilder input(String name, long... dims) {
        return typedInput(name, ConstTensor.FLOAT, dims);
    }

    OnnxBuilder typedInput(String name, int elemType, long... dims) {
        inputs.add(valueInfo(name, elemType, dims));
        return this;
    }

    OnnxBuilder output(String name) {
        outputs.add(new Msg().string(1, name));
        return this;
    }

    static Msg valueInfo(String name, int elemType, long[] dims) {
        Msg shape = new Msg();
        for (long d : dims) {
            shape.message(1, d < 0 ? new Msg().string(2, "N") : new Msg().varint(1, d));
        }
        Msg tensor = new Msg().varint(1, elemType).message(2, shape);
        return new Msg().string(1, name).message(2, new Msg().message(1, tensor));
    }

    /** A FLOAT initializer with raw_data. */
    OnnxBuilder weight(String name, float[] data, long... dims) {
        initializers.add(floatTensor(name, data, dims));
        return this;
    }

    OnnxBuilder initializer(Msg tensor) {
        initializers.add(tensor);
        return this;
    }

    static Msg floatTensor(String name, float[] data, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : data) {
            b.putFloat(x);
        }
        return new Msg().varints(1, dims, false).varint(2, ConstTensor.FLOAT).string(8, name).bytes(9, b.array());
    }

    static Msg int64Tensor(String name, long[] data, long... dims) {
        return new Msg().varints(1, dims, false).varint(2, ConstTensor.INT64).string(8, name).varints(7, data, true);
    }

    NodeB node(String op, String name, String[] in, String... out) {
        NodeB n = new NodeB();
        for (String i : in) {
            n.msg.string(1, i);
        }
        for (String o : out) {
            n.msg.string(2, o);
        }
        n.msg.string(3, name).string(4, op);
        nodes.add(n.msg);
        return n;
    }

    /** A model-local function named domain:name, whose signature and body the caller writes. */
    FunctionB define(String domain, String name) {
        FunctionB f = new FunctionB();
        f.msg.string(1, name).string(10, domain);
        definitions.add(f);
        return f;
    }

    byte[] build() {
        Msg graph = new Msg();
        nodes.forEach(n -> graph.message(1, n));
        graph.string(2, "test");
        initializers.forEach(t -> graph.message(5, t));
        inputs.forEach(i -> graph.message(11, i));
        outputs.forEach(o -> graph.message(12, o));
        Msg model = new Msg().varint(1, 8);
        if (opsets.isEmpty()) {
            opset(13);
        }
        opsets.forEach(o -> model.message(8, o));
        model.message(7, graph);
        definitions.forEach(f -> model.message(25, f.toMsg()));
        return model.toBytes();
    }

    static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i % 7 - 3) * 0.25f;
        }
        return v;
    }

    static String[] in(String... names) {
        return names;
    }
}
