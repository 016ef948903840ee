package io.cnn4j.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.bytedeco.pytorch.global.torch;

/** What {@link Report} says about the machine and the software: CPU, load, versions, libtorch's threading. */
final class MachineInfo {
    private MachineInfo() {}

    static Properties versions() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Report.class.getResourceAsStream("/versions.properties")) {
            p.load(in);
        }
        return p;
    }

    static String cpuModel() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.exists(cpuinfo)) {
            return System.getProperty("os.arch");
        }
        TreeSet<String> flags = new TreeSet<>();
        String model = "unknown CPU";
        String family = null;
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            for (String line : (Iterable<String>) lines::iterator) {
                String value = line.substring(line.indexOf(':') + 1).trim();
                if (line.startsWith("model name") && model.equals("unknown CPU")) {
                    model = value;
                } else if (line.startsWith("cpu family") && family == null) {
                    family = value;
                } else if (line.startsWith("flags") && flags.isEmpty()) {
                    for (String f : value.split(" ")) {
                        if (f.equals("avx2") || f.equals("fma") || f.equals("avx512f") || f.equals("avx512_bf16")
                                || f.equals("amx_tile")) {
                            flags.add(f);
                        }
                    }
                }
            }
        }
        return model + (family == null ? "" : ", family " + family) + " (" + String.join(", ", flags) + ")";
    }

    static String loadAverage() throws IOException {
        Path loadavg = Path.of("/proc/loadavg");
        if (!Files.exists(loadavg)) {
            return "unknown";
        }
        String[] f = Files.readString(loadavg).trim().split(" ");
        return f[0] + " / " + f[1] + " / " + f[2] + " over 1 / 5 / 15 min";
    }

    /** ATen's parallel backend, OpenMP and oneDNN (MKL-DNN) versions, on one line. */
    static String torchParallelInfo() {
        List<String> parts = new ArrayList<>();
        for (String line : torch.get_parallel_info().getString().split("\n")) {
            line = line.trim();
            if (line.startsWith("ATen parallel backend") || line.startsWith("MKL not found")
                    || line.startsWith("Intel(R) MKL-DNN") || line.startsWith("OpenMP ")) {
                parts.add(line);
            }
        }
        return "`" + String.join("; ", parts) + "`";
    }
}
