package io.cnn4j.io;

import io.cnn4j.Limits;
import io.cnn4j.Tensor;
import io.cnn4j.model.ModelDescription.Preprocess;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns images into a model's input batch following its {@code preprocess}, in torchvision's order: Resize to
 * [H, W] (bilinear), convert to the model's color layout, ToTensor (multiply by {@code scale}, HWC -> CHW), then
 * Normalize ({@code (x - mean) / std} per channel).
 *
 * <p>Grayscale follows PIL's {@code convert("L")} (ITU-R 601-2 luma, rounded); 8-bit gray images are read as stored,
 * without Java2D's color-space conversion. Resizing uses Java2D's bilinear filter, close to but not bit-identical
 * with PIL's antialiased resize; models whose images already have the input size are unaffected.
 */
public final class Images {
    private Images() {}

    /**
     * Decodes an image file (PNG, JPEG, BMP, GIF: what Java's ImageIO reads).
     *
     * @throws IllegalArgumentException if the file is not an image ImageIO reads, is damaged, or has more pixels than
     *                                  {@link Limits#IMAGE_PIXELS} (checked from its header, before decoding)
     * @throws IOException              if the file cannot be read
     */
    public static BufferedImage read(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("image " + path + " does not exist or is not a file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(path.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IllegalArgumentException(path + " is not an image format Java can read (PNG, JPEG, BMP, "
                        + "GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (Limits.IMAGE_PIXELS.exceeded(pixels)) {
                    throw new IllegalArgumentException(path + ": " + Limits.IMAGE_PIXELS.problem("the image ("
                            + reader.getWidth(0) + " x " + reader.getHeight(0) + ")"));
                }
                BufferedImage image = reader.read(0);
                if (image == null) {
                    throw new IllegalArgumentException(path + " holds no image");
                }
                return image;
            } catch (IIOException | RuntimeException e) {
                if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
                        && iae.getMessage().startsWith(path.toString())) {
                    throw iae;
                }
                // A damaged file: ImageIO's decoders report it as IIOException or, for some damage, as a runtime
                // exception of their own (index or size errors).
                throw new IllegalArgumentException(path + " is not a readable " + reader.getFormatName() + " image ("
                        + e.getMessage() + ")", e);
            } finally {
                reader.dispose();
            }
        }
    }

    /** A batch [N, C, H, W] from files, preprocessed as {@code p} says. */
    public static Tensor batchFromFiles(List<Path> paths, Preprocess p) throws IOException {
        BufferedImage[] images = new BufferedImage[paths.size()];
        for (int i = 0; i < images.length; i++) {
            images[i] = read(paths.get(i));
        }
        return batch(List.of(images), p);
    }

    /** A batch [N, C, H, W]; without {@code resize}, every image must have the first one's size. */
    public static Tensor batch(List<BufferedImage> images, Preprocess p) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images given");
        }
        int channels = p.color().equals("grayscale") ? 1 : 3;
        int height = p.resize() != null ? p.resize()[0] : images.get(0).getHeight();
        int width = p.resize() != null ? p.resize()[1] : images.get(0).getWidth();
        int plane = height * width;
        float[] data = new float[images.size() * channels * plane];
        for (int n = 0; n < images.size(); n++) {
            BufferedImage image = images.get(n);
            if (image.getHeight() != height || image.getWidth() != width) {
                if (p.resize() == null) {
                    throw new IllegalArgumentException("image " + n + " is " + image.getWidth() + "x"
                            + image.getHeight() + " but the first is " + width + "x" + height
                            + " and the model's preprocess has no resize");
                }
                image = resize(image, width, height);
            }
            int base = n * channels * plane;
            boolean gray = isGray(image);
            Raster raster = image.getRaster();
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int r, g, b;
                    if (gray) {
                        r = g = b = raster.getSample(x, y, 0) >> (raster.getSampleModel().getSampleSize(0) - 8);
                    } else {
                        int rgb = image.getRGB(x, y);
                        r = (rgb >> 16) & 0xff;
                        g = (rgb >> 8) & 0xff;
                        b = rgb & 0xff;
                    }
                    int i = y * width + x;
                    switch (p.color()) {
                        case "grayscale" -> data[base + i] = normalize(luma(r, g, b), p, 0);
                        case "rgb" -> {
                            data[base + i] = normalize(r, p, 0);
                            data[base + plane + i] = normalize(g, p, 1);
                            data[base + 2 * plane + i] = normalize(b, p, 2);
                        }
                        default -> { // bgr
                            data[base + i] = normalize(b, p, 0);
                            data[base + plane + i] = normalize(g, p, 1);
                            data[base + 2 * plane + i] = normalize(r, p, 2);
                        }
                    }
                }
            }
        }
        return Tensor.of(data, images.size(), channels, height, width);
    }

    private static boolean isGray(BufferedImage image) {
        Raster r = image.getRaster();
        return r.getNumBands() <= 2 && image.getColorModel().getNumColorComponents() == 1
                && r.getSampleModel().getSampleSize(0) >= 8;
    }

    /** PIL's L = R * 299/1000 + G * 587/1000 + B * 114/1000, in its fixed-point form. */
    private static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }

    private static float normalize(int value, Preprocess p, int channel) {
        return (float) ((value * p.scale() - p.mean()[channel]) / p.std()[channel]);
    }

    private static BufferedImage resize(BufferedImage image, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(image, 0, 0, width, height, null);
        g.dispose();
        return out;
    }
}
