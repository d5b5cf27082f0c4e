package dev.glassbox.explorer.tokenizers;

import dev.glassbox.explorer.formats.hf.TokenizerJson;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.IntPredicate;

/**
 * Byte-pair encoding's merge loop. Start from single symbols (characters, or bytes written as characters);
 * repeatedly join the adjacent pair that comes first, until no adjacent pair may be joined. "First" is a
 * priority, lower first, ties to the leftmost pair:
 * <ul>
 *   <li>by rank: the pair's position in the list of merges (GPT-2, any tokenizer.json BPE);</li>
 *   <li>by score: minus the score of the joined token, for pairs whose join is in the vocabulary
 *       (SentencePiece models in GGUF, which store scores instead of merges).</li>
 * </ul>
 * A heap of candidate pairs makes a word of n symbols cost O(n log n), not the O(n^2) of rescanning.
 */
final class Bpe {
    /** How early {@code left + right} merges, lower first; NaN when the pair never merges. */
    @FunctionalInterface
    interface Priority {
        double of(String left, String right);
    }

    private record Pair(String left, String right) {}

    /** A pair that may merge, as it was when queued; stale once either symbol has changed. */
    private record Candidate(double priority, int left, int right, int leftVersion, int rightVersion) {}

    private final Priority priority;

    Bpe(Priority priority) {
        this.priority = priority;
    }

    /** Merges in the order listed; a pair listed twice keeps its first rank. Both halves and the join must be tokens. */
    static Bpe byRank(List<TokenizerJson.Merge> merges, Vocabulary vocab) {
        Map<Pair, Integer> ranks = new HashMap<>(merges.size() * 2);
        for (int rank = 0; rank < merges.size(); rank++) {
            TokenizerJson.Merge m = merges.get(rank);
            if (vocab.id(m.left()) < 0 || vocab.id(m.right()) < 0 || vocab.id(m.left() + m.right()) < 0) {
                throw new IllegalArgumentException("merge " + rank + " (" + m.left() + " " + m.right() + ") joins tokens that are not in the vocabulary");
            }
            ranks.putIfAbsent(new Pair(m.left(), m.right()), rank);
        }
        return new Bpe((left, right) -> {
            Integer rank = ranks.get(new Pair(left, right));
            return rank == null ? Double.NaN : rank;
        });
    }

    /** Merges a pair when the joined token is in the vocabulary and {@code mergeable}; higher scores first. */
    static Bpe byScore(Vocabulary vocab, float[] scores, IntPredicate mergeable) {
        return new Bpe((left, right) -> {
            int id = vocab.id(left + right);
            return id >= 0 && mergeable.test(id) ? -scores[id] : Double.NaN;
        });
    }

    /**
     * Merges {@code symbols}; returns where each merged piece starts, as indices into {@code symbols},
     * followed by {@code symbols.length}: piece {@code k} joins {@code symbols[b[k]] .. symbols[b[k+1] - 1]}.
     */
    int[] merge(String[] symbols) {
        int n = symbols.length;
        String[] text = symbols.clone();                 // (n,) a live symbol's text; symbol i starts at symbols[i]
        int[] prev = new int[n], next = new int[n];      // (n,) doubly linked list of live symbols; -1 and n end it
        int[] version = new int[n];                      // (n,) bumped whenever symbol i changes or dies
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1;
        }
        PriorityQueue<Candidate> queue = new PriorityQueue<>((a, b) -> a.priority != b.priority
                ? Double.compare(a.priority, b.priority) : Integer.compare(a.left, b.left));
        for (int i = 0; i + 1 < n; i++) offer(queue, text, version, i, i + 1);

        while (!queue.isEmpty()) {
            Candidate c = queue.poll();
            if (version[c.left] != c.leftVersion || version[c.right] != c.rightVersion) continue;
            // join right into left, unlink right
            assert next[c.left] == c.right;
            text[c.left] = text[c.left] + text[c.right];
            text[c.right] = null;
            version[c.left]++;
            version[c.right]++;
            next[c.left] = next[c.right];
            if (next[c.right] < n) prev[next[c.right]] = c.left;
            // the joined symbol may now merge with its neighbours
            if (prev[c.left] >= 0) offer(queue, text, version, prev[c.left], c.left);
            if (next[c.left] < n) offer(queue, text, version, c.left, next[c.left]);
        }

        int[] starts = new int[n + 1];
        int pieces = 0;
        for (int i = 0; i < n; i = next[i]) starts[pieces++] = i;
        starts[pieces++] = n;
        return Arrays.copyOf(starts, pieces);
    }

    private void offer(PriorityQueue<Candidate> queue, String[] text, int[] version, int left, int right) {
        double p = priority.of(text[left], text[right]);
        if (!Double.isNaN(p)) queue.add(new Candidate(p, left, right, version[left], version[right]));
    }
}
