package dev.glassbox.models;

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
