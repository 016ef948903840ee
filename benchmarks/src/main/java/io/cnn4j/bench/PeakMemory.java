package io.cnn4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.cnn4j.Cnn4j;
import io.cnn4j.Tensor;
import io.cnn4j.model.Model;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.global.torch;

/**
 * Peak resident memory of one runtime running one model, in a JVM of its own (run.sh starts one per runtime x model
 * x batch). Native memory counts: all three runtimes keep weights and activations off the Java heap.
 *
 * <p>What it measures, from /proc/self/status: (1) the runtime's native library is loaded and its threads set, with
 * no model: the resident set (VmRSS) then is the <em>baseline</em>, and the peak (VmHWM) is reset to it where Linux
 * allows (writing 5 to /proc/self/clear_refs); (2) the model is loaded from its file, the input made, and
 * {@code calls} inferences run, each result freed; (3) VmHWM then is the <em>peak</em> of the whole process: JVM,
 * runtime library, weights, activations, arenas. The report gives the peak and the peak above the baseline (what
 * loading and running the model added). The input is the same random batch for every runtime.
 *
 * <p>usage: {@code PeakMemory <cnn4j|onnxruntime|libtorch> <MODEL> <batch> <threads> <calls> [out.tsv]}; prints
 * one tab-separated line (runtime, model, batch, threads, calls, baseline kB, peak kB, whether the peak was reset,
 * JVM options)
 * and appends it to out.tsv.
 */
public final class PeakMemory {
    private PeakMemory() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: PeakMemory <cnn4j|onnxruntime|libtorch> <MODEL> <batch> <threads> <calls> "
                    + "[out.tsv]");
            System.exit(2);
        }
        String runtime = args[0];
        BenchModel model = BenchModel.valueOf(args[1]);
        int batch = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        int calls = Integer.parseInt(args[4]);
        long[] shape = model.inputShape(batch);

        switch (runtime) {
            case "cnn4j" -> Cnn4j.setNumThreads(threads);
            case "onnxruntime" -> OrtEnvironment.getEnvironment();
            case "libtorch" -> torch.set_num_threads(threads);
            default -> throw new IllegalArgumentException("unknown runtime " + runtime);
        }
        System.gc();
        long baseline = status("VmRSS");
        boolean reset = resetPeak();

        float[] x = Inputs.uniform(new Random(42), Inputs.numel(shape), 1);
        switch (runtime) {
            case "cnn4j" -> {
                try (Model m = Model.load(model.cnn4jFile()); Tensor input = Tensor.of(x, shape)) {
                    for (int i = 0; i < calls; i++) {
                        m.run(input).close();
                    }
                }
            }
            case "onnxruntime" -> {
                OrtEnvironment environment = OrtEnvironment.getEnvironment();
                try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                    options.setIntraOpNumThreads(threads);
                    options.setInterOpNumThreads(1);
                    try (OrtSession session = environment.createSession(model.onnxFile().toString(), options);
                            OnnxTensor input = Inputs.ortTensor(environment, x, shape)) {
                        Map<String, OnnxTensor> inputs = Map.of(session.getInputNames().iterator().next(), input);
                        for (int i = 0; i < calls; i++) {
                            session.run(inputs).close();
                        }
                    }
                }
            }
            default -> {
                try (InferenceMode guard = new InferenceMode();
                        JitModule module = torch.load(model.torchScriptFile().toString());
                        org.bytedeco.pytorch.Tensor input = Inputs.torchTensor(x, shape);
                        IValue value = new IValue(input);
                        IValueVector inputs = new IValueVector(value)) {
                    module.eval();
                    for (int i = 0; i < calls; i++) {
                        module.forward(inputs).close();
                    }
                }
            }
        }
        long peak = status("VmHWM");
        String line = String.join("\t", runtime, model.name(), String.valueOf(batch), String.valueOf(threads),
                String.valueOf(calls), String.valueOf(baseline), String.valueOf(peak), String.valueOf(reset),
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        System.out.printf("PeakMemory: %s %s batch %d, %d thread(s), %d calls: peak %.0f MB, %.0f MB above the "
                + "runtime-loaded baseline of %.0f MB%s%n", runtime, model.name(), batch, threads, calls,
                peak / 1024.0, (peak - baseline) / 1024.0, baseline / 1024.0,
                reset ? "" : " (peak not reset: it may include the JVM's start-up)");
        if (args.length > 5) {
            Files.writeString(Path.of(args[5]), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /** A field of /proc/self/status in kB, e.g. VmRSS or VmHWM. */
    static long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
            }
        }
        throw new IOException("/proc/self/status has no " + field);
    }

    /** Resets VmHWM to the current resident set (Linux 4.0+); false where that is not allowed. */
    private static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }
}
