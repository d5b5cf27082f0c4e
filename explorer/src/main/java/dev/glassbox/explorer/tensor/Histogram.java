package dev.glassbox.explorer.tensor;

import java.util.Arrays;

/**
 * Counts of values in {@code counts.length} equal bins spanning [min, max]; bin i covers
 * [min + i * width, min + (i + 1) * width), the last bin also includes max.
 */
public record Histogram(float min, float max, long[] counts) {
    public Histogram {
        counts = counts.clone();
    }

    @Override public long[] counts() { return counts.clone(); }

    public int bins() { return counts.length; }

    public double binWidth() { return ((double) max - min) / counts.length; }

    /** The lower edge of bin i; {@code binStart(bins())} is max. */
    public double binStart(int i) { return i == counts.length ? max : min + i * binWidth(); }

    @Override public boolean equals(Object other) {
        return other instanceof Histogram h && Float.compare(min, h.min) == 0 && Float.compare(max, h.max) == 0
                && Arrays.equals(counts, h.counts);
    }

    @Override public int hashCode() { return Arrays.hashCode(counts); }

    @Override public String toString() {
        return "Histogram[" + min + ".." + max + ", " + Arrays.toString(counts) + "]";
    }
}
