package io.cnn4j.image;

import io.cnn4j.Limits;
import io.cnn4j.Tensor;
import io.cnn4j.model.ModelDescription.Preprocess;
import io.cnn4j.preprocess.ImagePipeline;
import io.cnn4j.preprocess.Pixels;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Image files decoded with Java's ImageIO ({@code java.awt}, so outside the core packages: Android apps decode with
 * their own {@code Bitmap} and feed {@link ImagePipeline} the same way) and preprocessed as a model's
 * {@code preprocess} says, by {@link ImagePipeline}: torchvision's transforms with PIL's resampling.
 *
 * <p>An 8-bit gray image is read as stored (PIL's mode "L"), without Java2D's color-space conversion; any other
 * image as 8-bit RGB (alpha dropped, palettes expanded), as {@code Image.open(f).convert("RGB")}.
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
            return decode(in, path.toString());
        }
    }

    /**
     * Decodes an image file held in memory (a Spark binaryFile row, an upload), as {@link #read(Path)} does;
     * {@code name} (a path, a URL) names it in messages.
     *
     * @throws IllegalArgumentException as {@link #read(Path)}
     * @throws IOException              if ImageIO fails to read the bytes
     */
    public static BufferedImage read(byte[] bytes, String name) throws IOException {
        java.util.Objects.requireNonNull(bytes, "bytes");
        try (ImageInputStream in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return decode(in, name);
        }
    }

    private static BufferedImage decode(ImageInputStream in, String name) throws IOException {
        Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
        if (readers == null || !readers.hasNext()) {
            throw new IllegalArgumentException(name + " is not an image format Java can read (PNG, JPEG, BMP, "
                    + "GIF)");
        }
        ImageReader reader = readers.next();
        try {
            reader.setInput(in, true, true);
            long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
            if (Limits.IMAGE_PIXELS.exceeded(pixels)) {
                throw new IllegalArgumentException(name + ": " + Limits.IMAGE_PIXELS.problem("the image ("
                        + reader.getWidth(0) + " x " + reader.getHeight(0) + ")"));
            }
            // ImageIO decodes a truncated JPEG with a warning and gray rows; PIL refuses it ("image file is
            // truncated"), and so does cnn4j: a model must not classify half an image without a word.
            List<String> truncated = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> {
                String w = warning.toLowerCase(java.util.Locale.ROOT);
                if (w.contains("truncated") || w.contains("premature end")) {
                    truncated.add(warning);
                }
            });
            BufferedImage image = reader.read(0);
            if (image == null) {
                throw new IllegalArgumentException(name + " holds no image");
            }
            if (!truncated.isEmpty()) {
                throw new IllegalArgumentException(name + " is a truncated " + reader.getFormatName() + " image ("
                        + truncated.get(0) + "): the file ends before its last pixels");
            }
            return image;
        } catch (IIOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
                    && iae.getMessage().startsWith(name)) {
                throw iae;
            }
            // A damaged file: ImageIO's decoders report it as IIOException or, for some damage, as a runtime
            // exception of their own (index or size errors).
            throw new IllegalArgumentException(name + " is a damaged or truncated "
                    + reader.getFormatName().toUpperCase(java.util.Locale.ROOT) + " image that cannot be decoded ("
                    + e.getMessage() + "): open it in an image viewer, or export or download it again", e);
        } finally {
            reader.dispose();
        }
    }

    /** A batch [N, C, H, W] from files, preprocessed as {@code p} says. */
    public static Tensor batchFromFiles(List<Path> paths, Preprocess p) throws IOException {
        List<BufferedImage> images = new ArrayList<>();
        for (Path path : paths) {
            images.add(read(path));
        }
        return batch(images, p);
    }

    /** A batch [N, C, H, W]; without a resize or a crop, every image must have the first one's size. */
    public static Tensor batch(List<BufferedImage> images, Preprocess p) {
        List<Pixels> ready = new ArrayList<>();
        for (BufferedImage image : images) {
            ready.add(ImagePipeline.apply(pixels(image), p));
        }
        return ImagePipeline.toTensor(ready, p);
    }

    /** The image's 8-bit samples: one channel for 8-bit (or wider) gray images, RGB for any other. */
    public static Pixels pixels(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        Raster raster = image.getRaster();
        if (isGray(image)) {
            int shift = raster.getSampleModel().getSampleSize(0) - 8;
            byte[] data = new byte[width * height];
            int[] row = new int[width];
            for (int y = 0; y < height; y++) {
                raster.getSamples(0, y, width, 1, 0, row);
                for (int x = 0; x < width; x++) {
                    data[y * width + x] = (byte) (row[x] >> shift);
                }
            }
            return new Pixels(width, height, 1, data);
        }
        byte[] data = new byte[width * height * 3];
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                data[i] = (byte) (row[x] >> 16);
                data[i + 1] = (byte) (row[x] >> 8);
                data[i + 2] = (byte) row[x];
            }
        }
        return new Pixels(width, height, 3, data);
    }

    private static boolean isGray(BufferedImage image) {
        Raster r = image.getRaster();
        return r.getNumBands() <= 2 && image.getColorModel().getNumColorComponents() == 1
                && r.getSampleModel().getSampleSize(0) >= 8;
    }
}
