package io.cnn4j.fuzz;

import io.cnn4j.Tensor;
import io.cnn4j.model.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What every fuzz target shares: a scratch folder for the file under test, the rule that a loader may only refuse
 * an input with its documented exception, and a bound on the time one input may take.
 *
 * <p>A loader's documented refusal is an {@link IllegalArgumentException} (a {@code WeightsFormatException} for
 * weights files) with a message, or, for a model JSON naming a weights file that is not there, the
 * {@link NoSuchFileException} {@code Model.load} documents; anything else escaping a target (a NullPointerException, an index error, an
 * OutOfMemoryError, a StackOverflowError) is a finding, and so is an input that takes longer than
 * {@link #MAX_SECONDS_PER_INPUT}.
 */
final class FuzzHarness {
    private FuzzHarness() {}

    /**
     * Far above what any input of the fuzzers' sizes needs on a loaded CI machine (milliseconds); an input over it
     * is a hang or a super-linear path worth a regression test.
     */
    static final int MAX_SECONDS_PER_INPUT = 10;

    /** Runs larger than this (floats of input or arena) are skipped after a load: loading is what is fuzzed. */
    static final long RUN_LIMIT_FLOATS = 1 << 22;

    private static final Path DIR = createDir();

    private static Path createDir() {
        try {
            Path dir = Files.createTempDirectory("cnn4j-fuzz");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code data} to a file of this name in the scratch folder (the same file for every input). */
    static Path file(String name, byte[] data) {
        try {
            return Files.write(DIR.resolve(name), data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The scratch folder, for targets that put more than one file in it. */
    static Path dir() {
        return DIR;
    }

    interface Load {
        void run() throws Exception;
    }

    /**
     * Runs {@code load}; an IllegalArgumentException is the documented refusal and ends the input, anything else is
     * rethrown as a finding. An input slower than {@link #MAX_SECONDS_PER_INPUT} is a finding too.
     */
    static void expectLoadOrRefusal(String what, Load load) {
        long start = System.nanoTime();
        try {
            load.run();
        } catch (IllegalArgumentException | NoSuchFileException refused) {
            if (refused.getMessage() == null || refused.getMessage().isBlank()) {
                throw new AssertionError(what + " was refused without a message", refused);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(what + " threw the undocumented " + e, e);
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        if (seconds > MAX_SECONDS_PER_INPUT) {
            throw new AssertionError(what + " took " + seconds + " s, more than " + MAX_SECONDS_PER_INPUT
                    + " s for one input");
        }
    }

    /** Loads the model at {@code path} and, if its arena is small, runs it at batch 1 on zeros. */
    static void loadAndRun(Path path) throws IOException {
        try (Model model = Model.load(path)) {
            if (model.description().inputs().size() != 1) {
                return;
            }
            long[] shape = model.description().inputs().get(0).shape().clone();
            for (int d = 0; d < shape.length; d++) {
                shape[d] = shape[d] == -1 ? 1 : shape[d];
            }
            if (model.arenaFloats(1) > RUN_LIMIT_FLOATS
                    || Arrays.stream(shape).reduce(1, Math::multiplyExact) > RUN_LIMIT_FLOATS) {
                return;
            }
            try (Tensor x = Tensor.zeros(shape); Tensor y = model.run(x)) {
                if (y.numel() <= 0) {
                    throw new AssertionError("a run returned an empty tensor");
                }
            }
        }
    }
}
