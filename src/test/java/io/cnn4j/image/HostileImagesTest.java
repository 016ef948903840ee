package io.cnn4j.image;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.testing.Budgets;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged and oversized images are refused with the file named, before a large raster is allocated. */
class HostileImagesTest {
    @TempDir
    Path dir;

    @Test
    void aPngClaimingBillionsOfPixelsIsRefusedFromItsHeader() throws Exception {
        byte[] png = withSize(smallPng(), 100_000, 100_000);
        Path file = Files.write(dir.resolve("bomb.png"), png);
        String message = refused(file);
        assertTrue(message.contains("bomb.png: the image (100000 x 100000) has more than 67108864 pixels")
                && message.contains("cnn4j.maxImagePixels"), message);
    }

    @Test
    void thePixelLimitIsRaisedByItsProperty() throws Exception {
        Path file = Files.write(dir.resolve("small.png"), smallPng());
        Budgets.withProperty("cnn4j.maxImagePixels", "15", () -> {
            assertTrue(refused(file).contains("has more than 15 pixels"));
            return null;
        });
        assertTrue(Images.read(file).getWidth() == 4);
    }

    @Test
    void aPngWithDamagedDataIsRefusedAsADamagedImage() throws Exception {
        byte[] png = smallPng();
        png[png.length - 20] ^= 0x55; // inside the compressed IDAT data
        Path file = Files.write(dir.resolve("damaged.png"), png);
        String message = refused(file);
        assertTrue(message.startsWith(file + " is a damaged or truncated PNG image that cannot be decoded ("), message);
    }

    @Test
    void aFileThatIsNoImageIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("text.png"), "not an image");
        assertTrue(refused(file).contains("is not an image format Java can read"));
    }

    private static String refused(Path file) {
        return assertThrows(IllegalArgumentException.class, () -> Images.read(file)).getMessage();
    }

    /** A 4 x 4 gray PNG. */
    private static byte[] smallPng() throws Exception {
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                image.getRaster().setSample(x, y, 0, 17 * (x + 4 * y));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** The PNG with its IHDR width and height replaced (and the chunk's CRC recomputed, so only the size is odd). */
    private static byte[] withSize(byte[] png, int width, int height) {
        byte[] out = png.clone();
        ByteBuffer b = ByteBuffer.wrap(out); // signature (8), IHDR length (4), "IHDR" (4), width, height, ...
        b.putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(out, 12, 17); // chunk type + 13 data bytes
        b.putInt(29, (int) crc.getValue());
        return out;
    }
}
