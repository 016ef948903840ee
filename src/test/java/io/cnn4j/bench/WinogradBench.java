package io.cnn4j.bench;

import io.cnn4j.Cnn4j;
import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.ops.Convolution;
import io.cnn4j.ops.UnaryOp;
import io.cnn4j.ops.WinogradConvolution;
import io.cnn4j.ops.Workspaces;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Times im2col Convolution against Winograd F(2,3), F(4,3) and F(6,3) on ResNet's 3x3 layer shapes, in one process, runs
 * alternating between the algorithms; prints min (median) milliseconds. Not a test: run it by hand (see the
 * ConvAlgorithm comment for the command), with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset.
 * Arguments: [runs] [threads...] [shape filters like 64@56].
 */
public final class WinogradBench {
    private WinogradBench() {}

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        List<Integer> threadCounts = new ArrayList<>();
        List<String> shapes = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].contains("@")) {
                shapes.add(args[i]);
            } else {
                threadCounts.add(Integer.parseInt(args[i]));
            }
        }
        if (threadCounts.isEmpty()) {
            threadCounts = List.of(1, 2);
        }
        if (shapes.isEmpty()) {
            shapes = List.of("64@56", "128@28", "256@14", "512@7");
        }
        System.out.println("isa " + Cnn4j.isa() + ", OpenBLAS core " + Cnn4j.blasCoreName() + ", OPENBLAS_CORETYPE="
                + System.getenv("OPENBLAS_CORETYPE"));
        System.out.println("| layer | batch | threads | im2col ms | F(2,3) ms | F(4,3) ms | F(6,3) ms | im2col/F(2,3) "
                + "| im2col/F(4,3) | im2col/F(6,3) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (String shape : shapes) {
            String[] parts = shape.split("@");
            int channels = Integer.parseInt(parts[0]), size = Integer.parseInt(parts[1]);
            for (int batch : new int[] {1, 8}) {
                for (int threads : threadCounts) {
                    Cnn4j.setNumThreads(threads);
                    double[][] ms = time(channels, size, batch, runs);
                    System.out.printf("| %d→%d @%d | %d | %d | %s | %s | %s | %s | %.2f | %.2f | %.2f |%n", channels,
                            channels, size, batch, threads, cell(ms[0]), cell(ms[1]), cell(ms[2]), cell(ms[3]),
                            ms[0][0] / ms[1][0], ms[0][0] / ms[2][0], ms[0][0] / ms[3][0]);
                }
            }
        }
    }

    private static String cell(double[] minMedian) {
        return String.format("%.3f (%.3f)", minMedian[0], minMedian[1]);
    }

    /** Min and median ms of im2col, F(2,3), F(4,3), F(6,3): the minimum is the least disturbed run on a shared machine. */
    static double[][] time(int channels, int size, int batch, int runs) {
        Random random = new Random(1);
        long[] inShape = {batch, channels, size, size};
        float[] x = new float[batch * channels * size * size];
        float[] w = new float[channels * channels * 9];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() - 0.5f;
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (random.nextFloat() - 0.5f) * 0.1f;
        }
        try (Tensor input = Tensor.of(x, inShape); Tensor weight = Tensor.of(w, channels, channels, 3, 3);
                WinogradConvolution f2 = WinogradConvolution.create(weight, null, 1, 1, 1,
                        WinogradConvolution.Tile.F2);
                WinogradConvolution f4 = WinogradConvolution.create(weight, null, 1, 1, 1,
                        WinogradConvolution.Tile.F4);
                WinogradConvolution f6 = WinogradConvolution.create(weight, null, 1, 1, 1,
                        WinogradConvolution.Tile.F6);
                Convolution exact = Convolution.create(2, weight, null, new ConvOptions().padding(1));
                Tensor output = Tensor.empty(inShape)) {
            UnaryOp[] ops = {exact, f2, f4, f6};
            FloatPointer[] workspaces = new FloatPointer[ops.length];
            double[][] samples = new double[ops.length][runs];
            for (int i = 0; i < ops.length; i++) {
                workspaces[i] = Workspaces.allocate(Math.max(1, ops[i].workspaceSize(inShape)));
                for (int warm = 0; warm < 3; warm++) {
                    ops[i].run(input, output, workspaces[i]);
                }
            }
            for (int r = 0; r < runs; r++) {
                for (int i = 0; i < ops.length; i++) {
                    long start = System.nanoTime();
                    ops[i].run(input, output, workspaces[i]);
                    samples[i][r] = (System.nanoTime() - start) / 1e6;
                }
            }
            double[][] medians = new double[ops.length][];
            for (int i = 0; i < ops.length; i++) {
                Arrays.sort(samples[i]);
                medians[i] = new double[] {samples[i][0], samples[i][runs / 2]};
                workspaces[i].close();
            }
            return medians;
        }
    }
}
