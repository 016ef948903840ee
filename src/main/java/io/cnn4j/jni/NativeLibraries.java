package io.cnn4j.jni;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Why the natives did not load, in one line: which of the three pieces a platform needs is missing from the class
 * path (cnn4j's JNI library, OpenBLAS's, JavaCPP's) and where it comes from. JavaCPP's own error ("no
 * jniopenblas_nolapack in java.library.path ...") names none of them.
 */
final class NativeLibraries {
    /** Platforms a cnn4j build may carry natives for (JavaCPP's names), to list the ones this build has. */
    static final List<String> KNOWN_PLATFORMS = List.of("linux-x86_64", "linux-arm64", "macosx-arm64",
            "macosx-x86_64", "windows-x86_64", "android-arm64", "android-x86_64", "linux-ppc64le");

    private NativeLibraries() {}

    /** The file name of JNI library {@code name} on {@code platform}: libX.so, libX.dylib or X.dll. */
    static String fileName(String platform, String name) {
        if (platform.startsWith("windows")) {
            return name + ".dll";
        }
        return "lib" + name + (platform.startsWith("macosx") ? ".dylib" : ".so");
    }

    static String cnn4jResource(String platform) {
        return "io/cnn4j/jni/" + platform + "/" + fileName(platform, "jnicnn4j");
    }

    /**
     * The one-line explanation of a failed load on {@code platform}; {@code hasResource} says whether a class path
     * resource exists, {@code loadMessage} is the loader's own message, {@code openblasVersion} and
     * {@code javacppVersion} the versions to name (null: unknown).
     */
    static String explain(String platform, Predicate<String> hasResource, String loadMessage, String openblasVersion,
            String javacppVersion) {
        if (!hasResource.test(cnn4jResource(platform))) {
            List<String> carried = new ArrayList<>();
            for (String known : KNOWN_PLATFORMS) {
                if (hasResource.test(cnn4jResource(known))) {
                    carried.add(known);
                }
            }
            return "cnn4j has no native library for this platform, " + platform + " (" + System.getProperty("os.name")
                    + " " + System.getProperty("os.arch") + "); this cnn4j build carries natives for "
                    + (carried.isEmpty() ? "no platform" : String.join(", ", carried)) + ": use a cnn4j jar built with "
                    + platform + "'s natives (" + howToBuild(platform) + ")";
        }
        String openblas = "org/bytedeco/openblas/" + platform + "/" + fileName(platform, "jniopenblas_nolapack");
        if (!hasResource.test(openblas)) {
            return "cnn4j needs OpenBLAS's natives for " + platform + ", which are not on the class path: depend on "
                    + "io.cnn4j:cnn4j-platform instead of io.cnn4j:cnn4j, or add org.bytedeco:openblas:"
                    + (openblasVersion != null ? openblasVersion : "<version>") + ":" + platform
                    + " (the artifact with classifier " + platform + ") beside org.bytedeco:openblas";
        }
        String javacpp = "org/bytedeco/javacpp/" + platform + "/" + fileName(platform, "jnijavacpp");
        if (!hasResource.test(javacpp)) {
            return "cnn4j needs JavaCPP's natives for " + platform + ", which are not on the class path: depend on "
                    + "io.cnn4j:cnn4j-platform instead of io.cnn4j:cnn4j, or add org.bytedeco:javacpp:"
                    + (javacppVersion != null ? javacppVersion : "<version>") + ":"
                    + platform + " (the artifact with classifier " + platform + ") beside org.bytedeco:javacpp";
        }
        return "cnn4j could not load its native libraries for " + platform + " although the class path has them ("
                + firstLine(loadMessage) + "); on Linux, a C++ runtime (libstdc++) and glibc as recent as the build "
                + "machine's are needed";
    }

    private static String howToBuild(String platform) {
        if (platform.equals("linux-arm64")) {
            return "mvn package -Dcnn4j.arm64=true on linux-x86_64 with g++-aarch64-linux-gnu, or mvn package on an "
                    + "arm64 Linux machine";
        }
        if (platform.startsWith("android")) {
            return "an NDK build, docs/android.md";
        }
        return "mvn package on a " + platform + " machine; README, Platforms";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
