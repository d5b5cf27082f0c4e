package dev.glassbox.tinymodels;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.formats.gguf.GgufMetadata;
import dev.glassbox.explorer.tensor.Tensor;
import dev.glassbox.tinymodels.cards.ModelCard;
import dev.glassbox.tinymodels.cards.Openness;
import dev.glassbox.tinymodels.cards.Openness.Level;
import dev.glassbox.tinymodels.cards.Openness.LicenceType;
import dev.glassbox.tinymodels.cards.Openness.Part;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The learner's own model files: every {@code .safetensors}, {@code .gguf} and {@code .onnx} file in a
 * folder they name, and in a Hugging Face cache there ({@code models--ORG--NAME/snapshots/REVISION/}, the
 * revision {@code refs/main} names, else the newest). A model card ({@code README.md}) beside a file is its
 * card, as on the Hub; without one the card says only what the file itself says (GGUF {@code general.*} keys,
 * safetensors {@code __metadata__}, ONNX producer), and "not stated" for the rest.
 */
public final class UserModels {
    /**
     * Hub licence ids of licences on the OSI's list of approved licences (opensource.org/licenses). CC0-1.0 is
     * not one: it was submitted and withdrawn in 2012 because it expressly keeps patent rights back; Creative
     * Commons licences are not on the list.
     */
    static final Set<String> OSI_LICENCES = Set.of("apache-2.0", "mit", "bsd-2-clause", "bsd-3-clause", "mpl-2.0",
            "gpl-3.0", "lgpl-3.0", "agpl-3.0", "gpl-2.0", "unlicense", "isc");

    private UserModels() {}

    /** One entry per readable model file in {@code dir}; files that fail to open are named in {@code problems}. */
    public static List<ModelEntry> scan(Path dir, List<String> problems) throws IOException {
        List<ModelEntry> entries = new ArrayList<>();
        Map<Path, String> files = new LinkedHashMap<>();           // file -> what it is called in ids ("" for a plain file)
        modelFiles(dir).forEach(f -> files.put(f, ""));
        try (Stream<Path> list = Files.list(dir)) {
            for (Path repo : list.filter(p -> p.getFileName().toString().startsWith(HF_REPO)).sorted().toList()) {
                Path snapshot = snapshot(repo);
                if (snapshot != null) modelFiles(snapshot).forEach(f -> files.put(f, repoName(repo)));
            }
        }
        Set<String> ids = new java.util.HashSet<>();
        for (var named : files.entrySet()) {
            Path file = named.getKey();
            String repo = named.getValue();
            String shown = repo.isEmpty() ? file.getFileName().toString() : repo + "/" + file.getFileName();
            try (ModelFile model = ModelFiles.open(file)) {
                String base = "user-" + shown.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
                String id = base;
                for (int n = 2; !ids.add(id); n++) id = base + "-" + n;
                entries.add(entry(id, file, model, repo, problems));
            } catch (IOException | RuntimeException e) {
                problems.add(shown + ": " + e.getMessage());
            }
        }
        return entries;
    }

    /** A Hugging Face cache folder of one repository starts so: {@code models--ORG--NAME}. */
    static final String HF_REPO = "models--";

    private static List<Path> modelFiles(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isRegularFile).filter(UserModels::isModelFile).sorted().toList();
        }
    }

    /** {@code models--org--name} -> "org/name". */
    static String repoName(Path repo) {
        return repo.getFileName().toString().substring(HF_REPO.length()).replace("--", "/");
    }

    /** The snapshot folder of a cached repository: the revision refs/main names, else the newest; null without one. */
    static Path snapshot(Path repo) throws IOException {
        Path snapshots = repo.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) return null;
        Path main = repo.resolve("refs").resolve("main");
        if (Files.isRegularFile(main)) {
            String revision = Files.readString(main).strip();
            if (revision.matches("[0-9a-f]{7,64}") && Files.isDirectory(snapshots.resolve(revision))) return snapshots.resolve(revision);
        }
        try (Stream<Path> list = Files.list(snapshots)) {
            return list.filter(Files::isDirectory).max(java.util.Comparator.comparing(p -> {
                try {
                    return Files.getLastModifiedTime(p);
                } catch (IOException e) {
                    return java.nio.file.attribute.FileTime.fromMillis(0);
                }
            })).orElse(null);
        }
    }

    static boolean isModelFile(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".safetensors") || name.endsWith(".gguf") || name.endsWith(".onnx");
    }

    private static ModelEntry entry(String id, Path file, ModelFile model, String repo, List<String> problems) {
        Map<String, String> facts = facts(model);
        String name = facts.getOrDefault("general.name", repo.isEmpty() ? file.getFileName().toString() : repo);
        String family = facts.getOrDefault("general.architecture", guessFamily(model));
        Path readme = file.resolveSibling("README.md");
        if (Files.isRegularFile(readme)) {
            try {
                ModelCard card = ModelCard.parse(Files.readString(readme));
                return new ModelEntry(id, name, family, model.parameterCount(), "your models folder: "
                        + (repo.isEmpty() ? "" : repo + "/") + file.getFileName() + ", with its README.md card", file,
                        config(model, family, file), card, openness(card.license().toLowerCase(Locale.ROOT)));
            } catch (IOException | IllegalArgumentException e) {
                problems.add((repo.isEmpty() ? "" : repo + "/") + "README.md: " + e.getMessage() + " (the card is built from the file instead)");
            }
        }
        String licence = facts.getOrDefault("general.license", facts.getOrDefault("license", "unknown")).toLowerCase(Locale.ROOT);
        List<String> base = new ArrayList<>();
        facts.forEach((k, v) -> { if (k.matches("general\\.base_model\\.\\d+\\.name")) base.add(v); });
        List<String> datasets = new ArrayList<>();
        facts.forEach((k, v) -> { if (k.matches("general\\.dataset\\.\\d+\\.name")) datasets.add(v); });

        StringBuilder body = new StringBuilder("# ").append(name).append("\n\n")
                .append("A ").append(model.format()).append(" file from your models folder: `")
                .append(file.getFileName()).append("`. This card is built from the metadata the file carries; ")
                .append("anything the file does not state is marked \"not stated\".\n\n");
        if (!facts.isEmpty()) {
            body.append("## Metadata in the file\n\n| key | value |\n|---|---|\n");
            facts.forEach((k, v) -> body.append("| `").append(k).append("` | ").append(tableCell(v)).append(" |\n"));
        }
        ModelCard card = new ModelCard(licence, facts.getOrDefault("general.license.link", ""), base, datasets, "", "",
                List.of(), List.of(), List.of(), facts.getOrDefault("general.description", "not stated"), body.toString());
        return new ModelEntry(id, name, family, model.parameterCount(), "your models folder: " + file.getFileName(), file,
                config(model, family, file), card, openness(licence));
    }

    /** The file's scalar metadata as text; long arrays (vocabularies) are left out. */
    private static Map<String, String> facts(ModelFile model) {
        Map<String, String> facts = new LinkedHashMap<>();
        Map<String, Object> plain = model.format() == dev.glassbox.explorer.formats.Format.GGUF
                ? GgufMetadata.of(model).scalars() : model.metadata();
        plain.forEach((key, value) -> {
            if (value == null || value instanceof Map || value instanceof List) return;
            String text = String.valueOf(value);
            if (text.length() <= 500) facts.put(key, text);
        });
        return facts;
    }

    private static Map<String, Object> config(ModelFile model, String family, Path file) {
        Map<String, Object> config = new LinkedHashMap<>();
        Path json = file.resolveSibling("config.json");
        if (model.format() == dev.glassbox.explorer.formats.Format.SAFETENSORS && Files.isRegularFile(json)) {
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> read = new ObjectMapper().readValue(json.toFile(), Map.class);
                config.putAll(read);
                return config;
            } catch (IOException e) {
                config.put("config.json", "unreadable: " + e.getMessage());
            }
        }
        if (model.format() == dev.glassbox.explorer.formats.Format.GGUF) {
            GgufMetadata.of(model).scalars().forEach((key, value) -> {
                if (key.startsWith(family + ".")) config.put(key.substring(family.length() + 1), value);
            });
        }
        return config;
    }

    static String guessFamily(ModelFile model) {
        for (Tensor t : model.tensors()) {
            String n = t.name();
            if (n.startsWith("encoder.layer.") || n.contains("bert.")) return "bert";
            if (n.startsWith("model.layers.") || n.startsWith("blk.")) return "llama";
            if (n.startsWith("transformer.h.") || n.startsWith("h.")) return "gpt2";
        }
        return "unknown";
    }

    private static String tableCell(String value) {
        return value.replace("|", "\\|").replace("\n", " ");
    }

    private static Openness openness(String licence) {
        LicenceType type = licence.equals("unknown") ? LicenceType.NONE
                : OSI_LICENCES.contains(licence) ? LicenceType.OSI_APPROVED : LicenceType.CUSTOM_WITH_RESTRICTIONS;
        String notStated = "the file does not say; check the publisher's model page";
        return Openness.builder(type)
                .part(Part.ARCHITECTURE, Level.PARTLY_OPEN, "the tensor names and shapes show the layout; the file has no full description")
                .part(Part.INFERENCE_CODE, Level.CLOSED, notStated)
                .part(Part.TRAINING_CODE, Level.CLOSED, notStated)
                .part(Part.WEIGHTS, Level.OPEN, "you have the file: every weight can be read")
                .part(Part.TRAINING_DATA, Level.CLOSED, notStated)
                .part(Part.LICENCE, switch (type) {
                    case OSI_APPROVED -> Level.OPEN;
                    case CUSTOM_WITH_RESTRICTIONS -> Level.PARTLY_OPEN;
                    case NONE -> Level.CLOSED;
                }, type == LicenceType.NONE ? "the file names no licence" : "the file names the licence " + licence)
                .build();
    }
}
