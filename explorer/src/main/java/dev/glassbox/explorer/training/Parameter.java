package dev.glassbox.explorer.training;

import java.util.Arrays;

/**
 * One trainable tensor: its Hugging Face name and shape, its values and the gradient accumulated into it, both
 * flat and row-major in that shape (matrices (out, in) as nn.Linear keeps them).
 *
 * @param decay whether AdamW's weight decay applies (matrices; not norms, not the embedding table)
 */
public record Parameter(String name, int[] shape, float[] values, float[] grads, boolean decay) {
    public Parameter {
        long n = 1;
        for (int dim : shape) n *= dim;
        if (values.length != n || grads.length != n) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " needs " + n + " values, found "
                    + values.length + " and " + grads.length + " gradients");
        }
    }

    static Parameter of(String name, boolean decay, int... shape) {
        int n = 1;
        for (int dim : shape) n *= dim;
        return new Parameter(name, shape, new float[n], new float[n], decay);
    }

    public int size() { return values.length; }

    @Override public String toString() { return name + " " + Arrays.toString(shape); }
}
