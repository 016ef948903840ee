package io.cnn4j.onnx;

import io.cnn4j.onnx.OnnxProto.Node;

/**
 * What an ONNX tensor name stands for during conversion. Shapes have the batch size as {@code -1} in dim 0 and
 * {@code -1} for sizes the declared input leaves open. Reshapes, pads and transposes of computed tensors stay
 * pending until a consumer decides what they become (one Flatten for a chain of reshapes, padding folded into the
 * next Conv, a transpose pair around Softmax cancelled, any other transpose a Permute), so no layer is emitted for
 * them unless needed.
 */
abstract class Value {
    final long[] shape;

    Value(long[] shape) {
        this.shape = shape;
    }

    /** Known at conversion time: an initializer, a Constant or folded shape arithmetic. */
    static final class Const extends Value {
        final ConstTensor tensor;

        Const(ConstTensor tensor) {
            super(tensor.shape);
            this.tensor = tensor;
        }

        /** A float scalar (rank 0), as a number operand of the arithmetic and comparison layers. */
        static Const scalar(float v) {
            return new Const(ConstTensor.ofFloats(new float[] {v}, new long[0]));
        }
    }

    /** The result of a layer, or (layer null) the model input {@code input}. */
    static final class Act extends Value {
        final LayerNode layer;
        final String input;

        Act(long[] shape, LayerNode layer, String input) {
            super(shape);
            this.layer = layer;
            this.input = input;
        }
    }

    /** {@code source} viewed with {@code shape}; becomes Flatten/Unflatten (or nothing) when used. */
    static final class Reshaped extends Value {
        final Act source;
        final Node node;
        Act materialized;

        Reshaped(long[] shape, Act source, Node node) {
            super(shape);
            this.source = source;
            this.node = node;
        }
    }

    /** {@code source} padded by an ONNX Pad node: per dim {@code begin}/{@code end}, mode constant/reflect/edge/wrap. */
    static final class Padded extends Value {
        final Act source;
        final long[] begin;
        final long[] end;
        final String mode;
        final float fill;
        final Node node;
        Act materialized;

        Padded(long[] shape, Act source, long[] begin, long[] end, String mode, float fill, Node node) {
            super(shape);
            this.source = source;
            this.begin = begin;
            this.end = end;
            this.mode = mode;
            this.fill = fill;
            this.node = node;
        }
    }

    /** {@code source} transposed: dim d of this value is dim {@code perm[d]} of the source; a Permute when used. */
    static final class Transposed extends Value {
        final Act source;
        final long[] perm;
        final Node node;
        Act materialized;

        Transposed(long[] shape, Act source, long[] perm, Node node) {
            super(shape);
            this.source = source;
            this.perm = perm;
            this.node = node;
        }
    }

    /**
     * The argmax indices (output 1) of a MaxPool that became the layer {@code pool} on {@code source}: MaxUnpool reads
     * them by recomputing them from the source; any other reader (or a graph output) makes them a MaxPoolIndicesNd
     * layer, ONNX's indices as float32 integers.
     */
    static final class PoolIndices extends Value {
        final Act source;
        final LayerNode pool;
        final Node node;
        Act materialized;

        PoolIndices(long[] shape, Act source, LayerNode pool, Node node) {
            super(shape);
            this.source = source;
            this.pool = pool;
            this.node = node;
        }
    }

    /**
     * The boolean result of a comparison node ({@code type} the format's Gt, Ge, Lt, Le or Eq), pending: Where reads
     * Where(a < b, b, a) as torch.maximum without it; any other reader makes it the comparison layer, whose float32
     * 1/0 output is cnn4j's form of a bool tensor.
     */
    static final class Comparison extends Value {
        final Node node;
        final String type;
        Act materialized;

        Comparison(long[] shape, Node node, String type) {
            super(shape);
            this.node = node;
            this.type = type;
        }
    }
}
