package dev.glassbox.explorer.tensor;

import java.util.Arrays;

/**
 * The sizes of a tensor's dimensions, outermost first (row-major, as in NumPy and PyTorch):
 * a (30522, 384) matrix has 30522 rows of 384 values. A scalar has no dimensions and one element.
 */
public record Shape(long[] dims) {
    /** The most dimensions any supported format uses in practice; a sanity limit for readers. */
    public static final int MAX_RANK = 16;

    public Shape {
        dims = dims.clone();
        if (dims.length > MAX_RANK) throw new IllegalArgumentException("at most " + MAX_RANK + " dimensions expected, found " + dims.length);
        for (long dim : dims) {
            if (dim < 0) throw new IllegalArgumentException("dimensions must not be negative: " + Arrays.toString(dims));
        }
        if (checkedElementCount(dims) < 0) throw new IllegalArgumentException("element count of " + Arrays.toString(dims) + " overflows a long");
    }

    public static Shape of(long... dims) { return new Shape(dims); }

    /** The dimensions; a copy, so the shape stays unchanged. */
    @Override public long[] dims() { return dims.clone(); }

    public int rank() { return dims.length; }

    public long dim(int axis) { return dims[axis]; }

    /** The product of the dimensions (1 for a scalar). */
    public long elementCount() {
        long count = 1;
        for (long dim : dims) count *= dim;
        return count;
    }

    /** The length of the innermost dimension: the values in one row (1 for a scalar). */
    public long rowLength() { return dims.length == 0 ? 1 : dims[dims.length - 1]; }

    /** The number of rows: all dimensions but the last, flattened (1 for a vector or a scalar). */
    public long rowCount() {
        long rows = 1;
        for (int i = 0; i < dims.length - 1; i++) rows *= dims[i];
        return rows;
    }

    /**
     * The element count of {@code dims}, or -1 if a dimension is negative or the product of the non-zero
     * dimensions overflows: for readers that check a shape taken from a file before building it. Zeros are left
     * out of the overflow check, so the answer does not depend on the order of the dimensions (GGUF lists them
     * innermost first, a Shape outermost first) and no partial product, such as {@link #rowCount}, can overflow.
     */
    public static long checkedElementCount(long[] dims) {
        long nonZero = 1;
        boolean zero = false;
        for (long dim : dims) {
            if (dim < 0) return -1;
            if (dim == 0) {
                zero = true;
                continue;
            }
            nonZero = multiply(nonZero, dim);
            if (nonZero < 0) return -1;
        }
        return zero ? 0 : nonZero;
    }

    private static long multiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return (high != 0 || low < 0) ? -1 : low;
    }

    @Override public boolean equals(Object other) { return other instanceof Shape s && Arrays.equals(dims, s.dims); }
    @Override public int hashCode() { return Arrays.hashCode(dims); }
    @Override public String toString() { return Arrays.toString(dims); }
}
