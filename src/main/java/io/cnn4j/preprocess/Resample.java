package io.cnn4j.preprocess;

/**
 * Image resizing with PIL's results, so that a model sees at inference the pixels torchvision's {@code Resize} gave
 * it in training (torchvision resizes PIL images with PIL's {@code Image.resize}).
 *
 * <p>Every filter but nearest follows PIL's {@code ImagingResample}: a separable convolution, horizontal pass then
 * vertical, each output sample a weighted sum of the input samples within the filter's support around the output
 * pixel's center mapped into the input. When shrinking, the support is widened by the scale factor (the filter is
 * stretched), which is what makes the resize antialiased: every input pixel contributes, none is skipped. Weights are
 * normalized to sum 1, converted to 22-bit fixed point as PIL does, and each pass rounds and clamps to 8 bits, as
 * PIL's intermediate image is 8-bit. Nearest follows PIL's affine scaling: the input pixel under the output pixel's
 * center, {@code floor((x + 0.5) * in / out)}.
 */
public final class Resample {
    /**
     * The resampling filters torchvision's {@code InterpolationMode} maps onto PIL for PIL images: NEAREST, BOX,
     * BILINEAR, HAMMING, BICUBIC and LANCZOS, each with PIL's support (in input pixels at scale 1) and its kernel as
     * written in PIL's Resample.c, comparisons and constants included, so that the fixed-point weights come out the
     * same.
     */
    public enum Filter {
        NEAREST(0), BOX(0.5), BILINEAR(1), HAMMING(1), BICUBIC(2), LANCZOS(3);

        final double support;

        Filter(double support) {
            this.support = support;
        }

        /** The filter named as in torchvision's {@code InterpolationMode}: "nearest", "bilinear", "lanczos"... */
        public static Filter named(String name) {
            for (Filter f : values()) {
                if (f.name().equalsIgnoreCase(name)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown interpolation '" + name + "'; use " + names()
                    + " (torchvision's InterpolationMode names, PIL's filters)");
        }

        /** "nearest, box, bilinear, hamming, bicubic or lanczos", for messages. */
        public static String names() {
            StringBuilder sb = new StringBuilder();
            Filter[] all = values();
            for (int i = 0; i < all.length; i++) {
                sb.append(i == 0 ? "" : i == all.length - 1 ? " or " : ", ")
                        .append(all[i].name().toLowerCase(java.util.Locale.ROOT));
            }
            return sb.toString();
        }

        double weight(double x) {
            double a = Math.abs(x);
            return switch (this) {
                // PIL's box_filter: the half-open interval (-0.5, 0.5], not symmetric.
                case BOX -> x > -0.5 && x <= 0.5 ? 1 : 0;
                case BILINEAR -> a < 1 ? 1 - a : 0;
                // PIL's constants are C floats (0.54f, 0.46f), widened to double in the sum.
                case HAMMING -> a == 0 ? 1 : a >= 1 ? 0
                        : sinc(a) * ((double) 0.54f + (double) 0.46f * StrictMath.cos(a * Math.PI));
                // Keys' cubic with a = -0.5, PIL's choice.
                case BICUBIC -> a < 1 ? (1.5 * a - 2.5) * a * a + 1 : a < 2 ? (((a - 5) * a + 8) * a - 4) * -0.5 : 0;
                // PIL's lanczos_filter: sinc(x) sinc(x / 3) on [-3, 3), half open as well.
                case LANCZOS -> -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0;
                case NEAREST -> throw new AssertionError("nearest is not a convolution");
            };
        }

        /** PIL's sinc_filter: sin(pi x) / (pi x), 1 at 0. */
        private static double sinc(double x) {
            if (x == 0.0) {
                return 1.0;
            }
            double px = x * Math.PI;
            return StrictMath.sin(px) / px;
        }
    }

    /** PIL's fixed point for 8-bit images: 32 bits minus 8 for the sample and 2 for sums above 1 or below 0. */
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resample() {}

    /** {@code image} resized to {@code width x height} as PIL's {@code image.resize((width, height), filter)}. */
    public static Pixels resize(Pixels image, int width, int height, Filter filter) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("cannot resize to " + width + "x" + height);
        }
        if (width == image.width() && height == image.height()) {
            return image;
        }
        if (filter == Filter.NEAREST) {
            return nearest(image, width, height);
        }
        Pixels out = image;
        if (width != image.width()) {
            out = pass(out, width, filter, true);
        }
        if (height != image.height()) {
            out = pass(out, height, filter, false);
        }
        return out;
    }

    private static Pixels nearest(Pixels in, int width, int height) {
        int c = in.channels();
        int[] xs = new int[width];
        double sx = (double) in.width() / width;
        double sy = (double) in.height() / height;
        for (int x = 0; x < width; x++) {
            xs[x] = Math.min(in.width() - 1, (int) ((x + 0.5) * sx));
        }
        byte[] out = new byte[width * height * c];
        for (int y = 0; y < height; y++) {
            int row = Math.min(in.height() - 1, (int) ((y + 0.5) * sy)) * in.width();
            for (int x = 0; x < width; x++) {
                System.arraycopy(in.data(), (row + xs[x]) * c, out, (y * width + x) * c, c);
            }
        }
        return new Pixels(width, height, c, out);
    }

    /** One separable pass: along rows ({@code horizontal}) or columns, to {@code size} samples. */
    private static Pixels pass(Pixels in, int size, Filter filter, boolean horizontal) {
        int inSize = horizontal ? in.width() : in.height();
        Coefficients k = coefficients(inSize, size, filter);
        int c = in.channels();
        int width = horizontal ? size : in.width();
        int height = horizontal ? in.height() : size;
        byte[] src = in.data();
        byte[] out = new byte[width * height * c];
        // Stride between neighbouring taps, and between consecutive lines across the pass.
        int tapStride = horizontal ? c : in.width() * c;
        for (int o = 0; o < size; o++) {
            int first = k.first[o];
            int base = o * k.taps;
            int lines = horizontal ? height : width;
            for (int line = 0; line < lines; line++) {
                int start = horizontal ? (line * in.width() + first) * c : (first * in.width() + line) * c;
                int dst = horizontal ? (line * width + o) * c : (o * width + line) * c;
                for (int ch = 0; ch < c; ch++) {
                    int sum = 1 << (PRECISION_BITS - 1);
                    int at = start + ch;
                    for (int t = 0; t < k.count[o]; t++, at += tapStride) {
                        sum += (src[at] & 0xff) * k.weights[base + t];
                    }
                    out[dst + ch] = (byte) clip8(sum);
                }
            }
        }
        return new Pixels(width, height, c, out);
    }

    private static int clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Per output sample: the first input sample read, how many, and their fixed-point weights. */
    private record Coefficients(int taps, int[] first, int[] count, int[] weights) {}

    private static Coefficients coefficients(int inSize, int outSize, Filter filter) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0); // shrinking stretches the filter: the antialiasing
        double support = filter.support * filterScale;
        double inverse = 1.0 / filterScale; // PIL multiplies by the reciprocal: same rounding, same weights
        int taps = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[] weights = new int[outSize * taps];
        double[] w = new double[taps];
        for (int o = 0; o < outSize; o++) {
            double center = (o + 0.5) * scale;
            // C's (int) truncates toward zero; the clamp makes the difference from floor irrelevant.
            int lo = Math.max(0, (int) (center - support + 0.5));
            int hi = Math.min(inSize, (int) (center + support + 0.5));
            int n = hi - lo;
            double total = 0;
            for (int t = 0; t < n; t++) {
                w[t] = filter.weight((t + lo - center + 0.5) * inverse);
                total += w[t];
            }
            for (int t = 0; t < n; t++) {
                double v = total != 0 ? w[t] / total : w[t];
                double fixed = v * (1 << PRECISION_BITS);
                weights[o * taps + t] = (int) (v < 0 ? fixed - 0.5 : fixed + 0.5);
            }
            first[o] = lo;
            count[o] = n;
        }
        return new Coefficients(taps, first, count, weights);
    }
}
