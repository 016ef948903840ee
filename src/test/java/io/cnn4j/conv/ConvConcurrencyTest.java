package io.cnn4j.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Cnn4j;
import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.ops.ConvTranspose;
import io.cnn4j.ops.Convolution;
import io.cnn4j.ops.Fold;
import io.cnn4j.ops.Unfold;
import io.cnn4j.ops.Workspaces;
import io.cnn4j.testing.Oracle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ops are immutable and share nothing mutable: 8 threads running a mix of convolutions at once on shared ops and
 * weights, each with its own workspace and output, must reproduce the serial results bit for bit, under 1 and 2
 * BLAS threads.
 */
class ConvConcurrencyTest {
    private static final int THREADS = 8;
    private static final int REPEATS = 6;

    private interface Runner {
        void run(Tensor input, Tensor output, FloatPointer workspace);
    }

    /** The lifecycle calls of one shared op, whatever its class. */
    private record Op(Function<long[], long[]> outputShape, ToLongFunction<long[]> workspaceSize, Runner runner) {}

    private record Job(String name, Op op, Tensor input) {
        float[] runOnce() {
            try (Tensor out = Tensor.empty(op.outputShape().apply(input.shape()));
                    FloatPointer ws = Workspaces.allocate(op.workspaceSize().applyAsLong(input.shape()))) {
                op.runner().run(input, out, ws);
                return out.toFloatArray();
            }
        }
    }

    private final List<Tensor> tensors = new ArrayList<>();
    private final List<Convolution> ops = new ArrayList<>();
    private final List<Job> jobs = new ArrayList<>();
    private final Random random = new Random(7);
    private int threadsBefore;

    private Tensor tensor(long... shape) {
        Tensor t = Tensor.of(Oracle.uniform(random, WeightedCase.numel(shape)), shape);
        tensors.add(t);
        return t;
    }

    private void conv(String name, int dims, long[] input, long[] weight, boolean bias, ConvOptions options) {
        Convolution c = Convolution.create(dims, tensor(weight), bias ? tensor(weight[0]) : null, options);
        ops.add(c);
        jobs.add(new Job(name, new Op(c::outputShape, c::workspaceSize, c::run), tensor(input)));
    }

    @BeforeEach
    void setUp() {
        threadsBefore = Cnn4j.getNumThreads();
        conv("conv2d 3x3", 2, new long[] {2, 16, 24, 24}, new long[] {32, 16, 3, 3}, true,
                new ConvOptions().padding(1));
        conv("depthwise stride 2", 2, new long[] {2, 32, 24, 20}, new long[] {32, 1, 3, 3}, true,
                new ConvOptions().groups(32).stride(2).padding(1));
        conv("pointwise", 2, new long[] {2, 32, 12, 12}, new long[] {16, 32, 1, 1}, false, new ConvOptions());
        conv("grouped", 2, new long[] {1, 16, 16, 16}, new long[] {16, 4, 3, 3}, true, new ConvOptions().groups(4));
        conv("conv3d reflect", 3, new long[] {1, 4, 8, 8, 8}, new long[] {8, 4, 3, 3, 3}, true,
                new ConvOptions().padding(1).paddingMode("reflect"));
        conv("conv1d same circular dilated", 1, new long[] {3, 8, 64}, new long[] {8, 8, 4}, false,
                new ConvOptions().padding("same").dilation(2).paddingMode("circular"));
        ConvTranspose t = ConvTranspose.create(2, tensor(16, 8, 4, 4), tensor(8),
                new ConvOptions().stride(2).padding(1));
        jobs.add(new Job("conv_transpose2d", new Op(t::outputShape, t::workspaceSize, t::run),
                tensor(2, 16, 12, 12)));
        Unfold u = Unfold.create(new int[] {3}, new int[] {1}, new int[] {1}, new int[] {2});
        jobs.add(new Job("unfold", new Op(u::outputShape, u::workspaceSize, u::run), tensor(2, 3, 15, 15)));
        Fold f = Fold.create(new int[] {15}, new int[] {3}, new int[] {1}, new int[] {1}, new int[] {2});
        jobs.add(new Job("fold", new Op(f::outputShape, f::workspaceSize, f::run), tensor(2, 27, 64)));
    }

    @AfterEach
    void tearDown() {
        Cnn4j.setNumThreads(threadsBefore);
        ops.forEach(Convolution::close);
        tensors.forEach(Tensor::close);
    }

    @Test
    void eightThreadsReproduceSerialResultsBitForBitWithOneAndTwoPoolThreads() throws Exception {
        float[][] previous = null;
        for (int blasThreads : new int[] {1, 2}) {
            Cnn4j.setNumThreads(blasThreads);
            assertEquals(blasThreads, Cnn4j.getNumThreads());
            float[][] serial = new float[jobs.size()][];
            for (int j = 0; j < jobs.size(); j++) {
                serial[j] = jobs.get(j).runOnce();
                // The serial run itself is deterministic.
                assertTrue(Arrays.equals(serial[j], jobs.get(j).runOnce()), jobs.get(j).name());
                if (previous != null) {
                    Oracle.assertClose(jobs.get(j).name() + ", 2 vs 1 BLAS threads", previous[j], serial[j]);
                }
            }
            runConcurrently(serial, blasThreads);
            previous = serial;
        }
    }

    /** THREADS threads, each with its own outputs and workspaces, all jobs REPEATS times in a rotated order. */
    private void runConcurrently(float[][] serial, int blasThreads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int offset = t;
                futures.add(pool.submit(() -> {
                    Tensor[] outputs = new Tensor[jobs.size()];
                    FloatPointer[] workspaces = new FloatPointer[jobs.size()];
                    try {
                        for (int j = 0; j < jobs.size(); j++) {
                            long[] in = jobs.get(j).input().shape();
                            outputs[j] = Tensor.empty(jobs.get(j).op().outputShape().apply(in));
                            workspaces[j] = Workspaces.allocate(jobs.get(j).op().workspaceSize().applyAsLong(in));
                        }
                        start.await();
                        for (int rep = 0; rep < REPEATS; rep++) {
                            for (int k = 0; k < jobs.size(); k++) {
                                int j = (k + offset) % jobs.size();
                                Job job = jobs.get(j);
                                job.op().runner().run(job.input(), outputs[j], workspaces[j]);
                                if (!Arrays.equals(serial[j], outputs[j].toFloatArray())) {
                                    throw new AssertionError(job.name() + " differs from its serial result (thread "
                                            + offset + ", repeat " + rep + ", " + blasThreads + " BLAS threads)");
                                }
                            }
                        }
                    } finally {
                        for (int j = 0; j < jobs.size(); j++) {
                            if (outputs[j] != null) {
                                outputs[j].close();
                            }
                            if (workspaces[j] != null) {
                                workspaces[j].close();
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
