package dev.glassbox.explorer.tokenizers;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.glassbox.explorer.tokenizers.TinyVocabularies.END_OF_TEXT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * GPT-2 style byte-level BPE on the small vocabulary of {@link TinyVocabularies}: byte b has id b, merge k
 * (in rank order) makes id 256 + k. The expected merges are followed by hand in the comments.
 */
class ByteLevelBpeTest {
    @TempDir static Path dir;
    private static Tokenizer json;
    private static Tokenizer gguf;

    @BeforeAll
    static void write() throws IOException {
        json = Tokenizer.fromFile(TinyVocabularies.byteLevelJson(dir));
        gguf = TinyVocabularies.fromGguf(TinyVocabularies.byteLevelGguf(dir));
    }

    private static Encoding encode(String text) {
        Encoding e = json.encode(text);
        Offsets.assertWithinTextAndNonDecreasing(text, e);
        assertEquals(e, gguf.encode(text), "the GGUF file tokenizes " + text + " alike");
        return e;
    }

    @Test
    void theByteTableMapsPrintableBytesToThemselves() {
        assertEquals('A', ByteLevel.charOf('A'));
        assertEquals('Ġ', ByteLevel.charOf(' '));                           // byte 32 is the 33rd unprintable: U+0100 + 32
        assertEquals('Ċ', ByteLevel.charOf('\n'));
        assertEquals('ð', ByteLevel.charOf(0xF0));                           // printable Latin-1
        assertEquals('ġ', ByteLevel.charOf(0x7F));                           // DEL: U+0100 + 33
        assertEquals('Ń', ByteLevel.charOf(0xAD));                           // soft hyphen, the last unprintable: U+0143
        for (int b = 0; b < 256; b++) assertEquals(b, ByteLevel.byteOf(ByteLevel.charOf(b)));
        assertEquals(-1, ByteLevel.byteOf(' '));
    }

    @Test
    void mergesFollowTheirRankWithinEachPiece() {
        // "hello": h e l l o -> (h,e) rank 6 before (l,l) rank 7 -> he l l o -> ll -> he ll o -> hell (8) -> hello (9) = 265
        // " world": Ġ w o r l d -> Ġw (1) -> or (2) -> ld (3) before Ġw+or (4) -> Ġwor (4) -> Ġworld (5) = 261
        // "o Ġ" has rank 0 but o and Ġ are in different pieces ("hello" | " world"), so it never applies
        Encoding e = encode("hello world");
        assertArrayEquals(new int[] {265, 261}, e.ids());
        assertArrayEquals(new String[] {"hello", "Ġworld"}, e.tokens());
        assertArrayEquals(new int[] {0, 5}, e.starts());
        assertArrayEquals(new int[] {5, 11}, e.ends());
        assertEquals("BPE (byte-level)", json.kind());
        assertEquals(274, json.vocabSize());
    }

    @Test
    void lowerRankWinsOverLeftmostAndTiesGoLeft() {
        assertArrayEquals(new int[] {'a', 268}, encode("abc").ids());        // (b,c) rank 12 before (a,b) rank 13: a bc
        assertArrayEquals(new int[] {269, 'd'}, encode("abd").ids());        // ab d
        assertArrayEquals(new int[] {270, 'a'}, encode("aaa").ids());        // (a,a) twice at rank 14: the left one: aa a
    }

    @Test
    void contractionsAndSpaceRunsArePiecesOfTheirOwn() {
        // "it's" -> "it" | "'s": the merge "t '" would cross the cut; 's is merge 10 = 266
        assertArrayEquals(new int[] {'i', 't', 266}, encode("it's").ids());
        // "a    b" -> "a" | "   " | " b": a run of spaces leaves its last space to the word after it;
        // "   " -> (Ġ,Ġ) twice at rank 11, the left one first: ĠĠ Ġ. (One piece would give a ĠĠ ĠĠ b.)
        Encoding e = encode("a    b");
        assertArrayEquals(new int[] {'a', 267, ' ', 271}, e.ids());          // ĠĠ 267, Ġ 32, Ġb 271
        assertArrayEquals(new int[] {0, 1, 3, 4}, e.starts());
        assertArrayEquals(new int[] {1, 3, 4, 6}, e.ends());
    }

    @Test
    void bytesOfOneCharacterShareItsSpan() {
        // 😀 is F0 9F 98 80 in UTF-8: " 😀" is one piece, Ġ and four byte tokens, no merges apply
        Encoding e = encode("hi 😀");
        assertArrayEquals(new int[] {'h', 'i', ' ', 0xF0, 0x9F, 0x98, 0x80}, e.ids());
        assertArrayEquals(new String[] {"h", "i", "Ġ", "ð", "Ł", "ĺ", "Ģ"}, e.tokens());
        assertArrayEquals(new int[] {0, 1, 2, 3, 3, 3, 3}, e.starts());
        assertArrayEquals(new int[] {1, 2, 3, 5, 5, 5, 5}, e.ends());
        assertEquals("hi 😀", json.decode(e.ids()));
        assertEquals("\uFFFD", json.decode(new int[] {0xF0, 0x9F}));        // half a character decodes to U+FFFD
    }

    @Test
    void specialTokensInTheTextAreFoundAndDecodingSkipsThem() {
        Encoding e = encode("<|endoftext|>hello");
        assertArrayEquals(new int[] {END_OF_TEXT, 265}, e.ids());
        assertArrayEquals(new int[] {0, 13}, e.starts());
        assertEquals("hello", json.decode(e.ids()));
        assertEquals("hello world", json.decode(new int[] {265, END_OF_TEXT, 261}));
        // GPT-2 adds nothing around a text
        assertEquals(json.encode("hello", false), json.encode("hello", true));
    }

    @Test
    void decodingUndoesEncodingForAnyUnicodeText() {
        Random random = new Random(7);
        int[][] ranges = {{0x20, 0x7E}, {0x09, 0x0D}, {0x80, 0x2FF}, {0x300, 0x36F}, {0x400, 0x4FF}, {0x4E00, 0x4FFF},
                {0xAC00, 0xAC80}, {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x2000, 0x206F}, {0x10000, 0x1007F}};
        for (int n = 0; n < 300; n++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(30);
            for (int i = 0; i < length; i++) {
                int[] range = ranges[random.nextInt(ranges.length)];
                text.appendCodePoint(range[0] + random.nextInt(range[1] - range[0] + 1));
            }
            String s = text.toString();
            Encoding e = encode(s);
            assertEquals(s, json.decode(e.ids()), () -> "round trip of " + s.codePoints().mapToObj(Integer::toHexString).toList());
        }
        assertEquals("👩‍👩‍👧 ok\n\n", json.decode(encode("👩‍👩‍👧 ok\n\n").ids()));   // emoji joined with ZWJ
    }

    @Test
    void splitPatternsFromTheFileCutBeforeTheByteLevelStep() throws IOException {
        // Llama 3 style: a Split with the file's own pattern (digits in threes), then ByteLevel without its regex
        Map<String, Object> model = Map.of("type", "BPE", "vocab", TinyVocabularies.vocab(List.of(
                        "1", "2", "3", "4", "5", "12", "123", "45", "34")),
                "merges", List.of("1 2", "12 3", "3 4", "4 5"));
        Map<String, Object> file = Map.of("model", model, "pre_tokenizer", Map.of("type", "Sequence", "pretokenizers", List.of(
                Map.of("type", "Split", "pattern", Map.of("Regex", "\\p{N}{1,3}"), "behavior", "Isolated", "invert", false),
                Map.of("type", "ByteLevel", "add_prefix_space", false, "use_regex", false))));
        Tokenizer llama3 = Tokenizer.fromFile(TinyVocabularies.write(dir.resolve("split.json"), file));
        // "12345" -> "123" | "45": the merge "3 4" (rank 2) would cross the cut
        Encoding e = llama3.encode("12345");
        assertArrayEquals(new String[] {"123", "45"}, e.tokens());
        assertArrayEquals(new int[] {6, 7}, e.ids());
    }

    @Test
    void anNfcNormalizerComposesAccentsFirst() throws IOException {
        Map<String, Object> model = Map.of("type", "BPE", "vocab", TinyVocabularies.vocab(TinyVocabularies.byteLevelTokens()),
                "merges", TinyVocabularies.BYTE_LEVEL_MERGES);
        Tokenizer qwen = Tokenizer.fromFile(TinyVocabularies.write(dir.resolve("nfc.json"), Map.of("model", model,
                "normalizer", Map.of("type", "NFC"), "pre_tokenizer", Map.of("type", "ByteLevel", "add_prefix_space", false))));
        // e + U+0301 composes to é = C3 A9: two byte tokens, both spanning the two original chars
        Encoding e = qwen.encode("e\u0301!");
        assertArrayEquals(new int[] {0xC3, 0xA9, '!'}, e.ids());
        assertArrayEquals(new int[] {0, 0, 2}, e.starts());
        assertArrayEquals(new int[] {2, 2, 3}, e.ends());
        assertEquals("\u00E9!", qwen.decode(e.ids()));
    }

    @Test
    void addPrefixSpaceMakesTheFirstWordLookLikeTheOthers() throws IOException {
        Map<String, Object> model = Map.of("type", "BPE", "vocab", TinyVocabularies.vocab(TinyVocabularies.byteLevelTokens()),
                "merges", TinyVocabularies.BYTE_LEVEL_MERGES);
        Tokenizer roberta = Tokenizer.fromFile(TinyVocabularies.write(dir.resolve("prefix.json"), Map.of("model", model,
                "pre_tokenizer", Map.of("type", "ByteLevel", "add_prefix_space", true),
                "post_processor", Map.of("type", "ByteLevel", "trim_offsets", true))));
        // " world" -> Ġworld (261); the added space belongs to the w, and trim_offsets keeps spaces out of spans
        Encoding e = roberta.encode("world  world");
        assertArrayEquals(new int[] {261, ' ', 261}, e.ids());
        assertArrayEquals(new int[] {0, 6, 7}, e.starts());
        assertArrayEquals(new int[] {5, 6, 12}, e.ends());
        assertEquals(" world  world", roberta.decode(e.ids()));
    }
}
