package dev.glassbox.explorer.tokenizers;

import java.util.Arrays;

/**
 * A text as token ids, with each token's vocabulary string and the stretch of the original text it came from.
 *
 * <p>{@code starts[i]} and {@code ends[i]} are UTF-16 indices into the text given to
 * {@link Tokenizer#encode(String)}: token {@code i} came from {@code text.substring(starts[i], ends[i])},
 * whatever normalization happened in between (lowercasing, accents stripped, spaces turned into {@code ▁}).
 * Pieces of one character (byte-level or {@code <0xNN>} byte-fallback tokens) all get that character's span.
 * Special tokens added around the text ({@code [CLS]}, {@code <s>}) come from no text: their span is
 * {@code (-1, -1)}. The other spans lie within the text and neither starts nor ends decrease.
 *
 * <p>The arrays are copied in and out, so an encoding never changes.
 */
public record Encoding(int[] ids, String[] tokens, int[] starts, int[] ends) {

    public Encoding {
        ids = ids.clone();
        tokens = tokens.clone();
        starts = starts.clone();
        ends = ends.clone();
        if (tokens.length != ids.length || starts.length != ids.length || ends.length != ids.length) {
            throw new IllegalArgumentException("ids, tokens, starts and ends of one length expected, found "
                    + ids.length + ", " + tokens.length + ", " + starts.length + ", " + ends.length);
        }
    }

    /** The number of tokens. */
    public int length() { return ids.length; }

    @Override public int[] ids() { return ids.clone(); }

    @Override public String[] tokens() { return tokens.clone(); }

    @Override public int[] starts() { return starts.clone(); }

    @Override public int[] ends() { return ends.clone(); }

    @Override public boolean equals(Object other) {
        return other instanceof Encoding e && Arrays.equals(ids, e.ids) && Arrays.equals(tokens, e.tokens)
                && Arrays.equals(starts, e.starts) && Arrays.equals(ends, e.ends);
    }

    @Override public int hashCode() { return Arrays.hashCode(ids); }

    /** E.g. {@code [101 [CLS] -1..-1, 7592 hello 0..5, 102 [SEP] -1..-1]}. */
    @Override public String toString() {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) out.append(", ");
            out.append(ids[i]).append(' ').append(tokens[i]).append(' ').append(starts[i]).append("..").append(ends[i]);
        }
        return out.append(']').toString();
    }

    /** Collects tokens in order; the tokenizers' one way of building an encoding. */
    static final class Builder {
        private int[] ids = new int[16];
        private String[] tokens = new String[16];
        private int[] starts = new int[16];
        private int[] ends = new int[16];
        private int size;

        void add(int id, String token, int start, int end) {
            assert start <= end && (start >= 0 || end == -1) : start + ".." + end;
            if (size == ids.length) {
                int n = size * 2;
                ids = Arrays.copyOf(ids, n);
                tokens = Arrays.copyOf(tokens, n);
                starts = Arrays.copyOf(starts, n);
                ends = Arrays.copyOf(ends, n);
            }
            ids[size] = id;
            tokens[size] = token;
            starts[size] = start;
            ends[size] = end;
            size++;
        }

        /** Adds a token that comes from no text, e.g. {@code [CLS]}. */
        void addSpecial(int id, String token) { add(id, token, -1, -1); }

        int size() { return size; }

        /** Stretches the last token's span to {@code end}, e.g. when one unknown token stands for several characters. */
        void extendLast(int end) { ends[size - 1] = end; }

        Encoding build() {
            return new Encoding(Arrays.copyOf(ids, size), Arrays.copyOf(tokens, size), Arrays.copyOf(starts, size), Arrays.copyOf(ends, size));
        }
    }
}
