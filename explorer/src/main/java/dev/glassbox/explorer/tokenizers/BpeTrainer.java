package dev.glassbox.explorer.tokenizers;

import dev.glassbox.explorer.formats.hf.TokenizerJson;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns the merges of a GPT-2 style byte-level BPE tokenizer from a corpus (Sennrich et al., 2016; Radford et
 * al., 2019), the way {@link ByteLevelBpe} will apply them:
 * <ol>
 *   <li>Cut each document around the special tokens, then into pieces with GPT-2's pattern (a word takes the
 *       space before it: {@code " upon"}), and count each distinct piece. Merges never cross a piece, so the
 *       corpus is a table of words and counts: a few thousand rows for a few megabytes of stories.</li>
 *   <li>Write each word as its UTF-8 bytes, one symbol per byte ({@code Ġupon} is five symbols).</li>
 *   <li>Count every adjacent pair of symbols, each word weighted by its count. Merge the most frequent pair
 *       everywhere it occurs (left to right, without overlaps, as encoding will), make the joined string a
 *       token, and recount the pairs of the words that changed. Repeat until the vocabulary has the size asked
 *       for or no pair occurs twice.</li>
 * </ol>
 * Ties are broken by the pair's strings, lexicographically ({@code String.compareTo}) on the left token, then the
 * right: the result never depends on hash order, so a corpus always gives the same merges and the same file.
 * When a merge makes a string that is already a token (both {@code a+bc} and {@code ab+c} make {@code abc}),
 * the merge is kept and the token is not added again.
 */
public final class BpeTrainer {
    /** A pair must occur at least this often to be merged; a pair seen once teaches nothing. */
    public static final int MIN_FREQUENCY = 2;

    private static final Pattern PIECES = Pattern.compile(ByteLevelBpe.GPT2_PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

    private BpeTrainer() {}

    /** The 256 byte tokens and the special tokens, no merges: every byte of a text is one token. */
    public static BpeVocabulary bytesOnly(List<String> specialTokens) {
        return train(List.of(), BpeVocabulary.BYTES + specialTokens.size(), specialTokens);
    }

    /**
     * No merges and only the symbols of {@code alphabet} (ASCII, each once, in that order: ids 0..n-1), then the special
     * tokens: for a model whose texts use a small alphabet, so that every output of the model is a symbol it can meet.
     * Text with any other character cannot be encoded.
     */
    public static BpeVocabulary alphabetOnly(String alphabet, List<String> specialTokens) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < alphabet.length(); i++) {
            char c = alphabet.charAt(i);
            if (c > 127) throw new IllegalArgumentException("an ASCII alphabet expected, found " + c + " (U+" + Integer.toHexString(c) + ")");
            tokens.add(String.valueOf(ByteLevel.charOf(c)));
        }
        tokens.addAll(specialTokens);
        return new BpeVocabulary(tokens, alphabet.length(), List.of(), specialTokens);
    }

    /**
     * Learns merges from {@code documents} until the vocabulary holds {@code vocabSize} tokens (the 256 bytes,
     * the special tokens, then merges) or no pair occurs {@value #MIN_FREQUENCY} times.
     */
    public static BpeVocabulary train(Iterable<String> documents, int vocabSize, List<String> specialTokens) {
        if (vocabSize < BpeVocabulary.BYTES + specialTokens.size()) {
            throw new IllegalArgumentException("a vocabulary size of at least " + (BpeVocabulary.BYTES + specialTokens.size())
                    + " (256 bytes + " + specialTokens.size() + " special tokens) expected, found " + vocabSize);
        }
        for (String s : specialTokens) {
            if (s.isEmpty()) throw new IllegalArgumentException("a non-empty special token expected, found an empty one");
        }
        List<String> tokens = new ArrayList<>(vocabSize);
        for (int b = 0; b < 256; b++) tokens.add(String.valueOf(ByteLevel.charOf(b)));
        tokens.addAll(specialTokens);
        Map<String, Integer> ids = new HashMap<>();
        for (int id = 0; id < tokens.size(); id++) {
            if (ids.putIfAbsent(tokens.get(id), id) != null) throw new IllegalArgumentException("special token " + tokens.get(id) + " is also a byte or listed twice");
        }

        // 1-2. the corpus as distinct words (byte symbols) and their counts
        Map<String, Long> pieceCounts = pieceCounts(documents, specialTokens);
        int n = pieceCounts.size();
        int[][] words = new int[n][];                   // (n, symbols of word i) token ids
        long[] counts = new long[n];                    // (n,)
        int w = 0;
        for (Map.Entry<String, Long> e : pieceCounts.entrySet()) {
            byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
            words[w] = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) words[w][i] = bytes[i] & 0xFF;
            counts[w++] = e.getValue();
        }

        // 3. pair counts, and which words hold each pair (a superset: entries go stale when a word changes)
        Map<Long, Long> pairCounts = new HashMap<>();
        Map<Long, Set<Integer>> wordsWith = new HashMap<>();
        for (int i = 0; i < n; i++) addPairs(words[i], counts[i], i, pairCounts, wordsWith);

        List<TokenizerJson.Merge> merges = new ArrayList<>();
        while (tokens.size() < vocabSize) {
            long best = -1, bestCount = MIN_FREQUENCY - 1;
            for (Map.Entry<Long, Long> e : pairCounts.entrySet()) {
                long count = e.getValue();
                if (count > bestCount || (count == bestCount && best >= 0 && before(e.getKey(), best, tokens))) {
                    best = e.getKey();
                    bestCount = count;
                }
            }
            if (best < 0) break;
            int left = (int) (best >>> 32), right = (int) best;
            String joined = tokens.get(left) + tokens.get(right);
            Integer id = ids.get(joined);
            if (id == null) {
                id = tokens.size();
                tokens.add(joined);
                ids.put(joined, id);
            }
            merges.add(new TokenizerJson.Merge(tokens.get(left), tokens.get(right)));
            for (int i : wordsWith.remove(best)) {
                int[] merged = merge(words[i], left, right, id);
                if (merged == words[i]) continue;                   // a stale entry: the pair left this word earlier
                addPairs(words[i], -counts[i], i, pairCounts, null);
                words[i] = merged;
                addPairs(words[i], counts[i], i, pairCounts, wordsWith);
            }
            pairCounts.remove(best);
        }
        return new BpeVocabulary(tokens, merges, specialTokens);
    }

    /** The pieces of all documents, cut around the special tokens and by GPT-2's pattern, with their counts, in a fixed order. */
    static Map<String, Long> pieceCounts(Iterable<String> documents, List<String> specialTokens) {
        Map<String, Long> counts = new TreeMap<>();
        Pattern specials = specialTokens.isEmpty() ? null
                : Pattern.compile(String.join("|", specialTokens.stream().map(Pattern::quote).toList()));
        for (String document : documents) {
            List<String> parts = specials == null ? List.of(document) : List.of(specials.split(document, -1));
            for (String part : parts) {
                Matcher m = PIECES.matcher(part);
                while (m.find()) if (m.end() > m.start()) counts.merge(m.group(), 1L, Long::sum);
            }
        }
        return counts;
    }

    /** Whether pair {@code a} comes before pair {@code b} among pairs of equal count: by left token, then right token. */
    private static boolean before(long a, long b, List<String> tokens) {
        int c = tokens.get((int) (a >>> 32)).compareTo(tokens.get((int) (b >>> 32)));
        if (c != 0) return c < 0;
        return tokens.get((int) a).compareTo(tokens.get((int) b)) < 0;
    }

    /** Adds {@code weight} to the count of every adjacent pair of {@code word}, and notes that word {@code i} holds it. */
    private static void addPairs(int[] word, long weight, int i, Map<Long, Long> pairCounts, Map<Long, Set<Integer>> wordsWith) {
        for (int k = 0; k + 1 < word.length; k++) {
            long pair = ((long) word[k] << 32) | (word[k + 1] & 0xFFFFFFFFL);
            long count = pairCounts.merge(pair, weight, Long::sum);
            if (count == 0) pairCounts.remove(pair);
            if (wordsWith != null) wordsWith.computeIfAbsent(pair, p -> new HashSet<>()).add(i);
        }
    }

    /** {@code word} with every (left, right), from the left and without overlaps, replaced by {@code joined}; the same array if none. */
    static int[] merge(int[] word, int left, int right, int joined) {
        int[] out = null;
        int o = 0;
        for (int k = 0; k < word.length; k++) {
            if (k + 1 < word.length && word[k] == left && word[k + 1] == right) {
                if (out == null) {
                    out = new int[word.length - 1];
                    System.arraycopy(word, 0, out, 0, k);
                    o = k;
                }
                out[o++] = joined;
                k++;
            } else if (out != null) {
                out[o++] = word[k];
            }
        }
        return out == null ? word : java.util.Arrays.copyOf(out, o);
    }

    /** The first {@code limit} merges as a lesson shows them, {@code "Ġ + t = Ġt"}. */
    public static List<String> describe(BpeVocabulary vocabulary, int limit) {
        return vocabulary.merges().stream().limit(limit).map(m -> m.left() + " + " + m.right() + " = " + m.left() + m.right()).toList();
    }
}
