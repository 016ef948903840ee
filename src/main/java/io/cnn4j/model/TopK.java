package io.cnn4j.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The k most probable classes of a classifier's output row: softmax in double over the row's logits, classes
 * ordered by probability (the lower index first among equal ones), each named by the model's label or "class N".
 * Shared by the command line's top-k listing and Spark's label columns.
 */
public final class TopK {
    /** One ranked class: its index in the row, its label and its softmax probability. */
    public record Entry(int index, String label, double probability) {}

    private TopK() {}

    /**
     * The top {@code k} of row {@code row} of {@code logits} laid out as [rows, classes].
     *
     * @throws IllegalArgumentException if the row is outside the array or k is below 1
     */
    public static List<Entry> of(float[] logits, int row, int classes, int k, List<String> labels) {
        if (k < 1 || classes < 1 || row < 0 || (long) (row + 1) * classes > logits.length) {
            throw new IllegalArgumentException("top-k: k=" + k + " of row " + row + " with " + classes
                    + " classes, from " + logits.length + " values");
        }
        int from = row * classes;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < classes; i++) {
            max = Math.max(max, logits[from + i]);
        }
        double[] p = new double[classes];
        double sum = 0;
        for (int i = 0; i < classes; i++) {
            p[i] = Math.exp(logits[from + i] - max);
            sum += p[i];
        }
        Integer[] order = new Integer[classes];
        for (int i = 0; i < classes; i++) {
            p[i] /= sum;
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        List<Entry> top = new ArrayList<>();
        for (int j = 0; j < Math.min(k, classes); j++) {
            int c = order[j];
            top.add(new Entry(c, c < labels.size() ? labels.get(c) : "class " + c, p[c]));
        }
        return top;
    }
}
