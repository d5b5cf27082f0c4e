package dev.glassbox.tinymodels;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import dev.glassbox.explorer.formats.hf.TokenizerJson;
import dev.glassbox.explorer.tokenizers.Encoding;
import dev.glassbox.explorer.tokenizers.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hugging Face's tokenizers (the Rust library, through DJL) as the outside check of every tokenizer.json the
 * catalog ships or writes: the MiniLM WordPiece file, the trained models' byte-level BPE files, the byte tokenizers
 * of the random models (new models are covered when they join the catalog). Each encodes {@value #TEXTS}
 * {@link VariedTexts} with and without the special tokens the file adds around a text, and Glassbox must give the
 * same ids and the same span for every token.
 *
 * <p>What DJL 0.38 reports, and how it is turned into Glassbox's units: {@code Encoding.getCharTokenSpans()} gives
 * per token a span in <em>Unicode code points</em> of the original text (an emoji outside the BMP counts 1, not 2 as
 * in Java's UTF-16 and not 4 as in UTF-8 bytes), converted with {@link String#offsetByCodePoints}; a special token
 * the post-processor adds ({@code [CLS]}) belongs to no sequence and its span is {@code null}, which Glassbox writes
 * (-1, -1). A special token found in the text ({@code <|endoftext|>} typed by the user) has its real span in both.
 *
 * <p>One difference is kept on purpose: a byte-level BPE without {@code unk_token} whose vocabulary lacks a byte
 * (induction-2l knows only letters, some digits and the line end). Hugging Face silently drops such characters;
 * Glassbox refuses the text, naming the character, since a model given fewer tokens than its user typed answers
 * a different question. For those texts the test checks that the refusal is that one, and that Hugging Face's ids
 * are Glassbox's ids of the text without the characters it dropped; the comparison of spans then runs on that text.
 */
class ShippedTokenizersOracleTest {
    static final int TEXTS = 400;
    /** The tokenizer files every catalog has, by the id of the first model that reads them. */
    static final List<String> EXPECTED = List.of("all-minilm-l6-v2", "tiny-stories", "sorter", "induction-2l", "tiny-llama-random", "tiny-gpt2-random");

    @TempDir static Path dir;
    /** Each distinct tokenizer.json of the catalog, by the id of the first model that reads it. */
    static final Map<String, Path> files = new LinkedHashMap<>();

    @BeforeAll
    static void load() throws Exception {
        ModelCatalog catalog = ModelCatalog.load(dir.resolve("cache"), null);
        assertTrue(catalog.problems().isEmpty(), "catalog problems: " + catalog.problems());
        for (ModelEntry entry : catalog.entries()) {
            Path file = entry.file().toAbsolutePath().getParent().resolve("tokenizer.json");
            if (Files.isRegularFile(file) && !files.containsValue(file)) files.put(entry.id(), file);
        }
        assertTrue(files.keySet().containsAll(EXPECTED), "the catalog's tokenizer files: " + files);
    }

    @Test
    void everyShippedTokenizerEncodesAsHuggingFaceDoes() throws Exception {
        List<String> report = new ArrayList<>(), failures = new ArrayList<>();
        for (Map.Entry<String, Path> file : files.entrySet()) {
            try {
                report.add(check(file.getKey(), file.getValue()));
            } catch (AssertionError e) {
                failures.add(e.getMessage());
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n\n", failures));
        System.out.println("Glassbox and Hugging Face tokenizers agree on ids and spans:\n  " + String.join("\n  ", report));
    }

    /** Encodes the texts in both, with and without special tokens; returns a line for the report. */
    static String check(String id, Path file) throws Exception {
        Tokenizer glassbox = Tokenizer.fromFile(file);
        List<String> specials = TokenizerJson.read(file).addedTokens().stream().map(TokenizerJson.AddedToken::content).toList();
        List<String> texts = VariedTexts.of(TEXTS, specials);
        int compared = 0, refused = 0, tokens = 0, surrounded = 0;
        Map<Integer, Boolean> encodable = new HashMap<>();
        List<String> mismatches = new ArrayList<>();
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file,
                Map.of("truncation", "false", "padding", "false", "modelMaxLength", "100000"))) {
            for (String original : texts) {
                String text = original;
                String kept = keepEncodable(glassbox, original, specials, encodable);
                if (!kept.equals(original)) {
                    // Hugging Face drops what Glassbox refuses (see the class comment)
                    refused++;
                    try {
                        glassbox.encode(original, false);
                        fail(id + ": \"" + original + "\" holds a character Glassbox cannot encode alone, yet the whole text encoded");
                    } catch (IllegalArgumentException e) {
                        assertTrue(e.getMessage().contains("not in the vocabulary"), id + ": refusal names the character: " + e.getMessage());
                    }
                    assertEquals(Arrays.toString(glassbox.encode(kept, false).ids()), Arrays.toString(ids(hf.encode(original, false, false))),
                            id + ": Hugging Face drops the characters missing from the vocabulary of \"" + original + "\"");
                    text = kept;
                }
                for (boolean addSpecial : new boolean[] {false, true}) {
                    Encoding ours = glassbox.encode(text, addSpecial);
                    ai.djl.huggingface.tokenizers.Encoding theirs = hf.encode(text, addSpecial, false);
                    String where = id + (addSpecial ? " with" : " without") + " special tokens, text \"" + escape(text) + "\"";
                    if (!Arrays.toString(ids(theirs)).equals(Arrays.toString(ours.ids()))) {
                        mismatches.add(where + ": ids differ\n    theirs " + Arrays.toString(ids(theirs)) + " " + Arrays.toString(theirs.getTokens()) + "\n    ours   " + ours);
                    } else if (!spans(text, theirs).equals(spans(ours))) {
                        mismatches.add(where + ": spans (UTF-16 start..end, -1..-1 for an added special token) differ\n    theirs " + spans(text, theirs) + "\n    ours   " + ours);
                    }
                    if (addSpecial && ours.length() != glassbox.encode(text, false).length()) surrounded++;
                    tokens += ours.length();
                }
                compared++;
            }
        }
        assertTrue(mismatches.size() == 0, id + ": " + mismatches.size() + " encodings differ from Hugging Face's, the first ones:\n  "
                + String.join("\n  ", mismatches.subList(0, Math.min(20, mismatches.size()))));
        assertTrue(compared >= TEXTS, id + ": " + compared + " texts compared");
        return String.format("%-18s %s: %d texts (%d tokens over both ways), %d with tokens added around them%s", id, glassbox.kind(), compared,
                tokens, surrounded, refused == 0 ? "" : ", " + refused + " of them after dropping characters missing from its vocabulary, as Hugging Face does");
    }

    /** {@code text} without the code points that Glassbox refuses to encode on their own, outside the special tokens' text. */
    private static String keepEncodable(Tokenizer tokenizer, String text, List<String> specials, Map<Integer, Boolean> encodable) {
        StringBuilder kept = new StringBuilder();
        for (int i = 0; i < text.length(); ) {
            int at = i;
            String special = specials.stream().filter(t -> text.startsWith(t, at)).findFirst().orElse(null);
            if (special != null) {
                kept.append(special);
                i += special.length();
                continue;
            }
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            boolean ok = encodable.computeIfAbsent(cp, c -> {
                try {
                    tokenizer.encode(Character.toString(c), false);
                    return true;
                } catch (IllegalArgumentException e) {
                    return false;
                }
            });
            if (ok) kept.appendCodePoint(cp);
        }
        return kept.toString();
    }

    private static long[] ids(ai.djl.huggingface.tokenizers.Encoding e) {
        return e.getIds();
    }

    private static String spans(Encoding e) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < e.length(); i++) out.append(e.starts()[i]).append("..").append(e.ends()[i]).append(' ');
        return out.toString();
    }

    /** DJL's code-point spans as UTF-16 ones; a token of no sequence (null) as -1..-1. */
    private static String spans(String text, ai.djl.huggingface.tokenizers.Encoding e) {
        StringBuilder out = new StringBuilder();
        int codePoints = text.codePointCount(0, text.length());
        for (CharSpan span : e.getCharTokenSpans()) {
            if (span == null) {
                out.append("-1..-1 ");
                continue;
            }
            assertTrue(0 <= span.getStart() && span.getStart() <= span.getEnd() && span.getEnd() <= codePoints,
                    "a code-point span within the " + codePoints + " code points of \"" + escape(text) + "\" expected, found " + span.getStart() + ".." + span.getEnd());
            out.append(text.offsetByCodePoints(0, span.getStart())).append("..").append(text.offsetByCodePoints(0, span.getEnd())).append(' ');
        }
        return out.toString();
    }

    private static String escape(String text) {
        return text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    }
}
