package dev.glassbox.tinymodels.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a story can pass or fail from its text alone, for generated stories and for a model's continuations:
 * its sentences are finished, it uses only known words, and its pronouns all belong to its hero.
 */
public final class StoryCheck {
    /**
     * A sentence: a capital letter (perhaps after a quote), then anything but . ! ? except a quote that closes
     * on them and goes on in lower case ({@code "Oh no!" said Tom.}), then . ! or ? (perhaps before a quote),
     * then a new sentence or the end.
     */
    private static final Pattern SENTENCE = Pattern.compile("\"?[A-Z](?:[^.!?]|[.!?]\"(?=\\s+[a-z]))*[.!?]\"?(?=\\s+\"?[A-Z]|\\s*$)");
    private static final Pattern WORD = Pattern.compile("[A-Za-z]+");
    private static final Set<String> HE = Set.of("he", "him", "his", "himself");
    private static final Set<String> SHE = Set.of("she", "her", "hers", "herself");

    private StoryCheck() {}

    /**
     * The story's sentences, or null if the text is not a run of whole sentences (a sentence that does not
     * start with a capital letter or does not end with . ! or ?).
     */
    public static List<String> sentences(String text) {
        String trimmed = text.strip();
        List<String> out = new ArrayList<>();
        Matcher m = SENTENCE.matcher(trimmed);
        int at = 0;
        while (at < trimmed.length()) {
            if (!m.find(at) || m.start() != at) return null;
            out.add(m.group());
            at = m.end();
            while (at < trimmed.length() && Character.isWhitespace(trimmed.charAt(at))) at++;
        }
        return out;
    }

    /** The words of {@code text} that are not in {@code vocabulary} (lower case), in order of first use. */
    public static List<String> unknownWords(String text, Set<String> vocabulary) {
        Set<String> unknown = new java.util.LinkedHashSet<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            String word = m.group().toLowerCase(Locale.ROOT);
            if (!vocabulary.contains(word)) unknown.add(word);
        }
        return List.copyOf(unknown);
    }

    /** The first hero name in the text ({@link StoryGrammar#heroNames()}), or null. */
    public static String hero(String text) {
        Matcher m = WORD.matcher(text);
        while (m.find()) if (StoryGrammar.heroIsGirl(m.group()) != null) return m.group();
        return null;
    }

    /**
     * Whether every third-person pronoun agrees with the hero, the first hero name in the text: a story of Lily
     * may say she and her but never he, him or his. A text without a hero passes only if it has no such pronoun.
     */
    public static boolean pronounsAgree(String text) {
        String hero = hero(text);
        Set<String> genders = new HashSet<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            String word = m.group().toLowerCase(Locale.ROOT);
            if (HE.contains(word)) genders.add("he");
            if (SHE.contains(word)) genders.add("she");
        }
        if (hero == null) return genders.isEmpty();
        return genders.isEmpty() || genders.equals(Set.of(StoryGrammar.heroIsGirl(hero) ? "she" : "he"));
    }
}
