package io.cnn4j.bench;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A one-node ONNX model, Y = Conv(X, W, B), serialized by hand so that the benchmark needs no ONNX tooling or
 * protobuf library: ir_version 8, opset 13, the weights as initializers. Field numbers are those of onnx.proto.
 */
final class OnnxConvModel {
    private OnnxConvModel() {}

    private static final int WIRE_VARINT = 0;
    private static final int WIRE_LENGTH_DELIMITED = 2;
    private static final int FLOAT = 1; // TensorProto.DataType.FLOAT
    private static final int ATTRIBUTE_INT = 2; // AttributeProto.AttributeType.INT
    private static final int ATTRIBUTE_INTS = 7;

    static byte[] conv2d(ConvShape s, float[] weight, float[] bias) {
        long[] k = {s.kernel, s.kernel};
        Message node = new Message()
                .string(1, "X").string(1, "W").string(1, "B") // NodeProto.input
                .string(2, "Y") // output
                .string(3, "conv") // name
                .string(4, "Conv") // op_type
                .message(5, ints("kernel_shape", k))
                .message(5, ints("strides", new long[] {s.stride, s.stride}))
                .message(5, ints("pads", new long[] {s.padding, s.padding, s.padding, s.padding}))
                .message(5, ints("dilations", new long[] {1, 1}))
                .message(5, new Message().string(1, "group").int64(20, ATTRIBUTE_INT).int64(3, s.groups));
        Message graph = new Message()
                .message(1, node) // GraphProto.node
                .string(2, "conv2d") // name
                .message(5, initializer("W", s.weightShape(), weight)) // initializer
                .message(5, initializer("B", new long[] {s.outChannels}, bias))
                .message(11, valueInfo("X", s.inputShape())) // input
                .message(12, valueInfo("Y", s.outputShape())); // output
        return new Message()
                .int64(1, 8) // ModelProto.ir_version
                .string(2, "cnn4j-benchmarks") // producer_name
                .message(7, graph) // graph
                .message(8, new Message().string(1, "").int64(2, 13)) // opset_import {domain, version}
                .toByteArray();
    }

    /** AttributeProto {name, type=INTS, ints}. */
    private static Message ints(String name, long[] values) {
        Message m = new Message().string(1, name).int64(20, ATTRIBUTE_INTS);
        for (long v : values) {
            m.int64(8, v);
        }
        return m;
    }

    /** TensorProto {dims, data_type=FLOAT, name, raw_data (little-endian)}. */
    private static Message initializer(String name, long[] shape, float[] values) {
        Message m = new Message();
        for (long d : shape) {
            m.int64(1, d);
        }
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return m.int64(2, FLOAT).string(8, name).bytes(9, raw.array());
    }

    /** ValueInfoProto {name, type: TypeProto {tensor_type: {elem_type=FLOAT, shape: {dim: {dim_value}...}}}}. */
    private static Message valueInfo(String name, long[] shape) {
        Message dims = new Message();
        for (long d : shape) {
            dims.message(1, new Message().int64(1, d));
        }
        Message tensorType = new Message().int64(1, FLOAT).message(2, dims);
        return new Message().string(1, name).message(2, new Message().message(1, tensorType));
    }

    /** The protobuf wire format, just the parts ONNX needs: varint scalars, strings, bytes and sub-messages. */
    private static final class Message {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Message int64(int field, long value) {
            varint(((long) field << 3) | WIRE_VARINT);
            varint(value);
            return this;
        }

        Message string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Message message(int field, Message value) {
            return bytes(field, value.toByteArray());
        }

        Message bytes(int field, byte[] value) {
            varint(((long) field << 3) | WIRE_LENGTH_DELIMITED);
            varint(value.length);
            out.writeBytes(value);
            return this;
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }

        private void varint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
