package io.cnn4j.jni;

/**
 * cnn4j's native libraries could not be loaded on this platform: its message is one line naming the platform (a
 * JavaCPP name such as {@code linux-arm64}) and what to add, e.g. the platforms this build carries natives for or the
 * OpenBLAS artifact missing from the class path. Thrown by every call that needs the natives, not only the first.
 */
public final class MissingNativeLibraryError extends UnsatisfiedLinkError {
    private static final long serialVersionUID = 1L;

    /** The platform the natives were looked for (JavaCPP's name, e.g. {@code linux-x86_64}). */
    private final String platform;

    MissingNativeLibraryError(String platform, String message) {
        super(message);
        this.platform = platform;
    }

    /** The platform the natives were looked for (JavaCPP's name, e.g. {@code macosx-arm64}). */
    public String platform() {
        return platform;
    }
}
