package dev.glassbox.web.inference;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.App;
import dev.glassbox.web.OwnerLink;
import dev.glassbox.web.server.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inference API over real HTTP on the shipped models: MiniLM (a BERT encoder, 6 layers x 12 heads) and
 * tiny-llama-random (a 2-layer Llama with a byte-level tokenizer), with the session, CSRF and Origin
 * checks every POST goes through.
 */
class InferenceApiTest {
    static {
        // The JDK's HTTP client reads this once, at its first use; ApiTest's Browserless needs it to forge a Host header.
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    }

    static final String MINILM = "/api/models/all-minilm-l6-v2";
    static final String LLAMA = "/api/models/tiny-llama-random";

    @TempDir
    static Path data;
    static App app;
    static String base;
    static HttpClient http;
    static String csrf;

    @BeforeAll
    static void start() throws Exception {
        app = App.start(new App.Settings("127.0.0.1", 0, data, null, KernelSettings.defaults(data.resolve("scratch")).withPoolSize(0)));
        app.awaitModels(java.time.Duration.ofMinutes(3));   // prepared in the background
        base = "http://localhost:" + app.port();
        http = OwnerLink.client(app);
        HttpResponse<String> session = http.send(HttpRequest.newBuilder(URI.create(base + "/api/session")).build(), HttpResponse.BodyHandlers.ofString());
        csrf = Json.MAPPER.readTree(session.body()).get("csrfToken").asText();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** A POST as the page sends it: same origin, with the session's CSRF token. */
    static HttpResponse<String> post(String path, Object body) throws Exception {
        return post(path, body, Map.of("X-CSRF-Token", csrf, "Origin", base));
    }

    static HttpResponse<String> post(String path, Object body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.write(body)))
                .header("Content-Type", "application/json");
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String path, Object body, int status) throws Exception {
        HttpResponse<String> response = post(path, body);
        assertEquals(status, response.statusCode(), path + " -> " + response.body());
        return Json.MAPPER.readTree(response.body());
    }

    static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    @Test
    void miniLmTokenizesHelloWorldWithOffsets() throws Exception {
        JsonNode t = json(MINILM + "/tokenize", Map.of("text", "Hello world"), 200);
        assertEquals(List.of(101, 7592, 2088, 102), ints(t.get("ids")));
        assertEquals("[\"[CLS]\",\"hello\",\"world\",\"[SEP]\"]", t.get("tokens").toString());
        assertEquals("[0,5]", t.get("offsets").get(1).toString());
        assertEquals("[6,11]", t.get("offsets").get(2).toString());
        assertEquals(4, t.get("offsets").size());

        JsonNode bytes = json(LLAMA + "/tokenize", Map.of("text", "Hi é"), 200);
        assertEquals(List.of((int) 'H', (int) 'i', (int) ' ', 0xC3, 0xA9), ints(bytes.get("ids")), "one token per UTF-8 byte");
    }

    /** The answer's full layer, (head, query, key), from its 16-bit little-endian base64. */
    static double[] patterns(JsonNode answer) {
        byte[] bytes = java.util.Base64.getDecoder().decode(answer.get("patterns").asText());
        double[] values = new double[bytes.length / 2];
        for (int i = 0; i < values.length; i++) values[i] = ((bytes[2 * i] & 0xff) | (bytes[2 * i + 1] & 0xff) << 8) / 65535.0;
        return values;
    }

    @Test
    void attentionHasEveryHeadAndEachRowSumsToOne() throws Exception {
        JsonNode a = json(MINILM + "/attention", Map.of("text", "The cat sat on the mat."), 200);
        int n = a.get("tokens").size();
        assertEquals(9, n, a.get("tokens").toString());   // [CLS] the cat sat on the mat . [SEP]
        assertEquals(6, a.get("layers").asInt());
        assertEquals(12, a.get("heads").asInt());
        assertEquals(0, a.get("layer").asInt(), "the first layer in full unless another is asked for");
        double[] full = patterns(a);
        assertEquals(12 * n * n, full.length);
        for (int row = 0; row < 12 * n; row++) {
            double sum = 0;
            for (int k = 0; k < n; k++) sum += full[row * n + k];
            assertEquals(1.0, sum, n / 65535.0 + 1e-6, "row " + row);
        }
        // every head's thumbnail: 9 tokens fit, so it is the pattern itself in 8 bits
        assertEquals(n, a.get("thumbSize").asInt());
        byte[] thumbs = java.util.Base64.getDecoder().decode(a.get("thumbs").asText());
        assertEquals(6 * 12 * n * n, thumbs.length);
        for (int i = 0; i < 12 * n * n; i++) assertEquals(full[i] * 255, thumbs[i] & 0xff, 0.51, "layer 0's thumbnail cell " + i);

        JsonNode third = json(MINILM + "/attention", Map.of("text", "The cat sat on the mat.", "layer", 2), 200);
        assertEquals(2, third.get("layer").asInt());
        double[] layer2 = patterns(third);
        for (int i = 0; i < 12 * n * n; i++) {
            assertEquals(layer2[i] * 255, thumbs[2 * 12 * n * n + i] & 0xff, 0.51, "layer 2 in full is layer 2's thumbnail, cell " + i);
        }
        assertTrue(json(MINILM + "/attention", Map.of("text", "hi", "layer", 6), 400).get("error").asText().contains("layers 0 to 5"));

        JsonNode causal = json(LLAMA + "/attention", Map.of("text", "abc"), 200);
        double[] firstLayer = patterns(causal);
        int m = causal.get("tokens").size();
        assertEquals(1.0, firstLayer[0], 1e-4, "the first token can only look at itself");
        assertEquals(0.0, firstLayer[1 * m + 2], "no token looks ahead");
        assertEquals(10, causal.get("predictions").size());
    }

    @Test
    void attentionOverManyTokensIsSentInTheSizeThePageDraws() throws Exception {
        String text = "one two three four five six seven eight nine ten ".repeat(25).strip();   // 252 tokens, just under the cap
        HttpResponse<String> r = post(MINILM + "/attention", Map.of("text", text), Map.of("X-CSRF-Token", csrf, "Origin", base));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode a = Json.MAPPER.readTree(r.body());
        int n = a.get("tokens").size();
        assertTrue(n >= 250, "a long text: " + n + " tokens");
        assertEquals(64, a.get("thumbSize").asInt(), "thumbnails are max-pooled to 64 x 64");
        // one layer in full (12 x n x n x 2 bytes) and 72 thumbnails (64 x 64 bytes), base64: about 2 MB, not ~30 MB
        long expected = (12L * n * n * 2 + 72L * 64 * 64) * 4 / 3;
        assertTrue(r.body().length() < expected + 200_000, r.body().length() + " characters for " + n + " tokens");
        // a sharp pattern survives the pooling: some cell of every thumbnail holds at least the largest weight of its rows' band
        byte[] thumbs = java.util.Base64.getDecoder().decode(a.get("thumbs").asText());
        double[] full = patterns(a);
        for (int h = 0; h < 12; h++) {
            double max = 0;
            for (int i = 0; i < n * n; i++) max = Math.max(max, full[h * n * n + i]);
            int thumbMax = 0;
            for (int i = 0; i < 64 * 64; i++) thumbMax = Math.max(thumbMax, thumbs[h * 64 * 64 + i] & 0xff);
            assertEquals(max * 255, thumbMax, 0.51, "head " + h + "'s largest weight is its thumbnail's");
        }
    }

    @Test
    void miniLmEmbeddingHasLengthOne() throws Exception {
        JsonNode e = json(MINILM + "/embed", Map.of("text", "Glassbox shows what is inside a model."), 200);
        assertEquals(384, e.get("embedding").size());
        double norm = 0;
        for (JsonNode v : e.get("embedding")) norm += v.asDouble() * v.asDouble();
        assertEquals(1.0, Math.sqrt(norm), 1e-4);
    }

    @Test
    void ablatingHeadsChangesTheOutput() throws Exception {
        String text = "The cat sat on the mat because it was tired.";
        JsonNode encoder = json(MINILM + "/attention", Map.of("text", text, "ablate", List.of(List.of(0, 3), List.of(1, 5))), 200);
        double cosine = encoder.get("embeddingCosine").asDouble();
        assertTrue(cosine < 0.9999 && cosine > 0.5, "a changed but related embedding, cosine " + cosine);
        double laterShift = 0;
        for (int l = 2; l < 6; l++) for (JsonNode h : encoder.get("shift").get(l)) laterShift += h.asDouble();
        assertTrue(laterShift > 0, "later layers attend differently once earlier heads are off");
        assertEquals("[[0,3],[1,5]]", encoder.get("ablated").toString());

        JsonNode decoder = json(LLAMA + "/attention", Map.of("text", "Once upon a time", "ablate", List.of(List.of(0, 1))), 200);
        assertNotEquals(decoder.get("predictions").get(0).get("p").asDouble(), decoder.get("ablatedPredictions").get(0).get("p").asDouble(),
                "the next-token distribution moves when a head is switched off");

        assertTrue(json(MINILM + "/attention", Map.of("text", text, "ablate", List.of(List.of(6, 0))), 400)
                .get("error").asText().contains("layers 0 to 5"));
    }

    @Test
    void traceReturnsNamedActivationsAndRejectsUnknownNames() throws Exception {
        JsonNode t = json(MINILM + "/trace", Map.of("text", "Hello world", "hooks", List.of("blocks.0.hook_resid_post", "blocks.5.attn.hook_pattern")), 200);
        assertEquals("[4,384]", t.get("activations").get("blocks.0.hook_resid_post").get("shape").toString());
        assertEquals(4 * 384, t.get("activations").get("blocks.0.hook_resid_post").get("data").size());
        assertEquals("[12,4,4]", t.get("activations").get("blocks.5.attn.hook_pattern").get("shape").toString());

        String error = json(MINILM + "/trace", Map.of("text", "Hello", "hooks", List.of("blocks.0.hook_resid_post", "blocks.9.hook_nope")), 400)
                .get("error").asText();
        assertTrue(error.contains("blocks.9.hook_nope"), error);
        json(MINILM + "/trace", Map.of("text", "Hello", "hooks", List.of()), 400);
    }

    @Test
    void layersGiveNormsAndTheLensAtEveryDepth() throws Exception {
        JsonNode encoder = json(MINILM + "/layers", Map.of("text", "Paris is the capital of France."), 200);
        assertEquals(7, encoder.get("depths").size(), "the embedding and six blocks");
        assertEquals("cosine", encoder.get("lens").asText());
        assertEquals(6, encoder.get("architecture").get("layers").asInt());
        JsonNode a = encoder.get("architecture");   // the page draws the blocks from these names
        assertEquals(List.of("bert", "LayerNorm", "gelu", "learned"),
                List.of(a.get("family").asText(), a.get("norm").asText(), a.get("activation").asText(), a.get("positions").asText()));
        int n = encoder.get("tokens").size();
        assertEquals(n - 1, encoder.get("position").asInt(), "the last token by default");
        JsonNode block = encoder.get("depths").get(3);
        assertEquals(n, block.get("residNorm").size());
        assertEquals(n, block.get("attnNorm").size());
        assertTrue(block.get("mlpNorm").get(1).asDouble() > 0);
        assertEquals(5, block.get("lens").size());
        JsonNode embedding = encoder.get("depths").get(0).get("lens").get(0);
        assertTrue(embedding.get("score").asDouble() > 0.3, "the embedding is close to its own token: " + embedding);

        JsonNode decoder = json(LLAMA + "/layers", Map.of("text", "abc", "position", 1), 200);
        assertEquals("probability", decoder.get("lens").asText());
        assertEquals(3, decoder.get("depths").size());
        assertEquals(1, decoder.get("position").asInt());
        json(LLAMA + "/layers", Map.of("text", "abc", "position", 3), 400);
    }

    @Test
    void generateStreamsOneLinePerTokenAndASeedRepeats() throws Exception {
        Map<String, Object> body = Map.of("prompt", "Once upon a time", "max_tokens", 12, "temperature", 1.0, "top_k", 50, "top_p", 0.9, "seed", 7);
        HttpResponse<String> first = post(LLAMA + "/generate", body);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("application/x-ndjson", first.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        List<String> lines = first.body().lines().toList();
        assertEquals(13, lines.size(), first.body());
        for (String line : lines.subList(0, 12)) {
            JsonNode step = Json.MAPPER.readTree(line);
            assertTrue(step.has("token") && step.has("text"), line);
            JsonNode candidates = step.get("candidates");
            assertTrue(candidates.size() >= 1 && candidates.size() <= 11, line);
            List<Integer> shown = new ArrayList<>();
            candidates.forEach(c -> shown.add(c.get("token").asInt()));
            assertTrue(shown.contains(step.get("token").asInt()), "the drawn token is among the candidates shown: " + line);
            assertTrue(step.get("rank").asInt() >= 1 && step.get("rank").asInt() <= step.get("of").asInt(), line);
            assertTrue(candidates.get(0).get("p").asDouble() >= candidates.get(candidates.size() - 1).get("p").asDouble());
        }
        JsonNode done = Json.MAPPER.readTree(lines.getLast());
        assertTrue(done.get("done").asBoolean());
        assertEquals(12, done.get("tokens").asInt());

        assertEquals(first.body().lines().limit(12).toList(), post(LLAMA + "/generate", body).body().lines().limit(12).toList(),
                "the same seed gives the same tokens");
        Map<String, Object> other = new java.util.HashMap<>(body);
        other.put("seed", 8);
        assertNotEquals(lines.subList(0, 12), post(LLAMA + "/generate", other).body().lines().limit(12).toList());
    }

    @Test
    void encoderAndDecoderOnlyEndpointsSayWhy() throws Exception {
        String generate = json(MINILM + "/generate", Map.of("prompt", "Hello", "max_tokens", 3), 400).get("error").asText();
        assertTrue(generate.contains("encoder") && generate.contains("cannot generate"), generate);
        String embed = json(LLAMA + "/embed", Map.of("text", "Hello"), 400).get("error").asText();
        assertTrue(embed.contains("decoder"), embed);
        assertTrue(json(LLAMA + "/generate", Map.of("prompt", "Hi", "max_tokens", 257), 400).get("error").asText().contains("max_tokens"));
        assertTrue(json(LLAMA + "/generate", Map.of("prompt", "Hi", "top_p", 0), 400).get("error").asText().contains("top_p"));
    }

    @Test
    void oversizedInputIs413AndNamesTheLimit() throws Exception {
        String tooLong = "a".repeat(2001);
        String error = json(MINILM + "/tokenize", Map.of("text", tooLong), 413).get("error").asText();
        assertTrue(error.contains("2001") && error.contains("2000"), error);
        json(MINILM + "/attention", Map.of("text", tooLong), 413);
        String context = json(LLAMA + "/attention", Map.of("text", "x".repeat(200)), 413).get("error").asText();
        assertTrue(context.contains("200 tokens") && context.contains("128"), context);
        String prompt = json(LLAMA + "/generate", Map.of("prompt", "x".repeat(130), "max_tokens", 2), 413).get("error").asText();
        assertTrue(prompt.contains("130 tokens"), prompt);
    }

    /**
     * A trace that would hold more numbers than a request may is refused from the hooks' shapes, before the model
     * runs: the refusal costs the server no forward pass and no copies (measured as the heap it allocates, all
     * threads together; running it would copy 12 patterns of 12 x 252 x 252 floats, some 36 MB).
     */
    @Test
    void oversizedTraceIsRefusedBeforeTheModelRuns() throws Exception {
        List<String> hooks = new java.util.ArrayList<>(dev.glassbox.explorer.models.HookName.all(6, dev.glassbox.explorer.models.HookName.InBlock.PATTERN));
        hooks.addAll(dev.glassbox.explorer.models.HookName.all(6, dev.glassbox.explorer.models.HookName.InBlock.ATTN_SCORES));
        Map<String, Object> tooMuch = Map.of("text", "word ".repeat(250).strip(), "hooks", hooks);
        json(MINILM + "/trace", Map.of("text", "warm", "hooks", hooks), 200);        // the model is loaded, the paths are warm
        json(MINILM + "/trace", tooMuch, 413);
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getTotalThreadAllocatedBytes();
        String error = json(MINILM + "/trace", tooMuch, 413).get("error").asText();
        long allocated = threads.getTotalThreadAllocatedBytes() - before;
        assertTrue(error.contains("12 hooks hold " + 12L * 12 * 252 * 252 + " numbers for 252 tokens") && error.contains("1000000"), error);
        assertTrue(allocated < 12L << 20, "refusing the trace allocated " + (allocated >> 20) + " MB: the model ran before the size was checked");
    }

    @Test
    void badRequestsGetClearErrorsAndTheServerCarriesOn() throws Exception {
        assertTrue(json(MINILM + "/attention", "{not json", 400).get("error").asText().contains("not valid JSON"));
        assertTrue(json(MINILM + "/attention", Map.of("txt", "hi"), 400).get("error").asText().contains("\"text\""));
        assertTrue(json(MINILM + "/attention", Map.of("text", "hi", "ablate", "all"), 400).get("error").asText().contains("pairs"));
        assertTrue(json("/api/models/no-such-model/attention", Map.of("text", "hi"), 404).get("error").asText().contains("no-such-model"));
        json(MINILM + "/embed", Map.of("text", ""), 400);
        json(MINILM + "/tokenize", Map.of("text", "still here"), 200);
    }

    @Test
    void foreignOriginsAndMissingTokensAreRefused() throws Exception {
        Map<String, String> text = Map.of("text", "Hello");
        HttpResponse<String> foreign = post(MINILM + "/attention", text, Map.of("X-CSRF-Token", csrf, "Origin", "http://evil.example"));
        assertEquals(403, foreign.statusCode());
        assertTrue(foreign.body().contains("Cross-origin"), foreign.body());
        assertEquals(403, post(LLAMA + "/generate", Map.of("prompt", "Hi"), Map.of("Origin", base)).statusCode(), "no CSRF token");
        assertEquals(403, post(MINILM + "/tokenize", text, Map.of("X-CSRF-Token", "wrong", "Origin", base)).statusCode());
    }

    @Test
    void pagesRenderWithLinksBetweenTheViews() throws Exception {
        for (String path : List.of("/tokenizers", "/models/all-minilm-l6-v2/attention", "/models/all-minilm-l6-v2/layers",
                "/models/tiny-llama-random/generate", "/models/all-minilm-l6-v2/generate")) {
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode(), path);
            assertTrue(page.body().contains("name=\"csrf-token\" content=\"" + csrf + "\""), path + " carries the session's CSRF token");
        }
        String encoderGenerate = http.send(HttpRequest.newBuilder(URI.create(base + "/models/all-minilm-l6-v2/generate")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(encoderGenerate.contains("cannot generate text"), encoderGenerate);
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/models/nope/attention")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }
}
