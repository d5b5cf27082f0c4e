package dev.glassbox.tinymodels;

import dev.glassbox.explorer.formats.gguf.GgufTokenizerMetadata;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokenizer files of a model whose vocabulary is the 256 byte values: GPT-2's byte-level BPE with no
 * merges, so every byte of the UTF-8 text is one token and any text can be written. Token {@code b} is
 * byte {@code b}, spelled as GPT-2 spells bytes (printable ones as themselves). With {@code endOfText}, id 256 is
 * the special token {@code <|endoftext|>}, which llama.cpp needs to load a GGUF export without tokenizer warnings.
 */
final class ByteTokenizerFiles {
    private ByteTokenizerFiles() {}

    /** The 256 token strings in id order. */
    static List<String> tokens() {
        List<String> tokens = new ArrayList<>(256);
        for (int b = 0; b < 256; b++) tokens.add(new String(Character.toChars(byteChar(b))));
        return tokens;
    }

    /** GPT-2's byte-to-character map: printable Latin-1 bytes are themselves, the others 256 + n in order. */
    static int byteChar(int b) {
        boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        if (printable) return b;
        int n = 0;
        for (int c = 0; c < b; c++) {
            if (!((c >= '!' && c <= '~') || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF))) n++;
        }
        return 256 + n;
    }

    /** tokenizer.json of the 256 byte tokens, plus {@code <|endoftext|>} as id 256 when {@code endOfText}. */
    static Map<String, Object> tokenizerJson(boolean endOfText) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<String> tokens = tokens();
        for (int i = 0; i < tokens.size(); i++) vocab.put(tokens.get(i), i);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("vocab", vocab);
        model.put("merges", List.of());
        Map<String, Object> byteLevel = new LinkedHashMap<>();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", false);
        byteLevel.put("trim_offsets", true);
        byteLevel.put("use_regex", true);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "1.0");
        List<Map<String, Object>> added = new ArrayList<>();
        if (endOfText) {
            Map<String, Object> token = new LinkedHashMap<>();
            token.put("id", 256);
            token.put("content", GgufTokenizerMetadata.END_OF_TEXT);
            token.put("single_word", false);
            token.put("lstrip", false);
            token.put("rstrip", false);
            token.put("normalized", false);
            token.put("special", true);
            added.add(token);
        }
        json.put("added_tokens", added);
        json.put("normalizer", null);
        json.put("pre_tokenizer", byteLevel);
        json.put("post_processor", null);
        json.put("decoder", byteLevel);
        json.put("model", model);
        return json;
    }
}
