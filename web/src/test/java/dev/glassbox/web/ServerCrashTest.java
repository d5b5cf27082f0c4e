package dev.glassbox.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server is killed with SIGKILL while learners autosave; after a restart no acknowledged edit is lost. */
class ServerCrashTest {
    private static final Pattern RUNNING_AT = Pattern.compile("running at (http://localhost:(\\d+)/\\S*)");
    private static final String LESSON = "vectors-in-the-notebook";

    @TempDir
    Path data;

    @Test
    void killedMidSaveLosesNothingThatWasAcknowledged() throws Exception {
        Process server = startServer();
        Browserless learner = Browserless.opening(linkOf(server)).login();
        List<String> cells = new ArrayList<>();
        Browserless.json(learner.get("/api/lessons/" + LESSON)).get("cells").forEach(c -> cells.add(c.get("id").asText()));

        // each writer keeps saving new versions of its own cell, remembering the last one the server confirmed
        Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (String cell : cells) {
            writers.add(Thread.ofPlatform().start(() -> {
                for (int version = 1; !stop.get(); version++) {
                    try {
                        String code = "// version " + version + "\n" + "x".repeat(2000) + "\n// end " + version;
                        var r = learner.call("PUT", "/api/lessons/" + LESSON + "/cells/" + cell, Map.of("code", code));
                        if (r.statusCode() == 200) acknowledged.put(cell, version);
                    } catch (Exception e) {
                        return;                                   // the server is gone
                    }
                }
            }));
        }
        Thread.sleep(1500);
        List<ProcessHandle> kernels = server.descendants().toList();
        assertTrue(!kernels.isEmpty(), "the server has pre-started kernels");
        server.destroyForcibly();                                 // SIGKILL, mid-save
        server.waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle kernel : kernels) {                   // no orphans: a kernel exits when its server's pipe closes
            kernel.onExit().get(15, TimeUnit.SECONDS);
        }
        stop.set(true);
        for (Thread t : writers) t.join(10_000);
        assertTrue(acknowledged.size() == cells.size(), "every writer got saves through before the kill: " + acknowledged);

        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("glassbox.db"));
             ResultSet rs = db.createStatement().executeQuery("PRAGMA integrity_check")) {
            rs.next();
            assertEquals("ok", rs.getString(1));
        }

        Process restarted = startServer();
        try {
            Browserless sameLearner = learner.rebase(portOf(restarted));   // the token is kept in the data folder: the cookie still counts   // same cookie, new port
            JsonNode state = Browserless.json(sameLearner.get("/api/lessons/" + LESSON + "/state")).get("cells");
            for (String cell : cells) {
                String code = state.get(cell).get("code").asText();
                Matcher m = Pattern.compile("^// version (\\d+)\n(x{2000})\n// end (\\d+)$").matcher(code);
                assertTrue(m.matches(), "cell " + cell + " holds a whole version, not a torn one: " + code.substring(0, Math.min(60, code.length())));
                assertEquals(m.group(1), m.group(3));
                int saved = Integer.parseInt(m.group(1));
                // the saved version is the last acknowledged one, or one sent after it whose answer the kill cut off
                assertTrue(saved >= acknowledged.get(cell), "cell " + cell + ": saved v" + saved + " but v" + acknowledged.get(cell) + " was acknowledged");
            }
        } finally {
            restarted.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process startServer() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--port", "0", "--data", data.toString());
        builder.redirectErrorStream(true);
        return builder.start();
    }

    private static final Map<Process, String> PORTS = new ConcurrentHashMap<>();

    /** Reads the server's start-up line for its port (and keeps draining its output). */
    private static int portOf(Process server) throws Exception {
        return java.net.URI.create(linkOf(server)).getPort();
    }

    /** The link the server printed at start-up. */
    private static String linkOf(Process server) throws Exception {
        String known = PORTS.get(server);
        if (known != null) return known;
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (String line; System.nanoTime() < deadline && (line = out.readLine()) != null; ) {
            Matcher m = RUNNING_AT.matcher(line);
            if (m.find()) {
                PORTS.put(server, m.group(1));
                Thread.ofPlatform().daemon().start(() -> out.lines().forEach(l -> { }));
                return m.group(1);
            }
        }
        throw new AssertionError("the server did not print its address within 60 s");
    }
}
