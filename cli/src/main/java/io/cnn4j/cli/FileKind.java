package io.cnn4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * What a file is, from its first bytes, so that a file given in the wrong place (an image as the model, a JSON to
 * {@code convert}, an ONNX model named {@code model.bin}) is refused with a message that says what it is and what
 * was expected, instead of the reader's complaint about bytes it was never meant to read.
 */
enum FileKind {
    MISSING("a missing file"),
    DIRECTORY("a directory"),
    EMPTY("an empty file (0 bytes)"),
    JSON("a JSON text file"),
    SAFETENSORS("a safetensors file"),
    ONNX("an ONNX model (protobuf)"),
    NPY("a NumPy .npy array"),
    PNG("a PNG image"),
    JPEG("a JPEG image"),
    GIF("a GIF image"),
    BMP("a BMP image"),
    ZIP("a zip archive (such as a PyTorch torch.save .pt file)"),
    PICKLE("a Python pickle (such as an old-style PyTorch .pt file)"),
    TEXT("a text file"),
    UNKNOWN("binary data of no format cnn4j knows");

    final String description;

    FileKind(String description) {
        this.description = description;
    }

    boolean isImage() {
        return this == PNG || this == JPEG || this == GIF || this == BMP;
    }

    /** The kind of {@code path}, from at most its first 64 bytes. */
    static FileKind of(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            return DIRECTORY;
        }
        if (!Files.isRegularFile(path)) {
            return MISSING;
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(64);
        }
        return of(head);
    }

    static FileKind of(byte[] b) {
        if (b.length == 0) {
            return EMPTY;
        }
        if (starts(b, 0x93, 'N', 'U', 'M', 'P', 'Y')) {
            return NPY;
        }
        if (starts(b, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n')) {
            return PNG;
        }
        if (starts(b, 0xff, 0xd8, 0xff)) {
            return JPEG;
        }
        if (starts(b, 'G', 'I', 'F', '8')) {
            return GIF;
        }
        if (starts(b, 'B', 'M') && b.length >= 14) {
            return BMP;
        }
        if (starts(b, 'P', 'K', 3, 4)) {
            return ZIP;
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0x80 && b[1] >= 2 && b[1] <= 5) {
            return PICKLE; // PROTO opcode and a protocol number
        }
        // safetensors: an 8-byte little-endian header length, then the JSON header.
        if (b.length >= 9 && b[8] == '{') {
            long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n > 1 && n < (1L << 40)) {
                return SAFETENSORS;
            }
        }
        String text = utf8(b);
        if (text != null) {
            String t = text.replace("\uFEFF", "").stripLeading();
            return t.isEmpty() || t.startsWith("{") || t.startsWith("[") ? JSON : TEXT;
        }
        // ONNX ModelProto: what exporters write first is field 1, ir_version (tag 0x08), a small varint.
        if ((b[0] & 0xff) == 0x08 && b.length >= 2 && b[1] >= 1 && b[1] <= 64) {
            return ONNX;
        }
        return UNKNOWN;
    }

    /** The bytes as UTF-8 text (a character cut at the end allowed) without control characters, or null. */
    private static String utf8(byte[] b) {
        int end = b.length;
        // Back off a multi-byte character the 64-byte window may cut.
        for (int i = 0; i < 3 && end > 0 && (b[end - 1] & 0xc0) == 0x80; i++) {
            end--;
        }
        if (end > 0 && (b[end - 1] & 0xc0) == 0xc0) {
            end--;
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, 0, end)).toString();
            return s.chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\r' && c != '\t') ? null : s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean starts(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** The lower-case extension of the file name, with its dot ("" if none). */
    static String extension(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot);
    }

    static boolean anyOf(FileKind kind, FileKind... kinds) {
        return Arrays.asList(kinds).contains(kind);
    }
}
