package dev.glassbox.explorer.tokenizers;

import dev.glassbox.explorer.formats.gguf.GgufValue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static dev.glassbox.explorer.tokenizers.TinyVocabularies.piece;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Llama-style SentencePiece BPE on the small vocabulary of {@link TinyVocabularies}: 0 {@code <unk>},
 * 1 {@code <s>}, 2 {@code </s>}, 3 + b the byte token {@code <0xNN>}, then the pieces from 259 on.
 */
class SentencePieceBpeTest {
    @TempDir static Path dir;
    private static Tokenizer json;      // merges by rank, Prepend + Replace normalizer
    private static Tokenizer gguf;      // merges by score

    @BeforeAll
    static void write() throws IOException {
        json = Tokenizer.fromFile(TinyVocabularies.sentencePieceJson(dir, true, true));
        gguf = TinyVocabularies.fromGguf(TinyVocabularies.sentencePieceGguf(dir, Map.of()));
    }

    private static Encoding encode(Tokenizer tokenizer, String text) {
        Encoding e = tokenizer.encode(text);
        Offsets.assertWithinTextAndNonDecreasing(text, e);
        return e;
    }

    @Test
    void spacesBecomeMetaspacesAndADummyPrefixStartsTheText() {
        // "▁hello▁world": ll (rank 0), ▁h (1), ell (2), ▁hell (3), ▁hello (4); ▁w (5), or (6), ▁wor (7), ld (8), ▁world (9)
        for (Tokenizer t : new Tokenizer[] {json, gguf}) {
            Encoding e = encode(t, "hello world");
            assertArrayEquals(new int[] {1, piece("▁hello"), piece("▁world")}, e.ids(), t::toString);
            assertArrayEquals(new String[] {"<s>", "▁hello", "▁world"}, e.tokens());
            assertArrayEquals(new int[] {-1, 0, 5}, e.starts());               // the prefix ▁ belongs to the h
            assertArrayEquals(new int[] {-1, 5, 11}, e.ends());
            assertEquals("hello world", t.decode(e.ids()));
            assertEquals("BPE (SentencePiece)", t.kind());
        }
        assertArrayEquals(new int[] {piece("▁hello")}, json.encode("hello", false).ids());
        assertArrayEquals(new int[] {1}, json.encode("").ids());                // no prefix for an empty text
    }

    @Test
    void rankAndScoreDecideWhichPairMergesFirst() {
        // "▁abc": tokenizer.json lists "a b" (rank 10) before "b c" (rank 11): ▁ ab c
        assertArrayEquals(new int[] {1, piece("▁"), piece("ab"), piece("c")}, encode(json, "abc").ids());
        // the GGUF file scores bc (-0.5) above ab (-11): ▁ a bc
        assertArrayEquals(new int[] {1, piece("▁"), piece("a"), piece("bc")}, encode(gguf, "abc").ids());
        assertEquals("abc", gguf.decode(encode(gguf, "abc").ids()));
    }

    @Test
    void charactersNotInTheVocabularyFallBackToTheirBytes() {
        // 😀 = F0 9F 98 80 -> <0xF0> <0x9F> <0x98> <0x80> = ids 3 + byte, all with the emoji's span
        for (Tokenizer t : new Tokenizer[] {json, gguf}) {
            Encoding e = encode(t, "hello 😀");
            assertArrayEquals(new int[] {1, piece("▁hello"), piece("▁"), 3 + 0xF0, 3 + 0x9F, 3 + 0x98, 3 + 0x80}, e.ids());
            assertArrayEquals(new String[] {"<s>", "▁hello", "▁", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>"}, e.tokens());
            assertArrayEquals(new int[] {-1, 0, 5, 6, 6, 6, 6}, e.starts());
            assertArrayEquals(new int[] {-1, 5, 6, 8, 8, 8, 8}, e.ends());
            assertEquals("hello 😀", t.decode(e.ids()));
        }
        assertEquals("Hé", json.decode(json.encode("Hé").ids()));             // H and é are not pieces either
    }

    @Test
    void withoutByteFallbackUnknownCharactersBecomeUnk() throws IOException {
        Tokenizer fused = Tokenizer.fromFile(TinyVocabularies.sentencePieceJson(dir, false, true));
        Encoding e = encode(fused, "hello ££");
        assertArrayEquals(new int[] {1, piece("▁hello"), piece("▁"), 0}, e.ids());   // two £, one fused <unk>
        assertArrayEquals(new int[] {-1, 5, 6, 8}, e.ends());
        Tokenizer separate = Tokenizer.fromFile(TinyVocabularies.sentencePieceJson(dir, false, false));
        assertArrayEquals(new int[] {1, piece("▁hello"), piece("▁"), 0, 0}, separate.encode("hello ££").ids());
        assertEquals("hello ", separate.decode(separate.encode("hello ££").ids()));   // <unk> is special: skipped
    }

    @Test
    void specialTokensInTheTextSplitIt() {
        // "<s>" is found in the text; the Prepend normalizer puts a ▁ before the text after it too
        Encoding e = encode(json, "<s>hello</s>");
        assertArrayEquals(new int[] {1, 1, piece("▁hello"), 2}, e.ids());
        assertArrayEquals(new int[] {-1, 0, 3, 8}, e.starts());
        assertArrayEquals(new int[] {-1, 3, 8, 12}, e.ends());
        assertEquals("hello", json.decode(e.ids()));
        assertArrayEquals(e.ids(), gguf.encode("<s>hello</s>").ids());         // llama.cpp: control tokens, space prefix after them
    }

    @Test
    void metaspaceDoesNotPrefixATextThatStartsWithASpace() throws IOException {
        Tokenizer metaspace = Tokenizer.fromFile(TinyVocabularies.metaspaceJson(dir));
        assertArrayEquals(new int[] {1, piece("▁hello"), piece("▁world")}, metaspace.encode("hello world").ids());
        Encoding e = encode(metaspace, " hello");
        assertArrayEquals(new int[] {1, piece("▁hello")}, e.ids());             // the text's own space is the ▁
        assertArrayEquals(new int[] {-1, 0}, e.starts());
        // the Prepend normalizer prefixes even then: ▁ then ▁hello, the prefix sharing the space's span
        Encoding prepended = encode(json, " hello");
        assertArrayEquals(new int[] {1, piece("▁"), piece("▁hello")}, prepended.ids());
        assertArrayEquals(new int[] {-1, 0, 0}, prepended.starts());
        assertArrayEquals(new int[] {-1, 1, 6}, prepended.ends());
        assertEquals(" hello", json.decode(prepended.ids()));
    }

    @Test
    void metaspaceSplitKeepsMergesWithinWords() throws IOException {
        // "a b" -> "▁a▁b"; the merge "a ▁" (rank 0) joins across the word boundary unless the text is split first
        for (boolean split : new boolean[] {false, true}) {
            Map<String, Object> model = Map.of("type", "BPE", "vocab", TinyVocabularies.vocab(java.util.List.of("▁", "a", "b", "a▁", "▁a", "▁b")),
                    "merges", java.util.List.of("a ▁", "▁ a", "▁ b"));
            Tokenizer t = Tokenizer.fromFile(TinyVocabularies.write(dir.resolve("split-" + split + ".json"), Map.of("model", model,
                    "pre_tokenizer", Map.of("type", "Metaspace", "replacement", "▁", "prepend_scheme", "always", "split", split))));
            Encoding e = encode(t, "a b");
            assertArrayEquals(split ? new String[] {"▁a", "▁b"} : new String[] {"▁", "a▁", "b"}, e.tokens(), "split " + split);
            assertEquals("a b", t.decode(e.ids()));
        }
    }

    @Test
    void ggufSettingsChooseBosEosAndThePrefix() throws IOException {
        Tokenizer plain = TinyVocabularies.fromGguf(TinyVocabularies.sentencePieceGguf(dir, Map.of(
                "tokenizer.ggml.add_bos_token", GgufValue.bool(false),
                "tokenizer.ggml.add_eos_token", GgufValue.bool(true),
                "tokenizer.ggml.add_space_prefix", GgufValue.bool(false))));
        // no prefix: "hello" starts with h, not ▁h: h ell o (ell scores -3; "llo", "ello" are not tokens)
        assertArrayEquals(new int[] {piece("h"), piece("ell"), piece("o"), 2}, plain.encode("hello").ids());
        assertEquals("hello", plain.decode(plain.encode("hello").ids()));
        assertEquals(" hello", plain.decode(new int[] {piece("▁hello")}));       // no dummy prefix to drop either

        Map<String, GgufValue> noIds = new HashMap<>();
        noIds.put("tokenizer.ggml.bos_token_id", null);
        noIds.put("tokenizer.ggml.unknown_token_id", null);
        Tokenizer defaults = TinyVocabularies.fromGguf(TinyVocabularies.sentencePieceGguf(dir, noIds));
        assertArrayEquals(new int[] {1, piece("▁hello")}, defaults.encode("hello").ids());   // SentencePiece's BOS id, 1
    }

    @Test
    void decodingUndoesEncodingForAnyUnicodeText() {
        Random random = new Random(11);
        int[][] ranges = {{'a', 'e'}, {' ', ' '}, {'h', 'o'}, {0x20, 0x7E}, {0xC0, 0x2FF}, {0x4E00, 0x4FFF}, {0x1F300, 0x1F64F}, {0x0A, 0x0A}};
        for (int n = 0; n < 300; n++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(25);
            for (int i = 0; i < length; i++) {
                int[] range = ranges[random.nextInt(ranges.length)];
                text.appendCodePoint(range[0] + random.nextInt(range[1] - range[0] + 1));
            }
            String s = text.toString();
            if (s.contains("<s>") || s.contains("</s>") || s.contains("<unk>")) continue;
            for (Tokenizer t : new Tokenizer[] {json, gguf}) {
                Encoding e = encode(t, s);
                assertEquals(s, t.decode(e.ids()), () -> "round trip of \"" + s + "\" through " + e);
            }
        }
    }
}
