package dev.glassbox.models.cards;

import java.util.List;
import java.util.Objects;

/**
 * A model card in the Hugging Face style: YAML front matter with the facts a tool can read, then Markdown
 * for people. {@link #markdown()} renders both, e.g.
 * <pre>
 * ---
 * license: apache-2.0
 * license_link: https://www.apache.org/licenses/LICENSE-2.0
 * base_model: [nreimers/MiniLM-L6-H384-uncased]
 * datasets: [s2orc, ms_marco]
 * intended_use: sentence embeddings for search and clustering
 * ---
 * # all-MiniLM-L6-v2
 * ...
 * </pre>
 *
 * @param license     an SPDX-style licence id ("apache-2.0"), or "unknown"
 * @param licenseLink where the licence text is, or empty
 * @param baseModel   the models this one was trained from (empty when trained from scratch or unknown)
 * @param datasets    the training data sets the authors name
 * @param intendedUse one line on what the model is for
 * @param body        the Markdown after the front matter
 */
public record ModelCard(String license, String licenseLink, List<String> baseModel, List<String> datasets,
                        String intendedUse, String body) {

    public ModelCard {
        Objects.requireNonNull(license, "license");
        Objects.requireNonNull(licenseLink, "licenseLink");
        baseModel = List.copyOf(baseModel);
        datasets = List.copyOf(datasets);
        Objects.requireNonNull(intendedUse, "intendedUse");
        Objects.requireNonNull(body, "body");
    }

    /** The whole card: front matter, then the body. */
    public String markdown() {
        return "---\n"
                + "license: " + yaml(license) + "\n"
                + (licenseLink.isEmpty() ? "" : "license_link: " + yaml(licenseLink) + "\n")
                + "base_model: " + yamlList(baseModel) + "\n"
                + "datasets: " + yamlList(datasets) + "\n"
                + "intended_use: " + yaml(intendedUse) + "\n"
                + "---\n"
                + body;
    }

    /**
     * Reads a card written by {@link #markdown()}: the front matter's keys, then the body. A file without front
     * matter is all body, with licence "unknown"; a front matter line that is not {@code key: value} is an
     * IllegalArgumentException naming the line.
     */
    public static ModelCard parse(String markdown) {
        String text = markdown.replace("\r\n", "\n");
        if (!text.startsWith("---\n")) return new ModelCard("unknown", "", List.of(), List.of(), "not stated", text);
        int end = text.indexOf("\n---\n", 3);
        if (end < 0) throw new IllegalArgumentException("model card: front matter opened with --- on line 1 is never closed");
        java.util.Map<String, String> fields = new java.util.HashMap<>();
        String[] lines = text.substring(4, end + 1).split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            int colon = lines[i].indexOf(':');
            if (colon < 1) throw new IllegalArgumentException("model card: line " + (i + 2) + " is not \"key: value\": " + lines[i]);
            fields.put(lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1));
        }
        return new ModelCard(scalar(fields.getOrDefault("license", "unknown")), scalar(fields.getOrDefault("license_link", "")),
                list(fields.getOrDefault("base_model", "[]")), list(fields.getOrDefault("datasets", "[]")),
                scalar(fields.getOrDefault("intended_use", "not stated")), text.substring(end + 5));
    }

    /** The value of a scalar {@link #yaml} wrote: plain, or double-quoted with its escapes undone. */
    static String scalar(String value) {
        String v = value.strip();
        if (!v.startsWith("\"")) return v;
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"') return out.toString();
            if (c != '\\' || i + 1 == v.length()) {
                out.append(c);
                continue;
            }
            char e = v.charAt(++i);
            switch (e) {
                case 'n' -> out.append('\n');
                case 'x' -> {
                    out.append((char) Integer.parseInt(v.substring(i + 1, Math.min(v.length(), i + 3)), 16));
                    i += 2;
                }
                default -> out.append(e);
            }
        }
        throw new IllegalArgumentException("model card: the quoted value " + v + " has no closing quote");
    }

    /** The items of a list {@link #yamlList} wrote: {@code [a, "b, c"]}. */
    static List<String> list(String value) {
        String v = value.strip();
        if (!v.startsWith("[") || !v.endsWith("]")) throw new IllegalArgumentException("model card: a list [a, b] expected, found " + v);
        List<String> items = new java.util.ArrayList<>();
        String inner = v.substring(1, v.length() - 1).strip();
        int i = 0;
        while (i < inner.length()) {
            int next;
            if (inner.charAt(i) == '"') {
                next = i + 1;
                while (next < inner.length() && inner.charAt(next) != '"') next += inner.charAt(next) == '\\' ? 2 : 1;
                next = inner.indexOf(',', Math.min(next, inner.length()));
            } else {
                next = inner.indexOf(',', i);
            }
            if (next < 0) next = inner.length();
            items.add(scalar(inner.substring(i, next)));
            i = next + 1;
            while (i < inner.length() && inner.charAt(i) == ' ') i++;
        }
        return items;
    }

    /** A YAML scalar: plain when that is safe, else double-quoted with escapes. */
    static String yaml(String value) {
        boolean plain = !value.isEmpty() && value.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./ ".indexOf(c) >= 0)
                && !value.startsWith(" ") && !value.endsWith(" ") && !value.startsWith("-");
        if (plain) return value;
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) out.append(String.format("\\x%02x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append('"').toString();
    }

    private static String yamlList(List<String> values) {
        return values.stream().map(ModelCard::yaml).reduce((a, b) -> a + ", " + b).map(s -> "[" + s + "]").orElse("[]");
    }
}
