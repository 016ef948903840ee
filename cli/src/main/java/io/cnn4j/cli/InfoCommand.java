package io.cnn4j.cli;

import io.cnn4j.Cnn4j;
import io.cnn4j.model.Model;
import io.cnn4j.model.ModelDescription.InputSpec;
import io.cnn4j.model.ModelDescription.LayerSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code info MODEL [--batch N | --shape [NAME=]DIMS]}: a table of layers with output shapes, parameters and MACs, and
 * totals.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print the model's layers, output shapes, parameters and MACs")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = Main.MODEL_HELP)
    Path modelPath;

    @Option(names = "--batch", paramLabel = "N", description = "batch size for shapes and MACs (default: 1)")
    Long batch;

    @Option(names = "--shape", paramLabel = "[NAME=]DIMS", description = Main.SHAPE_HELP)
    List<String> shapes = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        long n = Main.checkBatch(batch, shapes);
        FileChecks.model(modelPath);
        try (Model model = Model.load(modelPath, Main.modelOptions())) {
            var out = spec.commandLine().getOut();
            List<InputSpec> inputs = model.description().inputs();
            Map<String, long[]> inputShapes = InputShapes.resolve(InputShapes.parse(shapes, inputs), inputs, n);
            List<LayerSpec> layers = model.description().layers();
            List<long[]> shapes = model.layerOutputShapes(inputShapes);
            long[] params = model.layerParameterCounts();
            long[] macs = model.layerMacs(inputShapes);
            int[] fusedInto = model.layerFusedInto();
            String[][] rows = new String[layers.size()][];
            for (int i = 0; i < rows.length; i++) {
                LayerSpec l = layers.get(i);
                rows[i] = new String[] {Integer.toString(i), l.id(), l.type(), Arrays.toString(shapes.get(i)),
                        String.format("%,d", params[i]), String.format("%,d", macs[i]),
                        fusedInto[i] < 0 ? "" : "fused into #" + fusedInto[i]};
            }
            String[] header = {"#", "layer", "type", "output shape", "params", "MACs", ""};
            int[] width = new int[header.length];
            for (int c = 0; c < header.length; c++) {
                width[c] = header[c].length();
                for (String[] r : rows) {
                    width[c] = Math.max(width[c], r[c].length());
                }
            }
            String name = model.description().name() != null ? model.description().name() : modelPath.toString();
            out.printf("model %s, inputs %s, shown for %s%n", name, inputs(model), InputShapes.describe(inputShapes));
            printRow(out, header, width);
            for (String[] r : rows) {
                printRow(out, r, width);
            }
            out.printf("total: %d layers, %,d parameters, %,d MACs (%.3f GMAC), arena %,d bytes%n", rows.length,
                    Arrays.stream(params).sum(), Arrays.stream(macs).sum(), Arrays.stream(macs).sum() / 1e9,
                    model.arenaFloats(inputShapes) * Float.BYTES);
            for (String id : model.description().outputs()) {
                int l = layers.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow().index();
                out.printf("output %s: %s (layer #%d)%n", id, Arrays.toString(shapes.get(l)), l);
            }
            out.printf("kernels: cnn4j %s (supported here: %s), OpenBLAS %s%n", Cnn4j.isa(),
                    String.join(", ", Cnn4j.supportedIsas()), Cnn4j.blasCoreName());
        }
        return 0;
    }

    private static String inputs(Model model) {
        StringBuilder sb = new StringBuilder();
        model.description().inputs().forEach(i -> sb.append(sb.length() == 0 ? "" : ", ").append(i.name())
                .append(Arrays.toString(i.shape())));
        return sb.toString();
    }

    private static void printRow(java.io.PrintWriter out, String[] cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            boolean right = c == 0 || (c >= 4 && c <= 5);
            String cell = cells[c];
            String pad = " ".repeat(width[c] - cell.length());
            sb.append(right ? pad + cell : cell + pad).append(c + 1 < cells.length ? "  " : "");
        }
        out.println(sb.toString().stripTrailing());
    }
}
