package dev.glassbox.explorer.tensor;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.kernels.ScalarKernels;


/**
 * The L2 norm of each row of a tensor's row-major {@code (rowCount, rowLength)} view, ||row||_2 = sqrt(row . row),
 * and which rows have the largest. In an embedding matrix most rows are tokens a model rarely saw, with small
 * norms; the rows with the largest norms are the ones training moved, so they are where a look at it starts.
 */
public final class RowNorms {
    /** Rows decoded per read: about 64 Ki floats, as {@link TensorStats} reads them, and never less than one row. */
    private static final int CHUNK = 1 << 16;

    private RowNorms() {}

    /** Each row's norm, {@code (rowCount,)}, computed with the Vector API dot kernel. */
    public static float[] of(Tensor tensor) {
        return compute(tensor, true);
    }

    /** The same norms with the kernel's scalar twin: the reference. */
    public static float[] scalar(Tensor tensor) {
        return compute(tensor, false);
    }

    private static float[] compute(Tensor tensor, boolean vector) {
        long rows = tensor.rowCount();
        int length = Math.toIntExact(tensor.rowLength());
        if (rows > Tensor.MAX_ARRAY) throw new IllegalArgumentException(tensor.name() + " has " + rows + " rows, more than one array holds");
        float[] norms = new float[(int) rows];
        if (length == 0) return norms;
        int perChunk = Math.max(1, CHUNK / length);
        float[] chunk = new float[(int) Math.min((long) perChunk * length, rows * length)];   // (perChunk, length)
        for (long from = 0; from < rows; from += perChunk) {
            int count = (int) Math.min(perChunk, rows - from);
            tensor.readFloats(from * length, chunk, 0, count * length);
            for (int r = 0; r < count; r++) {
                int at = r * length;
                float squares = vector ? Kernels.dot(chunk, at, chunk, at, length) : ScalarKernels.dot(chunk, at, chunk, at, length);
                norms[(int) from + r] = (float) Math.sqrt(squares);
            }
        }
        return norms;
    }
}
