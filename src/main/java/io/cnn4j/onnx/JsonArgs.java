package io.cnn4j.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** Layer arguments as the model file writes them: floats, int-or-tuple arguments and lists, as PyTorch prints them. */
final class JsonArgs {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private JsonArgs() {}

    /** A float32 attribute as the shortest decimal that reads back as the same float (0.2, not 0.20000000298). */
    static JsonNode number(float f) {
        return JSON.numberNode(Double.parseDouble(Float.toString(f)));
    }

    /** An int-or-tuple argument: a number when all values agree, as PyTorch prints them, else a list. */
    static JsonNode tuple(long[] v) {
        return ConversionContext.allEqual(v) ? JSON.numberNode(v[0]) : list(v);
    }

    static ArrayNode list(long[] v) {
        ArrayNode a = JSON.arrayNode();
        for (long x : v) {
            a.add(x);
        }
        return a;
    }

    /** Sets an int-or-tuple argument unless every value is PyTorch's default (which the file then omits). */
    static void putTuple(LayerNode l, String name, long[] v, long pytorchDefault) {
        if (!(ConversionContext.allEqual(v) && v[0] == pytorchDefault)) {
            l.args.set(name, tuple(v));
        }
    }
}
