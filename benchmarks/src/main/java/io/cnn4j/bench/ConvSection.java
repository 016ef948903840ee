package io.cnn4j.bench;

import static io.cnn4j.bench.JmhResults.RUNTIMES;
import static io.cnn4j.bench.Report.format;

import io.cnn4j.bench.JmhResults.Results;
import io.cnn4j.bench.JmhResults.Row;
import io.cnn4j.bench.JmhResults.Score;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The conv2d-layer section of {@link Report}: GFLOP/s and latency ratios per layer, threads and OpenBLAS setting. */
final class ConvSection {
    private ConvSection() {}

    static void render(StringBuilder md, Results conv) {
        md.append("\n## conv2d layers\n\n")
                .append("`Conv2dBenchmark`: one conv2d layer, batch 1, with bias, the same random weights and input ")
                .append("for all three runtimes. cnn4j: `Convolution.run` into a preallocated output and workspace. ")
                .append("ONNX Runtime: a one-node Conv model (opset 13, weights as initializers). libtorch: ")
                .append("`torch.conv2d` on prebuilt tensors.\n\n")
                .append("GFLOP/s = 2 x Cout x Hout x Wout x Cin/groups x kH x kW / median time per call (bias not ")
                .append("counted). Ratios: latency cnn4j/ORT and cnn4j/libtorch, median (fastest), below 1 means ")
                .append("cnn4j is faster.\n");
        List<Row> all = new ArrayList<>();
        for (String setting : conv.blasSettings()) {
            md.append("\n### OpenBLAS setting: ").append(setting).append("\n\n")
                    .append("| layer | threads | MFLOP | cnn4j GFLOP/s | ORT GFLOP/s | libtorch GFLOP/s | cnn4j/ORT | ")
                    .append("cnn4j/libtorch |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
            List<Row> rows = new ArrayList<>();
            for (ConvShape shape : ConvShape.values()) {
                for (int threads : conv.values("threads")) {
                    Row row = conv.row(List.of(shape.describe(), setting), Map.of("shape", shape.name(), "threads",
                            String.valueOf(threads), "blas", setting));
                    if (row == null) {
                        continue;
                    }
                    rows.add(row);
                    md.append("| ").append(shape.describe()).append(" | ").append(threads).append(" | ")
                            .append(format("%.1f", shape.flops() / 1e6));
                    for (String runtime : RUNTIMES) {
                        Score s = row.scores().get(runtime);
                        md.append(" | ").append(s == null ? "-" : format("%.1f", shape.flops() / (s.median() * 1e3)))
                                .append(row.stalled(runtime) ? " †" : "");
                    }
                    Report.appendRatios(md, row);
                }
            }
            Report.appendGeometricMeans(md, rows, "layers");
            all.addAll(rows);
        }
        Report.appendRawTimings(md, "### conv2d raw timings", "Microseconds", "µs", List.of("layer", "OpenBLAS"),
                all);
    }
}
