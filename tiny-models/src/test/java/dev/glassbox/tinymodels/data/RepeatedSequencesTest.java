package dev.glassbox.tinymodels.data;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RepeatedSequencesTest {
    @Test
    void aRandomPeriodRepeatsToTheEnd() {
        int[] uses = new int[128];
        Set<Integer> periods = new HashSet<>();
        int n = 3000;
        for (RepeatedSequences.Sequence s : new RepeatedSequences(RepeatedSequences.SEED).examples(Split.TRAIN).limit(n).toList()) {
            String text = s.text();
            assertEquals(RepeatedSequences.LENGTH, text.length());
            assertTrue(s.period() >= RepeatedSequences.MIN_PERIOD && s.period() <= RepeatedSequences.MAX_PERIOD, "period " + s.period());
            for (int q = 0; q < text.length(); q++) {
                if (q >= s.period()) assertEquals(text.charAt(q), text.charAt(q - s.period()), text);
                if (s.copyable(q)) {
                    int nearest = q - s.period() + 1;
                    assertTrue(s.isInductionKey(q, nearest), "the position after the symbol's occurrence one period back is a key");
                    assertEquals(text.charAt(q + 1), text.charAt(nearest), "the key holds the symbol to predict");
                    assertTrue(!s.isInductionKey(q, q + 1) && !s.isInductionKey(q, 0), "keys lie in 1..q");
                }
                assertTrue(!(s.copyable(q) && s.firstOccurrence(q)), "a position is either in the first period or a repeat");
            }
            periods.add(s.period());
            assertTrue(RepeatedSequences.periodOf(text) <= s.period() && s.period() % RepeatedSequences.periodOf(text) == 0, "periodOf " + text);
            for (int i = 0; i < s.period(); i++) uses[text.charAt(i)]++;
        }
        assertEquals(RepeatedSequences.MAX_PERIOD - RepeatedSequences.MIN_PERIOD + 1, periods.size(), "every period occurs");
        int drawn = 0;
        for (int u : uses) drawn += u;
        double expected = (double) drawn / RepeatedSequences.ALPHABET_SIZE;
        for (char c : RepeatedSequences.ALPHABET.toCharArray()) {
            assertTrue(Math.abs(uses[c] - expected) < 0.1 * expected, "symbols uniform: " + c + " x " + uses[c]);
        }
    }

    @Test
    void aSequenceThatDoesNotRepeatIsRejected() {
        String text = "A".repeat(RepeatedSequences.LENGTH - 1) + "B";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RepeatedSequences.Sequence(text, 6));
        assertTrue(e.getMessage().contains("symbol 47 differs"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RepeatedSequences.Sequence("A".repeat(RepeatedSequences.LENGTH), 25));
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
