package io.cnn4j.conv;

import io.cnn4j.Cnn4j;
import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.ops.ConvTranspose;
import io.cnn4j.ops.Convolution;
import io.cnn4j.ops.Workspaces;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Timings of cnn4j's convolutions against libtorch's on CNN-typical layers, with the same thread count on both
 * sides (1 unless {@code -Dcnn4j.bench.threads=N}). Not a check (it asserts nothing); run it on purpose:
 * {@code mvn -q test -Dtest=ConvBenchmarkTest -Dcnn4j.bench=true}. Both sides' matrix products are OpenBLAS's, whose
 * kernel choice {@code OPENBLAS_CORETYPE} overrides (on AMD Zen 4 it picks Haswell's, where SkylakeX's are ~1.8x
 * faster).
 */
@EnabledIfSystemProperty(named = "cnn4j.bench", matches = "true")
class ConvBenchmarkTest {
    private static final Random RANDOM = new Random(3);

    /** Median milliseconds of {@code runs} calls after a warm-up. */
    private static double medianMillis(int runs, Runnable call) {
        for (int i = 0; i < 3; i++) {
            call.run();
        }
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            call.run();
            t[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(t);
        return t[runs / 2];
    }

    /** torchArgs: stride, padding, dilation, groups (+ output_padding when transposed), one value each. */
    private static void compare(String name, long[] input, long[] weight, ConvOptions options, boolean transposed,
            long... torchArgs) {
        int dims = input.length - 2;
        float[] x = Oracle.uniform(RANDOM, WeightedCase.numel(input));
        float[] w = Oracle.uniform(RANDOM, WeightedCase.numel(weight));
        long outChannels = transposed ? weight[1] : weight[0]; // transposed cases here have groups=1
        float[] b = Oracle.uniform(RANDOM, outChannels);
        try (Tensor tx = Tensor.of(x, input); Tensor tw = Tensor.of(w, weight); Tensor tb = Tensor.of(b, outChannels)) {
            Runnable cnn4j;
            long[] outShape;
            FloatPointer ws;
            Tensor out;
            if (transposed) {
                ConvTranspose op = ConvTranspose.create(dims, tw, tb, options);
                outShape = op.outputShape(input);
                ws = Workspaces.allocate(op.workspaceSize(input));
                out = Tensor.empty(outShape);
                cnn4j = () -> op.run(tx, out, ws);
            } else {
                Convolution op = Convolution.create(dims, tw, tb, options);
                outShape = op.outputShape(input);
                ws = Workspaces.allocate(op.workspaceSize(input));
                out = Tensor.empty(outShape);
                cnn4j = () -> op.run(tx, out, ws);
            }
            var lx = LibTorch.tensor(x, input);
            var lw = LibTorch.tensor(w, weight);
            var lb = LibTorch.optional(LibTorch.tensor(b, outChannels));
            long[] a = torchArgs;
            long[] s = {a[0]};
            long[] p = {a[1]};
            long[] d = {a[2]};
            Runnable libtorch = () -> {
                try (PointerScope scope = new PointerScope()) {
                    if (transposed) {
                        torch.conv_transpose2d(lx, lw, lb, s, p, new long[] {a[4]}, a[3], d);
                    } else {
                        torch.conv2d(lx, lw, lb, s, p, d, a[3]);
                    }
                }
            };
            int runs = 15;
            double c = medianMillis(runs, cnn4j);
            double l = medianMillis(runs, libtorch);
            System.out.printf("%-34s %s -> %s  cnn4j %8.3f ms  libtorch %8.3f ms  (%.2fx)%n", name,
                    Arrays.toString(input), Arrays.toString(outShape), c, l, l / c);
            ws.close();
            out.close();
        }
    }

    @Test
    void timings() {
        int threads = Integer.getInteger("cnn4j.bench.threads", 1);
        Cnn4j.setNumThreads(threads);
        torch.set_num_threads(threads);
        System.out.println("---- " + threads + " thread(s)");
        compare("conv3x3 64->64", new long[] {1, 64, 56, 56}, new long[] {64, 64, 3, 3},
                new ConvOptions().padding(1), false, 1, 1, 1, 1);
        compare("conv3x3 s2 32->64 batch 8", new long[] {8, 32, 56, 56}, new long[] {64, 32, 3, 3},
                new ConvOptions().padding(1).stride(2), false, 2, 1, 1, 1);
        compare("conv7x7 s2 3->64 (stem)", new long[] {1, 3, 224, 224}, new long[] {64, 3, 7, 7},
                new ConvOptions().padding(3).stride(2), false, 2, 3, 1, 1);
        compare("pointwise 128->128", new long[] {1, 128, 28, 28}, new long[] {128, 128, 1, 1},
                new ConvOptions(), false, 1, 0, 1, 1);
        compare("depthwise3x3 128", new long[] {1, 128, 56, 56}, new long[] {128, 1, 3, 3},
                new ConvOptions().padding(1).groups(128), false, 1, 1, 1, 128);
        compare("depthwise3x3 s2 256 batch 4", new long[] {4, 256, 28, 28}, new long[] {256, 1, 3, 3},
                new ConvOptions().padding(1).stride(2).groups(256), false, 2, 1, 1, 256);
        compare("depthwise5x5 64", new long[] {1, 64, 112, 112}, new long[] {64, 1, 5, 5},
                new ConvOptions().padding(2).groups(64), false, 1, 2, 1, 64);
        compare("conv_transpose4x4 s2 64->32", new long[] {1, 64, 28, 28}, new long[] {64, 32, 4, 4},
                new ConvOptions().padding(1).stride(2), true, 2, 1, 1, 1, 0);
    }
}
