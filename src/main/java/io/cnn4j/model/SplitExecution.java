package io.cnn4j.model;

import io.cnn4j.Shapes;
import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import io.cnn4j.layers.Layer;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A run of a batch whose first layers go through the batch a sample at a time: of the leading layers that compute each
 * sample from itself alone ({@link Layer#samplewise}: convolutions, pooling, activations, residual adds), those up to
 * the last with a large output ({@link #splitPoint}) run one sample at a time, the rest on the whole batch.
 *
 * <p>Why: a CNN's first layers hold its largest tensors. At batch 8, MobileNetV2's 112x112 and 56x56 maps are 10-15 MB
 * per layer, so every layer reads its input back from memory; one sample's keep them in cache (measured 2026-12-02,
 * 1 thread, Zen 5, min of 15 runs at batch 8: MobileNetV2 44-45 ms whole, 40.8 split after its 28x28 blocks;
 * ResNet-18 103.7 whole, 103.5 split after layer1, 115-120 sliced to the end). Those layers are planned at batch 1
 * and the arena holds one sample's tensors plus the values handed on. Every kernel of those layers computes a sample
 * the same way at any batch, so the results equal a batch-1 run's, sample by sample.
 *
 * <p>With more than one thread the samples run side by side, one per thread, each thread running its sample's layers
 * alone ({@link NativeCore#cnn4j_set_thread_alone}) in an arena of its own (a lane): the caller is lane 0 and
 * {@link SliceHelpers} runs the others. A thread then computes whole samples in its own core's caches and the threads
 * meet once, after the last sample, where splitting each layer over the threads makes them meet at every layer and
 * read each other's writes (a cache line moves between this machine's cores in ~0.25 us; see
 * runtime/threadpool.cpp). Measured 2026-12-02, 2 threads, batch 8, p50 of alternating runs, side by side against
 * unsplit (each layer split over the threads): MobileNetV2 22.7-25.7 ms against 25.6-29.8, ResNet-18 59-67 against
 * 64-76, VGG-11-BN 204-206 against 220-255. A profiled run ({@code layerNanos}) keeps to lane 0, so its per-layer
 * times stay wall times.
 *
 * <p>{@link #splitPoint} says when a model and shape run this way, and where the slices end.
 */
final class SplitExecution implements PlannedRun {
    /**
     * Floats per sample of the prefix's largest value from which the batch is split: 128 Ki floats (512 KB), about
     * what stays in L2 with its neighbours. Below it (LeNet-5: 4.7 Ki floats), slices only multiply per-layer costs.
     */
    static final long MIN_SAMPLE_FLOATS = 128 * 1024;

    /**
     * Most parameters the samplewise layers after the large-map cut may hold for the slices to go on through them: 4 Mi
     * floats (16 MB), what a core's L2 and its share of L3 keep from one sample to the next. MobileNetV2's 2.2 M go on;
     * ResNet-18's layer2-4 (11 M, 4x that as Winograd weights) and VGG-11's 256- and 512-channel layers (9 M) do not.
     */
    static final long MAX_SLICED_TAIL_PARAMETERS = 4L * 1024 * 1024;

    private final long batch;
    private final Execution rest;
    /** The prefix planned at batch 1, one per lane: lane l runs its samples in lanes[l]. */
    private final Execution[] lanes;
    /** The prefix's values the rest reads or the model returns: copied into the rest's arena, sample by sample. */
    private final int[] handed;
    /** The next sample a lane takes in the current run. */
    private final AtomicLong nextSample = new AtomicLong();

    private SplitExecution(long batch, Execution rest, Execution[] lanes, int[] handed) {
        this.batch = batch;
        this.rest = rest;
        this.lanes = lanes;
        this.handed = handed;
    }

    /** How many leading layers compute each sample from itself alone (they read only the inputs and each other). */
    static int prefixLength(List<Layer> layers) {
        int s = 0;
        while (s < layers.size() && layers.get(s).samplewise()) {
            s++;
        }
        return s;
    }

    /**
     * Where a run at these input shapes splits, or 0 to run the whole batch through every layer: after the last layer
     * of the samplewise prefix whose output holds at least {@link #MIN_SAMPLE_FLOATS} per sample, and before the first
     * layer with more parameters than a sample's output. The layers after run on the whole batch even where they could
     * run on slices: their maps are small and their weights large (ResNet-18's layer4: 9.4 MB a convolution, 113 MB as
     * Winograd F(4x4, 3x3) weights; VGG-11's 512-channel layers at 28x28), so a batch reuses the weights where slices
     * would stream them from memory once a slice, and picks the algorithms of its batch. Measured 2026-12-02, 1 thread,
     * batch 8: ResNet-18 sliced to the end 116 ms against 98 unsplit; VGG-11-BN sliced through its 28x28 layers 430
     * against 405.
     *
     * <p>Where the rest of the prefix holds few weights (at most {@link #MAX_SLICED_TAIL_PARAMETERS} in all), the
     * slices go on through it: its weights then stay in cache from one sample to the next, and with several threads
     * the samples run side by side to the prefix's end. Measured 2026-12-02, MobileNetV2 batch 8 (2.2 M parameters
     * after its 28x28 blocks), p50 of alternating runs, sliced to the prefix's end against cut after the 28x28 blocks:
     * 2 threads 19.1 ms against 20.6-21.6, 1 thread 35.8-36.6 against 36.0-41.9.
     *
     * <p>With more than one thread the samples of the prefix run side by side, one per thread (see the class
     * comment); an earlier form that cut the batch into slices of as many samples as threads, each layer split over
     * them, lost: measured alternating with ONNX Runtime, MobileNetV2 at batch 8 with 2 threads took 31.9 ms sliced
     * so against 24.1 whole (2026-12-02).
     *
     * @param full the unsplit plan at these shapes (for the values' shapes)
     * @param declaredInput the model's declared input shape (-1 = free)
     */
    static int splitPoint(ExecutionPlan full, List<Layer> layers, long[] declaredInput, int prefix) {
        if (full.numInputs != 1 || prefix == 0 || declaredInput.length < 3 || declaredInput[0] != -1) {
            return 0;
        }
        long batch = full.shapes[0][0];
        if (batch == 1) {
            return 0;
        }
        int cut = 0;
        for (int l = 0; l < prefix; l++) {
            long sampleFloats = Shapes.numel(full.shapes[1 + l]) / batch;
            if (layers.get(l).parameterCount() > sampleFloats) {
                break; // weights larger than a sample's output: slices would stream them once a slice
            }
            if (sampleFloats >= MIN_SAMPLE_FLOATS) {
                cut = l + 1;
            }
        }
        if (cut > 0) {
            long tailParameters = 0;
            for (int l = cut; l < prefix; l++) {
                tailParameters += layers.get(l).parameterCount();
            }
            if (tailParameters <= MAX_SLICED_TAIL_PARAMETERS) {
                cut = prefix;
            }
        }
        return cut;
    }

    /**
     * Plans and prepares the layers from {@code prefix} (the split point) at the full batch and those before at 1, in
     * {@code min(threads, batch)} lanes.
     */
    static SplitExecution create(long[] inputShape, int prefix, int threads, String modelName, List<Layer> layers,
            List<String> layerNames, int[][] layerInputs, int[] outputs, List<String> outputNames) {
        long batch = inputShape[0];
        ExecutionPlan restPlan = ExecutionPlan.create(layers, layerNames, layerInputs, outputs,
                new long[][] {inputShape}, prefix);
        int[] handed = java.util.stream.IntStream.range(1, 1 + prefix).filter(v -> restPlan.bufferOf[v] >= 0)
                .toArray();
        long[] sample = inputShape.clone();
        sample[0] = 1;
        List<Layer> first = layers.subList(0, prefix);
        List<String> names = layerNames.subList(0, prefix);
        int[][] inputs = Arrays.copyOf(layerInputs, prefix);
        ExecutionPlan plan = ExecutionPlan.create(first, names, inputs, handed, new long[][] {sample});
        // Lane 0 (the caller's) and the rest never run at the same time: one workspace for both, the larger of the
        // two (ResNet-18 at batch 8, one thread: 4 MB less). The other lanes run beside lane 0, each with its own.
        Execution rest = new Execution(restPlan, modelName, layers, layerNames, layerInputs, outputs, outputNames,
                Math.max(restPlan.workspaceFloats, plan.workspaceFloats), null);
        Execution[] lanes = new Execution[(int) Math.min(Math.max(1, threads), batch)];
        try {
            for (int l = 0; l < lanes.length; l++) {
                lanes[l] = new Execution(plan, modelName, first, names, inputs, handed,
                        Collections.nCopies(handed.length, "(handed on)"), plan.workspaceFloats,
                        l == 0 ? rest.workspaceRegion() : null);
            }
            return new SplitExecution(batch, rest, lanes, handed);
        } catch (RuntimeException e) {
            rest.close();
            for (Execution lane : lanes) {
                if (lane != null) {
                    lane.close();
                }
            }
            throw e;
        }
    }

    @Override
    public Map<String, Tensor> run(Tensor[] inputs, long[] layerNanos) {
        Tensor input = inputs[0];
        nextSample.set(0);
        int side = layerNanos != null ? 1 : Math.min(lanes.length, NativeCore.cnn4j_get_num_threads());
        if (side == 1) {
            runLane(0, input, layerNanos);
        } else {
            SliceHelpers.Job job = SliceHelpers.start(side - 1, lane -> runAlone(lane, input));
            try {
                runAlone(0, input);
            } finally {
                job.finish(); // returns once no helper runs a lane, rethrowing a helper's failure
            }
        }
        return rest.run(inputs, layerNanos);
    }

    /** {@link #runLane} with every parallel loop of this thread on it alone: the other lanes have the other cores. */
    private void runAlone(int lane, Tensor input) {
        NativeCore.cnn4j_set_thread_alone(1);
        try {
            runLane(lane, input, null);
        } finally {
            NativeCore.cnn4j_set_thread_alone(0);
        }
    }

    /** Runs samples in lane {@code lane}'s arena, taking the next one not taken yet, until none is left. */
    private void runLane(int lane, Tensor input, long[] layerNanos) {
        long[] shape = input.shape();
        long perSample = Shapes.numel(shape) / batch;
        long[] sampleShape = shape.clone();
        sampleShape[0] = 1;
        Execution samples = lanes[lane];
        for (long n = nextSample.getAndIncrement(); n < batch; n = nextSample.getAndIncrement()) {
            Tensor sample = Tensor.wrap(input.pointer(), n * perSample, sampleShape);
            Tensor[] bound = samples.runLayers(new Tensor[] {sample}, layerNanos);
            for (int v : handed) {
                Tensor from = bound[v], into = rest.value(v);
                long count = Shapes.numel(from.shape()), total = Shapes.numel(into.shape());
                NativeCore.check(NativeCore.cnn4j_copy_into(1, count, from.pointer(), total, n * count,
                        into.pointer()), "cnn4j_copy_into");
            }
        }
    }

    @Override
    public long bytes() {
        long bytes = rest.bytes();
        for (Execution lane : lanes) {
            bytes += lane.bytes();
        }
        return bytes;
    }

    @Override
    public void close() {
        rest.close();
        for (Execution lane : lanes) {
            lane.close();
        }
    }
}
