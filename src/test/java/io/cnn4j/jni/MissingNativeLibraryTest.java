package io.cnn4j.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A platform without natives ends in one line naming the platform and what to add. */
class MissingNativeLibraryTest {
    private static final Set<String> X86_JAR = Set.of("io/cnn4j/jni/linux-x86_64/libjnicnn4j.so",
            "org/bytedeco/openblas/linux-x86_64/libjniopenblas_nolapack.so",
            "org/bytedeco/javacpp/linux-x86_64/libjnijavacpp.so");

    @Test
    void aPlatformWithoutCnn4jNativesNamesItAndTheOnesCarried() {
        String message = NativeLibraries.explain("linux-arm64", X86_JAR::contains, "no jniopenblas_nolapack",
                "0.3.31-1.5.13", "1.5.13");
        assertTrue(message.startsWith("cnn4j has no native library for this platform, linux-arm64 ("), message);
        assertTrue(message.contains("carries natives for linux-x86_64:"), message);
        assertTrue(message.contains("-Dcnn4j.arm64=true"), message);
        assertFalse(message.contains("\n"), message);

        String mac = NativeLibraries.explain("macosx-arm64", X86_JAR::contains, null, null, null);
        assertTrue(mac.contains("platform, macosx-arm64") && mac.contains("mvn package on a macosx-arm64 machine"), mac);
        String android = NativeLibraries.explain("android-arm64", r -> false, null, null, null);
        assertTrue(android.contains("carries natives for no platform") && android.contains("docs/android.md"), android);
    }

    @Test
    void missingOpenBlasOrJavaCppNativesNameTheArtifactToAdd() {
        Set<String> noOpenBlas = Set.of("io/cnn4j/jni/linux-arm64/libjnicnn4j.so");
        assertEquals("cnn4j needs OpenBLAS's natives for linux-arm64, which are not on the class path: depend on "
                + "io.cnn4j:cnn4j-platform instead of io.cnn4j:cnn4j, or add org.bytedeco:openblas:0.3.31-1.5.13:linux-arm64 (the artifact with classifier linux-arm64) beside "
                + "org.bytedeco:openblas",
                NativeLibraries.explain("linux-arm64", noOpenBlas::contains, "x", "0.3.31-1.5.13", "1.5.13"));
        Set<String> noJavaCpp = Set.of("io/cnn4j/jni/windows-x86_64/jnicnn4j.dll",
                "org/bytedeco/openblas/windows-x86_64/jniopenblas_nolapack.dll");
        String message = NativeLibraries.explain("windows-x86_64", noJavaCpp::contains, "x", null, "1.5.13");
        assertTrue(message.contains("add org.bytedeco:javacpp:1.5.13:windows-x86_64"), message);
        String loadFailed = NativeLibraries.explain("linux-x86_64", X86_JAR::contains,
                "libstdc++.so.6: version `GLIBCXX_3.4.30' not found\nmore", null, null);
        assertTrue(loadFailed.contains("(libstdc++.so.6: version `GLIBCXX_3.4.30' not found)"), loadFailed);
        assertFalse(loadFailed.contains("more"), loadFailed);
    }

    /** The real thing in a JVM told it runs on macosx-arm64: every call throws the one line (the CLI's: cli/). */
    @Test
    void aJvmOnAnotherPlatformGetsTheLineFromTheApi() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder api = new ProcessBuilder(java, "-Dorg.bytedeco.javacpp.platform=macosx-arm64", "-cp",
                System.getProperty("java.class.path") + File.pathSeparator + System.getProperty("user.dir")
                        + "/target/test-classes", MissingNativeLibraryTest.class.getName() + "$TwoCalls");
        api.redirectErrorStream(true);
        Process second = api.start();
        assertTrue(second.waitFor(120, TimeUnit.SECONDS), "the API run did not finish");
        String apiOutput = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, second.exitValue(), apiOutput);
        assertEquals(2, apiOutput.lines().filter(l -> l.startsWith("macosx-arm64: cnn4j has no native library")).count(),
                apiOutput);
    }

    /** Calls into the natives twice; both calls must say what is missing (not "Could not initialize class"). */
    public static final class TwoCalls {
        public static void main(String[] args) {
            for (int i = 0; i < 2; i++) {
                try {
                    io.cnn4j.Cnn4j.setNumThreads(1);
                    System.out.println("loaded?");
                } catch (MissingNativeLibraryError e) {
                    System.out.println(e.platform() + ": " + e.getMessage());
                }
            }
        }
    }
}
