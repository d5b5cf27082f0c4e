package dev.glassbox.explorer.tokenizers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CharTokenizerTest {
    @TempDir Path dir;

    @Test
    void everyCharacterIsOneToken() {
        Tokenizer t = CharTokenizer.of(List.of("<unk>", "a", "b", " ", "😀"), "<unk>");
        Encoding e = t.encode("ab 😀z");
        assertArrayEquals(new int[] {1, 2, 3, 4, 0}, e.ids());                 // z is unknown
        assertArrayEquals(new int[] {0, 1, 2, 3, 5}, e.starts());
        assertArrayEquals(new int[] {1, 2, 3, 5, 6}, e.ends());                 // the emoji is two UTF-16 chars
        assertEquals("ab 😀", t.decode(e.ids()));                               // <unk> is special: skipped
        assertEquals("characters", t.kind());
        assertEquals(5, t.vocabSize());
        assertEquals("😀", t.token(4));
        assertEquals(t.encode("ab", false), t.encode("ab", true));              // a plain list adds nothing around a text
    }

    @Test
    void withoutAnUnknownTokenAnUnknownCharacterIsAnError() {
        Tokenizer t = CharTokenizer.of(List.of("a", "b"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.encode("abc"));
        assertEquals("character c (U+0063) at index 2 is not in the vocabulary and there is no unknown token", e.getMessage());
    }

    @Test
    void aWordLevelTokenizerJsonWithACharacterVocabulary() throws IOException {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String token : List.of("<pad>", "<unk>", "<eos>", "h", "i", "!", " ")) vocab.put(token, vocab.size());
        Map<String, Object> json = Map.of("model", Map.of("type", "WordLevel", "vocab", vocab, "unk_token", "<unk>"),
                "added_tokens", List.of(TinyVocabularies.added(0, "<pad>", true), TinyVocabularies.added(1, "<unk>", true),
                        TinyVocabularies.added(2, "<eos>", true)));
        Tokenizer t = Tokenizer.fromFile(TinyVocabularies.write(dir.resolve("chars.json"), json));
        assertEquals("characters", t.kind());
        Encoding e = t.encode("hi!?<eos>");
        assertArrayEquals(new int[] {3, 4, 5, 1, 2}, e.ids());                 // ? is unknown, <eos> is found in the text
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, e.starts());
        assertArrayEquals(new int[] {1, 2, 3, 4, 9}, e.ends());
        assertEquals("hi!", t.decode(e.ids()));

        vocab.put("hi", vocab.size());                                          // a two-character token that is not an added token
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Tokenizer.fromFile(TinyVocabularies.write(dir.resolve("words.json"), json)));
        assertTrue(bad.getMessage().contains("WordLevel token hi (id 7) is longer than one character"), bad.getMessage());
    }
}
