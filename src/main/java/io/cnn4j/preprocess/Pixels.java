package io.cnn4j.preprocess;

import java.util.Arrays;

/**
 * An 8-bit image as decoded, before it becomes a tensor: {@code channels} (1 = gray, PIL's mode "L"; 3 = RGB) bytes
 * per pixel, rows top to bottom, interleaved like PIL's storage. Core code (no {@code java.awt}), so that any decoder,
 * Java's ImageIO ({@code io.cnn4j.image.Images}) or Android's {@code Bitmap}, can feed the same preprocessing.
 */
public record Pixels(int width, int height, int channels, byte[] data) {
    public Pixels {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("an image must be at least 1x1, got " + width + "x" + height);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("pixels have 1 (gray) or 3 (RGB) channels, got " + channels);
        }
        if (data.length != (long) width * height * channels) {
            throw new IllegalArgumentException("a " + width + "x" + height + " image of " + channels + " channel(s) "
                    + "has " + (long) width * height * channels + " bytes, got " + data.length);
        }
    }

    /** The sample of channel {@code c} at (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return data[(y * width + x) * channels + c] & 0xff;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Pixels p && p.width == width && p.height == height && p.channels == channels
                && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return (width * 31 + height) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Pixels[" + width + "x" + height + "x" + channels + "]";
    }
}
