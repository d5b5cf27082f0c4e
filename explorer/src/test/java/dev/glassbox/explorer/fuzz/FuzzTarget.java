package dev.glassbox.explorer.fuzz;

import dev.glassbox.explorer.Samples;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.gguf.GgufReader;
import dev.glassbox.explorer.formats.gguf.GgufValue;
import dev.glassbox.explorer.formats.gguf.GgufWriter;
import dev.glassbox.explorer.formats.hf.HfConfig;
import dev.glassbox.explorer.formats.hf.TokenizerJson;
import dev.glassbox.explorer.formats.onnx.OnnxReader;
import dev.glassbox.explorer.formats.onnx.TinyOnnxSeed;
import dev.glassbox.explorer.formats.safetensors.SafetensorsReader;
import dev.glassbox.explorer.formats.safetensors.SafetensorsWriter;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Shape;
import dev.glassbox.explorer.tensor.Tensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The readers both fuzzers feed ({@link ReaderFuzzTest}, {@link ReaderCoverageFuzzTest}): how each opens a file and
 * touches everything it returns, and its seeds, valid files written by Glassbox's writers (for ONNX, by a test
 * protobuf builder; for the JSON files, by hand). {@link #seeds} writes into {@code dir} what the reader needs
 * beside its input (the index's two shards, the ONNX file's external data), so a fuzzed input is read from
 * {@link #input}{@code (dir)}.
 */
enum FuzzTarget implements ReaderContract.Reader {
    SAFETENSORS("safetensors", "input.safetensors") {
        @Override public List<byte[]> seeds(Path dir) throws IOException {
            Path file = dir.resolve("seed.safetensors");
            SafetensorsWriter.write(file, Map.of("format", "pt"), Samples.safetensorsTensors());
            byte[] all = Files.readAllBytes(file);
            SafetensorsWriter.write(file, Map.of(), List.of(Samples.random("w", DType.F32, Shape.of(4, 4), 9)));
            return List.of(all, Files.readAllBytes(file));
        }

        @Override public void read(Path file) throws IOException {
            exercise(SafetensorsReader.read(file));
        }
    },
    SAFETENSORS_INDEX("safetensors index", "model.safetensors.index.json") {
        @Override public List<byte[]> seeds(Path dir) throws IOException {
            List<Tensor> all = Samples.safetensorsTensors();
            SafetensorsWriter.write(dir.resolve("a.safetensors"), Map.of(), all.subList(0, 3));
            SafetensorsWriter.write(dir.resolve("b.safetensors"), Map.of(), all.subList(3, all.size()));
            StringBuilder map = new StringBuilder();
            for (int i = 0; i < all.size(); i++) {
                map.append(i == 0 ? "" : ",").append('"').append(all.get(i).name()).append("\":\"").append(i < 3 ? "a" : "b").append(".safetensors\"");
            }
            return List.of(("{\"metadata\":{\"total_size\":100},\"weight_map\":{" + map + "}}").getBytes(StandardCharsets.UTF_8));
        }

        @Override public void read(Path file) throws IOException {
            exercise(SafetensorsReader.readSharded(file));
        }
    },
    GGUF("gguf", "input.gguf") {
        @Override public List<byte[]> seeds(Path dir) throws IOException {
            Path file = dir.resolve("seed.gguf");
            GgufWriter.write(file, Samples.ggufMetadata(32), Samples.ggufTensors());
            byte[] all = Files.readAllBytes(file);
            Map<String, GgufValue> small = new LinkedHashMap<>();
            small.put("general.alignment", GgufValue.uint32(64));
            small.put("tokenizer.ggml.tokens", GgufValue.strings(List.of("a", "b")));
            GgufWriter.write(file, small, List.of(Samples.random("q", DType.Q4_K, Shape.of(256), 3),
                    Samples.random("r", DType.Q6_K, Shape.of(256), 4)));
            return List.of(all, Files.readAllBytes(file));
        }

        @Override public void read(Path file) throws IOException {
            exercise(GgufReader.read(file));
        }
    },
    ONNX("onnx", "input.onnx") {
        @Override public List<byte[]> seeds(Path dir) throws IOException {
            return List.of(Files.readAllBytes(TinyOnnxSeed.write(dir)));   // also writes the external data file into dir
        }

        @Override public void read(Path file) throws IOException {
            exercise(OnnxReader.read(file));
        }
    },
    CONFIG_JSON("config.json", "config.json") {
        @Override public List<byte[]> seeds(Path dir) {
            return List.of("""
                    {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2,
                     "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 172, "vocab_size": 512,
                     "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "tie_word_embeddings": false, "torch_dtype": "float32"}"""
                    .getBytes(StandardCharsets.UTF_8));
        }

        @Override public void read(Path file) throws IOException {
            HfConfig.read(file).toString();
        }
    },
    TOKENIZER_JSON("tokenizer.json", "tokenizer.json") {
        @Override public List<byte[]> seeds(Path dir) {
            return List.of("""
                    {"version": "1.0", "added_tokens": [{"id": 3, "content": "<|endoftext|>", "special": true}],
                     "normalizer": null, "pre_tokenizer": {"type": "ByteLevel"}, "decoder": {"type": "ByteLevel"},
                     "model": {"type": "BPE", "vocab": {"h": 0, "e": 1, "he": 2}, "merges": ["h e", ["he", "llo"]]}}"""
                    .getBytes(StandardCharsets.UTF_8), """
                    {"added_tokens": [{"id": 0, "content": "[PAD]", "special": true, "lstrip": false}],
                     "normalizer": {"type": "BertNormalizer", "lowercase": true},
                     "model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[PAD]": 0, "[UNK]": 1, "a": 2, "##b": 3}}}"""
                    .getBytes(StandardCharsets.UTF_8), """
                    {"model": {"type": "Unigram", "vocab": [["<unk>", 0.0], ["\u2581a", -3.5]]}}"""
                    .getBytes(StandardCharsets.UTF_8));
        }

        @Override public void read(Path file) throws IOException {
            TokenizerJson t = TokenizerJson.read(file);
            t.id("a");
            t.toString();
        }
    };

    final String label;
    private final String inputName;

    FuzzTarget(String label, String inputName) {
        this.label = label;
        this.inputName = inputName;
    }

    /** Valid files for this reader; writes the files they refer to into {@code dir}. */
    abstract List<byte[]> seeds(Path dir) throws IOException;

    /** Where a fuzzed input is written: in the folder {@link #seeds} wrote to, under the name the reader expects. */
    Path input(Path dir) {
        return dir.resolve(inputName);
    }

    /** Reads everything an opened file offers, as a learner browsing it would. */
    static void exercise(ModelFile file) {
        try (file) {
            file.metadata().toString();
            file.graph().ifPresent(Object::toString);
            float[] buffer = new float[1024];
            for (Tensor t : file.tensors()) {
                t.toString();
                if (t.dtype().decodable() && t.elementCount() > 0) {
                    if (t.elementCount() <= 1 << 16) {
                        t.toFloatArray();
                        t.stats(8);
                    } else {
                        int n = (int) Math.min(buffer.length, t.elementCount());
                        t.readFloats(0, buffer, 0, n);
                        t.readFloats(t.elementCount() - n, buffer, 0, n);
                    }
                }
                if (t.dtype().isQuantized() && t.dtype().decodable() && t.blockCount() > 0) {
                    t.blocks(0, 1);
                    t.blocks(t.blockCount() - 1, 1);
                }
            }
        }
    }
}
