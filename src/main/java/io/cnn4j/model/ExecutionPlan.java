package io.cnn4j.model;

import io.cnn4j.Shapes;
import io.cnn4j.layers.Layer;
import io.cnn4j.layers.Layer.Aliasing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The memory plan of a model for one set of input shapes: the shape of every value, and where each intermediate
 * value lives in one arena. Values whose lifetimes do not overlap share memory (first-fit by decreasing size, as
 * XNNPACK's memory planner); views (Flatten, Identity...) and in-place layers share their input's memory outright.
 *
 * <p>Values are numbered: model inputs 0..I-1, then layer l's output is value I + l. Model inputs are the
 * caller's tensors and have no arena offset (buffer -1).
 */
final class ExecutionPlan {
    private static final String ARENA = "the arena (activations and workspace)";

    final int numInputs;
    final long[][] shapes;
    /** Index of the buffer holding each value, or -1 for model inputs and views of them. */
    final int[] bufferOf;
    /** Arena offset (floats) of each buffer. */
    final long[] bufferOffset;
    final long workspaceOffset;
    final long workspaceFloats;
    final long arenaFloats;

    private ExecutionPlan(int numInputs, long[][] shapes, int[] bufferOf, long[] bufferOffset, long workspaceOffset,
            long workspaceFloats) {
        this.numInputs = numInputs;
        this.shapes = shapes;
        this.bufferOf = bufferOf;
        this.bufferOffset = bufferOffset;
        this.workspaceOffset = workspaceOffset;
        this.workspaceFloats = workspaceFloats;
        this.arenaFloats = workspaceOffset + workspaceFloats;
    }

    /**
     * @param layerInputs for each layer, the value indices it consumes
     * @param outputs the value indices the model returns (kept alive to the end)
     */
    static ExecutionPlan create(List<Layer> layers, List<String> layerNames, int[][] layerInputs, int[] outputs,
            long[][] inputShapes) {
        int numInputs = inputShapes.length;
        int numValues = numInputs + layers.size();
        long[][] shapes = new long[numValues][];
        System.arraycopy(inputShapes, 0, shapes, 0, numInputs);
        long workspace = 0;
        for (int l = 0; l < layers.size(); l++) {
            List<long[]> in = shapesOf(shapes, layerInputs[l]);
            try {
                long[] out = layers.get(l).outputShape(in);
                Shapes.checkShape("output shape", out);
                shapes[numInputs + l] = out;
                workspace = Math.max(workspace, Shapes.checkElements("workspace", layers.get(l).workspaceSize(in)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(layerNames.get(l) + ": " + e.getMessage() + " (input shapes "
                        + describe(in) + ")", e);
            }
        }

        // Last layer that reads each value; model outputs live to the end.
        int[] lastUse = new int[numValues];
        Arrays.fill(lastUse, -1);
        for (int l = 0; l < layers.size(); l++) {
            for (int v : layerInputs[l]) {
                lastUse[v] = Math.max(lastUse[v], l);
            }
        }
        for (int v : outputs) {
            lastUse[v] = layers.size();
        }

        // Assign values to buffers: a view or an in-place layer reuses its input's buffer.
        int[] bufferOf = new int[numValues];
        Arrays.fill(bufferOf, 0, numInputs, -1);
        List<long[]> buffers = new ArrayList<>(); // {size, firstDef, lastUse}
        for (int l = 0; l < layers.size(); l++) {
            int v = numInputs + l;
            Aliasing aliasing = layers.get(l).aliasing();
            int source = layerInputs[l].length == 1 ? layerInputs[l][0] : -1;
            boolean reuse = aliasing == Aliasing.VIEW
                    || (aliasing == Aliasing.IN_PLACE_OK && source >= numInputs && bufferOf[source] >= 0
                            && lastUseOfBuffer(bufferOf, lastUse, bufferOf[source], numInputs, v) <= l
                            && Arrays.equals(shapes[source], shapes[v]));
            if (reuse && source >= 0) {
                bufferOf[v] = bufferOf[source];
                if (bufferOf[v] >= 0) {
                    long[] b = buffers.get(bufferOf[v]);
                    b[0] = Math.max(b[0], Shapes.numel(shapes[v]));
                }
            } else {
                bufferOf[v] = buffers.size();
                buffers.add(new long[] {Shapes.numel(shapes[v]), l, l});
            }
        }
        for (int v = numInputs; v < numValues; v++) {
            if (bufferOf[v] >= 0) {
                long[] b = buffers.get(bufferOf[v]);
                b[2] = Math.max(b[2], Math.max(lastUse[v], v - numInputs));
            }
        }

        // First-fit placement, largest buffers first.
        Integer[] order = new Integer[buffers.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(buffers.get(b)[0], buffers.get(a)[0]));
        long[] offsets = new long[buffers.size()];
        List<Integer> placed = new ArrayList<>();
        long arena = 0;
        for (int b : order) {
            long[] buf = buffers.get(b);
            List<long[]> taken = new ArrayList<>(); // {offset, end} of overlapping-in-time buffers
            for (int p : placed) {
                long[] other = buffers.get(p);
                if (other[1] <= buf[2] && buf[1] <= other[2]) {
                    taken.add(new long[] {offsets[p], offsets[p] + other[0]});
                }
            }
            taken.sort((x, y) -> Long.compare(x[0], y[0]));
            long offset = 0;
            for (long[] t : taken) {
                if (offset + buf[0] <= t[0]) {
                    break;
                }
                offset = Math.max(offset, t[1]);
            }
            offsets[b] = offset;
            placed.add(b);
            // Each buffer is at most MAX_ELEMENTS, so checking the running end keeps every sum in range.
            arena = Math.max(arena, Shapes.checkElements(ARENA, offset + buf[0]));
        }
        Shapes.checkElements(ARENA, alignUp(arena) + workspace);
        return new ExecutionPlan(numInputs, shapes, bufferOf, offsets, alignUp(arena), workspace);
    }

    /** The model inputs' shapes, for messages. */
    String inputShapesText() {
        return describe(Arrays.asList(shapes).subList(0, numInputs));
    }

    /** The last layer reading any value held in buffer {@code b} before value {@code upTo}. */
    private static int lastUseOfBuffer(int[] bufferOf, int[] lastUse, int b, int numInputs, int upTo) {
        int last = -1;
        for (int v = numInputs; v < upTo; v++) {
            if (bufferOf[v] == b) {
                last = Math.max(last, lastUse[v]);
            }
        }
        return last;
    }

    static List<long[]> shapesOf(long[][] shapes, int[] values) {
        List<long[]> out = new ArrayList<>(values.length);
        for (int v : values) {
            out.add(shapes[v]);
        }
        return out;
    }

    static String describe(List<long[]> shapes) {
        StringBuilder sb = new StringBuilder();
        for (long[] s : shapes) {
            sb.append(sb.length() == 0 ? "" : ", ").append(Arrays.toString(s));
        }
        return sb.toString();
    }

    /** Keeps the workspace 64-byte aligned, as vector kernels like it. */
    private static long alignUp(long floats) {
        return (floats + 15) / 16 * 16;
    }
}
