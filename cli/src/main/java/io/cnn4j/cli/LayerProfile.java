package io.cnn4j.cli;

import io.cnn4j.model.Model;
import io.cnn4j.model.ModelDescription.LayerSpec;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The table {@code cnn4j bench --profile} prints: for every layer that does work of its own, its median and fastest
 * time over the profiled runs, its share of the summed medians and its rate in multiply-accumulates per second. Layers
 * fused into a convolution's output pass are listed as such, so the table accounts for every layer of the file.
 */
final class LayerProfile {
    private LayerProfile() {}

    /**
     * @param layerNanos per profiled run, each layer's time in nanoseconds (from {@link Model#run(Map, long[])})
     * @param runNanos   per profiled run, the whole run's time in nanoseconds
     */
    static void print(PrintWriter out, Model model, Map<String, long[]> inputShapes, long[][] layerNanos,
            long[] runNanos) {
        List<LayerSpec> specs = model.description().layers();
        List<long[]> shapes = model.layerOutputShapes(inputShapes);
        long[] macs = model.layerMacs(inputShapes);
        int[] fusedInto = model.layerFusedInto();
        int layers = specs.size();
        double[] medianUs = new double[layers];
        double[] fastestUs = new double[layers];
        double totalUs = 0;
        for (int l = 0; l < layers; l++) {
            long[] samples = new long[layerNanos.length];
            for (int r = 0; r < layerNanos.length; r++) {
                samples[r] = layerNanos[r][l];
            }
            Arrays.sort(samples);
            medianUs[l] = samples[samples.length / 2] / 1e3;
            fastestUs[l] = samples[0] / 1e3;
            totalUs += medianUs[l];
        }
        long[] outside = new long[runNanos.length]; // per run: what the run spent outside its layers
        for (int r = 0; r < runNanos.length; r++) {
            outside[r] = runNanos[r] - Arrays.stream(layerNanos[r]).sum();
        }
        Arrays.sort(outside);
        out.printf("%nper layer, over %d profiled runs (median; fastest; share of the summed medians %.3f ms); outside "
                + "the layers (arena, outputs, calls) median %.3f ms per run:%n", layerNanos.length, totalUs / 1e3,
                outside[outside.length / 2] / 1e6);
        out.printf("%5s  %-44s %-20s %10s %10s %10s %6s %9s%n", "layer", "name (type)", "output", "MMAC",
                "median us", "fastest us", "share", "GMAC/s");
        for (int l = 0; l < layers; l++) {
            LayerSpec spec = specs.get(l);
            String name = abbreviate((spec.name() != null ? spec.name() : spec.id()) + " (" + spec.type() + ")", 44);
            String shape = abbreviate(Arrays.toString(shapes.get(l)), 20);
            if (fusedInto[l] >= 0) {
                out.printf("%5d  %-44s %-20s %10.3f   fused into layer %d%n", l, name, shape, macs[l] / 1e6,
                        fusedInto[l]);
                continue;
            }
            double rate = medianUs[l] > 0 ? macs[l] / (medianUs[l] * 1e3) : 0;
            out.printf("%5d  %-44s %-20s %10.3f %10.1f %10.1f %5.1f%% %9.2f%n", l, name, shape, macs[l] / 1e6,
                    medianUs[l], fastestUs[l], totalUs > 0 ? 100 * medianUs[l] / totalUs : 0, rate);
        }
    }

    private static String abbreviate(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "~";
    }
}
