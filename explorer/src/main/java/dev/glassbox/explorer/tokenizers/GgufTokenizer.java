package dev.glassbox.explorer.tokenizers;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.gguf.GgufMetadata;
import dev.glassbox.explorer.formats.gguf.GgufType;
import dev.glassbox.explorer.formats.gguf.GgufValue;
import dev.glassbox.explorer.formats.hf.TokenizerJson;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The tokenizer stored in a GGUF file's {@code tokenizer.ggml.*} metadata (the keys llama.cpp writes):
 * <pre>
 * tokenizer.ggml.model           "llama" (SentencePiece BPE with scores) or "gpt2" (byte-level BPE with merges)
 * tokenizer.ggml.tokens          [string]  the vocabulary, by id
 * tokenizer.ggml.scores          [float32] merge scores by id ("llama")
 * tokenizer.ggml.merges          [string]  "left right", in rank order ("gpt2")
 * tokenizer.ggml.token_type      [int32]   1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
 * tokenizer.ggml.bos_token_id / eos_token_id / unknown_token_id   uint32
 * tokenizer.ggml.add_bos_token / add_eos_token / add_space_prefix bool
 * tokenizer.ggml.pre             the pre-tokenizer regex family of "gpt2" files
 * </pre>
 * Control and unknown tokens are special (decoding skips them); they and user-defined tokens are matched
 * in the text like a tokenizer.json's added tokens. A "llama" file without token ids gets SentencePiece's
 * defaults, as in llama.cpp: unknown 0, BOS 1, EOS 2.
 */
final class GgufTokenizer {
    private static final int UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, BYTE = 6;

    private final GgufMetadata metadata;

    private GgufTokenizer(GgufMetadata metadata) {
        this.metadata = metadata;
    }

    static Tokenizer load(ModelFile file) {
        GgufTokenizer gguf = new GgufTokenizer(GgufMetadata.of(file));
        String model = gguf.metadata.string("tokenizer.ggml.model");
        return switch (model) {
            case "llama" -> gguf.sentencePiece();
            case "gpt2" -> gguf.byteLevel();
            default -> throw new IllegalArgumentException("tokenizer.ggml.model " + model + " is not supported (supported: llama, gpt2)");
        };
    }

    private Tokenizer sentencePiece() {
        List<String> tokens = metadata.array("tokenizer.ggml.tokens", GgufType.STRING).asStrings();
        float[] scores = metadata.array("tokenizer.ggml.scores", GgufType.FLOAT32).asFloats();
        if (scores.length != tokens.size()) {
            throw new IllegalArgumentException("tokenizer.ggml.scores: one score per token expected (" + tokens.size() + "), found " + scores.length);
        }
        long[] types = types(tokens.size());
        Vocabulary vocab = vocabulary(tokens, types);
        boolean addSpacePrefix = metadata.bool("tokenizer.ggml.add_space_prefix", true);
        // llama.cpp puts the space before the text and after every special token, even before a space
        var options = new SentencePieceBpe.Options(addSpacePrefix ? SentencePieceBpe.Prefix.EVERY : SentencePieceBpe.Prefix.NONE,
                true, false, true, false);
        // without ids in the file, llama.cpp takes SentencePiece's defaults: <unk> 0, <s> 1, </s> 2
        int unk = id("tokenizer.ggml.unknown_token_id", vocab, 0);
        Template template = template(vocab, true, id("tokenizer.ggml.bos_token_id", vocab, 1), id("tokenizer.ggml.eos_token_id", vocab, 2));
        return new SentencePieceBpe(vocab, Bpe.byScore(vocab, scores, id -> ordinary(types[id])), added(tokens, types),
                template, options, id -> ordinary(types[id]), unk);
    }

    private Tokenizer byteLevel() {
        List<String> tokens = metadata.array("tokenizer.ggml.tokens", GgufType.STRING).asStrings();
        long[] types = types(tokens.size());
        Vocabulary vocab = vocabulary(tokens, types);
        List<TokenizerJson.Merge> merges = new ArrayList<>();
        List<String> lines = metadata.array("tokenizer.ggml.merges", GgufType.STRING).asStrings();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int space = line.indexOf(' ');
            if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
                throw new IllegalArgumentException("tokenizer.ggml.merges[" + i + "]: \"left right\" expected, found \"" + line + "\"");
            }
            merges.add(new TokenizerJson.Merge(line.substring(0, space), line.substring(space + 1)));
        }
        String pre = metadata.has("tokenizer.ggml.pre") ? metadata.string("tokenizer.ggml.pre") : "gpt2";
        String pattern = switch (pre) {
            case "gpt2", "gpt-2" -> ByteLevelBpe.GPT2_PATTERN;
            case "llama-bpe", "llama3" -> ByteLevelBpe.LLAMA3_PATTERN;
            default -> throw new IllegalArgumentException("tokenizer.ggml.pre " + pre + " is not supported (supported: gpt2, llama-bpe)");
        };
        var options = new ByteLevelBpe.Options(null, List.of(pattern), false, false, false);
        Template template = template(vocab, false, id("tokenizer.ggml.bos_token_id", vocab, -1), id("tokenizer.ggml.eos_token_id", vocab, -1));
        return new ByteLevelBpe(vocab, merges, added(tokens, types), template, options, id("tokenizer.ggml.unknown_token_id", vocab, -1));
    }

    /** Tokens of type control and unknown are special. */
    private static Vocabulary vocabulary(List<String> tokens, long[] types) {
        boolean[] special = new boolean[tokens.size()];
        for (int id = 0; id < special.length; id++) special[id] = types[id] == CONTROL || types[id] == UNKNOWN;
        return new Vocabulary(tokens.toArray(String[]::new), special);
    }

    /** Text can be tokenized into normal, user-defined and unused tokens; control, unknown and byte tokens come otherwise. */
    private static boolean ordinary(long type) {
        return type != CONTROL && type != UNKNOWN && type != BYTE;
    }

    private static AddedTokens added(List<String> tokens, long[] types) {
        List<AddedTokens.Token> added = new ArrayList<>();
        for (int id = 0; id < tokens.size(); id++) {
            if (types[id] == CONTROL || types[id] == UNKNOWN || types[id] == USER_DEFINED) {
                added.add(new AddedTokens.Token(id, tokens.get(id), false, false, false));
            }
        }
        return new AddedTokens(added);
    }

    /** BOS before the text when add_bos_token (default: true for "llama", false for "gpt2"), EOS after it when add_eos_token. */
    private Template template(Vocabulary vocab, boolean addBosByDefault, int bos, int eos) {
        boolean addBos = metadata.bool("tokenizer.ggml.add_bos_token", addBosByDefault);
        boolean addEos = metadata.bool("tokenizer.ggml.add_eos_token", false);
        if (addBos && bos < 0) throw new IllegalArgumentException("tokenizer.ggml.bos_token_id expected: the file asks for a BOS token (add_bos_token)");
        if (addEos && eos < 0) throw new IllegalArgumentException("tokenizer.ggml.eos_token_id expected: the file asks for an EOS token (add_eos_token)");
        return new Template(addBos ? new int[] {bos} : new int[0], addEos ? new int[] {eos} : new int[0]);
    }

    /** token_type by id, all normal when the key is absent. */
    private long[] types(int count) {
        if (!metadata.has("tokenizer.ggml.token_type")) {
            long[] normal = new long[count];
            Arrays.fill(normal, 1);
            return normal;
        }
        GgufValue v = metadata.value("tokenizer.ggml.token_type");
        if (v.elementType() == null || !v.elementType().isInteger()) {
            throw new IllegalArgumentException("tokenizer.ggml.token_type: an array of integers expected, found " + v.type() + (v.elementType() == null ? "" : " of " + v.elementType()));
        }
        long[] types = v.asLongs();
        if (types.length != count) throw new IllegalArgumentException("tokenizer.ggml.token_type: one type per token expected (" + count + "), found " + types.length);
        return types;
    }

    /** A token id that must be in the vocabulary, or {@code absent} (if that is a token, else -1) when the key is absent. */
    private int id(String key, Vocabulary vocab, int absent) {
        if (!metadata.has(key)) return vocab.has(absent) ? absent : -1;
        long id = metadata.integer(key);
        if (id < 0 || id >= vocab.size()) throw new IllegalArgumentException(key + ": a token id in 0.." + (vocab.size() - 1) + " expected, found " + id);
        return (int) id;
    }
}
