package io.cnn4j.cli;

import io.cnn4j.Cnn4j;
import io.cnn4j.model.ModelOptions;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar cnn4j.jar COMMAND ...}: look at a model ({@code info}), run it on .npy arrays or images
 * ({@code run}), time it ({@code bench}), soak it from many threads ({@code soak}), convert ONNX ({@code convert}).
 * Errors print one line and exit with status 1 (2 for bad usage); add {@code --verbose} for the stack trace. The
 * natives are extracted into a cache directory of this build's own ({@link NativeCache}).
 */
@Command(name = "cnn4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Runs CNN models exported from PyTorch.",
        subcommands = {InfoCommand.class, RunCommand.class, BenchCommand.class, ConvertCommand.class,
            SoakCommand.class})
public final class Main {
    static final String MODEL_HELP = "the model: a cnn4j .json (weights beside it), an .onnx file, or a single-file "
            + ".safetensors model";
    static final String SHAPE_HELP = "the full shape of an input, batch first: NAME=1x3x224x224 (repeat per input), "
            + "or 1x3x224x224 / 1,3,224,224 for a model with one input; needed where the model leaves sizes other "
            + "than the batch free (ONNX exports with dynamic height and width)";
    @Spec
    CommandSpec spec;

    /** --version: the version in the jar's manifest (the build's project version), "development build" without one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"cnn4j " + (v != null ? v : "(development build)")};
        }
    }

    @Option(names = "--threads", scope = ScopeType.INHERIT, paramLabel = "N",
            description = "Threads for cnn4j's kernels (default: the processors the JVM sees, at most 16)")
    void threads(int n) {
        if (n < 1 || n > Cnn4j.MAX_THREADS) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--threads must be 1 to " + Cnn4j.MAX_THREADS + ", got " + n);
        }
        Cnn4j.setNumThreads(n);
    }

    @Option(names = "--isa", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "Instruction set of cnn4j's kernels: scalar, avx2, avx512 or neon (default: the widest this "
                    + "CPU supports; also -Dcnn4j.isa or CNN4J_ISA)")
    void isa(String name) {
        try {
            Cnn4j.setIsa(name);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--isa: " + e.getMessage());
        }
    }

    @Option(names = "--exact", scope = ScopeType.INHERIT,
            description = "Run every convolution by the exact im2col path, never Winograd (whose results differ by "
                    + "up to a few 1e-5 of the output's scale)")
    static boolean exact;

    /** The batch size of info and bench: --batch (default 1), which --shape, giving the batch itself, excludes. */
    static long checkBatch(Long batch, java.util.List<String> shapes) {
        if (batch != null && batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
        if (batch != null && !shapes.isEmpty()) {
            throw new IllegalArgumentException("--shape gives the batch size itself (its first dim); drop --batch");
        }
        return batch == null ? 1 : batch;
    }

    /** How the commands load models: with --exact, exact convolutions. */
    static ModelOptions modelOptions() {
        return ModelOptions.DEFAULT.withExactConvolutions(exact);
    }

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces of errors")
    static boolean verbose;

    public static void main(String[] args) {
        // Before anything loads JavaCPP: this build's own native cache directory (NativeCache says why).
        NativeCache.configure();
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line; returns the exit status. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        verbose = false;
        exact = false;
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, err));
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError | StackOverflowError | LinkageError e) {
            // picocli hands only Exceptions to the handler; these Errors would otherwise end in a raw stack trace.
            return report(e, err);
        }
    }

    /** One line for the user ({@code --verbose}: with the stack trace); returns the exit status 1. */
    private static int report(Throwable e, PrintWriter err) {
        String message = e.getMessage() != null ? e.getMessage() : e.toString();
        if (e instanceof java.nio.file.NoSuchFileException) {
            message = "no such file: " + e.getMessage();
        } else if (e instanceof LinkageError && !(e instanceof io.cnn4j.jni.MissingNativeLibraryError)) {
            message = "cannot load cnn4j's native libraries for " + System.getProperty("os.name") + " "
                    + System.getProperty("os.arch") + ": " + message;
        } else if (e instanceof OutOfMemoryError) {
            message = "out of memory: " + message + (message.contains("-Xmx") ? ""
                    : " (give the JVM more memory with java -Xmx..., or use a smaller batch)");
        }
        err.println("cnn4j: error: " + message);
        if (verbose) {
            e.printStackTrace(err);
        }
        return 1;
    }
}
