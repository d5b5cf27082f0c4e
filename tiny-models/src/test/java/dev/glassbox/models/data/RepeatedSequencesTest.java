package dev.glassbox.models.data;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RepeatedSequencesTest {
    @Test
    void theSecondHalfRepeatsTheFirstFromTheAlphabet() {
        int[] uses = new int[128];
        for (String s : new RepeatedSequences(RepeatedSequences.SEED).train(3000)) {
            assertEquals(2 * RepeatedSequences.HALF, s.length());
            assertEquals(s.substring(0, RepeatedSequences.HALF), s.substring(RepeatedSequences.HALF));
            for (char c : s.toCharArray()) {
                assertTrue(RepeatedSequences.ALPHABET.indexOf(c) >= 0, "symbol " + c + " is in the alphabet");
                uses[c]++;
            }
        }
        double expected = 3000.0 * 2 * RepeatedSequences.HALF / RepeatedSequences.ALPHABET_SIZE;
        for (char c : RepeatedSequences.ALPHABET.toCharArray()) {
            assertTrue(Math.abs(uses[c] - expected) < 0.1 * expected, "symbols uniform: " + c + " x " + uses[c]);
        }
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
