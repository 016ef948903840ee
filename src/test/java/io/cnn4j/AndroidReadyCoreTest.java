package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core runs where java.awt and javax.imageio do not exist (Android): no compiled class outside io.cnn4j.image
 * (image files through ImageIO) and io.cnn4j.cli (the command line) refers to them. Checked on the class files'
 * constant pools, so fully qualified uses count too, not only imports.
 */
class AndroidReadyCoreTest {
    private static final Path CLASSES = Path.of("target/classes/io/cnn4j");
    private static final List<String> DESKTOP_ONLY = List.of("java/awt/", "javax/imageio/", "javax/swing/");

    @Test
    void noCoreClassUsesJavaAwtOrImageIo() throws IOException {
        assertTrue(Files.isDirectory(CLASSES.resolve("model")), "run from the project root after compiling");
        List<String> offenders = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(CLASSES)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String relative = CLASSES.relativize(file).toString().replace('\\', '/');
                if (relative.startsWith("image/") || relative.startsWith("cli/")) {
                    continue;
                }
                checked++;
                // Class names in the constant pool are modified UTF-8, plain ASCII for these packages.
                String constants = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String prefix : DESKTOP_ONLY) {
                    if (constants.contains(prefix)) {
                        offenders.add(relative + " refers to " + prefix);
                    }
                }
            }
        }
        assertTrue(checked > 100, "only " + checked + " core classes found under " + CLASSES);
        assertEquals(List.of(), offenders);
    }
}
