package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core runs where the desktop JDK's APIs do not exist (Android): no compiled class of the library outside
 * io.cnn4j.image (image files through ImageIO, the one package that may use java.awt) refers to java.awt,
 * javax.imageio, javax.swing, or the management, naming and RMI APIs Android leaves out. Checked on the class files'
 * constant pools, so fully qualified uses count too, not only imports. Every package of the library's sources is
 * checked (the list is read from src/main/java, so a new package is covered without touching this test); the command
 * line lives in its own module (cli/) and is not part of the library.
 */
class AndroidReadyCoreTest {
    private static final Path SOURCES = Path.of("src/main/java/io/cnn4j");
    private static final Path CLASSES = Path.of("target/classes/io/cnn4j");
    /** The packages allowed the desktop APIs, relative to io/cnn4j. */
    private static final List<String> DESKTOP_PACKAGES = List.of("image");
    private static final List<String> DESKTOP_ONLY = List.of("java/awt/", "javax/imageio/", "javax/swing/",
            "java/lang/management/", "javax/management/", "javax/naming/", "java/rmi/");

    @Test
    void noCoreClassUsesDesktopOnlyApis() throws IOException {
        assertTrue(Files.isDirectory(CLASSES.resolve("model")), "run from the project root after compiling");
        List<String> offenders = new ArrayList<>();
        Map<String, Integer> checkedPerPackage = new TreeMap<>();
        try (Stream<Path> files = Files.walk(CLASSES)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String pkg = packageOf(CLASSES.relativize(file.getParent()));
                if (DESKTOP_PACKAGES.contains(pkg)) {
                    continue;
                }
                checkedPerPackage.merge(pkg, 1, Integer::sum);
                // Class names in the constant pool are modified UTF-8, plain ASCII for these packages.
                String constants = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String prefix : DESKTOP_ONLY) {
                    if (constants.contains(prefix)) {
                        offenders.add(CLASSES.relativize(file) + " refers to " + prefix);
                    }
                }
            }
        }
        assertEquals(List.of(), offenders);
        // Every source package (but the desktop one) had classes checked: none was skipped or missing from the build.
        List<String> unchecked = new ArrayList<>();
        try (Stream<Path> dirs = Files.walk(SOURCES)) {
            for (Path dir : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
                String pkg = packageOf(SOURCES.relativize(dir));
                boolean hasSources;
                try (Stream<Path> javaFiles = Files.list(dir)) {
                    hasSources = javaFiles.anyMatch(f -> f.toString().endsWith(".java"));
                }
                if (hasSources && !DESKTOP_PACKAGES.contains(pkg) && !checkedPerPackage.containsKey(pkg)) {
                    unchecked.add(pkg);
                }
            }
        }
        assertEquals(List.of(), unchecked, "source packages without compiled classes under " + CLASSES);
        assertTrue(checkedPerPackage.keySet().containsAll(List.of("", "jni", "layers", "model", "onnx", "ops",
                "preprocess", "weights", "io")), "packages checked: " + checkedPerPackage);
        assertTrue(checkedPerPackage.values().stream().mapToInt(Integer::intValue).sum() > 100,
                "too few core classes found under " + CLASSES + ": " + checkedPerPackage);
    }

    /** "model" for io/cnn4j/model, "" for io/cnn4j itself, "a/b" for nested packages. */
    private static String packageOf(Path relative) {
        return relative.toString().replace('\\', '/');
    }
}
