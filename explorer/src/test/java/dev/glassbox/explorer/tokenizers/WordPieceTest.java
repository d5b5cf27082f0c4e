package dev.glassbox.explorer.tokenizers;

import dev.glassbox.explorer.MiniLm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real all-MiniLM-L6-v2 tokenizer.json (BERT uncased vocabulary, 30522 tokens). Every expected id below
 * was looked up in that file's vocab, and each split follows WordPiece by hand: the longest vocabulary
 * entry that starts the word, then the longest {@code ##} entry that starts the rest, and so on.
 * [CLS] = 101, [SEP] = 102, [UNK] = 100.
 */
class WordPieceTest {
    private static Tokenizer miniLm;

    @BeforeAll
    static void load() throws IOException {
        miniLm = Tokenizer.fromFile(MiniLm.tokenizer());
    }

    private static void assertIds(String text, int... expected) {
        Encoding e = miniLm.encode(text);
        assertArrayEquals(expected, e.ids(), () -> text + " -> " + e);
        Offsets.assertWithinTextAndNonDecreasing(text, e);
    }

    private static void assertSpans(String text, int[][] spans) {
        Encoding e = miniLm.encode(text);
        assertEquals(spans.length, e.length(), e::toString);
        for (int i = 0; i < spans.length; i++) {
            assertEquals(spans[i][0], e.starts()[i], "start of token " + i + " of " + e);
            assertEquals(spans[i][1], e.ends()[i], "end of token " + i + " of " + e);
        }
    }

    @Test
    void theFileIsAWordPieceTokenizer() {
        assertEquals("WordPiece", miniLm.kind());
        assertEquals(30522, miniLm.vocabSize());
        assertEquals("hello", miniLm.token(7592));
        assertEquals("##ization", miniLm.token(3989));
    }

    @Test
    void wordsAreLowercasedAndWrappedInClsAndSep() {
        assertIds("hello world", 101, 7592, 2088, 102);                    // hello 7592, world 2088
        assertIds("Hello World", 101, 7592, 2088, 102);
        assertSpans("hello world", new int[][] {{-1, -1}, {0, 5}, {6, 11}, {-1, -1}});
        assertArrayEquals(new int[] {7592, 2088}, miniLm.encode("hello world", false).ids());
        assertArrayEquals(new String[] {"[CLS]", "hello", "world", "[SEP]"}, miniLm.encode("hello world").tokens());
    }

    @Test
    void punctuationIsSplitOff() {
        assertIds("Hello, World!", 101, 7592, 1010, 2088, 999, 102);          // , 1010  ! 999
        assertSpans("Hello, World!", new int[][] {{-1, -1}, {0, 5}, {5, 6}, {7, 12}, {12, 13}, {-1, -1}});
        // the quick brown fox jumps over the lazy dog . : every word is in the vocabulary
        assertIds("The quick brown fox jumps over the lazy dog.",
                101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102);
        // ' is punctuation: can ' t, it ' s; "2024" is not a token: 202 (16798) + ##4 (2549)
        assertIds("I can't believe it's 2024!", 101, 1045, 2064, 1005, 1056, 2903, 2009, 1005, 1055, 16798, 2549, 999, 102);
    }

    @Test
    void asciiSymbolsAreSplitOffLikePunctuation() {
        // $ 1002, + 1009, = 1027, ^ 1034, ~ 1066, | 1064 are Unicode symbols (Sc, Sm, Sk), split by BERT all the same
        assertIds("$5 + 3 = 8 ^ 2 ~ |x|", 101, 1002, 1019, 1009, 1017, 1027, 1022, 1034, 1016, 1066, 1064, 1060, 1064, 102);
        // € is a symbol outside ASCII: not split; € 1574 then ##100 18613
        assertIds("€100", 101, 1574, 18613, 102);
        assertSpans("€100", new int[][] {{-1, -1}, {0, 1}, {1, 4}, {-1, -1}});
    }

    @Test
    void numbersSplitAtPunctuationAndIntoPieces() {
        // numbers 3616, : 1024, 3 1017, . 1012, 14159 -> 141 (15471) ##59 (28154), and 1998, 1 1015, , 1010, 000 2199
        assertIds("Numbers: 3.14159 and 1,000,000",
                101, 3616, 1024, 1017, 1012, 15471, 28154, 1998, 1015, 1010, 2199, 1010, 2199, 102);
    }

    @Test
    void unknownWordsAreSplitIntoPieces() {
        // unaffable: longest start "una" (14477), then "##ffa" (20961), then "##ble" (3468)
        // tokenization: "token" (19204; no longer start is a token), then "##ization" (3989)
        assertIds("unaffable tokenization", 101, 14477, 20961, 3468, 19204, 3989, 102);
        assertArrayEquals(new String[] {"[CLS]", "una", "##ffa", "##ble", "token", "##ization", "[SEP]"},
                miniLm.encode("unaffable tokenization").tokens());
        assertSpans("unaffable tokenization", new int[][] {{-1, -1}, {0, 3}, {3, 6}, {6, 9}, {10, 15}, {15, 22}, {-1, -1}});
        // straße: "st" (2358), then "##raße" (27807); ß has no decomposition, so it stays
        assertIds("straße", 101, 2358, 27807, 102);
    }

    @Test
    void accentsAreStrippedAndOffsetsStillPointAtTheOriginal() {
        assertIds("Café naïve", 101, 7668, 15743, 102);                     // cafe 7668, naive 15743
        assertSpans("Café naïve", new int[][] {{-1, -1}, {0, 4}, {5, 10}, {-1, -1}});
        assertIds("Cafe\u0301", 101, 7668, 102);                           // e + combining acute: the mark is dropped
        assertSpans("Cafe\u0301", new int[][] {{-1, -1}, {0, 4}, {-1, -1}});    // the dropped mark is in no span, as in Hugging Face's
        assertIds("ÉCOLE", 101, 12431, 102);                               // ecole 12431
        assertIds("İstanbul", 101, 9960, 102);                             // İ -> I + dot above -> i; istanbul 9960
        assertSpans("İstanbul", new int[][] {{-1, -1}, {0, 8}, {-1, -1}});
    }

    @Test
    void eachLetterIsLowercasedOnItsOwn() {
        // no final sigma: the last Σ becomes σ (##σ 29733), not ς (##ς 19579)
        // ο 1169, ##δ 29722, ##υ 29735, ##σ 29733, ##ε 29723
        assertIds("ΟΔΥΣΣΕΥΣ", 101, 1169, 29722, 29735, 29733, 29733, 29723, 29735, 29733, 102);
    }

    @Test
    void cjkIdeographsAreWordsOfTheirOwn() {
        // 北 1781, 京 1755, 大 1810, 学 1817: spaces are put around each, so no ## pieces
        assertIds("北京大学", 101, 1781, 1755, 1810, 1817, 102);
        assertSpans("北京大学", new int[][] {{-1, -1}, {0, 1}, {1, 2}, {2, 3}, {3, 4}, {-1, -1}});
    }

    @Test
    void hangulDecomposesIntoJamoThatShareTheSyllablesSpan() {
        // Hangul is not CJK-ideograph handled; stripping accents decomposes each syllable (NFD) into 2 or 3 jamo,
        // which the vocabulary has one by one: ᄋ 1463, ##ᅡ 30006, ##ᆫ 30021, ##ᄂ 29992, ##ᅧ 30010, ##ᆼ 30025,
        // ##ᄒ 30005, ##ᅡ 30006, ##ᄉ 29997, ##ᅦ 30009, ##ᄋ 29999, ##ᅭ 30013
        assertIds("안녕하세요", 101, 1463, 30006, 30021, 29992, 30010, 30025, 30005, 30006, 29997, 30009, 29999, 30013, 102);
        assertSpans("안녕하세요", new int[][] {{-1, -1}, {0, 1}, {0, 1}, {0, 1}, {1, 2}, {1, 2}, {1, 2}, {2, 3}, {2, 3},
                {3, 4}, {3, 4}, {4, 5}, {4, 5}, {-1, -1}});
    }

    @Test
    void controlCharactersAreDroppedAndWhitespaceSplits() {
        // NUL and the zero-width space (Cf) vanish: "ab cd"; ab 11113, cd 3729
        assertIds("a\u0000b\tc\u200Bd", 101, 11113, 3729, 102);
        assertSpans("a\u0000b\tc\u200Bd", new int[][] {{-1, -1}, {0, 3}, {4, 7}, {-1, -1}});
        assertIds("hello\u00A0world\n", 101, 7592, 2088, 102);            // a no-break space is whitespace too
    }

    @Test
    void wordsNotInTheVocabularyBecomeUnknown() {
        // 🍕 is a symbol (So), a word of its own that no vocabulary entry starts: [UNK] over its surrogate pair
        assertIds("I love 🍕", 101, 1045, 2293, 100, 102);                 // i 1045, love 2293
        assertSpans("I love 🍕", new int[][] {{-1, -1}, {0, 1}, {2, 6}, {7, 9}, {-1, -1}});
    }

    @Test
    void wordsLongerThan100CharactersAreUnknown() {
        String word = "a".repeat(101);
        assertIds(word, 101, 100, 102);
        assertSpans(word, new int[][] {{-1, -1}, {0, 101}, {-1, -1}});
        int[] hundred = miniLm.encode("a".repeat(100), false).ids();
        assertTrue(hundred.length > 1, "100 characters are split into pieces");
        for (int id : hundred) assertTrue(id != 100, "no [UNK] in " + java.util.Arrays.toString(hundred));
    }

    @Test
    void emptyTextIsJustClsAndSep() {
        assertIds("", 101, 102);
        assertIds(" \t\n ", 101, 102);
        assertEquals(0, miniLm.encode("", false).length());
    }

    @Test
    void specialTokensWrittenInTheTextAreFound() {
        assertIds("[CLS] inside [SEP]", 101, 101, 2503, 102, 102);          // inside 2503
        assertSpans("[CLS] inside [SEP]", new int[][] {{-1, -1}, {0, 5}, {6, 12}, {13, 18}, {-1, -1}});
        assertIds("[cls]", 101, 1031, 18856, 2015, 1033, 102);             // lowercase is not the token: [ cl ##s ]
    }

    @Test
    void decodingJoinsPiecesAndSkipsSpecialTokens() {
        assertEquals("hello, world!", miniLm.decode(miniLm.encode("Hello, World!").ids()));
        assertEquals("unaffable tokenization", miniLm.decode(miniLm.encode("unaffable tokenization").ids()));
        assertEquals("cafe naive", miniLm.decode(miniLm.encode("Café naïve").ids()));
        assertEquals("i can ' t believe it ' s 2024!", miniLm.decode(miniLm.encode("I can't believe it's 2024!").ids()));
        assertEquals("i love", miniLm.decode(miniLm.encode("I love 🍕").ids()));   // [UNK] is a special token
        assertEquals("", miniLm.decode(new int[] {101, 102}));
    }

    @Test
    void offsetsAreWithinTheTextForManySentences() {
        String[] texts = {"Glassbox shows models from the inside.", "  leading and trailing  ", "e.g. U.S.A. & co.",
                "naïve café résumé", "日本語のテキスト", "tab\tseparated\tvalues", "emoji 🎉🎉 party", "x".repeat(150) + " y"};
        for (String text : texts) {
            Encoding e = miniLm.encode(text);
            Offsets.assertWithinTextAndNonDecreasing(text, e);
            assertFalse(e.length() < 2);
        }
    }
}
