package dev.glassbox.web.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the launcher costs at start-up: the README's plain {@code java -jar glassbox.jar}, which starts the server in
 * a second JVM with the Vector API, against {@code java --add-modules jdk.incubator.vector -jar glassbox.jar}, which
 * needs no second JVM. Rounds alternate the two on one data folder (models prepared once beforehand), each timed from
 * the process start to the first 200 from {@code /api/health}. Prints the median and spread of each and of the
 * difference per round:
 * <pre>RESULT startup_launcher_extra_ms=...</pre>
 * Run: {@code ./mvnw -q -pl web -am -Pbench verify} (with the other web benchmarks), or
 * {@code java -cp <test class path> dev.glassbox.web.bench.StartupBenchmark web/target/glassbox.jar [rounds]}.
 */
public final class StartupBenchmark {
    private static final Pattern RUNNING_AT = Pattern.compile("running at http://localhost:(\\d+)/");

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "web/target/glassbox.jar");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        if (!Files.isRegularFile(jar)) throw new IllegalArgumentException("no jar at " + jar + ": build it with ./mvnw -q package -DskipTests");
        Path data = Files.createTempDirectory("glassbox-startup-bench");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> plain = List.of(java, "-jar", jar.toString(), "--port", "0", "--data", data.toString());
        List<String> direct = List.of(java, "--add-modules", "jdk.incubator.vector", "-jar", jar.toString(), "--port", "0", "--data", data.toString());
        startAndStop(direct);   // prepares the shipped models and warms the file cache
        double[] launcher = new double[rounds], module = new double[rounds], extra = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            boolean plainFirst = r % 2 == 0;   // alternate, so a drift in machine load falls on both
            double a = plainFirst ? startAndStop(plain) : 0;
            double b = startAndStop(direct);
            if (!plainFirst) a = startAndStop(plain);
            launcher[r] = a;
            module[r] = b;
            extra[r] = a - b;
            System.out.printf("round %d: java -jar %.0f ms, with --add-modules %.0f ms%n", r, a, b);
        }
        System.out.printf("java -jar (launcher): %s%nwith --add-modules:  %s%nextra per round:     %s%n",
                summary(launcher), summary(module), summary(extra));
        System.out.printf("RESULT startup_launcher_extra_ms=%.0f%n", median(extra));
    }

    /** Milliseconds from starting the command to the first 200 of /api/health; then stops the server. */
    private static double startAndStop(List<String> command) throws Exception {
        long start = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        Process server = builder.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            int port = -1;
            for (String line; (line = out.readLine()) != null; ) {
                Matcher m = RUNNING_AT.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                    break;
                }
            }
            if (port < 0) throw new IllegalStateException("the server exited before printing its address: " + command);
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    out.lines().forEach(l -> { });
                } catch (java.io.UncheckedIOException closed) {
                    // the server was stopped
                }
            });
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/health")).build();
            while (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) Thread.sleep(5);
            return (System.nanoTime() - start) / 1e6;
        } finally {
            server.destroy();
            if (!server.waitFor(60, TimeUnit.SECONDS)) server.destroyForcibly();
        }
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String summary(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        List<String> parts = new ArrayList<>();
        parts.add(String.format("median %.0f ms", median(s)));
        parts.add(String.format("min %.0f", s[0]));
        parts.add(String.format("max %.0f", s[s.length - 1]));
        return String.join(", ", parts);
    }
}
