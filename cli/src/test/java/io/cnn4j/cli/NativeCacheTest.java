package io.cnn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command's own JavaCPP cache directory per build (NativeCache): jars whose natives differ in content or time get
 * different directories, identical ones the same, a cache directory the user set wins, classes run from a directory
 * leave JavaCPP's default alone, and directories of builds unused for days are deleted, nothing else.
 */
class NativeCacheTest {
    private static final String JNI = "io/cnn4j/jni/linux-x86_64/libjnicnn4j.so";
    private static final long TIME = 1_700_000_000_000L;

    @TempDir
    Path dir;

    /** A jar holding a class file and a "native library" of {@code content}, both dated {@code time}. */
    private Path jar(String name, String content, String classContent, long time) throws IOException {
        Path jar = Files.createDirectories(dir.resolve(name).getParent()).resolve(dir.resolve(name).getFileName());
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            for (String[] entry : new String[][] {{"io/cnn4j/cli/Main.class", classContent}, {JNI, content},
                    {"org/bytedeco/openblas/linux-x86_64/libopenblas_nolapack.so.0", "blas"}}) {
                ZipEntry e = new ZipEntry(entry[0]);
                e.setTime(time);
                out.putNextEntry(e);
                out.write(entry[1].getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    private Path choose(Path jar) throws IOException {
        return NativeCache.choose(new Properties(), jar, "0.1.0-SNAPSHOT", dir.resolve("home"));
    }

    @Test
    void jarsWithDifferentNativesGetDifferentDirectories() throws IOException {
        Path a = choose(jar("a/cnn4j.jar", "native build 1", "class", TIME));
        Path b = choose(jar("b/cnn4j.jar", "native build 2", "class", TIME));
        // Same size, other bytes: the CRC tells them apart.
        Path c = choose(jar("c/cnn4j.jar", "native build 3", "class", TIME));
        // Same bytes, another time: JavaCPP would re-extract over the other's file, so another directory too.
        Path d = choose(jar("d/cnn4j.jar", "native build 1", "class", TIME + 60_000));
        assertEquals(4, java.util.Set.of(a, b, c, d).size(), a + " " + b + " " + c + " " + d);
        assertEquals(dir.resolve("home/.javacpp/cache"), a.getParent());
        assertTrue(a.getFileName().toString().matches("cnn4j-0\\.1\\.0-SNAPSHOT-[0-9a-f]{16}"), a.toString());
    }

    @Test
    void identicalNativesShareTheirDirectory() throws IOException {
        // Another copy of the same build (and a build whose classes alone changed) reuses the extracted natives.
        Path a = choose(jar("a/cnn4j.jar", "native build 1", "class", TIME));
        Path b = choose(jar("b/renamed.jar", "native build 1", "other class", TIME));
        assertEquals(a, b);
        assertNotEquals(a, NativeCache.choose(new Properties(), dir.resolve("a/cnn4j.jar"), "0.2.0",
                dir.resolve("home")));
    }

    @Test
    void aCacheDirectoryTheUserSetWins() throws IOException {
        Path jar = jar("a/cnn4j.jar", "native build 1", "class", TIME);
        for (String property : new String[] {NativeCache.PROPERTY, NativeCache.PROPERTY_CAMEL_CASE}) {
            Properties set = new Properties();
            set.setProperty(property, "/somewhere/else");
            assertNull(NativeCache.choose(set, jar, "0.1.0", dir), property);
        }
    }

    @Test
    void classesFromADirectoryKeepJavacppsDefault() throws IOException {
        assertNull(NativeCache.choose(new Properties(), null, "0.1.0", dir));
        // The tests run from target/classes: no jar to name a directory after.
        assertNull(NativeCache.jarOf(NativeCache.class));
        assertFalse(NativeCache.isNativeLibrary("io/cnn4j/cli/Main.class"));
        assertTrue(NativeCache.isNativeLibrary("org/bytedeco/openblas/linux-x86_64/libopenblas_nolapack.so.0"));
        assertTrue(NativeCache.isNativeLibrary("org/bytedeco/openblas/windows-x86_64/jniopenblas.dll"));
        assertTrue(NativeCache.isNativeLibrary("io/cnn4j/jni/macosx-arm64/libjnicnn4j.dylib"));
    }

    @Test
    void directoriesOfBuildsUnusedForDaysArePruned() throws IOException {
        Path root = Files.createDirectories(dir.resolve("cache"));
        long now = System.currentTimeMillis();
        long old = now - NativeCache.UNUSED_MILLIS - 60_000;
        Path mine = root.resolve("cnn4j-0.2.0-0123456789abcdef");
        Path stale = root.resolve("cnn4j-0.1.0-SNAPSHOT-fedcba9876543210");
        Path recent = root.resolve("cnn4j-0.1.0-SNAPSHOT-00000000000000ff");
        Path staleWithoutMarker = root.resolve("cnn4j-dev-1111111111111111");
        Path otherJar = root.resolve("cnn4j.jar"); // JavaCPP's default layout: not ours to delete
        Path otherName = root.resolve("cnn4j-notes");
        for (Path d : List.of(mine, stale, recent, staleWithoutMarker, otherJar, otherName)) {
            Files.createDirectories(d.resolve("io/cnn4j/jni/linux-x86_64"));
            Files.writeString(d.resolve("io/cnn4j/jni/linux-x86_64/libjnicnn4j.so"), "so");
            NativeCache.markUsed(d);
        }
        // A symbolic link inside a stale directory (JavaCPP makes some) goes, its target stays.
        Path outside = Files.writeString(dir.resolve("outside.txt"), "keep");
        Files.createSymbolicLink(stale.resolve("link"), outside);
        for (Path d : List.of(mine, stale, otherJar, otherName)) {
            Files.setLastModifiedTime(d.resolve(NativeCache.LAST_USED), FileTime.fromMillis(old));
        }
        Files.delete(staleWithoutMarker.resolve(NativeCache.LAST_USED));
        Files.setLastModifiedTime(staleWithoutMarker, FileTime.fromMillis(old));

        NativeCache.prune(root, mine, now);
        assertTrue(Files.isDirectory(mine), "the running build's own directory stays, however old");
        assertTrue(Files.isDirectory(recent));
        assertFalse(Files.exists(stale));
        assertFalse(Files.exists(staleWithoutMarker));
        assertTrue(Files.isDirectory(otherJar));
        assertTrue(Files.isDirectory(otherName));
        assertEquals("keep", Files.readString(outside));
        // markUsed makes a directory recent again.
        NativeCache.markUsed(mine);
        assertTrue(now - Files.getLastModifiedTime(mine.resolve(NativeCache.LAST_USED)).toMillis() < 60_000);
    }

    @Test
    void aMissingVersionStillNamesADirectory() throws IOException {
        Path jar = jar("a/cnn4j.jar", "native build 1", "class", TIME);
        Path d = NativeCache.choose(new Properties(), jar, null, dir);
        assertTrue(d.getFileName().toString().startsWith("cnn4j-dev-"), d.toString());
        // Characters a directory name should not carry are replaced.
        Path odd = NativeCache.choose(new Properties(), jar, "1.0/../x y", dir);
        assertTrue(odd.getFileName().toString().startsWith("cnn4j-1.0_.._x_y-"), odd.toString());
        assertEquals(dir.resolve(".javacpp/cache"), odd.getParent());
    }
}
