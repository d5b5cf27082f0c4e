package dev.glassbox.tinymodels.llamacpp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp run on a GGUF file through {@code greedy.mjs} in the Node project {@value #FOLDER} (node-llama-cpp
 * 3.21.1, whose npm package carries prebuilt llama.cpp libraries; Maven's test phase runs {@code npm install} there).
 * Glassbox gives the token ids; llama.cpp continues each prompt greedily (temperature 0, one thread) and reports
 * every line of its own log.
 */
public final class LlamaCpp {
    /** The Node project, relative to the tiny-models module (Maven runs tests there). */
    public static final String FOLDER = "src/test/llamacpp";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What to run: greedy continuations of {@code prompts}, {@code repeats} times each, and the tokenization of {@code texts}. */
    public record Request(Path model, List<int[]> prompts, int steps, List<String> texts, int repeats) {}

    /** One line of llama.cpp's log, at llama.cpp's level (debug, info, log, warn, error, fatal). */
    public record Log(String level, String message) {
        public boolean atLeastWarn() { return level.equals("warn") || level.equals("error") || level.equals("fatal"); }
    }

    /**
     * @param tokenizations llama.cpp's ids of each text
     * @param continuations the {@code steps} greedy ids after each prompt
     * @param decodeMs      per prompt, per repeat: milliseconds from the first generated token to the last
     * @param logs          every line llama.cpp logged, in order
     * @param loadLogs      how many of {@code logs} came from loading the file, before its context was made
     */
    public record Result(List<int[]> tokenizations, List<int[]> continuations, List<double[]> decodeMs, List<Log> logs, int loadLogs) {
        /** The lines llama.cpp logged while loading the file. */
        public List<Log> loading() { return logs.subList(0, loadLogs); }
    }

    private LlamaCpp() {}

    /** Runs {@code request}; an IOException says what is missing (node, the npm package) or what llama.cpp refused, with its log. */
    public static Result run(Request request) throws IOException, InterruptedException {
        Path folder = folder();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", request.model().toAbsolutePath().toString());
        body.put("prompts", request.prompts());
        body.put("steps", request.steps());
        body.put("texts", request.texts());
        body.put("repeats", request.repeats());
        Process node;
        try {
            node = new ProcessBuilder("node", "greedy.mjs").directory(folder.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new IOException("cannot start node (Node.js 20 or later on the PATH is needed for the llama.cpp oracle): " + e.getMessage(), e);
        }
        try (var in = node.getOutputStream()) {
            in.write(JSON.writeValueAsBytes(body));
        }
        byte[] out = node.getInputStream().readAllBytes();
        if (!node.waitFor(10, TimeUnit.MINUTES)) {
            node.destroyForcibly();
            throw new IOException("llama.cpp did not finish within 10 minutes on " + request.model());
        }
        String text = new String(out, StandardCharsets.UTF_8).strip();
        JsonNode json;
        try {
            json = JSON.readTree(text.substring(Math.max(0, text.lastIndexOf('\n') + 1)));
        } catch (IOException e) {
            throw new IOException("greedy.mjs exited with " + node.exitValue() + " without its JSON answer; it printed: " + text);
        }
        List<Log> logs = new ArrayList<>();
        for (JsonNode l : json.path("logs")) logs.add(new Log(l.path("level").asText(), l.path("message").asText()));
        if (json.has("error")) {
            throw new IOException("llama.cpp could not run " + request.model().getFileName() + ": " + json.get("error").asText()
                    + "\n" + String.join("\n", logs.stream().filter(Log::atLeastWarn).map(l -> l.level() + " " + l.message()).toList()));
        }
        List<double[]> ms = new ArrayList<>();
        for (JsonNode times : json.path("decodeMs")) {
            double[] t = new double[times.size()];
            for (int i = 0; i < t.length; i++) t[i] = times.get(i).asDouble();
            ms.add(t);
        }
        int loadLogs = json.path("loadLogs").asInt(-1);
        if (loadLogs < 0 || loadLogs > logs.size()) throw new IOException("greedy.mjs answered without a loadLogs count within its " + logs.size() + " log lines: " + text);
        return new Result(ids(json.path("tokenizations")), ids(json.path("continuations")), ms, logs, loadLogs);
    }

    /** The Node project with node-llama-cpp installed, or an IOException saying how to install it. */
    static Path folder() throws IOException {
        Path folder = Path.of(FOLDER).toAbsolutePath();
        if (!Files.isRegularFile(folder.resolve("greedy.mjs"))) {
            throw new IOException(folder.resolve("greedy.mjs") + " is missing: run from the tiny-models module (Maven's test phase does)");
        }
        if (!Files.isDirectory(folder.resolve("node_modules/node-llama-cpp"))) {
            throw new IOException("node-llama-cpp is not installed in " + folder + ": run `./mvnw -pl tiny-models -am test` (its npm install step"
                    + " runs with the tests) or `npm install --ignore-scripts` there");
        }
        return folder;
    }

    private static List<int[]> ids(JsonNode lists) {
        List<int[]> out = new ArrayList<>();
        for (JsonNode list : lists) {
            int[] ids = new int[list.size()];
            for (int i = 0; i < ids.length; i++) ids[i] = list.get(i).asInt();
            out.add(ids);
        }
        return out;
    }
}
