package dev.glassbox.explorer.formats.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.explorer.formats.hf.TokenizerJson;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code tokenizer.ggml.*} metadata that tells llama.cpp the same tokenizer a Hugging Face tokenizer.json
 * describes, for a byte-level BPE with GPT-2's pre-tokenization (the kind Glassbox trains):
 * <pre>
 * tokenizer.ggml.model        "gpt2"    byte-level BPE with ranked merges
 * tokenizer.ggml.pre          "gpt-2"   GPT-2's split regex; with the key absent llama.cpp warns and uses
 *                                       "default", a different regex (punctuation and 3-digit groups apart)
 * tokenizer.ggml.tokens       [string]  every id, the vocabulary and the added tokens together
 * tokenizer.ggml.token_type   [int32]   1 normal, 3 control (a special added token), 4 user-defined (a plain one)
 * tokenizer.ggml.merges       [string]  "left right", in rank order
 * tokenizer.ggml.bos/eos/eot_token_id   uint32, all the end-of-text token, as GPT-2 uses it
 * tokenizer.ggml.add_bos_token / add_eos_token   false: GPT-2 adds nothing around a text
 * </pre>
 * llama.cpp decides which tokens end a generation by their text ({@code <|endoftext|>} is one) and warns when the
 * EOS id is not one of them; with no EOS key a "gpt2" vocabulary gets id 11 as EOS. So the tokenizer must
 * have the special added token {@value #END_OF_TEXT}, and it is written as a control token (a normal one draws a
 * "control-looking token" warning).
 */
public final class GgufTokenizerMetadata {
    /** The end-of-text token llama.cpp recognises as end of generation. */
    public static final String END_OF_TEXT = "<|endoftext|>";
    private static final int NORMAL = 1, CONTROL = 3, USER_DEFINED = 4;

    private GgufTokenizerMetadata() {}

    /** The tokenizer.ggml.* keys for {@code json}; an IllegalArgumentException names what llama.cpp could not be told. */
    public static Map<String, GgufValue> of(TokenizerJson json) {
        requireGpt2ByteLevel(json);
        int count = 0;
        for (int id : json.vocab().values()) count = Math.max(count, id + 1);
        for (TokenizerJson.AddedToken t : json.addedTokens()) count = Math.max(count, t.id() + 1);
        String[] tokens = new String[count];
        int[] types = new int[count];
        json.vocab().forEach((token, id) -> { tokens[id] = token; types[id] = NORMAL; });
        for (TokenizerJson.AddedToken t : json.addedTokens()) {
            if (tokens[t.id()] != null && !tokens[t.id()].equals(t.content())) {
                throw new IllegalArgumentException("tokenizer.json: id " + t.id() + " is both " + tokens[t.id()] + " and the added token " + t.content());
            }
            tokens[t.id()] = t.content();
            types[t.id()] = t.special() ? CONTROL : USER_DEFINED;
        }
        int hole = Arrays.asList(tokens).indexOf(null);
        if (hole >= 0) throw new IllegalArgumentException("tokenizer.json: ids 0.." + (count - 1) + " expected without gaps, id " + hole + " has no token");
        int endOfText = json.addedTokens().stream().filter(t -> t.special() && t.content().equals(END_OF_TEXT))
                .mapToInt(TokenizerJson.AddedToken::id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("tokenizer.json: the special added token " + END_OF_TEXT
                        + " expected (llama.cpp ends a generation at it), found added tokens "
                        + json.addedTokens().stream().map(TokenizerJson.AddedToken::content).toList()));
        List<String> merges = new ArrayList<>(json.merges().size());
        for (TokenizerJson.Merge m : json.merges()) merges.add(m.left() + " " + m.right());

        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        m.put("tokenizer.ggml.pre", GgufValue.string("gpt-2"));
        m.put("tokenizer.ggml.tokens", GgufValue.strings(List.of(tokens)));
        m.put("tokenizer.ggml.token_type", GgufValue.int32s(types));
        m.put("tokenizer.ggml.merges", GgufValue.strings(merges));
        m.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(endOfText));
        m.put("tokenizer.ggml.eos_token_id", GgufValue.uint32(endOfText));
        m.put("tokenizer.ggml.eot_token_id", GgufValue.uint32(endOfText));
        m.put("tokenizer.ggml.add_bos_token", GgufValue.bool(false));
        m.put("tokenizer.ggml.add_eos_token", GgufValue.bool(false));
        return m;
    }

    /** A BPE model, no normalizer, one ByteLevel pre-tokenizer with GPT-2's regex and no prefix space, nothing added around a text. */
    private static void requireGpt2ByteLevel(TokenizerJson json) {
        JsonNode pre = json.preTokenizer();
        boolean byteLevel = pre.path("type").asText("").equals("ByteLevel") && pre.path("use_regex").asBoolean(true)
                && !pre.path("add_prefix_space").asBoolean(true);
        String post = json.postProcessor().isNull() ? "ByteLevel" : json.postProcessor().path("type").asText("");
        if (!json.modelType().equals("BPE") || !json.normalizer().isNull() || !byteLevel || !post.equals("ByteLevel")) {
            throw new IllegalArgumentException("a byte-level BPE tokenizer.json with GPT-2's pre-tokenization expected (model BPE, normalizer null,"
                    + " pre_tokenizer ByteLevel with use_regex true and add_prefix_space false, post_processor null or ByteLevel), found model "
                    + json.modelType() + ", normalizer " + json.normalizer() + ", pre_tokenizer " + pre + ", post_processor " + json.postProcessor());
        }
    }
}
