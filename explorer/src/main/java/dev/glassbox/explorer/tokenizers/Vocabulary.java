package dev.glassbox.explorer.tokenizers;

import dev.glassbox.explorer.formats.hf.TokenizerJson;

import java.util.HashMap;
import java.util.Map;

/**
 * The tokens by id and the ids by token, with the ids that are special (control tokens such as
 * {@code [CLS]} or {@code </s>}, which decoding skips). Ids without a token are allowed (gaps in a vocabulary)
 * and count towards the size.
 */
final class Vocabulary {
    private final String[] tokens;                  // (size,) null where an id has no token
    private final boolean[] special;                // (size,)
    private final Map<String, Integer> ids;

    /** When two ids hold the same string, lookups by string find the lower id. */
    Vocabulary(String[] tokens, boolean[] special) {
        assert tokens.length == special.length;
        this.tokens = tokens.clone();
        this.special = special.clone();
        this.ids = new HashMap<>(tokens.length * 2);
        for (int id = 0; id < tokens.length; id++) if (tokens[id] != null) ids.putIfAbsent(tokens[id], id);
    }

    /** The model's vocabulary and the added tokens of a tokenizer.json; added tokens marked special are special. */
    static Vocabulary of(TokenizerJson json) {
        int size = 0;
        for (int id : json.vocab().values()) size = Math.max(size, id + 1);
        for (TokenizerJson.AddedToken t : json.addedTokens()) size = Math.max(size, t.id() + 1);
        String[] tokens = new String[size];
        boolean[] special = new boolean[size];
        json.vocab().forEach((token, id) -> tokens[id] = token);
        for (TokenizerJson.AddedToken t : json.addedTokens()) {
            if (tokens[t.id()] != null && !tokens[t.id()].equals(t.content())) {
                throw new IllegalArgumentException("added token " + t.content() + " has id " + t.id()
                        + ", which the vocabulary gives to " + tokens[t.id()]);
            }
            tokens[t.id()] = t.content();
            special[t.id()] = t.special();
        }
        return new Vocabulary(tokens, special);
    }

    /** One more than the highest id. */
    int size() { return tokens.length; }

    /** Whether {@code id} has a token. */
    boolean has(int id) { return id >= 0 && id < tokens.length && tokens[id] != null; }

    /** The token of {@code id}. */
    String token(int id) {
        if (!has(id)) {
            throw new IllegalArgumentException("a token id in 0.." + (tokens.length - 1) + " expected, found " + id
                    + (id >= 0 && id < tokens.length ? " (an id without a token)" : ""));
        }
        return tokens[id];
    }

    /** The id of {@code token}, or -1. */
    int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    /** The id of {@code token}, which {@code what} needs. */
    int require(String token, String what) {
        int id = id(token);
        if (id < 0) throw new IllegalArgumentException(what + " " + token + " is not in the vocabulary");
        return id;
    }

    boolean special(int id) { return special[id]; }
}
