package io.cnn4j.layers;

import io.cnn4j.Tensor;
import io.cnn4j.ops.Where;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The format's {@code Where} (version 2): torch.where(condition, input, other), the three broadcast against each other
 * by PyTorch's rules. The first layer input is the condition, a comparison layer's output ({@code Gt}, {@code Lt}, ...:
 * cnn4j's float32 form of a torch.bool tensor, 1 or 0). {@code input} and {@code other} are the next layer inputs, or
 * a number given as the argument of that name ({@code {"type": "Where", "other": 0}} is
 * {@code torch.where(c, x, 0.0)}), or a string naming a parameter of the module at the layer's {@code name}, as in
 * the arithmetic layers.
 */
final class WhereLayer implements Layer {
    /** Constant operands (null where the operand is a layer input), owned by this layer. */
    private final Tensor input;
    private final Tensor other;
    private final long parameters;

    private WhereLayer(Tensor input, Tensor other, long parameters) {
        this.input = input;
        this.other = other;
        this.parameters = parameters;
    }

    static void register(java.util.Map<String, LayerFactory> factories) {
        factories.put("Where", WhereLayer::create);
    }

    private static Layer create(LayerArgs a) {
        if (a.has("condition")) {
            throw a.error("condition must be the layer's first input (a comparison layer's output such as Gt or Lt), "
                    + "not an argument");
        }
        Tensor input = null;
        try {
            input = a.has("input") ? ArithmeticLayer.constant(a, "input") : null;
            Tensor other = a.has("other") ? ArithmeticLayer.constant(a, "other") : null;
            a.finish();
            long parameters = (a.isString("input") ? input.numel() : 0) + (a.isString("other") ? other.numel() : 0);
            return new WhereLayer(input, other, parameters);
        } catch (RuntimeException e) {
            if (input != null) {
                input.close();
            }
            throw a.inContext(e);
        }
    }

    /** The shapes of condition, input and other (a constant's own shape for a constant operand). */
    private long[][] operands(List<long[]> inputShapes) {
        int wanted = 1 + (input == null ? 1 : 0) + (other == null ? 1 : 0);
        if (inputShapes.size() != wanted) {
            throw new IllegalArgumentException("Where: takes " + wanted + " inputs (the condition" + (wanted == 1
                    ? "; input and other are constants" : wanted == 2 ? " and the tensor operand; the other operand "
                    + "is a constant" : ", input and other") + "), got " + inputShapes.size());
        }
        int next = 1;
        long[] x = input != null ? input.shape() : inputShapes.get(next++);
        long[] y = other != null ? other.shape() : inputShapes.get(next);
        long[] condition = inputShapes.get(0);
        if (input != null) {
            ArithmeticLayer.checkConstantOperand("Where", x, condition);
        }
        if (other != null) {
            ArithmeticLayer.checkConstantOperand("Where", y, condition);
        }
        return new long[][] {condition, x, y};
    }

    @Override
    public long[] outputShape(List<long[]> inputShapes) {
        long[][] s = operands(inputShapes);
        return Where.outputShape(s[0], s[1], s[2]);
    }

    @Override
    public void run(List<Tensor> inputs, Tensor output, FloatPointer workspace) {
        Layer.runPrepared(this, inputs, output, workspace);
    }

    @Override
    public Step prepare(List<long[]> inputShapes) {
        long[][] s = operands(inputShapes);
        Where.Prepared where = Where.prepare(s[0], s[1], s[2]);
        return (inputs, output, workspace) -> {
            int next = 1;
            Tensor x = input != null ? input : inputs[next++];
            Tensor y = other != null ? other : inputs[next];
            where.run(inputs[0], x, y, output);
        };
    }

    @Override
    public long parameterCount() {
        return parameters;
    }

    @Override
    public void close() {
        if (input != null) {
            input.close();
        }
        if (other != null) {
            other.close();
        }
    }
}
