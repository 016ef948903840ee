package io.cnn4j.weights;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The tensors of one weights file by name (the {@code state_dict()} keys, e.g. {@code features.0.weight}), in file
 * order, plus the file's string metadata (safetensors {@code __metadata__}; empty for PyTorch files). Immutable.
 */
public final class Weights {
    private final String source;
    private final Map<String, WeightTensor> tensors;
    private final Map<String, String> metadata;

    /**
     * @param source   where the weights came from (a file name), used in messages
     * @param tensors  the tensors; names must be unique
     * @param metadata string metadata, may be empty
     */
    public Weights(String source, Collection<WeightTensor> tensors, Map<String, String> metadata) {
        this.source = Objects.requireNonNull(source, "source");
        Map<String, WeightTensor> byName = new LinkedHashMap<>();
        for (WeightTensor t : tensors) {
            if (byName.putIfAbsent(t.name(), t) != null) {
                throw new IllegalArgumentException(source + ": tensor name '" + t.name() + "' appears twice");
            }
        }
        this.tensors = Collections.unmodifiableMap(byName);
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Where these weights came from (the file name given to the reader). */
    public String source() {
        return source;
    }

    /**
     * The tensor called {@code name}.
     *
     * @throws IllegalArgumentException if there is none; the message lists the most similar names
     */
    public WeightTensor get(String name) {
        WeightTensor t = tensors.get(name);
        if (t == null) {
            List<String> similar = similarNames(name);
            throw new IllegalArgumentException(source + " has no tensor '" + name + "'"
                    + (similar.isEmpty() ? "; it has " + tensors.size() + " tensors" + (tensors.isEmpty() ? "" :
                    ", e.g. " + String.join(", ", tensors.keySet().stream().limit(5).toList()))
                    : "; similar names: " + String.join(", ", similar)));
        }
        return t;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The tensor names in file order. */
    public Set<String> names() {
        return tensors.keySet();
    }

    /** All tensors by name, in file order (unmodifiable). */
    public Map<String, WeightTensor> tensors() {
        return tensors;
    }

    public int size() {
        return tensors.size();
    }

    /** String metadata: a safetensors file's {@code __metadata__} (a single-file model keeps its JSON under "cnn4j"). */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public String toString() {
        return "Weights[" + source + ", " + tensors.size() + " tensors]";
    }

    /** Up to five names close to {@code name}: a small edit distance, or the same module path. */
    private List<String> similarNames(String name) {
        String module = name.contains(".") ? name.substring(0, name.lastIndexOf('.') + 1) : null;
        int limit = Math.max(2, name.length() / 3);
        List<Map.Entry<String, Integer>> scored = new ArrayList<>();
        for (String candidate : tensors.keySet()) {
            int distance = editDistance(name, candidate);
            if (distance <= limit || (module != null && candidate.startsWith(module))) {
                scored.add(Map.entry(candidate, distance));
            }
        }
        scored.sort(Map.Entry.comparingByValue(Comparator.naturalOrder()));
        return scored.stream().limit(5).map(Map.Entry::getKey).toList();
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
