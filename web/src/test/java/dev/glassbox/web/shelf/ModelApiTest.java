package dev.glassbox.web.shelf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.tensor.Tensor;
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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The models API over real HTTP against the real MiniLM file and the generated tiny Llama. */
class ModelApiTest {
    static final String MINILM = "/api/models/all-minilm-l6-v2";
    static final String WORDS = "embeddings.word_embeddings.weight";

    @TempDir
    static Path data;
    static App app;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        app = App.start(new App.Settings("127.0.0.1", 0, data, null, KernelSettings.defaults(data.resolve("scratch")).withPoolSize(0)));
        app.awaitModels(java.time.Duration.ofMinutes(3));   // prepared in the background
        http = OwnerLink.client(app);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + app.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static JsonNode json(String path, int status) throws Exception {
        HttpResponse<byte[]> response = get(path);
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(status, response.statusCode(), path + " -> " + body);
        return Json.MAPPER.readTree(body);
    }

    @Test
    void listsTheShippedModelsWithLicenceAndOpenness() throws Exception {
        JsonNode list = json("/api/models", 200);
        List<String> ids = new ArrayList<>();
        list.forEach(m -> ids.add(m.get("id").asText()));
        List<String> expected = new ArrayList<>(List.of("all-minilm-l6-v2"));
        for (String trained : List.of("tiny-stories", "sorter", "induction-2l")) {
            expected.addAll(List.of(trained, trained + "-f32", trained + "-q8_0", trained + "-q4_0"));
        }
        expected.addAll(List.of("tiny-llama-random", "tiny-llama-random-f32", "tiny-llama-random-q8_0", "tiny-llama-random-q4_0",
                "tiny-gpt2-random"));
        assertEquals(expected, ids, "MiniLM, the models Glassbox trained with their GGUF exports, then the untrained placeholders");
        JsonNode minilm = list.get(0);
        assertEquals("bert", minilm.get("family").asText());
        assertEquals("apache-2.0", minilm.get("license").asText());
        assertEquals("partly_open", minilm.get("openness").get("training_data").asText());
        assertEquals("open", minilm.get("openness").get("weights").asText());
        assertTrue(minilm.get("params").asLong() > 22_000_000);
    }

    @Test
    void miniLmHasAllItsTensorsWithBertNamesAndABudget() throws Exception {
        JsonNode tensors = json(MINILM + "/tensors", 200);
        assertEquals(104, tensors.size());
        List<String> names = new ArrayList<>();
        tensors.forEach(t -> names.add(t.get("name").asText()));
        assertTrue(names.contains(WORDS));
        assertTrue(names.contains("encoder.layer.5.attention.self.query.weight"));
        assertFalse(names.stream().anyMatch(n -> n.startsWith("onnx::")), names.toString());
        JsonNode words = tensors.get(names.indexOf(WORDS));
        assertEquals("[30522,384]", words.get("shape").toString());
        assertEquals(30522L * 384 * 4, words.get("bytes").asLong());

        JsonNode model = json(MINILM, 200);
        assertTrue(model.get("cardMarkdown").asText().startsWith("---\nlicense: apache-2.0\n"));
        assertEquals(384, model.get("config").get("hidden_size").asInt());
        long embeddings = 0, attention = 0, total = 0;
        for (JsonNode b : model.get("budget")) {
            total += b.get("parameters").asLong();
            if (b.get("component").asText().equals("embeddings")) embeddings = b.get("parameters").asLong();
            if (b.get("component").asText().equals("attention")) attention = b.get("parameters").asLong();
        }
        assertEquals(model.get("model").get("params").asLong(), total);
        assertTrue(embeddings > total / 3, "the word embeddings are more than a third of MiniLM");
        assertEquals(6L * 4 * (384 * 384 + 384), attention);
    }

    @Test
    void statsAndSlicesAreTheTensorsOwnNumbers() throws Exception {
        JsonNode stats = json(MINILM + "/tensors/" + WORDS + "/stats", 200);
        assertEquals(30522L * 384, stats.get("count").asLong());
        float min = (float) stats.get("min").asDouble(), max = (float) stats.get("max").asDouble();
        assertTrue(min < 0 && max > 0 && max - min < 10, stats.toString());
        assertTrue(Math.abs(stats.get("mean").asDouble()) < 0.05 && stats.get("std").asDouble() > 0.01, stats.toString());
        long counted = 0;
        for (JsonNode c : stats.get("histogram").get("counts")) counted += c.asLong();
        assertEquals(30522L * 384, counted);

        JsonNode slice = json(MINILM + "/tensors/" + WORDS + "/values?rows=1000:1010&cols=5:37", 200);
        assertEquals(10, slice.get("rows").asInt());
        assertEquals(32, slice.get("cols").asInt());
        float[] served = new float[320];
        for (int i = 0; i < served.length; i++) served[i] = (float) slice.get("data").get(i).asDouble();
        try (ModelFile file = ModelFiles.open(data.resolve("models/minilm/all-minilm-l6-v2.onnx"))) {
            assertArrayEquals(file.tensor(WORDS).readSlice(1000, 1010, 5, 37), served);
        }
    }

    @Test
    void npyDownloadHasAVersion1HeaderAndTheValues() throws Exception {
        HttpResponse<byte[]> response = get("/api/models/tiny-llama-random-q4_0/tensors/blk.0.attn_q.weight.npy");
        assertEquals(200, response.statusCode());
        byte[] body = response.body();
        assertEquals((byte) 0x93, body[0]);
        assertEquals("NUMPY", new String(body, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, body[6]);
        assertEquals(0, body[7]);
        int headerLength = (body[8] & 0xFF) | (body[9] & 0xFF) << 8;
        assertEquals(0, (10 + headerLength) % 64, "data starts on a 64-byte boundary");
        String header = new String(body, 10, headerLength, StandardCharsets.US_ASCII);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (64, 64), }", header.strip());
        assertTrue(header.endsWith("\n"));
        assertEquals(10 + headerLength + 64 * 64 * 4, body.length);
        ByteBuffer values = ByteBuffer.wrap(body, 10 + headerLength, 64 * 64 * 4).order(ByteOrder.LITTLE_ENDIAN);
        try (ModelFile file = ModelFiles.open(data.resolve("models/tiny-llama-random/tiny-llama-random-q4_0.gguf"))) {
            Tensor q = file.tensor("blk.0.attn_q.weight");
            float[] expected = q.toFloatArray();
            for (float e : expected) assertEquals(e, values.getFloat());
        }
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (64,), }", new String(Npy.header(new long[] {64}), 10,
                Npy.header(new long[] {64}).length - 10, StandardCharsets.US_ASCII).strip());
    }

    @Test
    void quantizedTensorsShowTheirBlocks() throws Exception {
        JsonNode blocks = json("/api/models/tiny-llama-random-q8_0/tensors/blk.0.ffn_up.weight/blocks?from=2&count=3", 200);
        assertEquals("Q8_0", blocks.get("dtype").asText());
        assertEquals(192 * 64 / 32, blocks.get("blockCount").asLong());
        assertEquals(3, blocks.get("blocks").size());
        assertEquals(2, blocks.get("blocks").get(0).get("index").asLong());
        assertEquals(32, blocks.get("blocks").get(0).get("quants").size());
        json("/api/models/tiny-llama-random/tensors/model.norm.weight/blocks", 400);
    }

    @Test
    void badNamesAre404AndBadRangesAre400() throws Exception {
        assertTrue(json("/api/models/no-such-model", 404).get("error").asText().contains("no-such-model"));
        assertTrue(json(MINILM + "/tensors/no.such.tensor/stats", 404).get("error").asText().contains("no.such.tensor"));
        assertTrue(json(MINILM + "/tensors/" + WORDS + "/values?rows=0:1000&cols=0:10", 400).get("error").asText().contains("512"));
        assertTrue(json(MINILM + "/tensors/" + WORDS + "/values?rows=0:10&cols=0:385", 400).get("error").asText().contains("0:384"));
        assertTrue(json(MINILM + "/tensors/" + WORDS + "/values?rows=ten", 400).get("error").asText().contains("start:end"));
        assertEquals(404, get("/models/no-such-model").statusCode());
    }

    @Test
    void topRowsAreTheRowsWithTheLargestNormsComputedFromTheNpy() throws Exception {
        String tensor = "/api/models/tiny-stories/tensors/model.embed_tokens.weight";
        HttpResponse<byte[]> npy = get(tensor + ".npy");
        assertEquals(200, npy.statusCode());
        byte[] body = npy.body();
        int headerLength = (body[8] & 0xFF) | (body[9] & 0xFF) << 8;
        int rows = 1024, cols = 192;
        ByteBuffer values = ByteBuffer.wrap(body, 10 + headerLength, rows * cols * 4).order(ByteOrder.LITTLE_ENDIAN);
        float[] all = new float[rows * cols];
        double[] norms = new double[rows];
        for (int i = 0; i < all.length; i++) {
            all[i] = values.getFloat();
            norms[i / cols] += (double) all[i] * all[i];
        }
        List<Integer> order = new ArrayList<>();
        for (int r = 0; r < rows; r++) order.add(r);
        order.sort((a, b) -> Double.compare(norms[b], norms[a]));

        JsonNode top = json(tensor + "/top-rows?count=10&cols=8:40", 200);
        assertEquals(10, top.get("rows").asInt());
        assertEquals(32, top.get("cols").asInt());
        assertEquals(rows, top.get("rowCount").asLong());
        JsonNode labels = top.get("rowLabels");
        assertEquals(10, labels.size(), "tiny-stories' embeddings have one row per token: " + top);
        for (int i = 0; i < 10; i++) {
            int row = top.get("rowIndex").get(i).asInt();
            assertEquals((int) order.get(i), row, "the " + i + "th largest norm");
            assertEquals(Math.sqrt(norms[row]), top.get("norms").get(i).asDouble(), 1e-5 * Math.sqrt(norms[row]));
            for (int c = 0; c < 32; c++) assertEquals(all[row * cols + 8 + c], (float) top.get("data").get(i * 32 + c).asDouble());
            JsonNode slice = json(tensor + "/values?rows=" + row + ":" + (row + 1) + "&cols=0:1", 200);
            assertEquals(labels.get(i).asText(), slice.get("rowLabels").get(0).asText(), "the same token in both views");
        }
        assertTrue(json(tensor + "/top-rows", 200).get("rows").asInt() == 64, "64 rows without a count");
    }

    @Test
    void wordsJumpToTheirTokensRowsInMiniLmsEmbeddings() throws Exception {
        JsonNode listed = json(MINILM + "/tensors", 200);
        for (JsonNode t : listed) {
            boolean vocabulary = t.get("name").asText().equals(WORDS);
            assertEquals(vocabulary, t.get("vocabulary").asBoolean(), "only the word embeddings have one row per token: " + t);
        }
        JsonNode hello = json(MINILM + "/tensors/" + WORDS + "/token-rows?text=Hello", 200);
        assertEquals(1, hello.get("tokens").size(), hello.toString());
        assertEquals(7592, hello.get("tokens").get(0).get("row").asLong(), "BERT's uncased vocabulary has hello at 7592");
        assertEquals("hello", hello.get("tokens").get(0).get("token").asText());
        JsonNode pieces = json(MINILM + "/tensors/" + WORDS + "/token-rows?text=" + java.net.URLEncoder.encode("glassboxes", StandardCharsets.UTF_8), 200);
        assertTrue(pieces.get("tokens").size() > 1 && pieces.get("tokens").get(1).get("token").asText().startsWith("##"), pieces.toString());

        JsonNode slice = json(MINILM + "/tensors/" + WORDS + "/values?rows=7590:7594&cols=0:2", 200);
        assertEquals("hello", slice.get("rowLabels").get(2).asText());
        JsonNode positions = json(MINILM + "/tensors/embeddings.position_embeddings.weight/values?rows=0:2&cols=0:2", 200);
        assertTrue(positions.get("rowLabels").isNull(), "positions are not tokens: " + positions);
        JsonNode top = json(MINILM + "/tensors/" + WORDS + "/top-rows?count=5&cols=0:4", 200);
        assertEquals(5, top.get("rowLabels").size());
        float[] norms = new float[5];
        for (int i = 0; i < 5; i++) norms[i] = (float) top.get("norms").get(i).asDouble();
        for (int i = 1; i < 5; i++) assertTrue(norms[i - 1] >= norms[i], "largest first: " + top.get("norms"));
    }

    @Test
    void topRowsAndTokenRowsRejectBadInputsByName() throws Exception {
        String words = MINILM + "/tensors/" + WORDS;
        String error = json(words + "/top-rows?count=0", 400).get("error").asText();
        assertTrue(error.contains("count") && error.contains("1 to 512"), error);
        assertTrue(json(words + "/top-rows?count=513", 400).get("error").asText().contains("count"));
        assertTrue(json(words + "/top-rows?count=8&cols=0:385", 400).get("error").asText().contains("0:384"));
        assertTrue(json(MINILM + "/tensors/no.such.tensor/top-rows", 404).get("error").asText().contains("no.such.tensor"));
        assertTrue(json("/api/models/no-such-model/tensors/x/token-rows?text=a", 404).get("error").asText().contains("no-such-model"));
        error = json(words + "/token-rows", 400).get("error").asText();
        assertTrue(error.contains("text") && error.contains("1 to 100"), error);
        assertTrue(json(words + "/token-rows?text=" + "a".repeat(101), 400).get("error").asText().contains("101"));
        error = json(MINILM + "/tensors/embeddings.position_embeddings.weight/token-rows?text=hello", 400).get("error").asText();
        assertTrue(error.contains("512 rows") && error.contains("30522"), error);
    }

    @Test
    void pagesRenderTheCatalogAndAModel() throws Exception {
        String catalog = new String(get("/models").body(), StandardCharsets.UTF_8);
        assertTrue(catalog.contains("all-MiniLM-L6-v2") && catalog.contains("openness-partly-open"), catalog);
        String page = new String(get("/models/tiny-llama-random").body(), StandardCharsets.UTF_8);
        assertTrue(page.contains("A placeholder with random weights"), page);
        assertTrue(page.contains("data-model-id=\"tiny-llama-random\""));
    }
}
