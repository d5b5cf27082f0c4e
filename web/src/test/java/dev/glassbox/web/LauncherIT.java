package dev.glassbox.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's plain {@code java -jar web/target/glassbox.jar}: the launcher answers --help and bad options itself,
 * starts the server in a child JVM with the Vector API, and never leaves that child behind.
 */
class LauncherIT {
    @TempDir
    Path data;

    @Test
    void helpAndBadOptionsAreAnsweredWithoutAServer() throws Exception {
        Run help = run("--help");
        assertEquals(0, help.exit, help.output);
        assertTrue(help.output.contains("Usage: java -jar web/target/glassbox.jar"), help.output);

        Run bad = run("--port", "seventy");
        assertEquals(2, bad.exit, bad.output);
        assertTrue(bad.output.contains("--port expects a number from 0 to 65535, got \"seventy\""), bad.output);
    }

    @Test
    void theServerRunsWithTheVectorApiAndStopsWithTheLauncher() throws Exception {
        try (PackagedServer server = PackagedServer.start(List.of("--port", "0", "--data", data.toString()),
                data.resolve("logs"), "launcher", Duration.ofMinutes(3))) {
            String health = get(server.port(), "/api/health");
            assertTrue(health.contains("\"vectorApi\":true"), "the server's JVM has jdk.incubator.vector: " + health);
            ProcessHandle child = serverJvm(server.process());

            server.process().toHandle().destroyForcibly();   // the launcher dies without a word (kill -9)
            assertTrue(child.onExit().get(60, TimeUnit.SECONDS) != null, "child ended");
            assertFalse(child.isAlive(), "the server JVM stops when its launcher is killed");
            assertThrows(ConnectException.class, () -> get(server.port(), "/api/health"));
        }
    }

    @Test
    void sigtermStopsBothAndTheServerShutsDownCleanly() throws Exception {
        PackagedServer server = PackagedServer.start(List.of("--port", "0", "--data", data.toString()),
                data.resolve("logs"), "sigterm", Duration.ofMinutes(3));
        try (server) {
            ProcessHandle child = serverJvm(server.process());
            int exit = server.stop(Duration.ofSeconds(60));
            assertTrue(exit == 143 || exit == 0, "SIGTERM exit code, got " + exit);
            child.onExit().get(30, TimeUnit.SECONDS);
            assertTrue(server.output().contains("Javalin has stopped"), "the server closed itself:\n" + server.output());
            assertEquals(List.of(), server.troubles());
        }
    }

    /** The child JVM the launcher started: it carries the launcher's pid. */
    private static ProcessHandle serverJvm(Process launcher) {
        List<ProcessHandle> children = launcher.toHandle().children()
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(Launcher.PARENT_PID + "=" + launcher.pid())).orElse(false))
                .toList();
        assertEquals(1, children.size(), "one server JVM under the launcher, found " + children);
        return children.getFirst();
    }

    private static String get(int port, String path) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private record Run(int exit, String output) {}

    private static Run run(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", PackagedServer.JAR));
        command.addAll(List.of(options));
        ProcessBuilder builder = new ProcessBuilder(command).directory(PackagedServer.repository().toFile()).redirectErrorStream(true);
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(p.toHandle().descendants().findAny().isEmpty());
        return new Run(p.exitValue(), out);
    }
}
