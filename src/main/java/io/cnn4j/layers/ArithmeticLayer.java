package io.cnn4j.layers;

import io.cnn4j.Tensor;
import io.cnn4j.ops.Binary;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The element-wise binary ops of the format (version 2): {@code Add}, {@code Sub}, {@code Mul}, {@code Div},
 * {@code Maximum}, {@code Minimum}, {@code Pow}, {@code Fmod}, {@code Remainder}, as torch.add, sub, mul, div,
 * maximum, minimum, pow, fmod and remainder, and the
 * comparisons {@code Gt}, {@code Ge}, {@code Lt}, {@code Le}, {@code Eq} as torch.gt, ge, lt, le, eq (their bool
 * result as a float32 tensor of 1 and 0, which {@code Where} reads), with NumPy / PyTorch broadcasting. Their
 * operands are PyTorch's {@code input} and {@code other}: each is either the next of the layer's inputs or a number
 * given as the argument of that name ({@code {"type": "Mul", "other": 0.5}} is {@code x * 0.5},
 * {@code {"type": "Sub", "input": 1}} is {@code 1 - x}), or a string naming a parameter of the module at the layer's
 * {@code name} ({@code {"type": "Mul", "name": "block", "input": "gamma"}} is
 * {@code block.gamma * x}, the tensor {@code block.gamma} broadcast against x by PyTorch's rules, aligned from the
 * right; it may not add dims in front of x's, whose dim 0 is the batch). {@code Add} of tensors only may take more
 * than two inputs, summed left to right (version 1's Add, which broadcasting extends).
 */
final class ArithmeticLayer implements Layer {
    private final Binary op;
    /**
     * Constant operands (null where the operand is a layer input), owned by this layer: a number as a one-element
     * tensor of shape [1], or a parameter tensor.
     */
    private final Tensor inputScalar;
    private final Tensor otherScalar;

    /** Elements of a parameter operand (numbers are not parameters). */
    private final long parameters;

    private ArithmeticLayer(Binary op, Tensor inputScalar, Tensor otherScalar, long parameters) {
        this.op = op;
        this.parameters = parameters;
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
        factories.put("Gt", a -> create(a, Binary.Kind.GT));
        factories.put("Ge", a -> create(a, Binary.Kind.GE));
        factories.put("Lt", a -> create(a, Binary.Kind.LT));
        factories.put("Le", a -> create(a, Binary.Kind.LE));
        factories.put("Eq", a -> create(a, Binary.Kind.EQ));
        factories.put("Fmod", a -> create(a, Binary.Kind.FMOD));
        factories.put("Remainder", a -> create(a, Binary.Kind.REMAINDER));
    }

    private static Layer create(LayerArgs a, Binary.Kind kind) {
        boolean inputGiven = a.has("input");
        boolean otherGiven = a.has("other");
        if (kind == Binary.Kind.DIV && a.has("rounding_mode")) {
            throw a.error("rounding_mode is not supported: only true division (rounding_mode=None)");
        }
        if (inputGiven && otherGiven) {
            throw a.error("input and other are both constants (numbers or parameters); at least one operand must be "
                    + "a layer input");
        }
        Tensor input = null;
        try {
            input = inputGiven ? constant(a, "input") : null;
            Tensor other = otherGiven ? constant(a, "other") : null;
            a.finish();
            long parameters = (a.isString("input") ? input.numel() : 0) + (a.isString("other") ? other.numel() : 0);
            return new ArithmeticLayer(Binary.create(kind), input, other, parameters);
        } catch (RuntimeException e) {
            if (input != null) {
                input.close();
            }
            throw a.inContext(e);
        }
    }

    /**
     * A constant operand: a number as float32 (how PyTorch applies a Python number to a float32 tensor), or the
     * parameter a string names.
     */
    static Tensor constant(LayerArgs a, String key) {
        if (a.isString(key)) {
            return a.parameter(a.string(key, null));
        }
        return Tensor.of(new float[] {(float) a.number(key, 0)}, 1);
    }

    /** Refuses a constant operand of shape {@code c} that would broadcast the layer input {@code x} over its batch dim. */
    static void checkConstantOperand(String op, long[] c, long[] x) {
        if (c.length > x.length || c.length == x.length && c[0] != 1) {
            throw new IllegalArgumentException(op + ": a constant operand of shape " + Arrays.toString(c)
                    + " against an input of shape " + Arrays.toString(x) + " would broadcast over the batch dim "
                    + "(dim 0); give it fewer dims than the input, or size 1 in dim 0");
        }
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
        shapes[0] = inputScalar != null ? inputScalar.shape() : inputShapes.get(next++);
        shapes[1] = otherScalar != null ? otherScalar.shape() : inputShapes.get(next++);
        Tensor constant = inputScalar != null ? inputScalar : otherScalar;
        if (constant != null) {
            checkConstantOperand(name(), constant.shape(), shapes[inputScalar != null ? 1 : 0]);
        }
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
        Layer.runPrepared(this, inputs, output, workspace);
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
    public long parameterCount() {
        return parameters;
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

    /**
     * Between two computed tensors of the batch, element-wise with broadcasting: each sample from the same samples
     * (a constant operand could carry a batch dim of its own, so such layers say no).
     */
    @Override
    public boolean samplewise() {
        return inputScalar == null && otherScalar == null;
    }
}
