package io.cnn4j.model;

import io.cnn4j.Limits;
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
    /** Layers before this one run elsewhere (SplitExecution's prefix): this plan only holds the values they hand on. */
    final int firstLayer;
    final long[][] shapes;
    /** Index of the buffer holding each value, or -1 for model inputs and views of them. */
    final int[] bufferOf;
    /** Arena offset (floats) of each buffer. */
    final long[] bufferOffset;
    final long workspaceOffset;
    final long workspaceFloats;
    final long arenaFloats;

    private ExecutionPlan(int numInputs, int firstLayer, long[][] shapes, int[] bufferOf, long[] bufferOffset,
            long workspaceOffset, long workspaceFloats) {
        this.numInputs = numInputs;
        this.firstLayer = firstLayer;
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
        return create(layers, layerNames, layerInputs, outputs, inputShapes, 0);
    }

    /**
     * The plan of layers {@code firstLayer..} only, the layers before having run elsewhere: of their values, only those
     * a later layer reads or the model returns get memory (each its own buffer, alive from {@code firstLayer} on), for
     * the caller to fill before the run; the others get none, and those layers no workspace.
     */
    static ExecutionPlan create(List<Layer> layers, List<String> layerNames, int[][] layerInputs, int[] outputs,
            long[][] inputShapes, int firstLayer) {
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
                Limits.RANK.check("output shape", Arrays.toString(out).length() > 200 ? "its output" : "output "
                        + Arrays.toString(out), out.length);
                shapes[numInputs + l] = out;
                if (l >= firstLayer) {
                    workspace = Math.max(workspace, Shapes.checkElements("workspace", layers.get(l).workspaceSize(in)));
                }
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

        // Assign values to buffers: a view or an in-place layer reuses its input's buffer, if no later layer reads
        // any value held there (each buffer's last reader so far is kept up to date, so this is one lookup).
        int[] bufferOf = new int[numValues];
        Arrays.fill(bufferOf, 0, numInputs, -1);
        List<long[]> buffers = new ArrayList<>(); // {size, firstDef, lastUse}
        for (int l = 0; l < layers.size(); l++) {
            int v = numInputs + l;
            if (l < firstLayer) { // computed elsewhere: memory only for what the layers from firstLayer on need
                bufferOf[v] = -1;
                if (lastUse[v] >= firstLayer) {
                    bufferOf[v] = buffers.size();
                    buffers.add(new long[] {Shapes.numel(shapes[v]), firstLayer, lastUse[v]});
                }
                continue;
            }
            Aliasing aliasing = layers.get(l).aliasing();
            int source = layerInputs[l].length == 1 ? layerInputs[l][0] : -1;
            boolean reuse = aliasing == Aliasing.VIEW
                    || (aliasing == Aliasing.IN_PLACE_OK && source >= numInputs && bufferOf[source] >= 0
                            && buffers.get(bufferOf[source])[2] <= l
                            && Arrays.equals(shapes[source], shapes[v]));
            if (reuse && source >= 0) {
                bufferOf[v] = bufferOf[source];
                if (bufferOf[v] >= 0) {
                    long[] b = buffers.get(bufferOf[v]);
                    b[0] = Math.max(b[0], Shapes.numel(shapes[v]));
                    b[2] = Math.max(b[2], Math.max(lastUse[v], l));
                }
            } else {
                bufferOf[v] = buffers.size();
                buffers.add(new long[] {Shapes.numel(shapes[v]), l, Math.max(lastUse[v], l)});
            }
        }

        long[] offsets = new long[buffers.size()];
        long arena = placeFirstFit(buffers, offsets, layers.size());
        Shapes.checkElements(ARENA, alignUp(arena) + workspace);
        return new ExecutionPlan(numInputs, firstLayer, shapes, bufferOf, offsets, alignUp(arena), workspace);
    }

    /** The model inputs' shapes, for messages. */
    String inputShapesText() {
        return describe(Arrays.asList(shapes).subList(0, numInputs));
    }

    /**
     * First-fit placement, largest buffers first (as XNNPACK's planner): each buffer goes at the lowest offset where
     * it overlaps no placed buffer alive at the same time. Only the buffers alive with it are looked at ({@link
     * Lifetimes}), so a chain of layers plans in O(n log n). A graph that keeps very many values alive at once could
     * still make that quadratic; past {@link #PLACEMENT_WORK_PER_BUFFER} looks per buffer on average, the remaining
     * (smallest) buffers are stacked above the others instead, which bounds the work and costs only memory.
     *
     * @return the arena size (floats) the buffers need
     */
    private static long placeFirstFit(List<long[]> buffers, long[] offsets, int numLayers) {
        Integer[] order = new Integer[buffers.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(buffers.get(b)[0], buffers.get(a)[0]));
        Lifetimes placed = new Lifetimes(numLayers + 1);
        long workLeft = PLACEMENT_WORK_PER_BUFFER * (long) buffers.size() + PLACEMENT_WORK_BASE;
        long arena = 0;
        List<long[]> taken = new ArrayList<>(); // {offset, end} of placed buffers alive at the same time
        for (int b : order) {
            long[] buf = buffers.get(b);
            long offset;
            if (workLeft <= 0) {
                offset = arena;
            } else {
                taken.clear();
                placed.forEachOverlapping((int) buf[1], (int) buf[2],
                        p -> taken.add(new long[] {offsets[p], offsets[p] + buffers.get(p)[0]}));
                workLeft -= taken.size() + 1;
                taken.sort((x, y) -> Long.compare(x[0], y[0]));
                offset = 0;
                for (long[] t : taken) {
                    if (offset + buf[0] <= t[0]) {
                        break;
                    }
                    offset = Math.max(offset, t[1]);
                }
                placed.add(b, (int) buf[1], (int) buf[2]);
            }
            offsets[b] = offset;
            // Each buffer is at most MAX_ELEMENTS, so checking the running end keeps every sum in range.
            arena = Math.max(arena, Shapes.checkElements(ARENA, offset + buf[0]));
        }
        return arena;
    }

    /** Average looks at other buffers per buffer before placement stops searching for gaps (see placeFirstFit). */
    static final int PLACEMENT_WORK_PER_BUFFER = 64;
    /** Looks every plan may take whatever its size: small graphs always get the full search. */
    static final int PLACEMENT_WORK_BASE = 1 << 20;

    /**
     * Placed buffers by lifetime [firstDef, lastUse] (layer indices, inclusive), to find those alive at the same time
     * as another: a segment tree answers "alive at layer t" in O(log n + answers), and a sorted map gives those
     * that start inside the other's lifetime. Each buffer is reported once: either it is alive when the other
     * starts, or it starts later, within the other's lifetime.
     */
    private static final class Lifetimes {
        private final int leaves;
        private final int[][] alive; // per tree node, the buffers whose lifetime covers the node's range
        private final int[] aliveCount;
        private final java.util.TreeMap<Integer, Integer> byStart = new java.util.TreeMap<>(); // one buffer per layer

        Lifetimes(int times) {
            int n = 1;
            while (n < times) {
                n <<= 1;
            }
            leaves = n;
            alive = new int[2 * n][];
            aliveCount = new int[2 * n];
        }

        void add(int buffer, int start, int end) {
            for (int lo = start + leaves, hi = end + leaves + 1; lo < hi; lo >>= 1, hi >>= 1) {
                if ((lo & 1) == 1) {
                    append(lo++, buffer);
                }
                if ((hi & 1) == 1) {
                    append(--hi, buffer);
                }
            }
            byStart.put(start, buffer);
        }

        void forEachOverlapping(int start, int end, java.util.function.IntConsumer action) {
            for (int node = start + leaves; node >= 1; node >>= 1) {
                for (int i = 0; i < aliveCount[node]; i++) {
                    action.accept(alive[node][i]);
                }
            }
            if (end > start) {
                byStart.subMap(start, false, end, true).values().forEach(action::accept);
            }
        }

        private void append(int node, int buffer) {
            if (alive[node] == null) {
                alive[node] = new int[2];
            } else if (aliveCount[node] == alive[node].length) {
                alive[node] = Arrays.copyOf(alive[node], 2 * aliveCount[node]);
            }
            alive[node][aliveCount[node]++] = buffer;
        }
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
