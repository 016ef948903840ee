package check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Cnn4j;
import io.cnn4j.jni.MissingNativeLibraryError;
import io.cnn4j.model.Model;
import java.io.File;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * What a fresh Maven project that depends on io.cnn4j:cnn4j alone gets: JavaCPP, OpenBLAS and Jackson and nothing
 * else (no command-line parser, no natives of other libraries), a jar the module system names io.cnn4j, and, since
 * it has no OpenBLAS natives, one line at the first native call saying which artifact to add.
 */
class LibraryConsumerTest {
    /** The compile and runtime class path, as surefire hands it over (test-only entries left out). */
    private static List<String> libraries() {
        return Arrays.stream(System.getProperty("surefire.test.class.path").split(File.pathSeparator))
                .map(p -> p.replace(File.separatorChar, '/'))
                .filter(p -> !p.endsWith("/target/test-classes") && !p.endsWith("/target/classes"))
                .filter(p -> !p.contains("/org/junit/") && !p.contains("/org/opentest4j/")
                        && !p.contains("/org/apiguardian/"))
                .toList();
    }

    @Test
    void dependsOnJavaCppOpenBlasAndJacksonOnly() {
        List<String> libraries = libraries();
        for (String library : libraries) {
            assertTrue(library.contains("/io/cnn4j/cnn4j/") || library.contains("/org/bytedeco/javacpp/")
                    || library.contains("/org/bytedeco/openblas/") || library.contains("/com/fasterxml/jackson/"),
                    "unexpected dependency " + library + " in " + libraries);
            assertTrue(!library.contains("-linux-") && !library.contains("-macosx-") && !library.contains("-windows-"),
                    "a platform's natives came with io.cnn4j:cnn4j: " + library);
        }
        assertTrue(libraries.stream().anyMatch(l -> l.contains("/io/cnn4j/cnn4j/")), libraries.toString());
    }

    @Test
    void hasNoCommandLineParser() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("picocli.CommandLine"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("io.cnn4j.cli.Main"));
    }

    @Test
    void theJarHasAnAutomaticModuleName() throws Exception {
        Path jar = Path.of(Model.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (JarFile file = new JarFile(jar.toFile())) {
            assertEquals("io.cnn4j", file.getManifest().getMainAttributes().getValue("Automatic-Module-Name"));
        }
        assertEquals(List.of("io.cnn4j"), ModuleFinder.of(jar).findAll().stream()
                .map(reference -> reference.descriptor().name()).toList());
    }

    @Test
    void withoutOpenBlasNativesTheFirstCallNamesWhatToAdd() {
        MissingNativeLibraryError e = assertThrows(MissingNativeLibraryError.class, () -> Cnn4j.setNumThreads(1));
        assertTrue(e.getMessage().contains("depend on io.cnn4j:cnn4j-platform instead of io.cnn4j:cnn4j"),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
