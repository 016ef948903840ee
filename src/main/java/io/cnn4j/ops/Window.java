package io.cnn4j.ops;

/**
 * The geometry of a sliding-window op in the native core's 3-d form ({@code cnn4j_window} in native/cnn4j.h):
 * 18 longs, in, out, kernel, stride, pad_begin, dilation, each for (depth, height, width). An op with fewer
 * spatial dims fills the leading ones with size 1, kernel 1, stride 1, padding 0, dilation 1.
 */
final class Window {
    private Window() {}

    static final int IN = 0, OUT = 3, KERNEL = 6, STRIDE = 9, PAD_BEGIN = 12, DILATION = 15;

    static long[] of(long[] in, long[] out, long[] kernel, long[] stride, long[] padBegin, long[] dilation) {
        long[] w = new long[18];
        put(w, IN, in, 1);
        put(w, OUT, out, 1);
        put(w, KERNEL, kernel, 1);
        put(w, STRIDE, stride, 1);
        put(w, PAD_BEGIN, padBegin, 0);
        put(w, DILATION, dilation, 1);
        return w;
    }

    /** A per-dim array of 1 to 3 values as the 3-d form, leading dims filled with {@code fill}. */
    static long[] to3d(long[] values, long fill) {
        long[] out = new long[3];
        put(out, 0, values, fill);
        return out;
    }

    private static void put(long[] dest, int at, long[] values, long fill) {
        int lead = 3 - values.length;
        for (int i = 0; i < 3; i++) {
            dest[at + i] = i < lead ? fill : values[i - lead];
        }
    }
}
