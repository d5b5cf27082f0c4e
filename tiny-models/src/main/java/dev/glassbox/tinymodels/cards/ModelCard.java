package dev.glassbox.tinymodels.cards;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A model card as the Hugging Face Hub writes one: YAML front matter with the facts a tool can read (the Hub's own
 * keys), then Markdown for people, with the intended use in a "Uses" section. {@link #markdown()} renders both, e.g.
 * <pre>
 * ---
 * license: apache-2.0
 * license_link: https://www.apache.org/licenses/LICENSE-2.0
 * base_model:
 * - nreimers/MiniLM-L6-H384-uncased
 * datasets:
 * - s2orc
 * pipeline_tag: sentence-similarity
 * library_name: sentence-transformers
 * language:
 * - en
 * tags:
 * - bert
 * widget:
 * - text: The cat sat on the mat.
 * ---
 * # all-MiniLM-L6-v2
 *
 * ## Uses
 *
 * sentence embeddings for search and clustering
 * ...
 * </pre>
 *
 * @param license     an SPDX-style licence id ("apache-2.0"), or "unknown"
 * @param licenseLink where the licence text is, or empty
 * @param baseModel   the models this one was trained from (empty when trained from scratch or unknown)
 * @param datasets    the training data sets the authors name
 * @param pipelineTag the Hub's task name ("text-generation", "sentence-similarity"), or empty
 * @param libraryName the library that loads it ("transformers", "sentence-transformers", "gguf"), or empty
 * @param language    the natural languages it reads, as ISO 639-1 codes (empty for none, e.g. digits or symbols)
 * @param tags        free-form Hub tags
 * @param examples    texts that show what the model does (the Hub's "widget"): the pages open with the first
 * @param intendedUse one line on what the model is for (the "Uses" section), "not stated" when the card has none
 * @param body        the Markdown after the front matter, without the "Uses" section
 */
public record ModelCard(String license, String licenseLink, List<String> baseModel, List<String> datasets,
                        String pipelineTag, String libraryName, List<String> language, List<String> tags,
                        List<String> examples, String intendedUse, String body) {

    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build());
    private static final String USES = "## Uses\n\n";

    public ModelCard {
        Objects.requireNonNull(license, "license");
        Objects.requireNonNull(licenseLink, "licenseLink");
        baseModel = List.copyOf(baseModel);
        datasets = List.copyOf(datasets);
        Objects.requireNonNull(pipelineTag, "pipelineTag");
        Objects.requireNonNull(libraryName, "libraryName");
        language = List.copyOf(language);
        tags = List.copyOf(tags);
        examples = List.copyOf(examples);
        Objects.requireNonNull(intendedUse, "intendedUse");
        body = body.isBlank() ? "" : body.stripTrailing() + "\n";   // one line end, so that a card reads back as written
    }

    /** The whole card: front matter, then the body with the "Uses" section before its first second-level heading. */
    public String markdown() {
        ObjectNode front = YAML.createObjectNode();
        front.put("license", license);
        if (!licenseLink.isEmpty()) front.put("license_link", licenseLink);
        list(front, "base_model", baseModel);
        list(front, "datasets", datasets);
        if (!pipelineTag.isEmpty()) front.put("pipeline_tag", pipelineTag);
        if (!libraryName.isEmpty()) front.put("library_name", libraryName);
        list(front, "language", language);
        list(front, "tags", tags);
        if (!examples.isEmpty()) {
            ArrayNode widget = front.putArray("widget");
            for (String text : examples) widget.addObject().put("text", text);
        }
        String yaml;
        try {
            yaml = YAML.writeValueAsString(front);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a model card's front matter could not be written", e);
        }
        String uses = intendedUse.equals("not stated") ? "" : USES + intendedUse + "\n";
        int section = sectionAt(body, "## ");
        String withUses = section < 0 ? body + (uses.isEmpty() || body.isEmpty() ? "" : "\n") + uses
                : body.substring(0, section) + uses + (uses.isEmpty() ? "" : "\n") + body.substring(section);
        return "---\n" + yaml + "---\n" + withUses;
    }

    /**
     * Reads a card: the front matter (any YAML the Hub accepts: a list key may also hold one plain value), then the
     * body, with the text of its "Uses" section taken out as the intended use. A file without front matter is all
     * body, with licence "unknown"; front matter that is not YAML, or not closed, is an IllegalArgumentException
     * naming the problem. An {@code intended_use} key in the front matter (cards written before the "Uses" section)
     * is read too.
     */
    public static ModelCard parse(String markdown) {
        String text = markdown.replace("\r\n", "\n");
        JsonNode front = YAML.createObjectNode();
        String body = text;
        if (text.startsWith("---\n")) {
            int end = text.indexOf("\n---\n", 3);
            if (end < 0) throw new IllegalArgumentException("model card: front matter opened with --- on line 1 is never closed");
            try {
                JsonNode read = YAML.readTree(text.substring(4, end + 1));
                if (read != null && !read.isMissingNode() && !read.isNull()) front = read;
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("model card: the front matter is not YAML: " + e.getOriginalMessage());
            }
            if (!front.isObject()) throw new IllegalArgumentException("model card: the front matter must be key: value lines");
            body = text.substring(end + 5);
        }
        String intendedUse = front.path("intended_use").asText("not stated");
        int uses = sectionAt(body, USES);
        if (uses >= 0) {
            int next = sectionAt(body.substring(uses + USES.length()), "## ");
            int to = next < 0 ? body.length() : uses + USES.length() + next;
            intendedUse = body.substring(uses + USES.length(), to).strip();
            body = body.substring(0, uses) + body.substring(to);
        }
        List<String> examples = new ArrayList<>();
        for (JsonNode w : front.path("widget")) {
            String t = w.isTextual() ? w.asText() : w.path("text").asText("");
            if (!t.isEmpty()) examples.add(t);
        }
        return new ModelCard(front.path("license").asText("unknown"), front.path("license_link").asText(""),
                strings(front.path("base_model")), strings(front.path("datasets")), front.path("pipeline_tag").asText(""),
                front.path("library_name").asText(""), strings(front.path("language")), strings(front.path("tags")),
                examples, intendedUse.isEmpty() ? "not stated" : intendedUse, body);
    }

    /** Where the first line starting with {@code start} begins, or -1. */
    private static int sectionAt(String text, String start) {
        if (text.startsWith(start)) return 0;
        int at = text.indexOf("\n" + start);
        return at < 0 ? -1 : at + 1;
    }

    private static void list(ObjectNode front, String key, List<String> values) {
        ArrayNode array = front.putArray(key);
        values.forEach(array::add);
    }

    private static List<String> strings(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) return List.of();
        if (!node.isArray()) return List.of(node.asText());
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) out.add(item.asText());
        return out;
    }
}
