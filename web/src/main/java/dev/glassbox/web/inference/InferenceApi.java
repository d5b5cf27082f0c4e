package dev.glassbox.web.inference;

import dev.glassbox.explorer.models.Activation;
import dev.glassbox.explorer.models.ActivationCache;
import dev.glassbox.explorer.models.Architecture;
import dev.glassbox.explorer.models.Bert;
import dev.glassbox.explorer.models.Decoder;
import dev.glassbox.explorer.models.HookName;
import dev.glassbox.explorer.models.HookName.InBlock;
import dev.glassbox.explorer.models.Hooks;
import dev.glassbox.explorer.models.Interventions;
import dev.glassbox.explorer.models.LogitLens;
import dev.glassbox.explorer.models.Sampler;
import dev.glassbox.explorer.models.Transformer;
import dev.glassbox.explorer.tensor.TopK;
import dev.glassbox.explorer.tokenizers.Encoding;
import dev.glassbox.explorer.tokenizers.Tokenizer;
import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.web.shelf.ModelShelf;
import dev.glassbox.web.server.Json;
import dev.glassbox.web.server.RequestBody;
import dev.glassbox.web.server.NdjsonStream;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Running the catalog's models: {@code POST /api/models/{id}/tokenize}, {@code /embed}, {@code /attention},
 * {@code /trace}, {@code /layers} and {@code /generate} (streamed as newline-delimited JSON). Each request
 * reads and checks its body first, then waits for one of the server's {@link RunSlots}, borrows the loaded
 * model from {@link LoadedModels} (loading it the first time) and answers. Limits are in {@link InferenceLimits};
 * docs/inference.md describes every field.
 */
public final class InferenceApi {
    /** Next-token candidates listed per prediction or generation step. */
    static final int TOP = 10;
    /** Logit-lens guesses per depth. */
    static final int LENS_TOP = 5;
    /** Heads one attention request may switch off. */
    static final int MAX_ABLATED = 64;

    /** A token the model might say next, with its probability. */
    public record Candidate(int token, String text, float p) {}

    /** A logit-lens guess: a token with its probability (decoders) or cosine similarity (encoders). */
    public record Guess(int token, String text, float score) {}

    /** One depth of the layer-by-layer view; the norms are per position. */
    public record Depth(String name, int layer, String residHook, float[] residNorm, float[] attnNorm, float[] mlpNorm,
                        List<Guess> lens) {}

    private final ModelShelf shelf;
    private final LoadedModels models;
    private final ModelTokenizers tokenizers;
    private final RunSlots slots;
    private final InferenceLimits limits;
    private final Map<String, List<String>> hookNames = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Transformer.HookSize>> hookSizes = new ConcurrentHashMap<>();

    InferenceApi(ModelShelf shelf, LoadedModels models, ModelTokenizers tokenizers, RunSlots slots, InferenceLimits limits) {
        this.shelf = shelf;
        this.models = models;
        this.tokenizers = tokenizers;
        this.slots = slots;
        this.limits = limits;
    }

    /** {@code {"text"}} -> {@code {"ids", "tokens", "offsets": [[start, end], ...], "kind"}}; no forward pass. */
    public void tokenize(Context ctx) {
        ModelEntry entry = entry(ctx);
        String text = RequestBody.of(ctx).text("text", limits.textChars());
        Tokenizer tokenizer = tokenizers.of(entry);
        Encoding encoding = tokenizer.encode(text);
        int[] starts = encoding.starts(), ends = encoding.ends();
        List<int[]> offsets = new ArrayList<>(starts.length);
        for (int i = 0; i < starts.length; i++) offsets.add(new int[] {starts[i], ends[i]});
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", entry.id());
        out.put("kind", kind(tokenizer));
        out.put("ids", encoding.ids());
        out.put("tokens", encoding.tokens());
        out.put("offsets", offsets);
        ctx.json(out);
    }

    /** {@code {"text"}} -> {@code {"ids", "tokens", "embedding"}}: the sentence embedding (encoders only). */
    public void embed(Context ctx) {
        ModelEntry entry = entry(ctx);
        String text = RequestBody.of(ctx).text("text", limits.textChars());
        run(ctx, entry, model -> {
            if (!(model instanceof Bert bert)) {
                throw new BadRequestResponse(entry.id() + " is a decoder (" + model.architecture().family()
                        + "): it predicts next tokens and has no sentence embedding. /embed is for encoders such as all-minilm-l6-v2.");
            }
            Encoded in = encode(entry, bert, text, bert.architecture().context());
            float[] embedding = Bert.meanPooled(bert.run(in.ids()));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ids", in.ids());
            out.put("tokens", in.tokens());
            out.put("embedding", embedding);
            return out;
        });
    }

    /**
     * {@code {"text", "ablate": [[layer, head], ...]}} -> every head's attention pattern
     * {@code attention[layer][head][query][key]} of the run with those heads switched off (of the plain run
     * without {@code ablate}), and what the ablation changed: the next-token predictions of both runs
     * (decoders) or the cosine between both sentence embeddings (encoders), and per head how far its
     * pattern moved (half the L1 distance per query row, averaged: 0 = same, 1 = disjoint).
     */
    public void attention(Context ctx) {
        ModelEntry entry = entry(ctx);
        RequestBody body = RequestBody.of(ctx);
        String text = body.text("text", limits.textChars());
        List<int[]> ablate = body.pairs("ablate", MAX_ABLATED);
        int layer = (int) body.integer("layer", 0, 0, Integer.MAX_VALUE);   // whose full patterns to send; checked against the model below
        run(ctx, entry, model -> {
            Architecture a = model.architecture();
            if (layer < 0 || layer >= a.layers()) {
                throw new BadRequestResponse("No layer " + layer + ": " + entry.id() + " has layers 0 to " + (a.layers() - 1));
            }
            for (int[] pair : ablate) {
                if (pair[0] < 0 || pair[0] >= a.layers() || pair[1] < 0 || pair[1] >= a.heads()) {
                    throw new BadRequestResponse("Cannot ablate [" + pair[0] + ", " + pair[1] + "]: " + entry.id() + " has layers 0 to "
                            + (a.layers() - 1) + " and heads 0 to " + (a.heads() - 1));
                }
            }
            Encoded in = encode(entry, model, text, Math.min(limits.tokens(), a.context()));
            int n = in.ids().length;
            long values = (long) a.layers() * a.heads() * n * n;
            if (values > limits.attentionValues()) {
                throw new ContentTooLargeResponse("Attention over " + n + " tokens is " + values + " numbers for " + entry.id() + " ("
                        + a.layers() + " layers x " + a.heads() + " heads x " + n + " x " + n + "); at most " + limits.attentionValues()
                        + " per request: use a shorter text");
            }
            Set<String> patterns = new LinkedHashSet<>(HookName.all(a.layers(), InBlock.PATTERN));
            Transformer.CachedRun normal = model.runWithCache(in.ids(), patterns::contains);
            Transformer.CachedRun ablated = ablate.isEmpty() ? null
                    : model.runWithCache(in.ids(), patterns::contains, ablation(ablate));
            Transformer.CachedRun shown = ablated != null ? ablated : normal;

            int t = CompactAttention.thumbSide(n);
            byte[] thumbs = new byte[a.layers() * a.heads() * t * t];                   // (layer, head, t, t)
            for (int l = 0; l < a.layers(); l++) {
                float[] p = shown.cache().get(l, InBlock.PATTERN).values();              // (head, query, key)
                CompactAttention.thumbnails(p, a.heads(), n, t, thumbs, l * a.heads() * t * t);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", entry.id());
            out.put("family", a.family().id());
            out.put("causal", a.causal());
            out.put("ids", in.ids());
            out.put("tokens", in.tokens());
            out.put("layers", a.layers());
            out.put("heads", a.heads());
            out.put("ablated", ablate);
            out.put("layer", layer);
            out.put("patterns", CompactAttention.fullLayer(shown.cache().get(layer, InBlock.PATTERN).values(), a.heads(), n));
            out.put("thumbSize", t);
            out.put("thumbs", java.util.Base64.getEncoder().encodeToString(thumbs));
            if (model instanceof Decoder decoder) {
                out.put("predictions", nextTokens(decoder, normal.output()));
                if (ablated != null) out.put("ablatedPredictions", nextTokens(decoder, ablated.output()));
            } else if (ablated != null) {
                out.put("embeddingCosine", dot(Bert.meanPooled(normal.output()), Bert.meanPooled(ablated.output())));
            }
            if (ablated != null) out.put("shift", round4(Interventions.patternShift(normal.cache(), ablated.cache(), a)));
            return out;
        });
    }

    /** {@code {"text", "hooks": [...]}} -> the named activations of one run, each as {@code {"shape", "data"}} (row-major). */
    public void trace(Context ctx) {
        ModelEntry entry = entry(ctx);
        RequestBody body = RequestBody.of(ctx);
        String text = body.text("text", limits.textChars());
        List<String> wanted = body.strings("hooks", limits.traceHooks());
        if (wanted.isEmpty()) throw new BadRequestResponse("Field \"hooks\" needs at least one hook name, e.g. \"blocks.0.hook_resid_post\"");
        run(ctx, entry, model -> {
            List<String> known = hookNames(entry, model);
            for (String name : wanted) {
                if (!known.contains(name)) {
                    throw new BadRequestResponse("Unknown hook \"" + name + "\": " + entry.id() + " has " + known.size()
                            + " hook points, named like " + String.join(", ", known.subList(0, Math.min(4, known.size())))
                            + " (blocks.{layer}.hook_resid_post, blocks.{layer}.attn.hook_pattern, ...)");
                }
            }
            Encoded in = encode(entry, model, text, Math.min(limits.tokens(), model.architecture().context()));
            Set<String> set = new LinkedHashSet<>(wanted);
            // the size from the hooks' shapes, before the run: a refused request costs no forward pass and no copies
            Map<String, Transformer.HookSize> sizes = hookSizes(entry, model);
            long total = 0;
            for (String name : set) total += sizes.get(name).values(in.ids().length);
            if (total > limits.traceValues()) {
                throw new ContentTooLargeResponse("These " + set.size() + " hooks hold " + total + " numbers for " + in.ids().length
                        + " tokens; at most " + limits.traceValues() + " per request: ask for fewer hooks or use a shorter text");
            }
            ActivationCache cache = model.runWithCache(in.ids(), set::contains).cache();
            Map<String, Object> activations = new LinkedHashMap<>();
            for (String name : set) {
                Activation activation = cache.get(name);
                activations.put(name, Map.of("shape", activation.shape(), "data", activation.values()));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ids", in.ids());
            out.put("tokens", in.tokens());
            out.put("activations", activations);
            return out;
        });
    }

    /**
     * {@code {"text", "position"}} -> the architecture, and per depth (the embedding, then each block) the
     * residual stream's norm per position, the norms of what attention and the MLP added, and what the model
     * "would say" at {@code position} (default: the last token) if it stopped there.
     */
    public void layers(Context ctx) {
        ModelEntry entry = entry(ctx);
        RequestBody body = RequestBody.of(ctx);
        String text = body.text("text", limits.textChars());
        long asked = body.integer("position", -1, -1, Integer.MAX_VALUE);
        run(ctx, entry, model -> {
            Architecture a = model.architecture();
            Encoded in = encode(entry, model, text, Math.min(limits.tokens(), a.context()));
            int n = in.ids().length;
            if (asked >= n) throw new BadRequestResponse("Position " + asked + " is past the last token: the text has " + n + " tokens (0 to " + (n - 1) + ")");
            int position = asked < 0 ? n - 1 : (int) asked;
            boolean decoder = model instanceof Decoder;
            // After each block: a pre-norm decoder's stream is hook_resid_post; a post-norm encoder's is its block's final LayerNorm.
            InBlock after = decoder ? InBlock.RESID_POST : InBlock.LN2;
            String embedded = HookName.block(0, InBlock.RESID_PRE);
            Set<String> names = new LinkedHashSet<>();
            names.add(embedded);
            for (int l = 0; l < a.layers(); l++) {
                names.add(HookName.block(l, InBlock.ATTN_OUT));
                names.add(HookName.block(l, InBlock.MLP_OUT));
                names.add(HookName.block(l, after));
            }
            ActivationCache cache = model.runWithCache(in.ids(), names::contains).cache();
            List<LogitLens.Guess> lens = model instanceof Decoder d ? LogitLens.decode(d, in.ids(), position, LENS_TOP)
                    : LogitLens.nearestTokens((Bert) model, in.ids(), position, LENS_TOP);
            List<Depth> depths = new ArrayList<>();
            depths.add(new Depth("embedding", -1, embedded, cache.get(embedded).rowNorms(), null, null, guesses(model, lens.get(0))));
            for (int l = 0; l < a.layers(); l++) {
                depths.add(new Depth("block " + l, l, HookName.block(l, after), cache.get(l, after).rowNorms(),
                        cache.get(l, InBlock.ATTN_OUT).rowNorms(), a.hasMlp() ? cache.get(l, InBlock.MLP_OUT).rowNorms() : null,   // attention-only: no MLP
                        guesses(model, lens.get(l + 1))));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", entry.id());
            out.put("architecture", a);
            out.put("ids", in.ids());
            out.put("tokens", in.tokens());
            out.put("position", position);
            out.put("lens", decoder ? "probability" : "cosine");
            out.put("depths", depths);
            return out;
        });
    }

    /**
     * {@code {"prompt", "max_tokens", "temperature", "top_k", "top_p", "seed"}} -> newline-delimited JSON, one
     * line per new token {@code {"position", "token", "text", "rank", "of", "candidates": [{"token", "text", "p"}, ...]}}
     * (the distribution it was drawn from: its {@value #TOP} most likely tokens, and the drawn one when it ranks
     * lower; {@code rank} of {@code of} is where the drawn token stood), then {@code {"done": true, ...}}.
     * Decoders only. Everything is checked before the first line, so an error is a plain JSON error answer.
     */
    public void generate(Context ctx) {
        ModelEntry entry = entry(ctx);
        RequestBody body = RequestBody.of(ctx);
        String prompt = body.text("prompt", limits.textChars());
        int maxTokens = (int) body.integer("max_tokens", 32, 1, limits.generateTokens());
        float temperature = (float) body.number("temperature", 0.8, 0, 10);
        int topK = (int) body.integer("top_k", 40, 0, 1_000_000);
        float topP = (float) body.number("top_p", 0.95, 0, 1);
        if (!(topP > 0)) throw new BadRequestResponse("Field \"top_p\" must be above 0 (1 keeps every token), found " + topP);
        long seed = body.integer("seed", 0, 0, (1L << 53) - 1);   // what a JavaScript number holds exactly
        Sampler sampler;
        try {
            sampler = new Sampler(temperature, topK, topP, seed);
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse(e.getMessage());
        }

        try (RunSlots.Slot slot = slots.enter(ctx); LoadedModels.Lease lease = lease(entry)) {
            if (!(lease.model() instanceof Decoder decoder)) {
                throw new BadRequestResponse(entry.id() + " is an encoder (" + lease.model().architecture().family()
                        + "): it reads a whole text at once and does not predict a next token, so it cannot generate. Try tiny-stories.");
            }
            int context = decoder.architecture().context();
            Encoded in = encode(entry, decoder, prompt, context - 1);
            NdjsonStream stream;
            try {
                stream = NdjsonStream.open(ctx);
            } catch (IOException e) {
                return;                                    // the browser went away before the first token
            }
            try (stream) {
                generate(decoder, in, maxTokens, sampler, stream);
            }
        }
    }

    /** Streams one line per generated token, then a line that sums the generation up. */
    private void generate(Decoder decoder, Encoded in, int maxTokens, Sampler sampler, NdjsonStream stream) {
        long start = System.nanoTime();
        int[] generated;
        try {
            generated = decoder.generate(in.ids(), maxTokens, sampler, step -> {
                int[] tokens = step.candidates().tokens();
                float[] probabilities = step.candidates().probabilities();
                int rank = 0;
                while (rank < tokens.length && tokens[rank] != step.token()) rank++;
                List<Candidate> candidates = new ArrayList<>();
                for (int i = 0; i < Math.min(TOP, tokens.length); i++) {
                    candidates.add(new Candidate(tokens[i], tokenText(decoder, tokens[i]), probabilities[i]));
                }
                if (rank >= TOP && rank < tokens.length) {                // an unlikely draw: show it too, after the top ones
                    candidates.add(new Candidate(step.token(), tokenText(decoder, step.token()), probabilities[rank]));
                }
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("position", step.position());
                line.put("token", step.token());
                line.put("text", tokenText(decoder, step.token()));
                line.put("rank", rank + 1);
                line.put("of", tokens.length);
                line.put("candidates", candidates);
                stream.send(line);
            });
        } catch (UncheckedIOException browserGone) {
            return;
        } catch (IllegalArgumentException e) {
            stream.trySend(Map.of("error", e.getMessage()));
            return;
        }
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("done", true);
        done.put("tokens", generated.length);
        done.put("promptTokens", in.ids().length);
        done.put("text", decoder.tokenizer().decode(generated));   // one decode: a character split over byte tokens joins up
        done.put("stopped", generated.length < maxTokens ? "context" : "max_tokens");
        done.put("millis", (System.nanoTime() - start) / 1_000_000);
        stream.trySend(done);
    }

    // ---- helpers ----

    /** A text as one model reads it. */
    record Encoded(int[] ids, List<String> tokens) {}

    /** Encodes with the model's tokenizer; a 413 when the tokens do not fit {@code maxTokens}. */
    private Encoded encode(ModelEntry entry, Transformer model, String text, int maxTokens) {
        Tokenizer tokenizer;
        try {
            tokenizer = model.tokenizer();
        } catch (IllegalStateException none) {
            throw new BadRequestResponse("Model " + entry.id() + " came without a tokenizer, so it cannot read text");
        }
        Encoding encoding = tokenizer.encode(text);
        int[] ids = encoding.ids();
        if (ids.length == 0) throw new BadRequestResponse("The text gave no tokens for " + entry.id());
        if (ids.length > maxTokens) {
            int context = model.architecture().context();
            throw new ContentTooLargeResponse("The text is " + ids.length + " tokens for " + entry.id() + "; at most " + maxTokens
                    + " here (the model's context is " + context + " tokens" + (maxTokens < context ? ", and this request's limit is lower" : "")
                    + "): use a shorter text");
        }
        return new Encoded(ids, List.of(encoding.tokens()));
    }

    private void run(Context ctx, ModelEntry entry, Function<Transformer, Object> work) {
        Object answer;
        try (RunSlots.Slot slot = slots.enter(ctx); LoadedModels.Lease lease = lease(entry)) {
            answer = work.apply(lease.model());
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new BadRequestResponse(e.getMessage());
        }
        ctx.json(answer);
    }

    private LoadedModels.Lease lease(ModelEntry entry) {
        try {
            return models.lease(entry);
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse(e.getMessage());
        }
    }

    private ModelEntry entry(Context ctx) {
        String id = ctx.pathParam("id");
        return shelf.find(id).orElseThrow(() -> new NotFoundResponse("There is no model called \"" + id + "\"; GET /api/models lists them."));
    }

    /** The hook points of one forward pass, in the order it reaches them (once per model). */
    private List<String> hookNames(ModelEntry entry, Transformer model) {
        return hookNames.computeIfAbsent(entry.id(), id -> model.hookNames());
    }

    /** Each hook point's size as a function of the token count, per model (two tiny runs, once). */
    private Map<String, Transformer.HookSize> hookSizes(ModelEntry entry, Transformer model) {
        return hookSizes.computeIfAbsent(entry.id(), id -> model.hookSizes());
    }

    /** Switches off every listed head: their output (attn.hook_z) is zeroed before the output projection. */
    private static Hooks ablation(List<int[]> pairs) {
        Map<Integer, Set<Integer>> byLayer = new TreeMap<>();
        for (int[] pair : pairs) byLayer.computeIfAbsent(pair[0], l -> new LinkedHashSet<>()).add(pair[1]);
        Hooks hooks = Hooks.none();
        for (var e : byLayer.entrySet()) {
            hooks = Interventions.ablateHeads(hooks, e.getKey(), e.getValue().stream().mapToInt(Integer::intValue).toArray());
        }
        return hooks;
    }

    /** The {@value #TOP} most likely tokens after the last position. */
    private static List<Candidate> nextTokens(Decoder decoder, Transformer.Output logits) {
        int vocab = logits.cols();
        float[] p = Sampler.probabilities(logits.values(), (logits.rows() - 1) * vocab, vocab);
        List<Candidate> out = new ArrayList<>();
        for (int token : TopK.indices(p, TOP)) out.add(new Candidate(token, tokenText(decoder, token), p[token]));
        return out;
    }

    private static List<Guess> guesses(Transformer model, LogitLens.Guess guess) {
        List<Guess> out = new ArrayList<>();
        for (int i = 0; i < guess.tokens().length; i++) {
            int token = guess.tokens()[i];
            out.add(new Guess(token, pieceText(model, token), guess.scores()[i]));
        }
        return out;
    }

    /** How a vocabulary entry reads: decoded text for a decoder, the WordPiece itself (e.g. "##ing") for an encoder. */
    private static String pieceText(Transformer model, int token) {
        if (model instanceof Decoder d) return tokenText(d, token);
        try {
            return model.tokenizer().token(token);
        } catch (IllegalStateException | IllegalArgumentException | IndexOutOfBoundsException e) {
            return "<" + token + ">";
        }
    }

    /**
     * One token as text. A byte-level token that is part of a longer UTF-8 character decodes to U+FFFD on its
     * own; for those the vocabulary's own spelling (e.g. GPT-2's "Ã", SentencePiece's "<0xC3>") says more.
     */
    static String tokenText(Decoder decoder, int token) {
        String text = decoder.tokenText(token);
        if (text.indexOf('\uFFFD') < 0) return text;
        try {
            return decoder.tokenizer().token(token);
        } catch (RuntimeException noPiece) {
            return text;
        }
    }

    private static float dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += (double) a[i] * b[i];
        return (float) sum;
    }

    /** Four decimals: enough for a colour or a bar, and a third of the JSON of a full float. */
    static float round4(float v) {
        return Math.round(v * 10_000f) / 10_000f;
    }

    private static float[][] round4(float[][] table) {
        for (float[] row : table) for (int i = 0; i < row.length; i++) row[i] = round4(row[i]);
        return table;
    }

    /** "WordPiece", "BPE (byte-level)", "BPE (SentencePiece)" or "characters". */
    static String kind(Tokenizer tokenizer) {
        return tokenizer.kind();
    }
}
