package dev.glassbox.explorer.tensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A named block of numbers with a shape and a storage type, stored row-major in {@code data}: usually a
 * slice of a memory-mapped model file, so only what is read is ever loaded. Reading decodes to float
 * ({@link #readFloats}, {@link #readRows}, {@link #readSlice}, {@link #toFloatArray}); quantized tensors
 * also show their stored blocks ({@link #blocks}).
 *
 * <p>A tensor stays readable while the {@code ModelFile} it came from is open; reading after
 * {@code close()} throws {@link IllegalStateException}.
 *
 * @param data exactly {@code dtype.byteSize(shape.elementCount())} bytes, little-endian
 */
public record Tensor(String name, DType dtype, Shape shape, MemorySegment data) {
    /** The largest Java array: the most values one read may return. */
    public static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    public Tensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        long expected = dtype.byteSize(shape.elementCount());
        if (dtype.isQuantized() && shape.rowLength() % dtype.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": rows of " + dtype + " must be whole blocks of "
                    + dtype.blockSize() + ", found row length " + shape.rowLength());
        }
        if (expected != data.byteSize()) {
            throw new IllegalArgumentException(name + ": " + dtype + " " + shape + " needs " + expected
                    + " bytes, data has " + data.byteSize());
        }
    }

    /** A tensor holding {@code values} encoded as {@code dtype} (F32, F16, BF16, F64, Q8_0 or Q4_0), in heap memory. */
    public static Tensor of(String name, DType dtype, Shape shape, float[] values) {
        if (values.length != shape.elementCount()) {
            throw new IllegalArgumentException(name + ": shape " + shape + " needs " + shape.elementCount()
                    + " values, found " + values.length);
        }
        return new Tensor(name, dtype, shape, Quantize.encode(dtype, values));
    }

    public long elementCount() { return shape.elementCount(); }

    /** Bytes the stored values take in the file. */
    public long byteSize() { return data.byteSize(); }

    /** Rows in the row-major view: all dimensions but the last, flattened. */
    public long rowCount() { return shape.rowCount(); }

    /** Values per row: the last dimension. */
    public long rowLength() { return shape.rowLength(); }

    /** Elements [from, from + count) decoded into out[offset, offset + count). */
    public void readFloats(long from, float[] out, int offset, int count) {
        Objects.checkFromIndexSize(from, count, elementCount());
        Objects.checkFromIndexSize(offset, count, out.length);
        Dequantize.range(out, offset, dtype, data, from, count);
    }

    /** All values decoded, for tensors of at most {@link #MAX_ARRAY} elements. */
    public float[] toFloatArray() {
        float[] out = new float[checkedLength(elementCount(), "the whole tensor")];
        readFloats(0, out, 0, out.length);
        return out;
    }

    /** Rows [from, to) of the row-major view as one flat array of (to - from) * rowLength values. */
    public float[] readRows(long from, long to) {
        Objects.checkFromToIndex(from, to, rowCount());
        long length = rowLength();
        float[] out = new float[checkedLength((to - from) * length, "rows " + from + ":" + to)];
        readFloats(from * length, out, 0, out.length);
        return out;
    }

    /**
     * The rectangle rows [rowFrom, rowTo) x columns [colFrom, colTo) of the row-major view, flattened
     * row by row into (rowTo - rowFrom) * (colTo - colFrom) values: what a heatmap of a slice needs.
     */
    public float[] readSlice(long rowFrom, long rowTo, long colFrom, long colTo) {
        Objects.checkFromToIndex(rowFrom, rowTo, rowCount());
        Objects.checkFromToIndex(colFrom, colTo, rowLength());
        int cols = (int) (colTo - colFrom);
        float[] out = new float[checkedLength((rowTo - rowFrom) * cols, "that slice")];
        for (long row = rowFrom; row < rowTo; row++) {
            readFloats(row * rowLength() + colFrom, out, (int) (row - rowFrom) * cols, cols);
        }
        return out;
    }

    /** The value at one index, e.g. {@code get(3, 5)} for row 3, column 5 of a matrix. */
    public float get(long... index) {
        if (index.length != shape.rank()) {
            throw new IllegalArgumentException(index.length + " indices for a tensor of rank " + shape.rank());
        }
        long flat = 0;
        for (int axis = 0; axis < index.length; axis++) {
            flat = flat * shape.dim(axis) + Objects.checkIndex(index[axis], shape.dim(axis));
        }
        float[] one = new float[1];
        readFloats(flat, one, 0, 1);
        return one[0];
    }

    /** Number of stored blocks (elements / blockSize). */
    public long blockCount() { return elementCount() / dtype.blockSize(); }

    /** Stored blocks [from, from + count) unpacked into scales and integers, for the quantized types. */
    public List<QuantBlock> blocks(long from, int count) {
        if (!dtype.isQuantized()) throw new IllegalStateException(name + " is " + dtype + ", not a block type");
        Objects.checkFromIndexSize(from, count, blockCount());
        List<QuantBlock> blocks = new ArrayList<>(count);
        for (long i = from; i < from + count; i++) blocks.add(QuantBlock.read(dtype, data, i));
        return blocks;
    }

    /** Statistics and a histogram of {@code bins} bins, computed with the Vector API. */
    public TensorStats stats(int bins) {
        return TensorStats.of(this, bins);
    }

    /** The same tensor under another name, sharing the data. */
    public Tensor withName(String newName) {
        return new Tensor(newName, dtype, shape, data);
    }

    private int checkedLength(long length, String what) {
        if (length > MAX_ARRAY) {
            throw new IllegalArgumentException(name + ": " + what + " has " + length
                    + " values, more than one Java array holds; read fewer rows");
        }
        return (int) length;
    }

    @Override public String toString() {
        return name + " " + dtype + " " + shape + " (" + byteSize() + " bytes)";
    }

    /** True when both tensors hold the same bytes: same name, type, shape and stored data. */
    public boolean sameContent(Tensor other) {
        return name.equals(other.name) && dtype == other.dtype && shape.equals(other.shape)
                && data.mismatch(other.data) == -1;
    }
}
