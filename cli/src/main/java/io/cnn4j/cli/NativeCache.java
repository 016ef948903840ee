package io.cnn4j.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Gives the command's natives a JavaCPP cache directory of their own per build, so that two different cnn4j jars on
 * one machine cannot take each other down.
 *
 * <p>Why: JavaCPP extracts the native libraries of a jar into {@code ~/.javacpp/cache/<jar file name>/} and re-extracts
 * a library whose size or time differs from the jar's entry. Two builds of {@code cnn4j.jar} (two versions, two
 * checkouts) share that directory: when one extracts its {@code libjnicnn4j.so} while a JVM of the other is loading
 * the same path, that JVM dies with SIGBUS in the dynamic loader (JavaCPP issue #608). So before anything loads
 * JavaCPP, {@link #configure} points {@code org.bytedeco.javacpp.cachedir} at
 * {@code ~/.javacpp/cache/cnn4j-<version>-<fingerprint>/}, the fingerprint a hash of the names, sizes, CRCs and times
 * of the native libraries in the jar (read from the jar's directory, no extraction, a few milliseconds): builds whose
 * natives differ never share a directory, runs of one build share theirs. A {@code cachedir} the user set (either
 * spelling JavaCPP reads) is left alone, and so is a command not run from a jar (the tests, an IDE). Each start marks
 * its directory used and deletes other builds' directories unused for three days ({@link #prune}).
 */
final class NativeCache {
    /** JavaCPP's system property, and the other spelling its Loader also reads. */
    static final String PROPERTY = "org.bytedeco.javacpp.cachedir";
    static final String PROPERTY_CAMEL_CASE = "org.bytedeco.javacpp.cacheDir";

    private NativeCache() {}

    /**
     * Sets {@link #PROPERTY} for the jar this command runs from, unless the user set a cache directory or the
     * command is not run from a jar; returns the directory set, or null.
     */
    static Path configure() {
        try {
            Path jar = jarOf(io.cnn4j.jni.NativeCore.class);
            String version = Main.class.getPackage().getImplementationVersion();
            Path dir = choose(System.getProperties(), jar, version, Path.of(System.getProperty("user.home")));
            if (dir != null) {
                System.setProperty(PROPERTY, dir.toString());
                markUsed(dir);
                prune(dir.getParent(), dir, System.currentTimeMillis());
            }
            return dir;
        } catch (IOException | RuntimeException e) {
            // Unreadable jar, no home directory...: JavaCPP's own default still works, as it did before.
            return null;
        }
    }

    /**
     * The cache directory for natives from {@code jar} (null: leave JavaCPP's choice): null if {@code properties}
     * already name one or {@code jar} is null (classes from a directory), else
     * {@code home/.javacpp/cache/cnn4j-<version>-<fingerprint>}.
     */
    static Path choose(Properties properties, Path jar, String version, Path home) throws IOException {
        if (properties.getProperty(PROPERTY) != null || properties.getProperty(PROPERTY_CAMEL_CASE) != null
                || jar == null) {
            return null;
        }
        String v = version == null || version.isBlank() ? "dev" : version.replaceAll("[^A-Za-z0-9._-]", "_");
        return home.resolve(".javacpp").resolve("cache").resolve("cnn4j-" + v + "-" + fingerprint(jar));
    }

    /**
     * 16 hex digits of the SHA-256 of every native library entry of {@code jar} (name, size, CRC-32 and time, the
     * time because JavaCPP re-extracts a file whose time differs), in the jar's order.
     */
    static String fingerprint(Path jar) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        List<String> natives = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                ZipEntry e = entries.nextElement();
                if (!e.isDirectory() && isNativeLibrary(e.getName())) {
                    natives.add(e.getName() + '\0' + e.getSize() + '\0' + Long.toHexString(e.getCrc()) + '\0'
                            + e.getTime());
                }
            }
        }
        for (String n : natives) {
            sha.update(n.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 8);
    }

    /** The file whose time says when a build's directory was last used (each start of that build touches it). */
    static final String LAST_USED = ".cnn4j-last-used";
    /** A build directory unused this long is deleted by the next start of another build: about 40 MB each. */
    static final long UNUSED_MILLIS = 3L * 24 * 60 * 60 * 1000;
    private static final Pattern BUILD_DIR = Pattern.compile("cnn4j-[A-Za-z0-9._-]+-[0-9a-f]{16}");

    /** Creates {@code dir} if need be and sets its {@link #LAST_USED} time to now. */
    static void markUsed(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path marker = dir.resolve(LAST_USED);
        if (!Files.exists(marker)) {
            Files.createFile(marker);
        }
        Files.setLastModifiedTime(marker, FileTime.fromMillis(System.currentTimeMillis()));
    }

    /**
     * Deletes the other builds' directories in {@code root} (named as {@link #choose} names them) not used for
     * {@link #UNUSED_MILLIS}, so that rebuilding cnn4j does not fill the disk with old natives. A directory's age is
     * read again just before it is deleted; a JVM of that build already running keeps the libraries it mapped (the
     * files go, not the memory), and one starting later extracts them anew. Failures are ignored: at worst an old
     * directory stays.
     */
    static void prune(Path root, Path keep, long now) {
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                if (!d.equals(keep) && BUILD_DIR.matcher(d.getFileName().toString()).matches()
                        && Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) && unusedSince(d, now)) {
                    deleteTree(d);
                }
            }
        } catch (IOException | RuntimeException e) {
            // an old directory stays; nothing else depends on it
        }
    }

    private static boolean unusedSince(Path dir, long now) throws IOException {
        Path marker = dir.resolve(LAST_USED);
        long used = Files.getLastModifiedTime(Files.exists(marker) ? marker : dir).toMillis();
        return now - used > UNUSED_MILLIS;
    }

    /** Deletes {@code dir} and everything in it; symbolic links (JavaCPP makes some) are deleted, not followed. */
    private static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** libfoo.so, libfoo.so.0, libfoo.dylib, foo.dll, libfoo.jnilib. */
    static boolean isNativeLibrary(String name) {
        String file = name.substring(name.lastIndexOf('/') + 1);
        return file.endsWith(".so") || file.contains(".so.") || file.endsWith(".dylib") || file.endsWith(".dll")
                || file.endsWith(".jnilib");
    }

    /** The jar file {@code c} was loaded from, or null if it came from a directory or from nowhere known. */
    static Path jarOf(Class<?> c) {
        CodeSource source = c.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return null;
        }
        try {
            Path path = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(path) ? path : null;
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }
}
