package dev.glassbox.explorer.models;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.kernels.Matrix;
import dev.glassbox.explorer.tensor.Shape;
import dev.glassbox.explorer.tensor.Tensor;

import java.util.Arrays;

/**
 * A family loader's view of a model file: tensors by name, each checked against the shape the family
 * expects and turned into the layout the kernels want.
 */
final class Weights {
    private final ModelFile file;

    Weights(ModelFile file) { this.file = file; }

    boolean has(String name) { return file.find(name).isPresent(); }

    Tensor tensor(String name) {
        return file.find(name).orElseThrow(() -> new IllegalArgumentException(
                file.path().getFileName() + ": tensor " + name + " expected, found none"));
    }

    float[] floats(String name) { return tensor(name).toFloatArray(); }

    /** A 1-D tensor of {@code n} values (norm weights, biases). */
    float[] vector(String name, int n) {
        return shaped(name, n).toFloatArray();
    }

    /** A matrix stored (in, out), as ONNX MatMul and GPT-2's Conv1D keep them. */
    Matrix inOut(String name, int n, int d) {
        Tensor t = shaped(name, n, d);
        return Matrix.F32.fromRows(n, d, (row, k) -> t.readFloats((long) k * d, row, 0, d));
    }

    /** A matrix stored (out, in), as nn.Linear and GGUF keep them; quantized ones stay as their blocks. */
    Matrix outIn(String name, int n, int d) {
        return outIn(shaped(name, d, n), n, d);
    }

    static Matrix outIn(Tensor t, int n, int d) {
        return switch (t.dtype()) {
            case Q8_0 -> new Matrix.Q8_0(t.data(), n, d);
            case Q4_0 -> new Matrix.Q4_0(t.data(), n, d);
            default -> Matrix.transposed(t.toFloatArray(), n, d);
        };
    }

    /** The tensor, checked to have exactly {@code dims}. */
    Tensor shaped(String name, long... dims) {
        Tensor t = tensor(name);
        if (!t.shape().equals(Shape.of(dims))) {
            throw new IllegalArgumentException(file.path().getFileName() + ": tensor " + name + " of shape "
                    + Arrays.toString(dims) + " expected, found " + t.shape());
        }
        return t;
    }
}
