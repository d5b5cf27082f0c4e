package dev.glassbox.explorer.models;

import java.util.Arrays;

/**
 * The value at one hook point during one forward pass: a row-major block of floats with its shape
 * (e.g. {@code [pos, d_model]} for the residual stream, {@code [head, query_pos, key_pos]} for a pattern).
 * A hook is handed the live buffer, so writing into {@link #data} changes what the model computes next;
 * the {@link ActivationCache} keeps copies.
 *
 * @param data at least {@code size()} values; only the first {@code size()} belong to the activation
 */
public record Activation(String name, int[] shape, float[] data) {
    public Activation {
        shape = shape.clone();
        if (data.length < size(shape)) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " needs " + size(shape) + " values, found " + data.length);
        }
    }

    @Override public int[] shape() { return shape.clone(); }

    public int size() { return size(shape); }

    public int dim(int axis) { return shape[axis]; }

    /** The value at a full index, e.g. {@code get(head, query, key)}. */
    public float get(int... index) { return data[offset(index)]; }

    public void set(float value, int... index) { data[offset(index)] = value; }

    /** Replaces the whole activation with {@code values} (exactly {@code size()} of them). */
    public void replace(float[] values) {
        if (values.length != size()) {
            throw new IllegalArgumentException(name + ": " + size() + " values expected to replace it, found " + values.length);
        }
        System.arraycopy(values, 0, data, 0, values.length);
    }

    /** A copy that later writes to the live buffer do not change. */
    public Activation copy() { return new Activation(name, shape, Arrays.copyOf(data, size())); }

    /** The values, copied, exactly {@code size()} of them. */
    public float[] values() { return Arrays.copyOf(data, size()); }

    /** The L2 norm of each row along the first axis, e.g. of every position of a (pos, d_model) residual stream: (dim 0,). */
    public float[] rowNorms() {
        int rows = shape[0], width = size() / rows;
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int j = r * width; j < (r + 1) * width; j++) sum += (double) data[j] * data[j];
            out[r] = (float) Math.sqrt(sum);
        }
        return out;
    }

    private int offset(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(name + ": " + shape.length + " indices expected, found " + index.length);
        }
        int at = 0;
        for (int a = 0; a < shape.length; a++) {
            if (index[a] < 0 || index[a] >= shape[a]) {
                throw new IndexOutOfBoundsException(name + ": index " + index[a] + " on axis " + a + " of " + Arrays.toString(shape));
            }
            at = at * shape[a] + index[a];
        }
        return at;
    }

    static int size(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    @Override public String toString() { return name + Arrays.toString(shape); }
}
