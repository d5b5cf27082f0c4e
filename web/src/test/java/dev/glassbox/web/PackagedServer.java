package dev.glassbox.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged app as a user starts it: {@code java -jar web/target/glassbox.jar [options]} run from the top of the
 * repository with the JDK's own launcher and nothing else: no JVM options, and none slipped in through
 * JDK_JAVA_OPTIONS or JAVA_TOOL_OPTIONS. Its stdout and stderr go to two files, kept for reading after a failure.
 */
final class PackagedServer implements AutoCloseable {
    /** What the README's command builds, relative to the top of the repository. */
    static final String JAR = "web/target/glassbox.jar";
    /** Log lines that mean something went wrong in the server, whatever the answers said (e.g. "NoClassDefFoundError:"). */
    static final Pattern TROUBLE = Pattern.compile("ERROR|SEVERE|Exception|\\w+Error:");
    private static final Pattern RUNNING = Pattern.compile("Glassbox is running at (http://localhost:(\\d+)/\\S*)");

    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final int port;
    private final String link;

    private PackagedServer(Process process, Path stdout, Path stderr, String link) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.link = link;
        this.port = java.net.URI.create(link).getPort();
    }

    /** The top of the repository: failsafe runs in the web module's folder ({@code basedir}). */
    static Path repository() {
        Path web = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        Path top = web.getParent();
        if (top == null || !Files.isRegularFile(top.resolve(JAR))) {
            throw new AssertionError("No packaged app at " + (top == null ? web : top).resolve(JAR)
                    + ": these tests run after `package` (./mvnw verify, or ./mvnw package -DskipTests first)");
        }
        return top;
    }

    /**
     * Starts {@code java -jar web/target/glassbox.jar options...} with its output in {@code logs/name.stdout.log} and
     * {@code .stderr.log}, and waits for its "Glassbox is running at" line.
     */
    static PackagedServer start(List<String> options, Path logs, String name, Duration startup) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR));
        command.addAll(options);
        Files.createDirectories(logs);
        Path out = logs.resolve(name + ".stdout.log"), err = logs.resolve(name + ".stderr.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(repository().toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("_JAVA_OPTIONS");
        builder.environment().remove(Main.PASSPHRASE_ENV);
        Process process = builder.start();
        long deadline = System.nanoTime() + startup.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = RUNNING.matcher(Files.readString(out, StandardCharsets.UTF_8));
            if (m.find()) return new PackagedServer(process, out, err, m.group(1));
            if (!process.isAlive()) {
                throw new AssertionError("the server exited with " + process.exitValue() + " before saying where it runs: "
                        + command + "\n" + text(out, err));
            }
            Thread.sleep(100);
        }
        process.destroyForcibly().waitFor();
        throw new AssertionError("no \"Glassbox is running at\" line within " + startup.toSeconds() + " s: " + command + "\n" + text(out, err));
    }

    int port() {
        return port;
    }

    /** The link it printed for the user to open (with the owner's token in single-user mode). */
    String link() {
        return link;
    }

    /** The process {@code java -jar} started: the launcher, whose child JVM runs the server when it lacks the Vector API. */
    Process process() {
        return process;
    }

    /** Everything it printed so far: stdout, then stderr. */
    String output() {
        return text(stdout, stderr);
    }

    /** The lines so far that say something went wrong, stderr's marked. */
    List<String> troubles() {
        List<String> found = new ArrayList<>();
        for (String line : lines(stdout)) if (TROUBLE.matcher(line).find()) found.add(line);
        for (String line : lines(stderr)) if (TROUBLE.matcher(line).find()) found.add("[stderr] " + line);
        return found;
    }

    /** Asks the server to stop (SIGTERM, as Ctrl+C or a service manager would) and waits for it; returns its exit code. */
    int stop(Duration grace) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the server did not stop within " + grace.toSeconds() + " s of SIGTERM:\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    private static String text(Path out, Path err) {
        return "--- stdout (" + out.getFileName() + ")\n" + String.join("\n", lines(out))
                + "\n--- stderr (" + err.getFileName() + ")\n" + String.join("\n", lines(err));
    }

    private static List<String> lines(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            return List.of("[cannot read " + file + ": " + e.getMessage() + "]");
        }
    }
}
