package dev.glassbox.tinymodels.llamacpp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.formats.safetensors.SafetensorsWriter;
import dev.glassbox.explorer.models.Decoder;
import dev.glassbox.explorer.models.Transformer;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Tensor;
import dev.glassbox.tinymodels.GgufExport;
import dev.glassbox.tinymodels.ModelCatalog;
import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.tinymodels.VariedTexts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;


/**
 * llama.cpp as the outside check of every GGUF export in the catalog (new models are covered when they join it):
 * it loads the file without any warning (no "missing pre-tokenizer type", no "special_eos_id is not in
 * special_eog_ids", nothing else either; the context the test asks for may draw one, e.g. when llama.cpp rounds it
 * past a 64-token training context, but none about the tokenizer), with {@code <|endoftext|>} as its EOG token,
 * tokenizes the prompts, {@link #TEXTS} and 400 {@link VariedTexts} as Glassbox does, and for F32
 * and Q8_0 its greedy continuation of each prompt equals Glassbox's on the same file. Q4_0 is only loaded and
 * tokenized: llama.cpp multiplies Q4_0 weights by activations it rounds to 8 bits, so on a model whose top
 * logits are close (random weights) a greedy path may part from Glassbox's without either being wrong.
 */
class LlamaCppParityTest {
    static final List<String> PROMPTS = List.of("Once upon a time", "The cat sat on the mat.", "Hello, world! 42 times", "a  b\nc");
    /** induction-2l knows only letters, the digits 0-7 and the line end: runs of them, repeated or not. */
    static final List<String> ALPHABET_PROMPTS = List.of("QwErTyUiOpQwErTy", "abcdefgh0123abcd", "Zz7Yy6Xx5Ww4Zz7Y", "kLm\nkLm\nk");
    /** Tokenized by both, not continued: the edges of GPT-2's pre-tokenization, bytes of many scripts, the special token typed. */
    static final List<String> TEXTS = List.of("", "   leading and trailing   ", "tabs\tand\nnew lines\n\n\r\n  x", "It's 3.14159, not 1234567890!!!",
            "caf\u00e9 na\u00efve e\u0301 \u00c4", "\u65e5\u672c\u8a9e \u041f\u0440\u0438\u0432\u0435\u0442 \u039a\u03b1\u03bb\u03b7 \u0645\u0631\u062d\u0628\u0627 \uc548\ub155",
            "emoji \uD83D\uDE00 \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 \uD83C\uDDEF\uD83C\uDDF5", "for (int i = 0; i < n; i++) { x += a[i]; }",
            "end<|endoftext|>start", " <|endoftext|><|endoftext|> ");
    /** The same for induction-2l's alphabet. */
    static final List<String> ALPHABET_TEXTS = List.of("", "\n\n\nabc\n", "01234567", "AbC<|endoftext|>dEf", "<|endoftext|>", "zZ\nzZ\n<|endoftext|>\n");
    static final int STEPS = 24;
    /** After loading, a warning about any of these means llama.cpp reads the tokenizer differently from what the export meant. */
    static final Pattern TOKENIZER_WORDS = Pattern.compile("(?i)pre-tokenizer|tokenizer|token|vocab|merge|eog|eos|eot|special");

    @TempDir static Path dir;
    static ModelCatalog catalog;

    @BeforeAll
    static void load() throws Exception {
        catalog = ModelCatalog.load(dir.resolve("cache"), null);
    }

    @Test
    void everyGgufExportInTheCatalogMatchesLlamaCpp() throws Exception {
        List<ModelEntry> ggufs = catalog.entries().stream().filter(e -> e.file().getFileName().toString().endsWith(".gguf")).toList();
        assertTrue(ggufs.size() >= 3, "the catalog's GGUF exports: " + ggufs.stream().map(ModelEntry::id).toList());
        for (ModelEntry entry : ggufs) check(entry.id(), entry.file());
    }

    /** An attention-only model (no MLP tensors) exports with an all-zero MLP that llama.cpp accepts and runs as Glassbox does. */
    @Test
    void attentionOnlyExportsRunTheSameInLlamaCpp() throws Exception {
        Path source = catalog.find("tiny-llama-random").orElseThrow().file().getParent();
        Path attention = Files.createDirectories(dir.resolve("attention-only"));
        try (ModelFile weights = ModelFiles.open(source.resolve("model.safetensors"))) {
            List<Tensor> kept = new ArrayList<>();
            for (Tensor t : weights.tensors()) {
                if (!t.name().contains(".mlp.") && !t.name().contains("post_attention_layernorm")) kept.add(Tensor.of(t.name(), DType.F32, t.shape(), t.toFloatArray()));
            }
            SafetensorsWriter.write(attention.resolve("model.safetensors"), Map.of("format", "pt"), kept);
        }
        Map<?, ?> config = new ObjectMapper().readValue(source.resolve("config.json").toFile(), Map.class);
        Files.writeString(attention.resolve("config.json"), new ObjectMapper().writeValueAsString(config));
        Files.copy(source.resolve("tokenizer.json"), attention.resolve("tokenizer.json"));

        List<Path> files = GgufExport.all(attention, "attention-only", "apache-2.0");
        for (Path file : files) {
            try (ModelFile gguf = ModelFiles.open(file)) {
                for (String name : List.of("blk.1.ffn_gate.weight", "blk.1.ffn_up.weight", "blk.1.ffn_down.weight")) {
                    for (float v : gguf.tensor(name).toFloatArray()) assertTrue(v == 0f, file.getFileName() + " " + name + " is exactly zero (Q4_0 decodes -0.0), found " + v);
                }
            }
            check(file.getFileName().toString(), file);
        }
    }

    /** Loads {@code gguf} in both, compares the tokenization of {@link #PROMPTS} and, for F32 and Q8_0, their greedy continuations. */
    static void check(String id, Path gguf) throws Exception {
        DType type;
        try (ModelFile file = ModelFiles.open(gguf)) {
            type = file.tensor("blk.0.attn_q.weight").dtype();
        }
        try (Transformer model = Transformer.load(gguf)) {
            Decoder decoder = (Decoder) model;
            List<int[]> prompts = new ArrayList<>();
            boolean alphabet = id.startsWith("induction");
            List<String> texts = alphabet ? ALPHABET_PROMPTS : PROMPTS;
            for (String text : texts) prompts.add(decoder.tokenizer().encode(text, false).ids());
            List<String> tokenized = new ArrayList<>(texts);
            tokenized.addAll(alphabet ? ALPHABET_TEXTS : TEXTS);
            if (!alphabet) tokenized.addAll(VariedTexts.of(400, List.of("<|endoftext|>")));
            int longest = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
            int steps = Math.min(STEPS, decoder.architecture().context() - longest);
            assertTrue(steps >= 16, id + ": room for at least 16 tokens after the prompts, found " + steps);

            LlamaCpp.Result llama = LlamaCpp.run(new LlamaCpp.Request(gguf, prompts, steps, tokenized, 1));

            // loading the file: no warning at all; afterwards (the context the harness sizes, decoding) none about the tokenizer
            assertFalse(llama.loading().isEmpty(), id + ": llama.cpp's log of loading the file was captured");
            List<String> warnings = llama.loading().stream().filter(LlamaCpp.Log::atLeastWarn).map(l -> l.level() + ": " + l.message()).toList();
            assertTrue(warnings.isEmpty(), id + ": llama.cpp warns while loading the file:\n" + String.join("\n", warnings));
            List<String> later = llama.logs().subList(llama.loading().size(), llama.logs().size()).stream().filter(LlamaCpp.Log::atLeastWarn)
                    .filter(l -> TOKENIZER_WORDS.matcher(l.message()).find()).map(l -> l.level() + ": " + l.message()).toList();
            assertTrue(later.isEmpty(), id + ": llama.cpp warns about the tokenizer after loading:\n" + String.join("\n", later));
            assertTrue(llama.loading().stream().anyMatch(l -> l.message().matches("(?s).*EOG token\\s*=\\s*\\d+ '<\\|endoftext\\|>'.*")),
                    id + ": llama.cpp ends a generation at <|endoftext|>; its lines naming EOG or EOS: "
                            + llama.loading().stream().map(LlamaCpp.Log::message).filter(m -> m.contains("EOG") || m.contains("EOS")).toList());
            List<String> differ = new ArrayList<>();
            for (int i = 0; i < tokenized.size(); i++) {
                int[] ours = decoder.tokenizer().encode(tokenized.get(i), false).ids();
                if (!Arrays.equals(ours, llama.tokenizations().get(i))) differ.add("\"" + tokenized.get(i).replace("\n", "\\n") + "\"\n    ours  " + Arrays.toString(ours) + "\n    llama " + Arrays.toString(llama.tokenizations().get(i)));
            }
            assertTrue(differ.isEmpty(), id + ": " + differ.size() + " texts llama.cpp tokenizes differently:\n  " + String.join("\n  ", differ));
            if (type != DType.F32 && type != DType.Q8_0) return;
            int whole = 0;
            List<String> parted = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                int[] prompt = prompts.get(i), glassbox = decoder.greedy(prompt, steps), theirs = llama.continuations().get(i);
                int k = 0;
                while (k < steps && glassbox[k] == theirs[k]) k++;
                if (k == steps) { whole++; continue; }
                // where the paths part, llama.cpp's token must be (nearly) as likely as Glassbox's, in Glassbox's own logits
                int[] context = Arrays.copyOf(prompt, prompt.length + k);
                System.arraycopy(glassbox, 0, context, prompt.length, k);
                float[] logits = decoder.logits(context);
                int row = (context.length - 1) * decoder.architecture().vocab();
                float ours = logits[row + glassbox[k]], gap = ours - logits[row + theirs[k]];
                float tolerance = type == DType.F32 ? 1e-4f + 1e-5f * Math.abs(ours) : 1e-3f + 1e-2f * Math.abs(ours);
                String where = id + " (" + type + "): \"" + texts.get(i) + "\" " + Arrays.toString(prompt) + " parts at step " + k
                        + ", logit gap " + gap + "\n  Glassbox  " + Arrays.toString(glassbox) + "\n  llama.cpp " + Arrays.toString(theirs);
                if (gap > tolerance) fail(where + "\n  a gap above " + tolerance + " is a real disagreement, not rounding");
                parted.add(where);
            }
            System.out.println(id + " (" + type + "): " + whole + " of " + prompts.size() + " greedy continuations equal for " + steps + " tokens"
                    + (parted.isEmpty() ? "" : "; parted at near-ties:\n" + String.join("\n", parted)));
            assertTrue(2 * whole >= prompts.size(), id + ": most continuations should be equal all the way; parted:\n" + String.join("\n", parted));
        }
    }
}
