package dev.glassbox.tinymodels.data;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SortingListsTest {
    @Test
    void everyExampleIsAListItsSortedDigitsAndAPeriod() {
        int[] lengths = new int[SortingLists.MAX_LENGTH + 1];
        for (String example : new SortingLists(SortingLists.SEED).train(5000)) {
            assertTrue(example.matches("[0-9]{2,8}>[0-9]{2,8}\\."), example);
            String list = example.substring(0, example.indexOf('>'));
            String answer = example.substring(example.indexOf('>') + 1, example.length() - 1);
            assertEquals(list.length(), answer.length(), example);
            for (int i = 1; i < answer.length(); i++) assertTrue(answer.charAt(i - 1) <= answer.charAt(i), example);
            org.junit.jupiter.api.Assertions.assertArrayEquals(digitCounts(list), digitCounts(answer), "the answer holds the same digits: " + example);
            lengths[list.length()]++;
        }
        for (int n = SortingLists.MIN_LENGTH; n <= SortingLists.MAX_LENGTH; n++) {
            assertTrue(lengths[n] > 5000 / 7 * 0.8 && lengths[n] < 5000 / 7 * 1.2, "lengths uniform in 2..8: " + n + " x " + lengths[n]);
        }
    }

    @Test
    void aSeedGivesTheSameListsAndAnotherSeedOthers() {
        assertEquals(new SortingLists(3).text(200), new SortingLists(3).text(200));
        assertNotEquals(new SortingLists(3).text(200), new SortingLists(4).text(200));
        assertEquals(200, new SortingLists(3).text(200).lines().count());
    }

    @Test
    void noHeldOutListIsEverATrainingList() {
        SortingLists data = new SortingLists(SortingLists.SEED);
        Set<String> trainLists = new HashSet<>();
        for (String example : data.train(200_000)) trainLists.add(example.substring(0, example.indexOf('>')));
        List<String> heldOut = data.heldOut(2000);
        int shortOnes = 0;
        for (String example : heldOut) {
            String list = example.substring(0, example.indexOf('>'));
            assertTrue(!trainLists.contains(list), list + " is both held out and trained on");
            if (list.length() <= 3) shortOnes++;
        }
        // 200k training draws cover nearly every list of 2 or 3 digits that is not held out, so this test could catch a leak
        assertTrue(shortOnes > 300, "short held-out lists exist and are checked: " + shortOnes);
    }

    @Test
    void theCardNamesTheGeneratorAndTheSeed() {
        String card = new SortingLists(SortingLists.SEED).card(1000);
        assertTrue(card.contains(SortingLists.class.getName()) && card.contains(String.valueOf(SortingLists.SEED)) && card.contains("1000"), card);
    }

    private static int[] digitCounts(String digits) {
        int[] counts = new int[10];
        for (char c : digits.toCharArray()) counts[c - '0']++;
        return counts;
    }
}
