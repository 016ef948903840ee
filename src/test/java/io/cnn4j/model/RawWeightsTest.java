package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeMemory;
import io.cnn4j.layers.ConvLayerProbe;
import io.cnn4j.layers.Layer;
import io.cnn4j.onnx.OnnxTensorData;
import io.cnn4j.onnx.SafetensorsWriter;
import io.cnn4j.testing.Oracle;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model loaded from files frees a convolution's raw weights once it has made the forms its input shapes run, and
 * re-reads them from the weights file (batch norm folded again) to make another: results stay bit for bit those of a
 * model that keeps them ({@link ModelOptions#withRawWeightsKept}), through new shapes that pick other algorithms, the
 * exact path for inputs holding NaN and Inf, and concurrent first runs; a weights file changed or gone by then fails
 * that run with a message saying so; depthwise convolutions and models from streams keep their raw weights.
 */
class RawWeightsTest {
    /**
     * A ResNet-like block, relu(bn2(c2(relu(bn1(c1(x))))) + x), then a strided convolution (im2col, packed) and a
     * depthwise one (which reads its raw weights on every run).
     */
    private static final String BLOCK = """
            {"cnn4j": 1, "weights": "block.safetensors", "inputs": [{"name": "x", "shape": [-1, 64, -1, -1]}],
             "layers": [
               {"type": "Conv2d", "name": "c1", "in_channels": 64, "out_channels": 64, "kernel_size": 3,
                "padding": 1, "bias": false},
               {"type": "BatchNorm2d", "name": "bn1", "num_features": 64},
               {"type": "ReLU"},
               {"type": "Conv2d", "name": "c2", "in_channels": 64, "out_channels": 64, "kernel_size": 3,
                "padding": 1, "bias": false},
               {"type": "BatchNorm2d", "name": "bn2", "num_features": 64},
               {"type": "Add", "inputs": ["bn2", "x"]},
               {"type": "ReLU"},
               {"type": "Conv2d", "name": "down", "in_channels": 64, "out_channels": 64, "kernel_size": 3,
                "stride": 2, "padding": 1},
               {"type": "Conv2d", "name": "dw", "in_channels": 64, "out_channels": 64, "kernel_size": 3,
                "padding": 1, "groups": 64}
             ]}""";
    /** The conv layers' indices in BLOCK, and which of them may free their raw weights (not the depthwise one). */
    private static final int[] CONVS = {0, 3, 7, 8};
    private static final boolean[] FREES = {true, true, true, false};

    /** Input shapes that pick, in turn: F(4,3), F(2,3) (7x7 at batch 1), F(4,3) at batch 4, im2col (2x2). */
    private static final long[][] SHAPES = {{1, 64, 16, 16}, {1, 64, 7, 7}, {4, 64, 7, 7}, {1, 64, 2, 2}};

    @TempDir
    Path dir;

    @Test
    void resultsEqualAModelThatKeepsItsRawWeightsBitForBit() throws Exception {
        Path json = writeModel(new Random(1));
        Random r = new Random(2);
        try (Model freeing = Model.load(json); Model keeping = Model.load(json, keep())) {
            assertHeld(keeping, true, true, true, true);
            assertHeld(freeing, true, true, true, true); // nothing derived yet: the load only checked shapes
            run(freeing, keeping, Oracle.uniform(r, Math.toIntExact(numel(SHAPES[0]))), SHAPES[0]);
            assertHeld(freeing, false, false, false, true); // transformed (c1, c2), packed (down); depthwise kept
            assertHeld(keeping, true, true, true, true);
            for (long[] shape : SHAPES) { // each new shape re-reads what it needs, and frees it again
                run(freeing, keeping, Oracle.uniform(r, Math.toIntExact(numel(shape))), shape);
                assertHeld(freeing, false, false, false, true);
            }
            // NaN and Inf send the Winograd layers to the exact path, packed on first need from re-read weights.
            for (long[] shape : new long[][] {SHAPES[0], SHAPES[1]}) {
                float[] x = Oracle.uniform(r, Math.toIntExact(numel(shape)));
                x[17] = Float.NaN;
                x[x.length - 3] = Float.NEGATIVE_INFINITY;
                run(freeing, keeping, x, shape);
                assertHeld(freeing, false, false, false, true);
            }
        }
    }

    @Test
    void concurrentFirstRunsOfNewShapesGiveTheSameResults() throws Exception {
        Path json = writeModel(new Random(3));
        Random r = new Random(4);
        List<float[]> inputs = new ArrayList<>();
        for (long[] shape : SHAPES) {
            inputs.add(Oracle.uniform(r, Math.toIntExact(numel(shape))));
        }
        List<float[]> expected = new ArrayList<>();
        try (Model keeping = Model.load(json, keep())) {
            for (int i = 0; i < SHAPES.length; i++) {
                expected.add(runOnce(keeping, inputs.get(i), SHAPES[i]));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Model freeing = Model.load(json)) {
            for (int round = 0; round < 2; round++) { // the first round derives every form, the second reuses them
                List<Future<float[]>> results = new ArrayList<>();
                for (int i = 0; i < SHAPES.length; i++) {
                    int s = i;
                    results.add(pool.submit(() -> runOnce(freeing, inputs.get(s), SHAPES[s])));
                }
                for (int i = 0; i < SHAPES.length; i++) {
                    assertArrayEquals(expected.get(i), results.get(i).get(), "shape " + i + ", round " + round);
                }
            }
            assertHeld(freeing, false, false, false, true);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aChangedWeightsFileFailsTheRunThatNeedsItAndSaysWhy() throws Exception {
        Path json = writeModel(new Random(5));
        Path weights = dir.resolve("block.safetensors");
        try (Model model = Model.load(json)) {
            runOnce(model, Oracle.uniform(new Random(6), Math.toIntExact(numel(SHAPES[0]))), SHAPES[0]);
            // Rewritten with the same values (a copy put back, a touched file): re-reading is still safe.
            byte[] original = Files.readAllBytes(weights);
            Files.write(weights, original);
            runOnce(model, Oracle.uniform(new Random(7), Math.toIntExact(numel(SHAPES[1]))), SHAPES[1]);

            // Other values: the next form to make (the exact path of the Winograd layers, for an input holding NaN)
            // must not be made from them.
            writeWeights(new Random(8));
            IllegalStateException changed = assertThrows(IllegalStateException.class,
                    () -> runOnce(model, withNaN(new Random(9), SHAPES[0]), SHAPES[0]));
            assertMentions(changed, "changed since the model was loaded", "c1.weight", "block.safetensors",
                    "withRawWeightsKept(true)");

            Files.delete(weights);
            IllegalStateException gone = assertThrows(IllegalStateException.class,
                    () -> runOnce(model, withNaN(new Random(9), SHAPES[1]), SHAPES[1]));
            assertMentions(gone, "cannot re-read the weights", "c1.weight", "block.safetensors",
                    "withRawWeightsKept(true)");

            // The shapes whose forms were made before still run.
            runOnce(model, Oracle.uniform(new Random(10), Math.toIntExact(numel(SHAPES[0]))), SHAPES[0]);
        }
    }

    @Test
    void aModelThatKeepsItsRawWeightsNeedsNoFileAfterLoading() throws Exception {
        Path json = writeModel(new Random(11));
        float[] x = Oracle.uniform(new Random(12), Math.toIntExact(numel(SHAPES[1])));
        float[] expected;
        try (Model model = Model.load(json, keep())) {
            runOnce(model, Oracle.uniform(new Random(13), Math.toIntExact(numel(SHAPES[0]))), SHAPES[0]);
            expected = runOnce(model, x, SHAPES[1]);
        }
        try (Model model = Model.load(json, keep())) {
            runOnce(model, Oracle.uniform(new Random(13), Math.toIntExact(numel(SHAPES[0]))), SHAPES[0]);
            Files.delete(dir.resolve("block.safetensors"));
            assertArrayEquals(expected, runOnce(model, x, SHAPES[1]));
            assertHeld(model, true, true, true, true);
        }
    }

    @Test
    void modelsFromStreamsKeepTheirRawWeights() throws Exception {
        Path json = writeModel(new Random(14));
        float[] x = Oracle.uniform(new Random(15), Math.toIntExact(numel(SHAPES[0])));
        try (InputStream j = Files.newInputStream(json);
                InputStream w = Files.newInputStream(dir.resolve("block.safetensors"));
                Model streamed = Model.load(j, w);
                Model fromFiles = Model.load(json)) {
            assertArrayEquals(runOnce(fromFiles, x, SHAPES[0]), runOnce(streamed, x, SHAPES[0]));
            assertHeld(streamed, true, true, true, true);
            assertHeld(fromFiles, false, false, false, true);
        }
    }

    @Test
    void closingAModelFreesEverythingItHeld() throws Exception {
        Path json = writeModel(new Random(16));
        long before = NativeMemory.allocatedBytes();
        try (Model model = Model.load(json)) {
            for (long[] shape : SHAPES) {
                runOnce(model, Oracle.uniform(new Random(17), Math.toIntExact(numel(shape))), shape);
            }
            float[] x = Oracle.uniform(new Random(18), Math.toIntExact(numel(SHAPES[0])));
            x[0] = Float.NaN;
            runOnce(model, x, SHAPES[0]);
            assertTrue(NativeMemory.allocatedBytes() > before);
        }
        // Not equal: the Cleaner may free other tests' unclosed tensors meanwhile, never add any.
        assertTrue(NativeMemory.allocatedBytes() <= before, "native memory left after close: "
                + (NativeMemory.allocatedBytes() - before) + " bytes");
    }

    private static float[] withNaN(Random r, long[] shape) {
        float[] x = Oracle.uniform(r, Math.toIntExact(numel(shape)));
        x[3] = Float.NaN;
        return x;
    }

    private static ModelOptions keep() {
        return ModelOptions.DEFAULT.withRawWeightsKept(true);
    }

    /** Runs both models on x and checks their outputs are equal bit for bit. */
    private static void run(Model freeing, Model keeping, float[] x, long[] shape) {
        assertArrayEquals(runOnce(keeping, x, shape), runOnce(freeing, x, shape),
                "shape " + java.util.Arrays.toString(shape));
    }

    private static float[] runOnce(Model model, float[] x, long[] shape) {
        try (Tensor in = Tensor.of(x, shape); Tensor out = model.run(in)) {
            return out.toFloatArray();
        }
    }

    /** Whether each convolution of BLOCK holds its raw weights now (c1, c2, down, dw). */
    private static void assertHeld(Model model, boolean... held) {
        List<Layer> layers = model.layers();
        for (int i = 0; i < CONVS.length; i++) {
            assertEquals(held[i], ConvLayerProbe.rawWeightsHeld(layers.get(CONVS[i])),
                    "layer " + CONVS[i] + (FREES[i] ? "" : " (depthwise)") + " holds its raw weights");
        }
    }

    private Path writeModel(Random r) throws Exception {
        Path json = dir.resolve("block.json");
        Files.writeString(json, BLOCK);
        writeWeights(r);
        return json;
    }

    /** BLOCK's weights, with non-trivial batch norm statistics so that folding changes the weights. */
    private void writeWeights(Random r) throws Exception {
        Map<String, OnnxTensorData> t = new LinkedHashMap<>();
        for (String conv : new String[] {"c1", "c2", "down"}) {
            t.put(conv + ".weight", new OnnxTensorData(new long[] {64, 64, 3, 3}, Oracle.uniform(r, 64 * 64 * 9)));
        }
        t.put("down.bias", new OnnxTensorData(new long[] {64}, Oracle.uniform(r, 64)));
        t.put("dw.weight", new OnnxTensorData(new long[] {64, 1, 3, 3}, Oracle.uniform(r, 64 * 9)));
        t.put("dw.bias", new OnnxTensorData(new long[] {64}, Oracle.uniform(r, 64)));
        for (String bn : new String[] {"bn1", "bn2"}) {
            float[] var = new float[64];
            for (int i = 0; i < 64; i++) {
                var[i] = 0.5f + r.nextFloat();
            }
            t.put(bn + ".running_mean", new OnnxTensorData(new long[] {64}, Oracle.uniform(r, 64)));
            t.put(bn + ".running_var", new OnnxTensorData(new long[] {64}, var));
            t.put(bn + ".weight", new OnnxTensorData(new long[] {64}, Oracle.uniform(r, 64)));
            t.put(bn + ".bias", new OnnxTensorData(new long[] {64}, Oracle.uniform(r, 64)));
        }
        SafetensorsWriter.write(dir.resolve("block.safetensors"), t, Map.of());
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
        assertFalse(e.getMessage().isBlank());
    }
}
