package io.cnn4j;

import io.cnn4j.ops.Add;
import io.cnn4j.ops.Concat;
import io.cnn4j.ops.Flatten;
import io.cnn4j.ops.Reshape;
import io.cnn4j.ops.Unflatten;
import io.cnn4j.reference.NaiveDense;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Add, Concat (torch.cat), Flatten and Unflatten: cnn4j (op and functional; in place, copy or view) vs the naive
 * reference (libtorch as a counted second opinion) on random shapes, dims and values (NaN and infinities included), and
 * on random arguments that may be invalid, where cnn4j must throw exactly when libtorch does. One documented exception:
 * Add does not broadcast, so shapes that differ but broadcast are refused by cnn4j and accepted by libtorch. Results
 * are copies of or sums in float, so they must match exactly (Oracle with rtol 0): the reference for add is PyTorch's
 * float32 definition, each partial sum rounded to float, which Java computes the same on every CPU.
 */
class ShapeOpsConformanceTest {
    private static final int CASES = 600;
    /** Fewer: each libtorch refusal costs ~10 ms (it captures a C++ stack trace). */
    private static final int INVALID_CASES = 200;

    private static org.bytedeco.pytorch.Tensor[] torchTensors(float[][] data, long[][] shapes) {
        org.bytedeco.pytorch.Tensor[] t = new org.bytedeco.pytorch.Tensor[data.length];
        for (int i = 0; i < data.length; i++) {
            t[i] = LibTorch.tensor(data[i], shapes[i]);
        }
        return t;
    }

    private static Tensor[] tensors(float[][] data, long[][] shapes) {
        Tensor[] t = new Tensor[data.length];
        for (int i = 0; i < data.length; i++) {
            t[i] = Tensor.of(data[i], shapes[i]);
        }
        return t;
    }

    private static void closeAll(Tensor[] tensors) {
        for (Tensor t : tensors) {
            t.close();
        }
    }

    private static double[][] widen(float[][] data) {
        double[][] out = new double[data.length][];
        for (int i = 0; i < data.length; i++) {
            out[i] = Oracle.widen(data[i]);
        }
        return out;
    }

    private static float[][] values(Random r, long[][] shapes) {
        float[][] v = new float[shapes.length][];
        for (int i = 0; i < shapes.length; i++) {
            v[i] = DenseFixtures.values(r, Shapes.numel(shapes[i]));
        }
        return v;
    }

    // ---- add -------------------------------------------------------------------------------------------------------

    /** mode 0: functional; 1: op into a fresh output; 2: op in place into inputs[0]; 3: into inputs[1]. */
    private static float[] add(float[][] data, long[][] shapes, int mode) {
        Tensor[] in = tensors(data, shapes);
        try {
            if (mode == 0) {
                try (Tensor y = Functional.add(in[0], Arrays.copyOfRange(in, 1, in.length))) {
                    return y.toFloatArray();
                }
            }
            Add op = Add.create();
            try (Tensor y = mode == 1 ? Tensor.empty(op.outputShape(shapes)) : null) {
                Tensor out = mode == 1 ? y : in[mode - 2];
                op.run(in, out, null);
                return out.toFloatArray();
            }
        } finally {
            closeAll(in);
        }
    }

    @Test
    void addMatchesReferenceAndLibtorch() {
        SecondOpinion ledger = SecondOpinion.of("add");
        Oracle.forEachSeed("add", CASES, (r, seed) -> {
            long[] shape = DenseFixtures.shape(r, Oracle.between(r, 1, 5), 5);
            long[][] shapes = new long[Oracle.between(r, 2, 4)][];
            Arrays.fill(shapes, shape);
            float[][] data = values(r, shapes);
            org.bytedeco.pytorch.Tensor[] t = torchTensors(data, shapes);
            org.bytedeco.pytorch.Tensor sum = torch.add(t[0], t[1]);
            for (int i = 2; i < t.length; i++) {
                sum = torch.add(sum, t[i]);
            }
            String context = "add of " + shapes.length + " x " + Arrays.toString(shape);
            double[] reference = NaiveDense.add(true, widen(data));
            Oracle.assertClose(context + " cnn4j vs reference", reference, add(data, shapes, r.nextInt(4)), 0);
            ledger.check(context, reference, LibTorch.floats(sum), 0);
        });
        ledger.report();
    }

    @Test
    void addRandomShapesThrowWhenLibtorchDoes() {
        SecondOpinion ledger = SecondOpinion.of("add invalid");
        Oracle.forEachSeed("add invalid", INVALID_CASES, (r, seed) -> {
            long[][] shapes = {DenseFixtures.shape(r, Oracle.between(r, 1, 3), 3), null};
            shapes[1] = r.nextBoolean() ? shapes[0] : DenseFixtures.shape(r, Oracle.between(r, 1, 3), 3);
            float[][] data = values(r, shapes);
            org.bytedeco.pytorch.Tensor[] t = torchTensors(data, shapes);
            float[] libtorch = DenseFixtures.torchOrNull(() -> torch.add(t[0], t[1]));
            String context = "add " + Arrays.toString(shapes[0]) + " + " + Arrays.toString(shapes[1]);
            if (libtorch != null && !Arrays.equals(shapes[0], shapes[1])) {
                libtorch = null; // broadcasting: libtorch accepts, cnn4j refuses by design
            }
            DenseFixtures.assertSameVerdict(ledger, context, libtorch, () -> NaiveDense.add(true, widen(data)),
                    () -> add(data, shapes, r.nextInt(2)));
        });
        ledger.report();
    }

    // ---- cat -------------------------------------------------------------------------------------------------------

    /** mode 0: functional; 1: op (dim given); 2: op with the default dim when dim is 1. */
    private static float[] cat(int dim, float[][] data, long[][] shapes, int mode) {
        Tensor[] in = tensors(data, shapes);
        try {
            if (mode == 0) {
                try (Tensor y = Functional.cat(dim, in)) {
                    return y.toFloatArray();
                }
            }
            Concat op = mode == 2 && dim == 1 ? Concat.create() : Concat.create(dim);
            try (Tensor y = Tensor.empty(op.outputShape(shapes))) {
                op.run(in, y, null);
                return y.toFloatArray();
            }
        } finally {
            closeAll(in);
        }
    }

    private static float[] torchCat(int dim, float[][] data, long[][] shapes) {
        return LibTorch.floats(torch.cat(new TensorVector(torchTensors(data, shapes)), dim));
    }

    @Test
    void catMatchesReferenceAndLibtorch() {
        SecondOpinion ledger = SecondOpinion.of("cat");
        Oracle.forEachSeed("cat", CASES, (r, seed) -> {
            int rank = Oracle.between(r, 1, 4);
            int dim = Oracle.between(r, -rank, rank - 1);
            int d = dim < 0 ? dim + rank : dim;
            long[] base = DenseFixtures.shape(r, rank, 4);
            long[][] shapes = new long[Oracle.between(r, 1, 4)][];
            for (int i = 0; i < shapes.length; i++) {
                shapes[i] = base.clone();
                shapes[i][d] = Oracle.between(r, 1, 5);
            }
            float[][] data = values(r, shapes);
            String context = "cat dim=" + dim + " " + Arrays.deepToString(shapes);
            double[] reference = NaiveDense.cat(widen(data), shapes, d);
            Oracle.assertClose(context + " cnn4j vs reference", reference, cat(dim, data, shapes, r.nextInt(3)), 0);
            ledger.check(context, reference, torchCat(dim, data, shapes), 0);
        });
        ledger.report();
    }

    @Test
    void catRandomArgumentsThrowExactlyWhenLibtorchDoes() {
        SecondOpinion ledger = SecondOpinion.of("cat invalid");
        Oracle.forEachSeed("cat invalid", INVALID_CASES, (r, seed) -> {
            int rank = Oracle.between(r, 1, 3);
            int dim = Oracle.between(r, -rank - 1, rank);
            long[][] shapes = new long[Oracle.between(r, 1, 3)][];
            long[] base = DenseFixtures.shape(r, rank, 3);
            for (int i = 0; i < shapes.length; i++) {
                // mostly compatible shapes, sometimes another rank or other sizes
                shapes[i] = r.nextInt(4) == 0 ? DenseFixtures.shape(r, Oracle.between(r, 1, 3), 3) : base.clone();
                int d = dim < 0 ? dim + rank : dim;
                if (d >= 0 && d < shapes[i].length && r.nextBoolean()) {
                    shapes[i][d] = Oracle.between(r, 1, 3);
                }
            }
            float[][] data = values(r, shapes);
            float[] libtorch = DenseFixtures.torchOrNull(() -> torch.cat(new TensorVector(torchTensors(data, shapes)),
                    dim));
            DenseFixtures.assertSameVerdict(ledger, "cat dim=" + dim + " " + Arrays.deepToString(shapes), libtorch,
                    () -> NaiveDense.cat(widen(data), shapes, dim < 0 ? dim + shapes[0].length : dim),
                    () -> cat(dim, data, shapes, r.nextInt(2)));
        });
        ledger.report();
    }

    // ---- flatten / unflatten ---------------------------------------------------------------------------------------

    /** mode 0: functional (flatten only, else the op's copy); 1: op copy; 2: view. The result's shape is checked. */
    private static float[] reshape(Reshape op, boolean functionalFlatten, int startDim, int endDim, float[] x,
            long[] shape, long[] expectedShape, int mode) {
        try (Tensor input = Tensor.of(x, shape)) {
            if (mode == 0 && functionalFlatten) {
                try (Tensor y = Functional.flatten(input, startDim, endDim)) {
                    DenseFixtures.assertShape("flatten", expectedShape, y);
                    return y.toFloatArray();
                }
            }
            try (Tensor y = mode == 2 ? op.view(input) : Tensor.empty(op.outputShape(shape))) {
                if (mode != 2) {
                    op.run(input, y, null);
                }
                DenseFixtures.assertShape("reshape", expectedShape, y);
                return y.toFloatArray();
            }
        }
    }

    @Test
    void flattenMatchesLibtorchOrThrowsWithIt() {
        SecondOpinion ledger = SecondOpinion.of("flatten");
        Oracle.forEachSeed("flatten", CASES, (r, seed) -> {
            int rank = Oracle.between(r, 1, 5);
            long[] shape = DenseFixtures.shape(r, rank, 4);
            // in range most of the time (libtorch refusals are slow), out of range now and then
            boolean wide = r.nextInt(5) == 0;
            int start = wide ? Oracle.between(r, -rank - 1, rank) : Oracle.between(r, -rank, rank - 1);
            int end = wide ? Oracle.between(r, -rank - 1, rank) : Oracle.between(r, -rank, rank - 1);
            float[] x = DenseFixtures.values(r, Shapes.numel(shape));
            org.bytedeco.pytorch.Tensor[] result = new org.bytedeco.pytorch.Tensor[1];
            float[] libtorch = DenseFixtures.torchOrNull(() -> result[0] = torch.flatten(LibTorch.tensor(x, shape),
                    start, end));
            String context = "flatten " + Arrays.toString(shape) + " start=" + start + " end=" + end;
            long[] expectedShape = libtorch == null ? null : LibTorch.shape(result[0]);
            if (libtorch != null) {
                int s = start < 0 ? start + rank : start;
                int e = end < 0 ? end + rank : end;
                org.junit.jupiter.api.Assertions.assertArrayEquals(expectedShape, NaiveDense.flattenShape(shape, s, e),
                        context + " reference shape");
            }
            int mode = r.nextInt(3);
            // a reshape keeps the row-major order: the reference values are the input's
            DenseFixtures.assertSameVerdict(ledger, context, libtorch, () -> Oracle.widen(x),
                    () -> reshape(Flatten.create(start, end), true, start, end, x, shape, expectedShape, mode));
        });
        ledger.report();
    }

    /** Sizes for unflattening {@code size}: a random factorization, sometimes with -1, sometimes invalid. */
    private static long[] unflattenSizes(Random r, long size) {
        java.util.List<Long> parts = new java.util.ArrayList<>();
        long rest = size;
        for (long f = 2; f <= rest; f++) {
            while (rest % f == 0 && r.nextBoolean()) {
                parts.add(f);
                rest /= f;
            }
        }
        parts.add(rest);
        if (r.nextInt(3) == 0) {
            parts.add(r.nextInt(parts.size() + 1), 1L);
        }
        long[] sizes = parts.stream().mapToLong(Long::longValue).toArray();
        if (r.nextInt(3) == 0) {
            sizes[r.nextInt(sizes.length)] = -1;
        }
        if (r.nextInt(8) == 0) {
            sizes[r.nextInt(sizes.length)] = Oracle.between(r, -3, 7); // often breaks the product or adds a -1
        }
        return sizes;
    }

    @Test
    void unflattenMatchesLibtorchOrThrowsWithIt() {
        SecondOpinion ledger = SecondOpinion.of("unflatten");
        Oracle.forEachSeed("unflatten", CASES, (r, seed) -> {
            int rank = Oracle.between(r, 1, 4);
            long[] shape = DenseFixtures.shape(r, rank, 12);
            int dim = r.nextInt(8) == 0 ? Oracle.between(r, -rank - 1, rank) : Oracle.between(r, -rank, rank - 1);
            long size = shape[Math.floorMod(dim, rank)];
            long[] sizes = unflattenSizes(r, size);
            float[] x = DenseFixtures.values(r, Shapes.numel(shape));
            org.bytedeco.pytorch.Tensor[] result = new org.bytedeco.pytorch.Tensor[1];
            float[] libtorch = DenseFixtures.torchOrNull(() -> result[0] = torch.unflatten(LibTorch.tensor(x, shape),
                    dim, sizes));
            long[] expectedShape = libtorch == null ? null : LibTorch.shape(result[0]);
            int mode = 1 + r.nextInt(2);
            DenseFixtures.assertSameVerdict(ledger, "unflatten " + Arrays.toString(shape) + " dim=" + dim + " sizes="
                    + Arrays.toString(sizes), libtorch, () -> Oracle.widen(x), () -> reshape(Unflatten.create(dim,
                    sizes), false, 0, 0, x, shape, expectedShape, mode));
        });
        ledger.report();
    }
}
