package dev.glassbox.explorer.formats.onnx;

import java.io.IOException;
import java.nio.file.Path;

/** Lets tests in other packages build the small ONNX model (the builder is package-private with its wire writer). */
public final class TinyOnnxSeed {
    private TinyOnnxSeed() {}

    /** Writes the model and its external data file into {@code dir}; returns the model. */
    public static Path write(Path dir) throws IOException {
        return TinyOnnx.write(dir, TinyOnnx.WEIGHTS);
    }
}
