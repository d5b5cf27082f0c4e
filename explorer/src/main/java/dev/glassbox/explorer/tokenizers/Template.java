package dev.glassbox.explorer.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Arrays;

/**
 * The special tokens a post-processor puts around one text: {@code [CLS] text [SEP]} for BERT,
 * {@code <s> text} for Llama, nothing for GPT-2. Read from a tokenizer.json {@code post_processor}
 * ({@code TemplateProcessing}, {@code BertProcessing}, {@code RobertaProcessing}, {@code ByteLevel} or a
 * {@code Sequence} of them) or given by a GGUF file's {@code add_bos_token} / {@code add_eos_token}.
 *
 * @param before ids of the tokens that go before the text
 * @param after  ids of the tokens that go after it
 */
record Template(int[] before, int[] after) {
    static final Template NONE = new Template(new int[0], new int[0]);

    Template {
        before = before.clone();
        after = after.clone();
    }

    /** Adds the tokens before the text. */
    void begin(Encoding.Builder out, Vocabulary vocab) {
        for (int id : before) out.addSpecial(id, vocab.token(id));
    }

    /** Adds the tokens after the text. */
    void end(Encoding.Builder out, Vocabulary vocab) {
        for (int id : after) out.addSpecial(id, vocab.token(id));
    }

    static Template from(JsonNode processor, Vocabulary vocab) {
        if (processor.isNull() || processor.isMissingNode()) return NONE;
        String type = processor.path("type").asText();
        return switch (type) {
            case "TemplateProcessing" -> template(processor, vocab);
            case "BertProcessing", "RobertaProcessing" -> new Template(
                    new int[] {pair(processor, "cls", vocab)}, new int[] {pair(processor, "sep", vocab)});
            case "ByteLevel" -> NONE;                                   // only fixes offsets
            case "Sequence" -> {
                Template all = NONE;
                for (JsonNode p : processor.path("processors")) {
                    Template t = from(p, vocab);
                    all = new Template(concat(t.before, all.before), concat(all.after, t.after));
                }
                yield all;
            }
            default -> throw new IllegalArgumentException("post_processor " + (type.isEmpty() ? processor : type)
                    + " is not supported (supported: TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence)");
        };
    }

    /** {@code "single": [{"SpecialToken": {"id": "[CLS]"}}, {"Sequence": {"id": "A"}}, {"SpecialToken": {"id": "[SEP]"}}]} */
    private static Template template(JsonNode processor, Vocabulary vocab) {
        int[] before = new int[0], after = new int[0];
        boolean seenText = false;
        for (JsonNode item : processor.path("single")) {
            if (item.has("Sequence")) {
                seenText = true;
                continue;
            }
            String name = item.path("SpecialToken").path("id").asText(null);
            if (name == null) throw new IllegalArgumentException("post_processor single: a SpecialToken or a Sequence expected, found " + item);
            JsonNode special = processor.path("special_tokens").path(name);
            int[] ids;
            if (special.path("ids").isArray()) {
                ids = new int[special.path("ids").size()];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = special.path("ids").get(i).asInt(-1);
                    String token = special.path("tokens").path(i).asText(name);
                    check(ids[i], token, vocab);
                }
            } else {
                ids = new int[] {vocab.require(name, "post_processor special token")};
            }
            if (seenText) after = concat(after, ids);
            else before = concat(before, ids);
        }
        return new Template(before, after);
    }

    /** {@code "cls": ["[CLS]", 101]} */
    private static int pair(JsonNode processor, String field, Vocabulary vocab) {
        JsonNode pair = processor.path(field);
        if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).canConvertToInt()) {
            throw new IllegalArgumentException("post_processor " + field + " as [token, id] expected, found " + pair);
        }
        int id = pair.get(1).intValue();
        check(id, pair.get(0).textValue(), vocab);
        return id;
    }

    private static void check(int id, String token, Vocabulary vocab) {
        if (!vocab.has(id) || !token.equals(vocab.token(id))) {
            int actual = vocab.id(token);
            throw new IllegalArgumentException("post_processor special token " + token + " (id " + id + ") is not in the vocabulary"
                    + (actual >= 0 ? " at that id; it has id " + actual : ""));
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
