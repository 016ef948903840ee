package io.cnn4j.weights;

/**
 * A weights file that cannot be read: truncated, malformed, of a kind cnn4j does not read (legacy PyTorch,
 * TorchScript, integer tensors), or referencing code. The message starts with the file and says what was found and
 * what was expected, so a user can fix or re-save the file.
 *
 * <p>It is an {@link IllegalArgumentException} because the file is the caller's input, like any other argument that
 * cnn4j rejects; I/O failures (a missing or unreadable file) stay {@link java.io.IOException}s.
 */
public final class WeightsFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String source;

    public WeightsFormatException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    public WeightsFormatException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** The file (or other source) that was being read. */
    public String source() {
        return source;
    }
}
