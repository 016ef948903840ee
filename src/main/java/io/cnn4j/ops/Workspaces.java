package io.cnn4j.ops;

import io.cnn4j.jni.NativeMemory;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Scratch memory handed to an op's run: a {@link FloatPointer} whose floats from {@code position()} to
 * {@code limit()} the op may overwrite. Ops report the size they need ({@code workspaceSize}); callers plan it
 * once per shape and reuse it, so no run allocates.
 */
public final class Workspaces {
    private Workspaces() {}

    /** A new workspace of {@code floats} floats (at least one, so that it is never a null pointer). */
    public static FloatPointer allocate(long floats) {
        return NativeMemory.allocateFloats(floats, "a workspace of " + floats + " floats");
    }

    /** Floats available in {@code workspace} from its position. */
    static long available(FloatPointer workspace) {
        return workspace == null || workspace.isNull() ? 0 : workspace.limit() - workspace.position();
    }

    static void checkSize(String op, FloatPointer workspace, long needed) {
        if (needed > 0 && available(workspace) < needed) {
            throw new IllegalArgumentException(op + ": workspace has " + available(workspace) + " floats, needs "
                    + needed + " (size it with workspaceSize for this input shape)");
        }
    }

    /** The part of {@code workspace} that starts {@code offset} floats in. */
    static FloatPointer slice(FloatPointer workspace, long offset) {
        FloatPointer p = new FloatPointer(workspace);
        p.position(workspace.position() + offset).limit(workspace.limit());
        return p;
    }
}
