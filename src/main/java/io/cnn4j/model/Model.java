package io.cnn4j.model;

import io.cnn4j.Tensor;
import io.cnn4j.io.ByteBufferChannel;
import io.cnn4j.jni.NativeCore;
import io.cnn4j.layers.BatchNormLayer;
import io.cnn4j.layers.ConvLayer;
import io.cnn4j.layers.EpilogueFusion;
import io.cnn4j.layers.IdentityLayer;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.LayerArgs;
import io.cnn4j.layers.LayerRegistry;
import io.cnn4j.layers.WeightSource;
import io.cnn4j.model.ModelDescription.InputSpec;
import io.cnn4j.model.ModelDescription.LayerSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A loaded model: layers created and checked, ready to run from many threads at once.
 *
 * <pre>{@code
 * try (Model model = Model.load(Path.of("models/lenet5-mnist.json"));
 *      Tensor x = Tensor.of(pixels, 1, 1, 28, 28);
 *      Tensor logits = model.run(x)) { ... }
 * }</pre>
 *
 * <p>Loading checks every weight against its layer and infers every shape for the declared inputs (a free batch dim
 * taken as 1; a model with other free dims, such as an ONNX export with dynamic height and width, has its shapes
 * checked when an input shape is first run or given to {@link #layerOutputShapes(Map)}); a model either loads whole
 * or throws. Runs plan their memory once per input shape: the plan and its arena
 * are pooled, so a run allocates only the tensors it returns, and each concurrent run has its own arena. The pool
 * keeps arenas within a byte budget ({@link ModelOptions#arenaCacheBytes()}), freeing those of the shapes idle
 * longest, so a model fed every batch size holds a few arenas, not one per size.
 *
 * <p>A model loaded from files frees each convolution's raw weights once it has made the forms its input shapes run
 * (packed, Winograd-transformed), and re-reads them from the weights file to make another; the file must then still
 * hold the same weights, or that run fails saying so ({@link ModelOptions#rawWeightsKept()} keeps them instead).
 * {@link #close()} frees everything the model holds.
 */
public final class Model implements AutoCloseable {
    private final ModelDescription description;
    private final List<Layer> layers;
    private final List<String> layerNames;
    private final int[][] layerInputs;
    private final int[] outputs;
    private final long[] parameterCounts; // as in the file, before batch norms were folded
    private final int[] fusedInto;
    /** Plans, arenas and prepared steps per input shapes, within the budget of {@link ModelOptions#arenaCacheBytes}. */
    private final ArenaCache<ShapeKey, PlannedRun> executions;
    /** Leading layers that compute each sample alone: what a {@link SplitExecution} runs on slices of the batch. */
    private final int samplewisePrefix;
    private volatile boolean closed;
    /** Runs hold it shared; close takes it exclusively, so it waits for runs in flight instead of freeing under them. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();

    private Model(ModelDescription description, List<Layer> layers, int[][] layerInputs, int[] outputs,
            long[] parameterCounts, int[] fusedInto, long arenaCacheBytes) {
        this.description = description;
        this.executions = new ArenaCache<>(arenaCacheBytes);
        this.fusedInto = fusedInto;
        this.parameterCounts = parameterCounts;
        this.layers = List.copyOf(layers);
        this.samplewisePrefix = SplitExecution.prefixLength(this.layers);
        this.layerInputs = layerInputs;
        this.outputs = outputs;
        List<String> names = new ArrayList<>();
        for (LayerSpec spec : description.layers()) {
            names.add(spec.describe());
        }
        this.layerNames = List.copyOf(names);
    }

    /**
     * Loads a model from its JSON description (weights beside it), a single-file .safetensors model, or an .onnx
     * file.
     *
     * @throws IllegalArgumentException if any file is malformed, refers to files outside the model's folder, or
     *                                  describes a model cnn4j cannot run (WeightsFormatException, a subclass, for
     *                                  weights files); the message names the file, layer or node and what is wrong
     * @throws IOException              if a file cannot be read (NoSuchFileException if it does not exist)
     * @throws OutOfMemoryError         if the weights do not fit in memory (the message says what was allocated)
     */
    public static Model load(Path path) throws IOException {
        return ModelLoader.load(path, ModelOptions.DEFAULT);
    }

    /** As {@link #load(Path)}, with options (e.g. exact convolutions). */
    public static Model load(Path path, ModelOptions options) throws IOException {
        return ModelLoader.load(path, Objects.requireNonNull(options, "options"));
    }

    /**
     * Loads one model from a stream (an app's asset, a download): an .onnx model, a single-file .safetensors model,
     * or a model JSON without weights, recognized by content. The stream is read to its end, at most
     * {@code -Dcnn4j.maxStreamBytes} (2 GiB), and not closed. ONNX external data and preprocess sidecars need
     * {@link #load(Path)}.
     *
     * @throws IllegalArgumentException as {@link #load(Path)}, the message naming "the model stream";
     *                                  also for a stream longer than the limit
     * @throws IOException              if reading the stream fails
     */
    public static Model load(InputStream model) throws IOException {
        return load(model, ModelOptions.DEFAULT);
    }

    /** As {@link #load(InputStream)}, with options. */
    public static Model load(InputStream model, ModelOptions options) throws IOException {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        String source = "the model stream";
        return ModelLoader.load(ByteBuffer.wrap(ByteBufferChannel.readAll(model, source)),
                source, options);
    }

    /**
     * Loads a model JSON and its weights (.safetensors or a PyTorch state_dict file) from two streams; the JSON's
     * "weights" file name is not used. Each stream is read to its end (at most {@code -Dcnn4j.maxStreamBytes}) and
     * not closed.
     *
     * @throws IllegalArgumentException as {@link #load(Path)}, the message naming "the model JSON
     *                                  stream" or "the weights stream" (WeightsFormatException for the weights)
     * @throws IOException              if reading a stream fails
     */
    public static Model load(InputStream json, InputStream weights) throws IOException {
        return load(json, weights, ModelOptions.DEFAULT);
    }

    /** As {@link #load(InputStream, InputStream)}, with options. */
    public static Model load(InputStream json, InputStream weights, ModelOptions options)
            throws IOException {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(options, "options");
        byte[] text = ByteBufferChannel.readAll(json, "the model JSON stream");
        byte[] data = ByteBufferChannel.readAll(weights, "the weights stream");
        return ModelLoader.load(ByteBuffer.wrap(text), "the model JSON stream",
                ByteBuffer.wrap(data), "the weights stream", options);
    }

    /** As {@link #load(InputStream)}, from bytes in memory ("the model bytes" in messages). */
    public static Model load(byte[] model) throws IOException {
        Objects.requireNonNull(model, "model");
        return ModelLoader.load(ByteBuffer.wrap(model), "the model bytes", ModelOptions.DEFAULT);
    }

    /**
     * As {@link #load(InputStream)}, from the bytes between the buffer's position and limit (a direct or
     * memory-mapped buffer too; it is not modified). Safetensors weights are read from the buffer in place.
     */
    public static Model load(ByteBuffer model) throws IOException {
        return load(model, ModelOptions.DEFAULT);
    }

    /** As {@link #load(ByteBuffer)}, with options. */
    public static Model load(ByteBuffer model, ModelOptions options) throws IOException {
        Objects.requireNonNull(model, "model");
        return ModelLoader.load(model, "the model bytes", Objects.requireNonNull(options, "options"));
    }

    /** As {@link #load(InputStream, InputStream)}, from buffers ("the model JSON bytes", ...). */
    public static Model load(ByteBuffer json, ByteBuffer weights) throws IOException {
        return load(json, weights, ModelOptions.DEFAULT);
    }

    /** As {@link #load(ByteBuffer, ByteBuffer)}, with options. */
    public static Model load(ByteBuffer json, ByteBuffer weights, ModelOptions options)
            throws IOException {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(weights, "weights");
        return ModelLoader.load(json, "the model JSON bytes", weights, "the weights bytes",
                Objects.requireNonNull(options, "options"));
    }

    /** Builds a model from a parsed description and its weights; used by the loaders. */
    static Model build(ModelDescription description, WeightSource weights) {
        return build(description, weights, ModelOptions.DEFAULT);
    }

    static Model build(ModelDescription description, WeightSource weights, ModelOptions options) {
        List<Layer> layers = new ArrayList<>();
        try {
            Map<String, Integer> valueIndex = new HashMap<>();
            List<InputSpec> inputs = description.inputs();
            for (int i = 0; i < inputs.size(); i++) {
                valueIndex.put(inputs.get(i).name(), i);
            }
            int[][] layerInputs = new int[description.layers().size()][];
            for (LayerSpec spec : description.layers()) {
                LayerArgs args = new LayerArgs(spec.index(), spec.type(), spec.name(), spec.node(), weights,
                        options.exactConvolutions());
                layers.add(LayerRegistry.factory(spec.type(), spec.describe()).create(args));
                layerInputs[spec.index()] = spec.inputs().stream().mapToInt(valueIndex::get).toArray();
                valueIndex.put(spec.id(), inputs.size() + spec.index());
            }
            int[] outputs = description.outputs().stream().mapToInt(valueIndex::get).toArray();
            long arenaCacheBytes = options.arenaCacheBytes(); // a malformed system property fails before any work
            long[] parameterCounts = layers.stream().mapToLong(Layer::parameterCount).toArray();
            foldBatchNorms(layers, layerInputs, outputs, inputs.size());
            // Same arithmetic in the same order as the separate layers, so results are unchanged, bit for bit.
            int[] fusedInto = EpilogueFusion.fuse(layers, layerInputs, outputs, inputs.size());
            Model model = new Model(description, layers, layerInputs, outputs, parameterCounts, fusedInto,
                    arenaCacheBytes);
            if (onlyBatchDimsFree(description.inputs())) {
                model.plan(model.declaredShapes(1)); // every shape checked at load
            } // else other free dims (image height and width...): sizes are checked per input shape as runs plan them
            return model;
        } catch (RuntimeException e) {
            layers.forEach(Layer::close);
            throw e;
        }
    }

    /**
     * Folds each BatchNorm whose input is a convolution's output that nothing else reads into that convolution; the
     * BatchNorm becomes a view. Replaced layers are closed.
     */
    private static void foldBatchNorms(List<Layer> layers, int[][] layerInputs, int[] outputs, int numInputs) {
        int[] readers = new int[numInputs + layers.size()];
        for (int[] in : layerInputs) {
            for (int v : in) {
                readers[v]++;
            }
        }
        for (int v : outputs) {
            readers[v]++;
        }
        for (int l = 0; l < layers.size(); l++) {
            if (!(layers.get(l) instanceof BatchNormLayer bn) || layerInputs[l].length != 1) {
                continue;
            }
            int source = layerInputs[l][0] - numInputs;
            if (source < 0 || readers[layerInputs[l][0]] != 1 || !(layers.get(source) instanceof ConvLayer conv)
                    || !conv.canFold(bn)) {
                continue;
            }
            layers.set(source, conv.foldBatchNorm(bn));
            layers.set(l, new IdentityLayer());
            conv.close();
            bn.close();
        }
    }

    /** The layers as built (batch norms folded, epilogues fused), for tests in this package. */
    List<Layer> layers() {
        return layers;
    }

    public ModelDescription description() {
        return description;
    }

    public List<String> labels() {
        return description.labels();
    }

    /** Runs a model with one input and returns its first output (a new tensor, which the caller closes). */
    public Tensor run(Tensor input) {
        if (description.inputs().size() != 1) {
            throw new IllegalArgumentException("this model has " + description.inputs().size() + " inputs "
                    + names(description.inputs()) + "; use run(Map)");
        }
        Map<String, Tensor> out = run(Map.of(description.inputs().get(0).name(), input));
        Tensor first = out.remove(description.outputs().get(0));
        out.values().forEach(Tensor::close);
        return first;
    }

    /** Runs the model; returns every output by id, as new tensors the caller closes. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        return run(inputs, null);
    }

    /**
     * As {@link #run(Map)}, also adding each layer's wall time in nanoseconds to {@code layerNanos[layer]} (one slot
     * per layer of {@link ModelDescription#layers()}, in that order): a profile of where a run spends its time
     * ({@code cnn4j bench --profile}). Layers that are views, or whose work was fused into another layer's output pass
     * ({@link #layerFusedInto()}), take no time of their own. Timing costs two clock reads per layer.
     *
     * @param layerNanos null (no timing) or an array with one slot per layer
     */
    public Map<String, Tensor> run(Map<String, Tensor> inputs, long[] layerNanos) {
        if (layerNanos != null && layerNanos.length != layers.size()) {
            throw new IllegalArgumentException("layerNanos has " + layerNanos.length + " slots; the model has "
                    + layers.size() + " layers");
        }
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            return runOpen(inputs, layerNanos);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Gets a one-input model ready for inputs of this shape before their first run: the convolutions pack (or
     * Winograd-transform) the weights that shape's algorithms need and the arena is allocated, work the first run of
     * a shape would otherwise pay for (ResNet-18: about a quarter of a second). Optional; idempotent.
     *
     * @throws IllegalArgumentException if the shape does not fit the model's input
     */
    public void prepare(long... inputShape) {
        if (description.inputs().size() != 1) {
            throw new IllegalArgumentException("this model has " + description.inputs().size() + " inputs "
                    + names(description.inputs()) + "; use prepare(Map)");
        }
        prepare(Map.of(description.inputs().get(0).name(), inputShape));
    }

    /** {@link #prepare(long...)} for a model with any number of inputs: every input's shape, by name. */
    public void prepare(Map<String, long[]> inputShapes) {
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            long[][] shapes = shapesOf(inputShapes);
            ShapeKey key = new ShapeKey(shapes);
            executions.release(key, executions.acquire(key, this::newExecution));
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private Map<String, Tensor> runOpen(Map<String, Tensor> inputs, long[] layerNanos) {
        List<InputSpec> specs = description.inputs();
        long[][] shapes = new long[specs.size()][];
        Tensor[] given = new Tensor[specs.size()];
        for (int i = 0; i < specs.size(); i++) {
            InputSpec spec = specs.get(i);
            Tensor t = inputs.get(spec.name());
            if (t == null) {
                throw new IllegalArgumentException("missing input '" + spec.name() + "'; the model's inputs are "
                        + names(specs));
            }
            if (t.isClosed()) {
                throw new IllegalStateException("input '" + spec.name() + "' is a closed tensor");
            }
            shapes[i] = checkInputShape(spec, t.shape());
            given[i] = t;
        }
        if (inputs.size() != specs.size()) {
            throw new IllegalArgumentException("unexpected inputs " + inputs.keySet() + "; the model's inputs are "
                    + names(specs));
        }
        ShapeKey key = new ShapeKey(shapes);
        PlannedRun execution = executions.acquire(key, this::newExecution);
        try {
            return execution.run(given, layerNanos);
        } finally {
            executions.release(key, execution);
        }
    }

    /**
     * Bytes of native memory this model holds in arenas now (idle ones kept for reuse, and those of runs in flight);
     * at most {@link #arenaCacheBudgetBytes()} once no run is in flight.
     */
    public long arenaCacheBytes() {
        return executions.heldBytes();
    }

    /** The arena budget in force now (see {@link ModelOptions#arenaCacheBytes()}). */
    public long arenaCacheBudgetBytes() {
        return executions.budgetBytes();
    }

    /** The shapes of every layer output for the declared inputs with free dims set to {@code batch}. */
    public List<long[]> layerOutputShapes(long batch) {
        ExecutionPlan plan = plan(declaredShapes(batch));
        return Arrays.asList(plan.shapes).subList(description.inputs().size(), plan.shapes.length);
    }

    /**
     * For each layer, the index of the convolution or linear layer whose output pass does its work (an activation or
     * a residual Add fused at load), or -1 where the layer runs as itself.
     */
    public int[] layerFusedInto() {
        return fusedInto.clone();
    }

    /** Learned parameters of each layer as in the model file (running statistics excluded). */
    public long[] layerParameterCounts() {
        return parameterCounts.clone();
    }

    /** Multiply-accumulates of each layer for the declared inputs with free dims set to {@code batch}. */
    public long[] layerMacs(long batch) {
        return macs(plan(declaredShapes(batch)));
    }

    private long[] macs(ExecutionPlan plan) {
        long[] macs = new long[layers.size()];
        for (int l = 0; l < layers.size(); l++) {
            macs[l] = layers.get(l).macs(ExecutionPlan.shapesOf(plan.shapes, layerInputs[l]),
                    plan.shapes[description.inputs().size() + l]);
        }
        return macs;
    }

    /**
     * Floats of the arena one run needs at this batch size (activations plus the largest workspace) with every layer
     * on the whole batch. A run that splits the batch into samples (SplitExecution) needs less with one thread; with
     * several, each thread running samples side by side holds a batch-1 arena of the first layers of its own.
     */
    public long arenaFloats(long batch) {
        return plan(declaredShapes(batch)).arenaFloats;
    }

    /**
     * As {@link #layerOutputShapes(long)}, for given input shapes by input name (every dim fixed, the batch
     * included): what a model with free dims other than the batch (dynamic height and width) does at those sizes.
     *
     * @throws IllegalArgumentException if an input is missing or unknown, or a shape does not fit the model
     */
    public List<long[]> layerOutputShapes(Map<String, long[]> inputShapes) {
        ExecutionPlan plan = plan(shapesOf(inputShapes));
        return Arrays.asList(plan.shapes).subList(description.inputs().size(), plan.shapes.length);
    }

    /** As {@link #layerMacs(long)}, for given input shapes by input name (see {@link #layerOutputShapes(Map)}). */
    public long[] layerMacs(Map<String, long[]> inputShapes) {
        return macs(plan(shapesOf(inputShapes)));
    }

    /** As {@link #arenaFloats(long)}, for given input shapes by input name (see {@link #layerOutputShapes(Map)}). */
    public long arenaFloats(Map<String, long[]> inputShapes) {
        return plan(shapesOf(inputShapes)).arenaFloats;
    }

    private long[][] shapesOf(Map<String, long[]> given) {
        List<InputSpec> specs = description.inputs();
        if (!given.keySet().equals(new HashSet<>(names(specs)))) {
            throw new IllegalArgumentException("input shapes given for " + given.keySet() + "; the model's inputs are "
                    + names(specs));
        }
        long[][] shapes = new long[specs.size()][];
        for (int i = 0; i < specs.size(); i++) {
            shapes[i] = checkInputShape(specs.get(i), given.get(specs.get(i).name()).clone());
            for (long d : shapes[i]) {
                if (d < 1) {
                    throw new IllegalArgumentException("input '" + specs.get(i).name() + "': shape "
                            + Arrays.toString(shapes[i]) + " must have every dim fixed (>= 1)");
                }
            }
        }
        return shapes;
    }

    /** True if no input has a free dim other than its first (the batch). */
    private static boolean onlyBatchDimsFree(List<InputSpec> inputs) {
        for (InputSpec in : inputs) {
            for (int d = 1; d < in.shape().length; d++) {
                if (in.shape()[d] == -1) {
                    return false;
                }
            }
        }
        return true;
    }

    private long[][] declaredShapes(long batch) {
        List<InputSpec> specs = description.inputs();
        long[][] shapes = new long[specs.size()][];
        for (int i = 0; i < specs.size(); i++) {
            shapes[i] = specs.get(i).shape().clone();
            for (int d = 0; d < shapes[i].length; d++) {
                if (shapes[i][d] == -1) {
                    shapes[i][d] = batch;
                }
            }
        }
        return shapes;
    }

    /** How many leading layers a run of a one-input model at this batch runs on slices of it (0: none); for tests. */
    int splitPoint(long batch) {
        return SplitExecution.splitPoint(plan(declaredShapes(batch)), layers, description.inputs().get(0).shape(),
                samplewisePrefix);
    }

    /** The run of these shapes: split into slices of the batch where {@link SplitExecution#splitPoint} says so. */
    private PlannedRun newExecution(ShapeKey key) {
        ExecutionPlan full = plan(key.shapes);
        int cut = SplitExecution.splitPoint(full, layers, description.inputs().get(0).shape(), samplewisePrefix);
        if (cut > 0) {
            return SplitExecution.create(key.shapes[0], cut, NativeCore.cnn4j_get_num_threads(), description.name(),
                    layers, layerNames, layerInputs, outputs, description.outputs());
        }
        return new Execution(full, description.name(), layers, layerNames, layerInputs, outputs,
                description.outputs());
    }

    private ExecutionPlan plan(long[][] inputShapes) {
        return ExecutionPlan.create(layers, layerNames, layerInputs, outputs, inputShapes);
    }

    private static long[] checkInputShape(InputSpec spec, long[] shape) {
        long[] declared = spec.shape();
        boolean ok = shape.length == declared.length;
        for (int d = 0; ok && d < shape.length; d++) {
            ok = declared[d] == -1 || declared[d] == shape[d];
        }
        if (!ok) {
            throw new IllegalArgumentException("input '" + spec.name() + "' has shape " + Arrays.toString(shape)
                    + ", but the model expects " + Arrays.toString(declared) + " (-1 = any size)");
        }
        return shape;
    }

    private static List<String> names(List<InputSpec> specs) {
        return specs.stream().map(InputSpec::name).toList();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("model " + description.name() + " is closed");
        }
    }

    /** Frees the weights and every pooled arena, after runs in progress on other threads have finished. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            executions.close();
            layers.forEach(Layer::close);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** The input shapes a plan is for, as a map key (no string building on each run). */
    private static final class ShapeKey {
        private final long[][] shapes;
        private final int hash;

        ShapeKey(long[][] shapes) {
            this.shapes = shapes;
            this.hash = Arrays.deepHashCode(shapes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ShapeKey k && k.hash == hash && Arrays.deepEquals(k.shapes, shapes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
