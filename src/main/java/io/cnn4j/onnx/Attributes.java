package io.cnn4j.onnx;

import io.cnn4j.onnx.OnnxProto.Attribute;
import io.cnn4j.onnx.OnnxProto.Node;
import java.nio.file.Path;
import java.util.Arrays;

/** Typed access to a node's attributes with ONNX defaults; a wrongly typed attribute fails naming node and attribute. */
final class Attributes {
    // AttributeProto.AttributeType
    private static final int FLOAT = 1;
    private static final int INT = 2;
    private static final int STRING = 3;
    private static final int TENSOR = 4;
    private static final int FLOATS = 6;
    private static final int INTS = 7;

    private final Node node;

    Attributes(Node node) {
        this.node = node;
    }

    boolean has(String name) {
        return node.attributes().containsKey(name);
    }

    long integer(String name, long fallback) {
        Attribute a = get(name, INT);
        if (a == null) {
            return fallback;
        }
        if (a.i() == null) {
            throw error(name, "has no value");
        }
        return a.i();
    }

    float f(String name, float fallback) {
        Attribute a = get(name, FLOAT);
        if (a == null) {
            return fallback;
        }
        if (a.f() == null) {
            throw error(name, "has no value");
        }
        return a.f();
    }

    String string(String name, String fallback) {
        Attribute a = get(name, STRING);
        return a == null || a.s() == null ? fallback : a.s();
    }

    long[] ints(String name, long[] fallback) {
        Attribute a = get(name, INTS);
        return a == null ? fallback : a.ints();
    }

    float[] floats(String name, float[] fallback) {
        Attribute a = get(name, FLOATS);
        return a == null ? fallback : a.floats();
    }

    ConstTensor tensor(String name, Path baseDir) {
        Attribute a = get(name, TENSOR);
        if (a == null) {
            return null;
        }
        if (a.t() == null) {
            throw error(name, "has no tensor");
        }
        return ConstTensor.of(a.t(), baseDir);
    }

    /** The attribute, or null if absent; its declared type must be {@code type} (0 = undeclared, as in IR 1). */
    private Attribute get(String name, int type) {
        Attribute a = node.attributes().get(name);
        if (a != null && a.type() != type && a.type() != 0) {
            throw error(name, "is " + typeName(a.type()) + ", expected " + typeName(type));
        }
        return a;
    }

    private static String typeName(int type) {
        String[] names = {"UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH", "FLOATS", "INTS", "STRINGS",
            "TENSORS", "GRAPHS", "SPARSE_TENSOR", "SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS"};
        return type >= 0 && type < names.length ? names[type] : "attribute type " + type;
    }

    IllegalArgumentException error(String name, String what) {
        return new IllegalArgumentException(node.label() + ": attribute " + name + " " + what);
    }

    /** ints attribute {@code name} with {@code n} entries, or {@code fill} repeated when absent. */
    long[] ints(String name, int n, long fill) {
        long[] v = ints(name, null);
        if (v == null) {
            long[] out = new long[n];
            Arrays.fill(out, fill);
            return out;
        }
        if (v.length != n) {
            throw error(name, "has " + v.length + " values " + Arrays.toString(v) + ", expected " + n);
        }
        return v;
    }
}
