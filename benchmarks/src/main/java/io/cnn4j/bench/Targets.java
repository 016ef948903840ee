package io.cnn4j.bench;

import static io.cnn4j.bench.Report.format;

import io.cnn4j.bench.JmhResults.Results;
import io.cnn4j.bench.JmhResults.Row;
import java.util.List;
import java.util.Map;

/**
 * The section of {@link Report} that reads issue 8's done-when targets off the measurements of the "own" OpenBLAS
 * setting (median calls): latency cnn4j/ORT at most 0.7 (MobileNetV2: 1.0) at batch 1 and 8 with 1 thread and at
 * most 1.0 with 2 threads; cnn4j/libtorch at most 0.5 on ResNet-18; cnn4j's peak memory at most ORT's.
 */
final class Targets {
    private Targets() {}

    private static final String SETTING = "own";

    static void render(StringBuilder md, Results models, MemoryResults memory) {
        md.append("\n## Targets (issue 8)\n\n")
                .append("Read off the OpenBLAS setting **own** (the variables unset, as on a user's machine), median ")
                .append("calls. Each cell is a latency ratio, cnn4j's time over the other runtime's (**below 1: ")
                .append("cnn4j is faster**), then ✓ if it meets the target or ✗ if not; - where the row was not ")
                .append("measured. \"2 threads ≤ 1.0 on all\" is read as every model at batch 1 and 8; batch 32 is ")
                .append("in the tables below.\n\n")
                .append("| model | 1 thread target | cnn4j/ORT 1T b1 | cnn4j/ORT 1T b8 | 2 threads target | ")
                .append("cnn4j/ORT 2T b1 | cnn4j/ORT 2T b8 |\n|---|---:|---:|---:|---:|---:|---:|\n");
        int met = 0;
        int missed = 0;
        for (BenchModel model : BenchModel.values()) {
            double oneThread = model == BenchModel.MOBILENET_V2 ? 1.0 : 0.7;
            md.append("| ").append(model.title).append(" | ≤ ").append(format("%.1f", oneThread));
            for (int threads : new int[] {1, 2}) {
                double limit = threads == 1 ? oneThread : 1.0;
                if (threads == 2) {
                    md.append(" | ≤ 1.0");
                }
                for (int batch : new int[] {1, 8}) {
                    Double ratio = ratio(models, model, batch, threads, 0);
                    md.append(" | ").append(cell(ratio, limit));
                    if (ratio != null) {
                        if (ratio <= limit) {
                            met++;
                        } else {
                            missed++;
                        }
                    }
                }
            }
            md.append(" |\n");
        }
        md.append("\ncnn4j/libtorch on ResNet-18, target ≤ 0.5:\n\n")
                .append("| batch | 1 thread | 2 threads |\n|---:|---:|---:|\n");
        for (int batch : models.values("batch")) {
            md.append("| ").append(batch);
            for (int threads : new int[] {1, 2}) {
                Double ratio = ratio(models, BenchModel.RESNET18, batch, threads, 1);
                md.append(" | ").append(cell(ratio, 0.5));
                if (ratio != null && batch <= 8) {
                    if (ratio <= 0.5) {
                        met++;
                    } else {
                        missed++;
                    }
                }
            }
            md.append(" |\n");
        }
        if (!memory.isEmpty()) {
            md.append("\nPeak memory of a run, cnn4j's over ORT's (process peak resident set, see ")
                    .append("[peak memory](#peak-memory)), target ≤ 1.0:\n\n| model | batch 1 | batch 8 | batch 32 |\n")
                    .append("|---|---:|---:|---:|\n");
            for (BenchModel model : BenchModel.values()) {
                md.append("| ").append(model.title);
                for (int batch : new int[] {1, 8, 32}) {
                    MemoryResults.Peak[] p = memory.cnn4jAndOrt(model, batch);
                    Double ratio = p == null ? null : (double) p[0].peak() / p[1].peak();
                    md.append(" | ").append(cell(ratio, 1.0));
                    if (ratio != null) {
                        if (ratio <= 1.0) {
                            met++;
                        } else {
                            missed++;
                        }
                    }
                }
                md.append(" |\n");
            }
        }
        md.append("\nTargets met: ").append(met).append(" of ").append(met + missed)
                .append(" measured (the ResNet-18 libtorch rows at batch 32 not counted).\n");
    }

    /** The median latency ratio of a row ({@code which}: 0 cnn4j/ORT, 1 cnn4j/libtorch), or null if incomplete. */
    private static Double ratio(Results models, BenchModel model, int batch, int threads, int which) {
        Row row = models.row(List.of(model.title), Map.of("model", model.name(), "batch", String.valueOf(batch),
                "threads", String.valueOf(threads), "blas", SETTING));
        return row == null || !row.complete() ? null : row.ratios()[which];
    }

    private static String cell(Double ratio, double limit) {
        return ratio == null ? "-" : format("%.2f %s", ratio, ratio <= limit ? "✓" : "✗");
    }
}
