package io.cnn4j.cli;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Checks that each file given on the command line is what its place expects (a model, a .npy array, an image, an
 * ONNX model, a JSON file), from its first bytes ({@link FileKind}); a mismatch is one error that says what the file
 * is, what was expected and where that kind of file goes.
 */
final class FileChecks {
    private static final String MODEL_FILES = "a model .json, .onnx or single-file .safetensors";

    private FileChecks() {}

    /** A model for info, run, bench and soak: readers are chosen by extension, so the content must agree with it. */
    static void model(Path path) throws IOException {
        FileKind kind = FileKind.of(path);
        String ext = FileKind.extension(path);
        String is = path + " is " + kind.description;
        switch (kind) {
            case MISSING -> { } // the loader's "no such file" says it
            case DIRECTORY -> throw new IllegalArgumentException(is + ", not a model file: give " + MODEL_FILES
                    + " file inside it");
            case JSON, TEXT -> {
                if (ext.equals(".onnx") || ext.equals(".safetensors")) {
                    throw new IllegalArgumentException(is + ", not " + (ext.equals(".onnx") ? "an ONNX model"
                            : "a safetensors file") + " as its name says: if it is a cnn4j model JSON, name it "
                            + "*.json");
                }
            }
            case ONNX, UNKNOWN -> {
                if (kind == FileKind.ONNX && !ext.equals(".onnx")) {
                    throw new IllegalArgumentException(is + ", but its name does not end in .onnx (cnn4j picks "
                            + "the reader by the name): rename it to *.onnx");
                }
                if (kind == FileKind.UNKNOWN && !ext.equals(".onnx") && !ext.equals(".safetensors")) {
                    throw new IllegalArgumentException(is + ", not a model: give " + MODEL_FILES + " file");
                }
            }
            case SAFETENSORS -> {
                if (!ext.equals(".safetensors")) {
                    throw new IllegalArgumentException(is + ", but its name does not end in .safetensors (cnn4j "
                            + "picks the reader by the name): rename it, or load the model JSON that names it under "
                            + "\"weights\"");
                }
            }
            case EMPTY -> throw new IllegalArgumentException(is + ", not a model: give " + MODEL_FILES + " file");
            case ZIP, PICKLE -> throw new IllegalArgumentException(is + ", not a model: cnn4j reads a PyTorch "
                    + "state_dict file as the weights a model JSON names under \"weights\"; write the JSON with "
                    + "python -m cnn4j_export, or export the module with torch.onnx.export");
            case NPY -> throw new IllegalArgumentException(is + ", not a model: give it as the input with "
                    + "cnn4j run MODEL --input " + path);
            default -> throw new IllegalArgumentException(is + ", not a model: images go after the model, as in "
                    + "cnn4j run MODEL " + path);
        }
    }

    /** An input array for --input. */
    static void npy(Path path, String option) throws IOException {
        FileKind kind = FileKind.of(path);
        if (kind == FileKind.NPY || kind == FileKind.MISSING) {
            return;
        }
        String hint = kind.isImage() ? ": images go after the model without " + option + ", as in cnn4j run MODEL "
                + path : ": " + option + " takes a float32 .npy array (numpy.save(path, x.astype(numpy.float32)))";
        throw new IllegalArgumentException(option + " " + path + " is " + kind.description + ", not a .npy array"
                + hint);
    }

    /** An image to classify. */
    static void image(Path path) throws IOException {
        FileKind kind = FileKind.of(path);
        if (kind.isImage() || kind == FileKind.UNKNOWN || kind == FileKind.MISSING) {
            return; // ImageIO may read other formats; it names the file if it cannot
        }
        String hint = kind == FileKind.NPY ? ": give arrays with --input " + path
                : ": images are PNG, JPEG, BMP or GIF files";
        throw new IllegalArgumentException("image " + path + " is " + kind.description + ", not an image" + hint);
    }

    /** The model convert reads. */
    static void onnx(Path path) throws IOException {
        FileKind kind = FileKind.of(path);
        if (kind == FileKind.ONNX || kind == FileKind.UNKNOWN || kind == FileKind.MISSING) {
            return; // protobuf has no magic number: the ONNX reader judges what is not clearly something else
        }
        String hint = kind == FileKind.JSON ? " (if it is a cnn4j model JSON, it needs no conversion: run it as it "
                + "is)" : kind == FileKind.SAFETENSORS ? " (a single-file cnn4j model needs no conversion)" : "";
        throw new IllegalArgumentException(path + " is " + kind.description + ", not an ONNX model: convert takes "
                + "an .onnx file" + hint);
    }

    /** A JSON file such as a preprocess block. */
    static void json(Path path, String what) throws IOException {
        FileKind kind = FileKind.of(path);
        if (kind == FileKind.JSON || kind == FileKind.MISSING || kind == FileKind.TEXT) {
            return; // text that is not JSON: the JSON reader says where it goes wrong
        }
        throw new IllegalArgumentException(path + " is " + kind.description + ", not " + what + " (a JSON file)");
    }
}
