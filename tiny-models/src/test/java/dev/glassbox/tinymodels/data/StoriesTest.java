package dev.glassbox.tinymodels.data;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoriesTest {
    private static final Pattern WORD = Pattern.compile("[A-Za-z]+");

    @Test
    void aSeedGivesTheSameStoriesAndAnotherSeedOthers() {
        List<String> a = new Stories(StoryStyle.PLAIN, 7).train(50);
        assertEquals(a, new Stories(StoryStyle.PLAIN, 7).train(50));
        List<String> b = new Stories(StoryStyle.PLAIN, 8).train(50);
        assertNotEquals(a.getFirst(), b.getFirst());
        assertEquals(a.subList(0, 20), new Stories(StoryStyle.PLAIN, 7).train(20), "a shorter read is a prefix of a longer one");
    }

    @Test
    void storiesAreVariedEnoughThatAModelMustGeneralise() {
        List<Story> stories = Stories.plain().examples(Split.TRAIN).limit(2000).toList();
        Set<String> texts = new HashSet<>(), sentences = new HashSet<>();
        long chars = 0;
        for (Story s : stories) {
            texts.add(s.text());
            sentences.addAll(StoryCheck.sentences(s.text()));
            chars += s.text().length();
        }
        System.out.printf("2000 stories: %d distinct, %d distinct sentences, %.0f chars per story%n", texts.size(), sentences.size(), chars / 2000.0);
        assertEquals(2000, texts.size(), "every story differs");
        assertTrue(sentences.size() > 3000, "thousands of distinct sentences, found " + sentences.size());
        assertTrue(chars / 2000 > 500 && chars / 2000 < 1500, "a few hundred to a thousand characters per story, found " + chars / 2000);
        Set<String> goals = new HashSet<>(), heroes = new HashSet<>();
        for (Story s : stories) {
            goals.add(s.goal());
            heroes.add(s.hero());
        }
        assertEquals(Set.copyOf(StoryGrammar.goals(StoryStyle.PLAIN)), goals);
        assertEquals(Set.copyOf(StoryGrammar.heroNames()), heroes);
    }

    @Test
    void aFewMegabytesOfTextAreAvailableOnDemand() {
        String text = Stories.plain().text(5000);
        assertTrue(text.length() > 3_000_000, "5000 stories make a few MB, found " + text.length() + " chars");
        assertEquals(5000, text.split(Pattern.quote(Stories.END_OF_TEXT), -1).length - 1);
    }

    @Test
    void everyStoryIsGrammaticalWithKnownWordsAndOneConsistentHero() {
        for (StoryStyle style : StoryStyle.values()) {
            Stories data = new Stories(style, 11);
            Set<String> vocabulary = data.vocabulary();
            assertTrue(vocabulary.size() > 250 && vocabulary.size() < 700, style + ": a vocabulary of a few hundred words, found " + vocabulary.size());
            for (Split split : Split.values()) {
                for (Story s : data.examples(split).limit(500).toList()) {
                    List<String> sentences = StoryCheck.sentences(s.text());
                    assertNotNull(sentences, "whole sentences expected: " + s.text());
                    assertTrue(sentences.size() >= 12, "a dozen sentences or more: " + s.text());
                    for (String sentence : sentences) assertTrue(sentence.matches("\"?[A-Z].*[.!?]\"?"), sentence);
                    assertEquals(List.of(), StoryCheck.unknownWords(s.text(), vocabulary), s.text());
                    assertEquals(s.hero(), StoryCheck.hero(s.text()), "the first name is the hero's: " + s.text());
                    assertTrue(StoryCheck.pronounsAgree(s.text()), s.text());
                    assertTrue(count(s.text(), s.hero()) >= 3, "the hero comes back through the story: " + s.text());
                    assertEquals(s.girl(), StoryGrammar.heroIsGirl(s.hero()));
                    assertTrue(pronouns(s.text()).contains(s.girl() ? "she" : "he") || pronouns(s.text()).contains(s.girl() ? "her" : "his"),
                            "the hero is referred to by a pronoun: " + s.text());
                    assertTrue(!s.text().contains(" a a") && !s.text().matches(".*\\ba [aeiou].*"), "a/an: " + s.text());
                }
            }
        }
    }

    @Test
    void theChecksRejectBrokenStories() {
        assertEquals(null, StoryCheck.sentences("Lily went to the park. she was happy."));
        assertEquals(null, StoryCheck.sentences("Lily went to the park and"));
        assertEquals(List.of("\"Oh no!\" said Tom.", "Tom was sad."), StoryCheck.sentences("\"Oh no!\" said Tom. Tom was sad."));
        assertTrue(!StoryCheck.pronounsAgree("Lily went to the park. He was happy."));
        assertTrue(StoryCheck.pronounsAgree("Lily went to the park with Pip. She was happy."));
        assertEquals(List.of("spaceship"), StoryCheck.unknownWords("Lily saw a spaceship.", Stories.plain().vocabulary()));
    }

    @Test
    void heldOutStoriesAreNeverTrainingStoriesAndIncludeUnseenCombinations() {
        Stories data = Stories.plain();
        List<Story> train = data.examples(Split.TRAIN).limit(3000).toList();
        List<Story> heldOut = data.examples(Split.HELD_OUT).limit(500).toList();
        Set<String> trainTexts = new HashSet<>();
        for (Story s : train) {
            trainTexts.add(s.text());
            assertTrue(!Stories.heldOutCombination(s.hero(), s.goal()), s.hero() + " + " + s.goal() + " is held out");
        }
        int unseen = 0;
        for (Story s : heldOut) {
            assertTrue(!trainTexts.contains(s.text()));
            if (Stories.heldOutCombination(s.hero(), s.goal())) unseen++;
        }
        assertTrue(unseen > 100 && unseen < 400, "held-out stories mix unseen (hero, goal) pairs with new stories of seen pairs, found " + unseen + " of 500");
        assertNotEquals(data.train(1), data.heldOut(1));
    }

    @Test
    void seaStoriesAreMeasurablyInTheirOwnStyle() {
        Set<String> seaWords = new HashSet<>(StoryGrammar.vocabulary(StoryStyle.SEA));
        seaWords.removeAll(StoryGrammar.vocabulary(StoryStyle.PLAIN));
        assertTrue(seaWords.containsAll(Set.of("sea", "waves", "beach", "shell", "boat")), seaWords.toString());
        for (String story : Stories.atSea().train(500)) {
            long n = WORD.matcher(story).results().filter(m -> seaWords.contains(m.group().toLowerCase(Locale.ROOT))).count();
            assertTrue(n >= 3, "at least three sea words in every sea story, found " + n + ": " + story);
        }
        for (String story : Stories.plain().train(500)) {
            assertEquals(List.of(), WORD.matcher(story).results().map(m -> m.group().toLowerCase(Locale.ROOT))
                    .filter(seaWords::contains).toList(), "no sea words in a plain story: " + story);
        }
        System.out.println(Stories.atSea().train(1).getFirst());
    }

    @Test
    void theCardNamesTheGeneratorAndTheSeed() {
        String card = Stories.plain().card(100);
        assertTrue(card.contains(Stories.class.getName()) && card.contains(String.valueOf(Stories.SEED)) && card.contains("100 training stories"), card);
    }

    private static int count(String text, String word) {
        Matcher m = Pattern.compile("\\b" + word + "\\b").matcher(text);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    private static Set<String> pronouns(String text) {
        Set<String> out = new HashSet<>();
        WORD.matcher(text).results().map(m -> m.group().toLowerCase(Locale.ROOT)).forEach(out::add);
        return out;
    }
}
