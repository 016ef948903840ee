package io.cnn4j.model;

import io.cnn4j.Shapes;
import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import io.cnn4j.jni.NativeMemory;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.Layer.Aliasing;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;

/**
 * One arena, its tensor views and every layer prepared for one {@link ExecutionPlan}: what a run of a model at one set
 * of input shapes needs, made once and pooled by {@link Model}. Used by one run at a time.
 */
final class Execution implements PlannedRun {
    private final ExecutionPlan plan;
    private final List<Layer> layers;
    private final List<String> layerNames;
    private final int[][] layerInputs;
    private final int[] outputs;
    private final List<String> outputNames;
    private final FloatPointer arena;
    private final long arenaFloats;
    private final Tensor[] values;
    private final FloatPointer workspace;
    private final FloatPointer workspaceRegion;
    /** Each layer prepared for this plan's shapes (null for views), and a reusable array for its inputs. */
    private final Layer.Step[] steps;
    private final Tensor[][] stepInputs;

    /**
     * @param layerNames  each layer as error messages name it
     * @param layerInputs each layer's input values (model inputs first, then layer outputs in order)
     * @param outputs     the values the model returns, named by {@code outputNames}
     * @throws IllegalArgumentException if a layer refuses the plan's shapes (the message names the layer)
     */
    Execution(ExecutionPlan plan, String modelName, List<Layer> layers, List<String> layerNames, int[][] layerInputs,
            int[] outputs, List<String> outputNames) {
        this(plan, modelName, layers, layerNames, layerInputs, outputs, outputNames, plan.workspaceFloats, null);
    }

    /**
     * As the plain constructor, with the workspace sized or shared: {@code workspaceFloats} (at least the plan's) after
     * the plan's tensors in this arena, or, where {@code sharedWorkspace} is not null, that one: another execution's,
     * which never runs at the same time as this one (the two parts of a {@link SplitExecution}), of at least the
     * plan's size.
     */
    Execution(ExecutionPlan plan, String modelName, List<Layer> layers, List<String> layerNames, int[][] layerInputs,
            int[] outputs, List<String> outputNames, long workspaceFloats, FloatPointer sharedWorkspace) {
        if (workspaceFloats < plan.workspaceFloats || (sharedWorkspace != null
                && sharedWorkspace.limit() - sharedWorkspace.position() < plan.workspaceFloats)) {
            throw new IllegalStateException("a workspace smaller than the plan's " + plan.workspaceFloats + " floats");
        }
        this.plan = plan;
        this.layers = layers;
        this.layerNames = layerNames;
        this.layerInputs = layerInputs;
        this.outputs = outputs;
        this.outputNames = outputNames;
        this.arenaFloats = plan.workspaceOffset + (sharedWorkspace == null ? workspaceFloats : 0);
        this.arena = NativeMemory.allocateFloats(arenaFloats, "the arena of model " + modelName
                + " for input shapes " + plan.inputShapesText());
        this.values = new Tensor[plan.shapes.length];
        for (int v = 0; v < values.length; v++) {
            int b = plan.bufferOf[v];
            if (b >= 0) {
                values[v] = Tensor.wrap(arena, plan.bufferOffset[b], plan.shapes[v]);
            }
        }
        this.workspaceRegion = sharedWorkspace != null ? sharedWorkspace
                : new FloatPointer(arena).position(plan.workspaceOffset).limit(arenaFloats);
        // Exactly the plan's size, however large the region: the layers see the workspace they were planned with.
        this.workspace = new FloatPointer(workspaceRegion).position(workspaceRegion.position())
                .limit(workspaceRegion.position() + plan.workspaceFloats);
        this.steps = new Layer.Step[layers.size()];
        this.stepInputs = new Tensor[layers.size()][];
        for (int l = plan.firstLayer; l < layers.size(); l++) {
            stepInputs[l] = new Tensor[layerInputs[l].length];
            if (layers.get(l).aliasing() != Aliasing.VIEW) {
                try {
                    steps[l] = layers.get(l).prepare(ExecutionPlan.shapesOf(plan.shapes, layerInputs[l]));
                } catch (IllegalArgumentException e) {
                    arena.close();
                    throw new IllegalArgumentException(layerNames.get(l) + ": " + e.getMessage(), e);
                } catch (RuntimeException e) { // e.g. weights that had to be re-read and could not be
                    arena.close();
                    throw e;
                }
            }
        }
    }

    /**
     * Runs every layer and returns copies of the outputs by name.
     *
     * @param layerNanos null, or one slot per layer to which each layer's wall time in nanoseconds is added (views
     *                   and fused-away layers take none); timing costs two clock reads per layer
     */
    @Override
    public Map<String, Tensor> run(Tensor[] inputs, long[] layerNanos) {
        Tensor[] bound = runLayers(inputs, layerNanos);
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (int o = 0; o < outputs.length; o++) {
            Tensor src = bound[outputs[o]];
            Tensor copy = Tensor.empty(src.shape());
            long n = Shapes.numel(src.shape());
            // Through the core, not Pointer.memcpy: JavaCPP offsets a plain Pointer by bytes, not floats.
            NativeCore.check(NativeCore.cnn4j_copy_into(1, n, src.pointer(), n, 0, copy.pointer()),
                    "cnn4j_copy_into");
            result.put(outputNames.get(o), copy);
        }
        return result;
    }

    /**
     * Runs the plan's layers (from its first layer on: the values of the layers before must be in their arena tensors,
     * {@link #value}) and returns every value's tensor: views into the arena, or of the inputs. Valid until the next run.
     */
    Tensor[] runLayers(Tensor[] inputs, long[] layerNanos) {
        int numInputs = inputs.length;
        Tensor[] bound = values.clone();
        System.arraycopy(inputs, 0, bound, 0, numInputs);
        for (int l = plan.firstLayer; l < layers.size(); l++) {
            int v = numInputs + l;
            Layer layer = layers.get(l);
            if (layer.aliasing() == Aliasing.VIEW) {
                if (plan.bufferOf[v] < 0) { // a view of a model input: the caller's memory
                    bound[v] = bound[layerInputs[l][0]].view(plan.shapes[v]);
                }
                continue;
            }
            Tensor[] in = stepInputs[l];
            for (int i = 0; i < in.length; i++) {
                in[i] = bound[layerInputs[l][i]];
            }
            long start = layerNanos == null ? 0 : System.nanoTime();
            try {
                steps[l].run(in, bound[v], workspace);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(layerNames.get(l) + ": " + e.getMessage(), e);
            }
            if (layerNanos != null) {
                layerNanos[l] += System.nanoTime() - start;
            }
        }
        return bound;
    }

    /** The arena tensor of value {@code v} (null for model inputs and their views). */
    Tensor value(int v) {
        return values[v];
    }

    /** This execution's plan. */
    ExecutionPlan plan() {
        return plan;
    }

    /** The memory this execution's workspace is in, all of it (for a {@link SplitExecution}'s other part to share). */
    FloatPointer workspaceRegion() {
        return workspaceRegion;
    }

    @Override
    public long bytes() {
        return Math.max(1, arenaFloats) * Float.BYTES; // NativeMemory allocates at least one float
    }

    @Override
    public void close() {
        arena.close();
    }
}
