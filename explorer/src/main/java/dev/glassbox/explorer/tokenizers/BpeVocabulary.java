package dev.glassbox.explorer.tokenizers;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.glassbox.explorer.formats.hf.TokenizerJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A GPT-2 style byte-level BPE vocabulary, as {@link BpeTrainer} learns it, and its Hugging Face
 * {@code tokenizer.json}. Ids: first the base symbols, one byte each spelled as {@link ByteLevel} spells it
 * (all 256 bytes, byte b at id b; or, for a model that only ever sees a small alphabet, just that alphabet's
 * bytes), then the special tokens, then one token per merge that made a new string, in merge order.
 *
 * @param tokens  every token by id
 * @param base    how many base (single-byte) tokens come before the special tokens: 256, or an alphabet's size
 * @param merges  the merges in the order they were learned, which is the order they apply in
 * @param special the special tokens ({@code <|endoftext|>}), never split and never merged
 */
public record BpeVocabulary(List<String> tokens, int base, List<TokenizerJson.Merge> merges, List<String> special) {
    /** The number of byte tokens of a full byte-level vocabulary. */
    public static final int BYTES = 256;

    public BpeVocabulary {
        tokens = List.copyOf(tokens);
        merges = List.copyOf(merges);
        special = List.copyOf(special);
        if (base < 1 || base > BYTES || tokens.size() < base + special.size()) {
            throw new IllegalArgumentException("1 to " + BYTES + " base tokens and at least base + special tokens expected, found base "
                    + base + " and " + tokens.size() + " tokens for " + special.size() + " special ones");
        }
        Set<String> seen = new HashSet<>();
        for (String t : tokens) if (!seen.add(t)) throw new IllegalArgumentException("unique tokens expected, found " + t + " twice");
        for (int i = 0; i < base; i++) {
            if (tokens.get(i).length() != 1 || ByteLevel.byteOf(tokens.get(i).charAt(0)) < 0) {
                throw new IllegalArgumentException("a byte-level symbol at base id " + i + " expected, found " + tokens.get(i));
            }
        }
        for (int i = 0; i < special.size(); i++) {
            if (!tokens.get(base + i).equals(special.get(i))) {
                throw new IllegalArgumentException("special token " + special.get(i) + " at id " + (base + i) + " expected, found " + tokens.get(base + i));
            }
        }
    }

    /** A full byte-level vocabulary: the 256 bytes first. */
    public BpeVocabulary(List<String> tokens, List<TokenizerJson.Merge> merges, List<String> special) {
        this(tokens, BYTES, merges, special);
    }

    /** The id of {@code token}, or -1. */
    public int id(String token) { return tokens.indexOf(token); }

    /**
     * The tokenizer.json text: model BPE with vocab and merges, ByteLevel pre-tokenizer (GPT-2's pattern, no
     * prefix space), ByteLevel post-processor and decoder, the special tokens as added tokens. Written by hand,
     * one vocab entry and one merge per line, with {@code \n} line ends, so the same vocabulary gives the same bytes
     * on every system and a diff of two files reads as a diff of their vocabularies.
     */
    public String toTokenizerJson() {
        String byteLevel = "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true}";
        StringBuilder out = new StringBuilder();
        out.append("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [");
        for (int i = 0; i < special.size(); i++) {
            out.append(i == 0 ? "\n" : ",\n").append("    {\"id\": ").append(base + i).append(", \"content\": ").append(quote(special.get(i)))
                    .append(", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}");
        }
        out.append(special.isEmpty() ? "],\n" : "\n  ],\n");
        out.append("  \"normalizer\": null,\n");
        out.append("  \"pre_tokenizer\": ").append(byteLevel).append(",\n");
        out.append("  \"post_processor\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": false, \"use_regex\": true},\n");
        out.append("  \"decoder\": ").append(byteLevel).append(",\n");
        out.append("  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n")
                .append("    \"continuing_subword_prefix\": null,\n    \"end_of_word_suffix\": null,\n    \"fuse_unk\": false,\n")
                .append("    \"byte_fallback\": false,\n    \"ignore_merges\": false,\n    \"vocab\": {");
        for (int id = 0; id < tokens.size(); id++) {
            out.append(id == 0 ? "\n" : ",\n").append("      ").append(quote(tokens.get(id))).append(": ").append(id);
        }
        out.append("\n    },\n    \"merges\": [");
        for (int k = 0; k < merges.size(); k++) {
            out.append(k == 0 ? "\n" : ",\n").append("      [").append(quote(merges.get(k).left())).append(", ").append(quote(merges.get(k).right())).append(']');
        }
        out.append(merges.isEmpty() ? "]\n  }\n}\n" : "\n    ]\n  }\n}\n");
        return out.toString();
    }

    /** Writes {@link #toTokenizerJson()} as UTF-8 to {@code file}; returns the file. */
    public Path write(Path file) throws IOException {
        Files.writeString(file, toTokenizerJson(), StandardCharsets.UTF_8);
        return file;
    }

    private static String quote(String s) {
        return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
    }
}
