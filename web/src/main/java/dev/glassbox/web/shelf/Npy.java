package dev.glassbox.web.shelf;

import dev.glassbox.explorer.tensor.Tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

/**
 * Writes a tensor as a NumPy {@code .npy} file, format version 1.0: the magic {@code \x93NUMPY}, version
 * bytes 1 and 0, a little-endian uint16 header length, an ASCII Python dict literal
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (30522, 384), }} padded with spaces and a final
 * newline so the data starts at a multiple of 64 bytes, then the values: float32, little-endian, C order.
 * Quantized and half-precision tensors are written dequantized.
 */
public final class Npy {
    static final int ALIGNMENT = 64;
    private static final int ROWS_PER_WRITE = 1 << 16;

    private Npy() {}

    /** The preamble and header: everything before the data. */
    public static byte[] header(long[] shape) {
        StringJoiner dims = new StringJoiner(", ", "(", shape.length == 1 ? ",)" : ")");
        for (long d : shape) dims.add(Long.toString(d));
        StringBuilder dict = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': " + dims + ", }");
        int preamble = 6 + 2 + 2;
        while ((preamble + dict.length() + 1) % ALIGNMENT != 0) dict.append(' ');
        dict.append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(preamble + text.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        out.putShort((short) text.length).put(text);
        return out.array();
    }

    /** Writes the whole tensor, decoding it a chunk at a time. */
    public static void write(Tensor tensor, OutputStream out) throws IOException {
        out.write(header(tensor.shape().dims()));
        long n = tensor.elementCount();
        float[] chunk = new float[(int) Math.min(ROWS_PER_WRITE, Math.max(1, n))];
        ByteBuffer bytes = ByteBuffer.allocate(chunk.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long from = 0; from < n; from += chunk.length) {
            int len = (int) Math.min(chunk.length, n - from);
            tensor.readFloats(from, chunk, 0, len);
            bytes.clear();
            for (int i = 0; i < len; i++) bytes.putFloat(chunk[i]);
            out.write(bytes.array(), 0, len * 4);
        }
    }
}
