package dev.glassbox.models.data;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RepeatedSequencesTest {
    @Test
    void aSegmentOfRandomLengthRepeatsAtARandomDistance() {
        int[] uses = new int[128];
        Set<Integer> lengths = new HashSet<>(), distances = new HashSet<>(), starts = new HashSet<>();
        int n = 3000;
        for (RepeatedSequences.Sequence s : new RepeatedSequences(RepeatedSequences.SEED).examples(Split.TRAIN).limit(n).toList()) {
            String text = s.text();
            assertEquals(RepeatedSequences.LENGTH, text.length());
            assertTrue(s.length() >= RepeatedSequences.MIN_SEGMENT && s.length() <= RepeatedSequences.MAX_SEGMENT, "length " + s.length());
            assertEquals(text.substring(s.first(), s.first() + s.length()), text.substring(s.second(), s.second() + s.length()));
            assertTrue(s.second() >= s.first() + s.length() && s.second() + s.length() <= RepeatedSequences.LENGTH, text);
            for (int q = 0; q < text.length(); q++) {
                if (s.copyable(q)) assertEquals(text.charAt(q), text.charAt(s.inductionKey(q) - 1), "the query's symbol occurred right before its key");
            }
            lengths.add(s.length());
            distances.add(s.distance());
            starts.add(s.first());
            for (char c : text.toCharArray()) {
                assertTrue(RepeatedSequences.ALPHABET.indexOf(c) >= 0, "symbol " + c + " is in the alphabet");
                uses[c]++;
            }
        }
        assertEquals(RepeatedSequences.MAX_SEGMENT - RepeatedSequences.MIN_SEGMENT + 1, lengths.size(), "every segment length occurs");
        assertTrue(distances.size() >= 30 && starts.size() >= 30, "distances " + distances + ", starts " + starts);
        double expected = (double) n * RepeatedSequences.LENGTH / RepeatedSequences.ALPHABET_SIZE;
        for (char c : RepeatedSequences.ALPHABET.toCharArray()) {
            assertTrue(Math.abs(uses[c] - expected) < 0.1 * expected, "symbols uniform: " + c + " x " + uses[c]);
        }
    }

    @Test
    void aSequenceWhoseSegmentDoesNotRepeatIsRejected() {
        String text = "A".repeat(RepeatedSequences.LENGTH - 1) + "B";
        assertThrows(IllegalArgumentException.class, () -> new RepeatedSequences.Sequence(text, 0, RepeatedSequences.LENGTH - 6, 6));
        assertThrows(IllegalArgumentException.class, () -> new RepeatedSequences.Sequence(text, 0, 3, 6));
    }

    @Test
    void aSeedGivesTheSameSequencesAndHeldOutOnesAreNotTrainedOn() {
        RepeatedSequences data = new RepeatedSequences(5);
        assertEquals(data.text(100), new RepeatedSequences(5).text(100));
        assertNotEquals(data.text(100), new RepeatedSequences(6).text(100));
        Set<String> train = new HashSet<>(data.train(20_000));
        for (String s : data.heldOut(2000)) assertTrue(!train.contains(s), s);
        assertTrue(data.card(10).contains(String.valueOf(5)));
    }
}
