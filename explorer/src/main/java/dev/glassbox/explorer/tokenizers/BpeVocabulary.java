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
 * {@code tokenizer.json}. Ids: {@code 0..255} are the bytes (byte b is id b, spelled as {@link ByteLevel}
 * spells it), then the special tokens, then one token per merge that made a new string, in merge order.
 *
 * @param tokens  every token by id
 * @param merges  the merges in the order they were learned, which is the order they apply in
 * @param special the special tokens ({@code <|endoftext|>}), never split and never merged
 */
public record BpeVocabulary(List<String> tokens, List<TokenizerJson.Merge> merges, List<String> special) {
    /** The number of byte tokens before the special tokens. */
    public static final int BYTES = 256;

    public BpeVocabulary {
        tokens = List.copyOf(tokens);
        merges = List.copyOf(merges);
        special = List.copyOf(special);
        if (tokens.size() < BYTES + special.size()) {
            throw new IllegalArgumentException("at least " + (BYTES + special.size()) + " tokens (bytes and special tokens) expected, found " + tokens.size());
        }
        Set<String> seen = new HashSet<>();
        for (String t : tokens) if (!seen.add(t)) throw new IllegalArgumentException("unique tokens expected, found " + t + " twice");
        for (int i = 0; i < special.size(); i++) {
            if (!tokens.get(BYTES + i).equals(special.get(i))) {
                throw new IllegalArgumentException("special token " + special.get(i) + " at id " + (BYTES + i) + " expected, found " + tokens.get(BYTES + i));
            }
        }
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
            out.append(i == 0 ? "\n" : ",\n").append("    {\"id\": ").append(BYTES + i).append(", \"content\": ").append(quote(special.get(i)))
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
