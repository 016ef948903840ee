package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.Tensor;
import io.cnn4j.testing.Oracle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Structure-aware mutations of real model files (a value replaced by an extreme one, a field dropped, a layer
 * duplicated or retyped): each mutant either loads and runs, or fails with a documented exception
 * (IllegalArgumentException, with its subclass WeightsFormatException; IOException for a missing file). Anything
 * else (ArithmeticException, IndexOutOfBounds, NullPointerException, a JVM abort) fails the test with the seed.
 * Mutants whose arena exceeds 64 Mi floats are planned but not run, so the test stays fast.
 */
class ModelJsonMutationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int CASES = 1500;
    private static final long RUN_LIMIT_FLOATS = 1L << 26;

    /** A model of weightless layers, so mutations reach shape inference rather than weight checks. */
    private static final String WEIGHTLESS = """
            {"cnn4j": 1, "name": "weightless", "inputs": [{"name": "x", "shape": [-1, 2, 9, 9]}],
             "layers": [
              {"type": "ReLU6"},
              {"type": "MaxPool2d", "kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1, "ceil_mode": true},
              {"type": "AvgPool2d", "kernel_size": 2, "stride": 1, "padding": 1, "count_include_pad": false},
              {"type": "LPPool2d", "norm_type": 2, "kernel_size": 2},
              {"type": "AdaptiveAvgPool2d", "output_size": [3, 3], "id": "a"},
              {"type": "AdaptiveMaxPool2d", "output_size": 2, "inputs": ["a"], "id": "b"},
              {"type": "LeakyReLU", "negative_slope": 0.1, "inputs": ["b"]},
              {"type": "Add", "inputs": ["b", "6"]},
              {"type": "Softmax", "dim": 1},
              {"type": "Flatten", "start_dim": 1, "end_dim": -1},
              {"type": "Unflatten", "dim": 1, "unflattened_size": [2, 4]},
              {"type": "Concat", "dim": 1, "inputs": ["10", "10"]}
             ]}""";

    @TempDir
    Path dir;

    @Test
    void mutantsLoadAndRunOrFailWithADocumentedException() throws Exception {
        Files.copy(Path.of("models/lenet5-mnist.safetensors"), dir.resolve("lenet5-mnist.safetensors"));
        Map<String, JsonNode> seeds = Map.of(
                "lenet5", JSON.readTree(Files.readString(Path.of("models/lenet5-mnist.json"))),
                "weightless", JSON.readTree(WEIGHTLESS));
        for (Map.Entry<String, JsonNode> seed : seeds.entrySet()) {
            loadAndRun(seed.getValue(), seed.getKey() + " unmutated must run", true);
        }
        int[] loaded = {0};
        Oracle.forEachSeed("model JSON mutants", CASES, (r, caseSeed) -> {
            String name = r.nextBoolean() ? "lenet5" : "weightless";
            JsonNode mutant = seeds.get(name).deepCopy();
            int mutations = Oracle.between(r, 1, 3);
            for (int m = 0; m < mutations; m++) {
                mutate(mutant, r);
            }
            if (loadAndRun(mutant, name + " mutant " + mutant, false)) {
                loaded[0]++;
            }
        });
        // Most mutants are broken, but some still load: the mutations are not all trivially refused.
        assertTrue(loaded[0] > CASES / 20 && loaded[0] < CASES, loaded[0] + " of " + CASES + " mutants loaded");
    }

    /** Loads and runs one description; returns whether it loaded. Fails on any undocumented outcome. */
    private boolean loadAndRun(JsonNode description, String what, boolean mustRun) {
        Path file = dir.resolve("model.json");
        Model model;
        try {
            Files.writeString(file, JSON.writeValueAsString(description));
            model = Model.load(file);
        } catch (IllegalArgumentException | IOException e) {
            if (mustRun) {
                fail(what + ": " + e);
            }
            return false;
        } catch (Throwable e) {
            throw new AssertionError("load threw " + e + " for " + what, e);
        }
        try (model) {
            for (long batch : new long[] {1, 2}) {
                long[] shape = model.description().inputs().get(0).shape().clone();
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = shape[d] == -1 ? batch : shape[d];
                }
                if (model.arenaFloats(batch) > RUN_LIMIT_FLOATS || Arrays.stream(shape).reduce(1, (a, b) -> a * b)
                        > RUN_LIMIT_FLOATS) {
                    continue;
                }
                try (Tensor x = Tensor.zeros(shape); Tensor y = model.run(x)) {
                    assertTrue(y.numel() > 0);
                }
            }
        } catch (IllegalArgumentException e) {
            if (mustRun) {
                fail(what + ": " + e);
            }
        } catch (Throwable e) {
            throw new AssertionError("run threw " + e + " for " + what, e);
        }
        return true;
    }

    private static final JsonNode[] EXTREMES = {
        NODES.numberNode(0), NODES.numberNode(-1), NODES.numberNode(1), NODES.numberNode(3),
        NODES.numberNode(Integer.MAX_VALUE), NODES.numberNode(Integer.MIN_VALUE), NODES.numberNode(1L << 40),
        NODES.numberNode(Long.MAX_VALUE), NODES.numberNode(Long.MIN_VALUE), NODES.numberNode(1e308),
        NODES.numberNode(-0.5), NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890")),
        NODES.textNode(""), NODES.textNode("nan"), NODES.textNode("Conv2d"), NODES.nullNode(),
        NODES.booleanNode(true), NODES.arrayNode(), NODES.objectNode(),
        NODES.arrayNode().add(Integer.MAX_VALUE).add(Integer.MAX_VALUE), NODES.arrayNode().add(-1).add(-1).add(-1),
        NODES.arrayNode().add(0), NODES.arrayNode().add(1L << 40).add(1L << 40),
    };

    private static final String[] TYPES = {"Conv2d", "ConvTranspose2d", "Linear", "BatchNorm2d", "MaxPool2d",
        "AvgPool2d", "LPPool2d", "AdaptiveAvgPool2d", "Flatten", "Unflatten", "Softmax", "Add", "Concat", "ReLU",
        "Conv3d", "MaxPool1d", "Identity", "Nope"};

    /** One random structural change somewhere in the tree. */
    private static void mutate(JsonNode root, Random r) {
        List<JsonNode[]> slots = new ArrayList<>(); // {container, key-or-index node}
        collect(root, slots);
        JsonNode[] slot = slots.get(r.nextInt(slots.size()));
        JsonNode container = slot[0];
        switch (r.nextInt(6)) {
            case 0, 1, 2 -> set(container, slot[1], EXTREMES[r.nextInt(EXTREMES.length)].deepCopy());
            case 3 -> {
                if (container instanceof ObjectNode o) {
                    o.remove(slot[1].asText());
                } else {
                    ((ArrayNode) container).remove(slot[1].asInt());
                }
            }
            case 4 -> {
                if (root.get("layers") instanceof ArrayNode layers && !layers.isEmpty()) {
                    int i = r.nextInt(layers.size());
                    layers.insert(i, layers.get(i).deepCopy());
                }
            }
            default -> {
                if (root.get("layers") instanceof ArrayNode layers && !layers.isEmpty()
                        && layers.get(r.nextInt(layers.size())) instanceof ObjectNode layer) {
                    layer.put("type", TYPES[r.nextInt(TYPES.length)]);
                }
            }
        }
    }

    private static void collect(JsonNode node, List<JsonNode[]> slots) {
        if (node instanceof ObjectNode o) {
            o.fieldNames().forEachRemaining(k -> {
                slots.add(new JsonNode[] {o, NODES.textNode(k)});
                collect(o.get(k), slots);
            });
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                slots.add(new JsonNode[] {a, NODES.numberNode(i)});
                collect(a.get(i), slots);
            }
        }
    }

    private static void set(JsonNode container, JsonNode key, JsonNode value) {
        if (container instanceof ObjectNode o) {
            o.set(key.asText(), value);
        } else {
            ((ArrayNode) container).set(key.asInt(), value);
        }
    }
}
