package io.cnn4j.preprocess;

import io.cnn4j.Limits;
import io.cnn4j.Tensor;
import io.cnn4j.model.ModelDescription.Preprocess;
import java.util.List;

/**
 * A model's {@code preprocess} applied to decoded images, in torchvision's order and with its rounding rules:
 * convert to the model's color mode (PIL's {@code convert("L")} or {@code "RGB"}), {@code Resize} (to [H, W], or the
 * shorter side to N with the longer one {@code int(N * long / short)}, capped by {@code max_size}), {@code CenterCrop}
 * (offsets {@code round((size - crop) / 2)} with Python's round-half-even, zero padding when the crop is larger), then
 * {@code ToTensor} (times {@code scale}, HWC to CHW, BGR order if asked) and {@code Normalize}. Resizing is PIL's
 * ({@link Resample}), as torchvision resizes PIL images. Pure Java: no image decoding here.
 */
public final class ImagePipeline {
    private ImagePipeline() {}

    /** The sizes one image goes through: as decoded, after Resize, after CenterCrop (the model's input size). */
    public record Geometry(int width, int height, int resizedWidth, int resizedHeight, int outWidth, int outHeight,
            String interpolation) {
        public boolean resizes() {
            return resizedWidth != width || resizedHeight != height;
        }

        public boolean crops() {
            return outWidth != resizedWidth || outHeight != resizedHeight;
        }

        /** True if the resize changes the aspect ratio by more than rounding (the image is squashed or stretched). */
        public boolean distorts() {
            return resizes() && Math.abs((double) resizedWidth / resizedHeight - (double) width / height)
                    > 1.0 / Math.min(resizedWidth, resizedHeight);
        }

        /** E.g. "640x480 resized to 299x224 (bilinear, antialiased as PIL), center-cropped to 224x224". */
        public String describe() {
            StringBuilder sb = new StringBuilder(width + "x" + height);
            if (resizes()) {
                sb.append(" resized to ").append(resizedWidth).append('x').append(resizedHeight).append(" (")
                        .append(interpolation).append(" as PIL")
                        .append(distorts() ? String.format(", aspect ratio %.2f -> %.2f", (double) width / height,
                                (double) resizedWidth / resizedHeight) : "").append(')');
            }
            if (crops()) {
                sb.append(resizes() ? "," : "").append(" center-cropped to ").append(outWidth).append('x')
                        .append(outHeight);
            }
            return sb.toString();
        }
    }

    /** The geometry of an image of {@code width x height} under {@code p}. */
    public static Geometry geometry(int width, int height, Preprocess p) {
        long rw = width;
        long rh = height;
        if (p.resize() != null) {
            rh = p.resize()[0];
            rw = p.resize()[1];
        } else if (p.resizeShorter() > 0 || p.maxSize() > 0) {
            // torchvision's _compute_resized_output_size: int(size * long / short), a float division truncated; with
            // max_size, a longer side beyond it becomes max_size and the shorter int(max_size * short / long) of the
            // sizes just computed; with max_size alone (v2's Resize(None, max_size)), the longer side is max_size.
            long shorter = Math.min(width, height);
            long longer = Math.max(width, height);
            long newShort;
            long newLong;
            if (p.resizeShorter() > 0) {
                newShort = p.resizeShorter();
                newLong = (long) ((double) p.resizeShorter() * longer / shorter);
                if (p.maxSize() > 0 && newLong > p.maxSize()) {
                    newShort = (long) ((double) p.maxSize() * newShort / newLong);
                    newLong = p.maxSize();
                }
            } else {
                newShort = (long) ((double) p.maxSize() * shorter / longer);
                newLong = p.maxSize();
            }
            if (newShort < 1) {
                // torchvision hands PIL a zero size here, which it refuses; say why instead.
                throw new IllegalArgumentException("the " + width + "x" + height + " image would be resized to a "
                        + "side of 0 pixels (its shorter side scaled to fit max_size " + p.maxSize() + ")");
            }
            rw = width <= height ? newShort : newLong;
            rh = width <= height ? newLong : newShort;
        }
        int ow = p.crop() != null ? p.crop()[1] : (int) Math.min(rw, Integer.MAX_VALUE);
        int oh = p.crop() != null ? p.crop()[0] : (int) Math.min(rh, Integer.MAX_VALUE);
        for (long pixels : new long[] {rw * rh, (long) ow * oh}) {
            if (Limits.IMAGE_PIXELS.exceeded(pixels)) {
                throw new IllegalArgumentException(Limits.IMAGE_PIXELS.problem("the preprocessed " + width + "x"
                        + height + " image (" + rw + "x" + rh + " resized, " + ow + "x" + oh + " cropped)"));
            }
        }
        return new Geometry(width, height, (int) rw, (int) rh, ow, oh, p.interpolation());
    }

    /** Converts, resizes and crops one image as {@code p} says; the result has the model input's size. */
    public static Pixels apply(Pixels image, Preprocess p) {
        Pixels converted = convert(image, p.color().equals("grayscale") ? 1 : 3);
        Geometry g = geometry(image.width(), image.height(), p);
        Pixels resized = Resample.resize(converted, g.resizedWidth(), g.resizedHeight(),
                Resample.Filter.named(p.interpolation()));
        return g.crops() ? centerCrop(resized, g.outWidth(), g.outHeight()) : resized;
    }

    /**
     * A batch [N, C, H, W] of images already converted, resized and cropped ({@link #apply}), all of one size: ToTensor
     * and Normalize.
     */
    public static Tensor toTensor(List<Pixels> images, Preprocess p) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images given");
        }
        Pixels first = images.get(0);
        int channels = p.color().equals("grayscale") ? 1 : 3;
        int width = first.width();
        int height = first.height();
        int plane = width * height;
        float[] data = new float[Math.multiplyExact(images.size(), channels * plane)];
        for (int n = 0; n < images.size(); n++) {
            Pixels image = images.get(n);
            if (image.width() != width || image.height() != height || image.channels() != channels) {
                throw new IllegalArgumentException("image " + n + " is " + image.width() + "x" + image.height() + "x"
                        + image.channels() + " but image 0 is " + width + "x" + height + "x" + channels + "; a batch "
                        + "needs one size (give the preprocess a \"resize\" or a \"crop\")");
            }
            int base = n * channels * plane;
            for (int i = 0; i < plane; i++) {
                for (int c = 0; c < channels; c++) {
                    // BGR models take channel 2 of the RGB pixel first.
                    int source = p.color().equals("bgr") ? 2 - c : c;
                    data[base + c * plane + i] = normalize(image.data()[i * channels + source] & 0xff, p, c);
                }
            }
        }
        return Tensor.of(data, images.size(), channels, height, width);
    }

    private static float normalize(int value, Preprocess p, int channel) {
        return (float) ((value * p.scale() - p.mean()[channel]) / p.std()[channel]);
    }

    /** PIL's {@code convert("L")} (ITU-R 601-2 luma in its fixed-point form) or a gray image repeated as RGB. */
    static Pixels convert(Pixels image, int channels) {
        if (image.channels() == channels) {
            return image;
        }
        int n = image.width() * image.height();
        byte[] src = image.data();
        byte[] out = new byte[n * channels];
        for (int i = 0; i < n; i++) {
            if (channels == 1) {
                int r = src[3 * i] & 0xff;
                int g = src[3 * i + 1] & 0xff;
                int b = src[3 * i + 2] & 0xff;
                out[i] = (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
            } else {
                out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = src[i];
            }
        }
        return new Pixels(image.width(), image.height(), channels, out);
    }

    /** torchvision's CenterCrop: zero padding first where the crop is larger, then offsets rounded half to even. */
    static Pixels centerCrop(Pixels image, int width, int height) {
        int c = image.channels();
        int padLeft = width > image.width() ? (width - image.width()) / 2 : 0;
        int padTop = height > image.height() ? (height - image.height()) / 2 : 0;
        int paddedWidth = Math.max(width, image.width());
        int paddedHeight = Math.max(height, image.height());
        int left = (int) Math.rint((paddedWidth - width) / 2.0) - padLeft;
        int top = (int) Math.rint((paddedHeight - height) / 2.0) - padTop;
        byte[] out = new byte[width * height * c];
        for (int y = 0; y < height; y++) {
            int sy = y + top;
            if (sy < 0 || sy >= image.height()) {
                continue; // padding rows stay 0
            }
            int x0 = Math.max(0, -left);
            int x1 = Math.min(width, image.width() - left);
            if (x1 > x0) {
                System.arraycopy(image.data(), (sy * image.width() + x0 + left) * c, out, (y * width + x0) * c,
                        (x1 - x0) * c);
            }
        }
        return new Pixels(width, height, c, out);
    }
}
