package io.cnn4j.bench;

import io.cnn4j.Cnn4j;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * The OpenBLAS setting of a benchmark JVM: which of the two variables this machine sets for old OpenBLAS builds
 * were in its environment, and the kernel OpenBLAS then picked ({@link Cnn4j#blasCoreName()}).
 *
 * <p>usage: {@code BlasSetting <own|machine> [out.properties]}: prints one line, e.g. "OpenBLAS, blas=own
 * (OPENBLAS_CORETYPE unset, OPENBLAS_L2_SIZE unset): Cooperlake kernels", and writes it for {@link Report}.
 * run.sh starts it under each setting, as it starts the benchmark JVMs.
 */
public final class BlasSetting {
    /** The variables that run.sh unsets for the "own" setting. */
    static final List<String> VARIABLES = List.of("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE");

    private BlasSetting() {}

    /** The variables as this JVM sees them, e.g. "OPENBLAS_CORETYPE=Haswell, OPENBLAS_L2_SIZE unset". */
    static String environment() {
        StringBuilder s = new StringBuilder();
        for (String variable : VARIABLES) {
            String value = System.getenv(variable);
            s.append(s.length() == 0 ? "" : ", ").append(variable).append(value == null ? " unset" : "=" + value);
        }
        return s.toString();
    }

    /** Reads what {@link #main} wrote: setting, kernel, environment. */
    static Properties read(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return p;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || !List.of("own", "machine").contains(args[0])) {
            System.err.println("usage: BlasSetting <own|machine> [out.properties]");
            System.exit(2);
        }
        String kernel = Cnn4j.blasCoreName();
        System.out.println("OpenBLAS, blas=" + args[0] + " (" + environment() + "): " + kernel + " kernels");
        if (args.length > 1) {
            Properties p = new Properties();
            p.setProperty("setting", args[0]);
            p.setProperty("kernel", String.valueOf(kernel));
            p.setProperty("environment", environment());
            try (OutputStream out = Files.newOutputStream(Path.of(args[1]))) {
                p.store(out, "io.cnn4j.bench.BlasSetting");
            }
        }
    }
}
