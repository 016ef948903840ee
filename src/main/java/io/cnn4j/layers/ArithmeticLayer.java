package io.cnn4j.layers;

import io.cnn4j.Tensor;
import io.cnn4j.ops.Binary;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The element-wise binary ops of the format (version 2): {@code Add}, {@code Sub}, {@code Mul}, {@code Div},
 * {@code Maximum}, {@code Minimum}, {@code Pow}, as torch.add, sub, mul, div, maximum, minimum and pow with NumPy /
 * PyTorch broadcasting. Their operands are PyTorch's {@code input} and {@code other}: each is either the next of the
 * layer's inputs or a number given as the argument of that name ({@code {"type": "Mul", "other": 0.5}} is
 * {@code x * 0.5}, {@code {"type": "Sub", "input": 1}} is {@code 1 - x}). {@code Add} of tensors only may take more
 * than two inputs, summed left to right (version 1's Add, which broadcasting extends).
 */
final class ArithmeticLayer implements Layer {
    private final Binary op;
    /** Scalar operands as one-element tensors (null where the operand is a layer input), owned by this layer. */
    private final Tensor inputScalar;
    private final Tensor otherScalar;

    private ArithmeticLayer(Binary op, Tensor inputScalar, Tensor otherScalar) {
        this.op = op;
        this.inputScalar = inputScalar;
        this.otherScalar = otherScalar;
    }

    static void register(java.util.Map<String, LayerFactory> factories) {
        factories.put("Add", a -> create(a, Binary.Kind.ADD));
        factories.put("Sub", a -> create(a, Binary.Kind.SUB));
        factories.put("Mul", a -> create(a, Binary.Kind.MUL));
        factories.put("Div", a -> create(a, Binary.Kind.DIV));
        factories.put("Maximum", a -> create(a, Binary.Kind.MAXIMUM));
        factories.put("Minimum", a -> create(a, Binary.Kind.MINIMUM));
        factories.put("Pow", a -> create(a, Binary.Kind.POW));
    }

    private static Layer create(LayerArgs a, Binary.Kind kind) {
        Float input = scalar(a, "input");
        Float other = scalar(a, "other");
        if (kind == Binary.Kind.DIV && a.has("rounding_mode")) {
            throw a.error("rounding_mode is not supported: only true division (rounding_mode=None)");
        }
        a.finish();
        if (input != null && other != null) {
            throw a.error("input and other are both numbers; at least one operand must be a layer input");
        }
        return new ArithmeticLayer(Binary.create(kind), input == null ? null : Tensor.of(new float[] {input}, 1),
                other == null ? null : Tensor.of(new float[] {other}, 1));
    }

    /** A number operand, as float32 (how PyTorch applies a Python number to a float32 tensor), or null. */
    private static Float scalar(LayerArgs a, String key) {
        return a.has(key) ? (float) a.number(key, 0) : null;
    }

    /** Whether this is a sum of two layer inputs (what {@link EpilogueFusion} may fold into a convolution). */
    boolean isTensorAdd() {
        return op.kind() == Binary.Kind.ADD && inputScalar == null && otherScalar == null;
    }

    private int tensorOperands() {
        return (inputScalar == null ? 1 : 0) + (otherScalar == null ? 1 : 0);
    }

    private String name() {
        return op.kind().op();
    }

    private void checkCount(int count) {
        int wanted = tensorOperands();
        boolean variadic = isTensorAdd();
        if (variadic ? count < 2 : count != wanted) {
            throw new IllegalArgumentException(name() + ": takes " + (variadic ? "two or more" : wanted) + " input"
                    + (wanted == 1 && !variadic ? "" : "s") + (wanted < 2 ? " (the other operand is a number)" : "")
                    + ", got " + count);
        }
    }

    /** The operand shapes in order input, other, then further Add inputs; a number is shape [1]. */
    private long[][] operands(List<long[]> inputShapes) {
        checkCount(inputShapes.size());
        long[][] shapes = new long[Math.max(2, inputShapes.size())][];
        int next = 0;
        shapes[0] = inputScalar != null ? new long[] {1} : inputShapes.get(next++);
        shapes[1] = otherScalar != null ? new long[] {1} : inputShapes.get(next++);
        for (int i = 2; i < shapes.length; i++) {
            shapes[i] = inputShapes.get(next++);
        }
        return shapes;
    }

    @Override
    public long[] outputShape(List<long[]> inputShapes) {
        long[][] shapes = operands(inputShapes);
        long[] out = op.outputShape(shapes[0], shapes[1]);
        for (int i = 2; i < shapes.length; i++) {
            out = op.outputShape(out, shapes[i]);
        }
        return out;
    }

    @Override
    public void run(List<Tensor> inputs, Tensor output, FloatPointer workspace) {
        long[][] shapes = new long[inputs.size()][];
        for (int i = 0; i < shapes.length; i++) {
            shapes[i] = inputs.get(i) == null ? null : inputs.get(i).shape();
        }
        prepare(java.util.Arrays.asList(shapes)).run(inputs.toArray(new Tensor[0]), output, workspace);
    }

    @Override
    public Step prepare(List<long[]> inputShapes) {
        long[][] shapes = operands(inputShapes);
        long[] out = outputShape(inputShapes);
        Binary.Prepared first = op.prepare(shapes[0], shapes[1]);
        if (shapes.length > 2 && !java.util.Arrays.equals(op.outputShape(shapes[0], shapes[1]), out)) {
            // The partial sums are kept in the output itself, so they must already have its shape.
            throw new IllegalArgumentException(name() + ": inputs of shapes " + describe(shapes) + ": a third or "
                    + "later input enlarges the broadcast shape of the first two; write it as a chain of two-input "
                    + "Adds");
        }
        Binary.Prepared[] rest = new Binary.Prepared[shapes.length - 2];
        for (int i = 2; i < shapes.length; i++) {
            rest[i - 2] = op.prepare(out, shapes[i]);
        }
        return (inputs, output, workspace) -> {
            int next = 0;
            Tensor a = inputScalar != null ? inputScalar : inputs[next++];
            Tensor b = otherScalar != null ? otherScalar : inputs[next++];
            first.run(a, b, output);
            for (Binary.Prepared p : rest) { // a + b + c...: summed left to right in the output
                p.run(output, inputs[next++], output);
            }
        };
    }

    private static String describe(long[][] shapes) {
        StringBuilder s = new StringBuilder();
        for (long[] shape : shapes) {
            s.append(s.length() == 0 ? "" : ", ").append(java.util.Arrays.toString(shape));
        }
        return s.toString();
    }

    @Override
    public void close() {
        if (inputScalar != null) {
            inputScalar.close();
        }
        if (otherScalar != null) {
            otherScalar.close();
        }
    }
}
