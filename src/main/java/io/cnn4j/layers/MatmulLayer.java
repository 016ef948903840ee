package io.cnn4j.layers;

import io.cnn4j.Tensor;
import io.cnn4j.ops.Binary;
import io.cnn4j.ops.MatMul;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;

/**
 * {@code Matmul} (format version 2): torch.matmul(input, other) with broadcast batch dims ({@code torch.bmm} and
 * {@code @} are its forms). The operands are PyTorch's {@code input} and {@code other}: each is the next of the
 * layer's inputs or a string naming a parameter of the module at the layer's {@code name}
 * ({@code {"type": "Matmul", "name": "attn", "other": "proj"}} is {@code x @ attn.proj}). Dim 0 of the result must be
 * the batch: two computed operands have the same rank, at least 3 (their dim 0 is the batch of both); a computed
 * {@code input} of rank 2 takes a parameter {@code other} of rank 1 or 2 (its rows are the samples); otherwise the
 * parameter has fewer dims than the computed operand, or size 1 in dim 0.
 */
final class MatmulLayer implements Layer {
    private final MatMul op = MatMul.create();
    private final Tensor inputParam;
    private final Tensor otherParam;

    private MatmulLayer(Tensor inputParam, Tensor otherParam) {
        this.inputParam = inputParam;
        this.otherParam = otherParam;
    }

    static Layer create(LayerArgs a) {
        boolean inputGiven = a.has("input");
        boolean otherGiven = a.has("other");
        if (inputGiven && otherGiven) {
            throw a.error("input and other are both parameters; at least one operand must be a layer input");
        }
        for (String key : new String[] {"input", "other"}) {
            if (a.has(key) && !a.isString(key)) {
                throw a.error(key + " must be a string naming a parameter of the module at \"name\"");
            }
        }
        Tensor p = null;
        try {
            p = inputGiven ? a.parameter(a.string("input", null)) : otherGiven ? a.parameter(a.string("other", null))
                    : null;
            a.finish();
            return new MatmulLayer(inputGiven ? p : null, otherGiven ? p : null);
        } catch (RuntimeException e) {
            if (p != null) {
                p.close();
            }
            throw a.inContext(e);
        }
    }

    private long[][] operands(List<long[]> inputShapes) {
        int wanted = inputParam == null && otherParam == null ? 2 : 1;
        if (inputShapes.size() != wanted) {
            throw new IllegalArgumentException("matmul: takes " + wanted + " input" + (wanted == 1 ? " (the other "
                    + "operand is a parameter)" : "s") + ", got " + inputShapes.size());
        }
        long[] x = inputParam != null ? inputParam.shape() : inputShapes.get(0);
        long[] y = otherParam != null ? otherParam.shape() : inputShapes.get(inputParam != null ? 0 : 1);
        String why = null;
        if (wanted == 2) {
            if (x.length != y.length || x.length < 3) {
                why = "two computed operands must have the same rank, at least 3 (dim 0 is the batch of both)";
            }
        } else if (otherParam != null) { // computed input
            if (x.length == 1) {
                why = "a 1-d computed input would be contracted with its batch dim";
            } else if (x.length == 2 ? y.length > 2 : y.length > x.length || y.length == x.length && y[0] != 1) {
                why = "the parameter would broadcast over the batch dim (dim 0); give it fewer dims than the input, "
                        + "or size 1 in dim 0";
            }
        } else { // computed other
            if (y.length < 3) {
                why = "a computed other of rank " + y.length + " would have its batch dim contracted; it needs at "
                        + "least 3 dims";
            } else if (x.length > y.length || x.length == y.length && x[0] != 1) {
                why = "the parameter would broadcast over the batch dim (dim 0); give it fewer dims than other, or "
                        + "size 1 in dim 0";
            }
        }
        if (why != null) {
            throw new IllegalArgumentException("matmul: input " + Arrays.toString(x) + " @ other "
                    + Arrays.toString(y) + ": " + why);
        }
        return new long[][] {x, y};
    }

    @Override
    public long[] outputShape(List<long[]> inputShapes) {
        long[][] s = operands(inputShapes);
        return op.outputShape(s[0], s[1]);
    }

    @Override
    public void run(List<Tensor> inputs, Tensor output, FloatPointer workspace) {
        long[][] shapes = new long[inputs.size()][];
        for (int i = 0; i < shapes.length; i++) {
            shapes[i] = inputs.get(i) == null ? null : inputs.get(i).shape();
        }
        prepare(Arrays.asList(shapes)).run(inputs.toArray(new Tensor[0]), output, workspace);
    }

    @Override
    public Step prepare(List<long[]> inputShapes) {
        long[][] s = operands(inputShapes);
        Binary.Prepared p = op.prepare(s[0], s[1]);
        return (inputs, output, workspace) -> {
            int next = 0;
            Tensor a = inputParam != null ? inputParam : inputs[next++];
            Tensor b = otherParam != null ? otherParam : inputs[next];
            p.run(a, b, output);
        };
    }

    @Override
    public long parameterCount() {
        return inputParam != null ? inputParam.numel() : otherParam != null ? otherParam.numel() : 0;
    }

    @Override
    public long macs(List<long[]> inputShapes, long[] outputShape) {
        long[][] s = operands(inputShapes);
        return op.macs(s[0], s[1]);
    }

    @Override
    public void close() {
        if (inputParam != null) {
            inputParam.close();
        }
        if (otherParam != null) {
            otherParam.close();
        }
    }
}
