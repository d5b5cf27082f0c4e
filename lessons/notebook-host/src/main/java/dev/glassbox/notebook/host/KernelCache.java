package dev.glassbox.notebook.host;

import dev.glassbox.notebook.protocol.HostMessage;
import dev.glassbox.notebook.protocol.KernelMessage;
import dev.glassbox.notebook.protocol.Seal;
import dev.glassbox.notebook.protocol.Wire;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * An ahead-of-time cache for kernel JVMs (JDK 25's {@code -XX:AOTCache}, JEP 483): the classes a kernel loads
 * (JShell, javac, Jackson, Glassbox), already parsed and verified, in a file every kernel maps read-only.
 * Measured on one kernel: a quarter less CPU to start, about 20% less CPU over its first 40 cells (its JIT
 * compilers have less to do) and 10 MB less resident memory; the mapped classes are shared between kernels.
 * <p>
 * It is made once per JDK, class path and kernel options, in a folder of the server's data: a training run of
 * the kernel (Glassbox's own cells only, never a learner's) records what it loads, then a second JVM writes the
 * cache. Until it exists, and wherever it cannot be made, kernels start without it. The JDK cannot cache classes
 * from folders, only from jars: in a build's test run (class folders) kernels do without it. Because of the
 * incubating Vector API module the cache holds classes but no linked classes or method profiles (the JDK does
 * not archive a module graph with incubator modules).
 */
final class KernelCache {
    private static final Logger LOG = Logger.getLogger(KernelCache.class.getName());
    private static final long TRAINING_TIMEOUT_SECONDS = 180;

    /** What the training run does besides the kernel's own warm-up: the kinds of cell the lessons have. */
    static final List<String> TRAINING = List.of(
            "int trainA = 20;\nint trainB = trainA + 1;\ntrainA + trainB",
            "static float trainDot(float[] a, float[] b) {\n    float s = 0f;\n    for (int i = 0; i < a.length; i++) s += a[i] * b[i];\n"
                    + "    return s;\n}\nRandom trainRandom = new Random(42);\nfloat[] trainX = new float[4096];\n"
                    + "for (int i = 0; i < trainX.length; i++) trainX[i] = trainRandom.nextFloat();\nSystem.out.println(\"dot = \" + trainDot(trainX, trainX));",
            "static float trainDotVector(float[] a, float[] b) {\n    VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;\n"
                    + "    FloatVector acc = FloatVector.zero(s);\n    int i = 0;\n"
                    + "    for (; i < s.loopBound(a.length); i += s.length()) acc = FloatVector.fromArray(s, a, i).fma(FloatVector.fromArray(s, b, i), acc);\n"
                    + "    float sum = acc.reduceLanes(VectorOperators.ADD);\n    for (; i < a.length; i++) sum += a[i] * b[i];\n    return sum;\n}\n"
                    + "trainDotVector(trainX, trainX)",
            "List<String> trainList = new ArrayList<>(List.of(\"b\", \"a\"));\nCollections.sort(trainList);\n"
                    + "trainList.stream().map(String::toUpperCase).collect(Collectors.joining(\", \"))",
            "Map<String, Integer> trainCounts = new TreeMap<>();\nfor (String w : \"a b a\".split(\" \")) trainCounts.merge(w, 1, Integer::sum);\ntrainCounts",
            "record TrainPoint(int x, int y) {}\nnew TrainPoint(1, 2)",
            "Display.table(new String[] {\"a\", \"b\"}, new Object[][] {{1, \"x\"}, {2, \"y\"}});",
            "Display.heatmap(\"m\", new float[][] {{1, 2}, {3, 4}});",
            "Display.bars(\"b\", new String[] {\"x\", \"y\"}, new double[] {1, 2});",
            "int trainBad = \"text\";",
            "Integer.parseInt(\"not a number\")",
            "String.format(\"%.3f\", Math.sqrt(2))");

    private final KernelSettings settings;
    private final Sandbox sandbox;
    private final Path dir;
    private volatile Path file;

    /** A cache for kernels started with {@code settings} in {@code sandbox}, which is made in the same sandbox. */
    KernelCache(KernelSettings settings, Sandbox sandbox) {
        this.settings = settings;
        this.sandbox = sandbox;
        this.dir = settings.scratchRoot().resolve("kernel-cache");
    }

    /** The cache file when it is ready, else null. */
    Path file() {
        return file;
    }

    /** Finds the cache for these settings or makes it (seconds of CPU, once); kernels use it from then on. */
    void prepare() {
        try {
            if (!settings.libraries().all().stream().allMatch(Files::isRegularFile)) {
                LOG.fine("kernels start without an AOT cache: the class path has folders, and the JDK only caches classes from jars");
                return;
            }
            Path target = dir.resolve("kernel-" + key() + ".aot");
            if (Files.isRegularFile(target)) {
                file = target;
                return;
            }
            Files.createDirectories(dir);
            try (Stream<Path> old = Files.list(dir)) {              // caches for other JDKs, class paths or options
                for (Path p : old.toList()) Files.deleteIfExists(p);
            }
            long started = System.nanoTime();
            Path configuration = dir.resolve("training.aotconf");
            Path partial = dir.resolve("kernel.aot.partial");
            train(configuration);
            List<String> create = new ArrayList<>(List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + sandbox.inCache(configuration),
                    "-XX:AOTCache=" + sandbox.inCache(partial)));
            create.addAll(loading());       // as the kernels start: a different main module would disable the cache
            run(create, null);
            if (!Files.isRegularFile(partial)) throw new IOException("the JVM wrote no cache");
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(configuration);
            file = target;
            LOG.info("kernel AOT cache made in " + (System.nanoTime() - started) / 1_000_000 + " ms: " + target
                    + " (" + Files.size(target) / (1 << 20) + " MB)");
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.INFO, "kernels start without an AOT cache: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a kernel with the cells above (no learner's code) and records what it loads in {@code configuration}. */
    private void train(Path configuration) throws IOException, InterruptedException {
        Files.deleteIfExists(configuration);
        List<String> cells = new ArrayList<>();
        long id = 1;
        for (String code : TRAINING) cells.add(Wire.encode(new HostMessage.Execute(id++, code, "training", false)));
        cells.add(Wire.encode(new HostMessage.Execute(id++, "assertEquals(41, trainA + trainB, \"sum\");", "check", true)));
        cells.add(Wire.encode(new HostMessage.Complete(id++, "trainList.str", 13)));
        List<String> record = new ArrayList<>(List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + sandbox.inCache(configuration)));
        record.addAll(loading());
        run(record, cells);
        if (!Files.isRegularFile(configuration)) throw new IOException("the training run recorded nothing");
    }

    /**
     * Runs a JVM with the kernels' options and {@code arguments}. With {@code requests}, it is a kernel: they
     * are sent one at a time after it is ready, each answered before the next, then it is shut down.
     */
    private void run(List<String> arguments, List<String> requests) throws IOException, InterruptedException {
        List<String> java = new ArrayList<>();
        java.add(sandbox.java());
        java.addAll(KernelProcess.jvmOptions(settings, sandbox.available() ? Sandbox.SCRATCH : dir.toString()));
        Path jit = KernelJit.file(settings);
        java.addAll(KernelJit.options(jit, sandbox));
        java.addAll(arguments);
        Sandbox.Command command = sandbox.wrapCacheMaker(java, settings.libraries().all(), jit, dir, dir);
        ProcessBuilder builder = new ProcessBuilder(command.arguments()).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().put("LANG", "C.UTF-8");
        if (requests == null) builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            if (command.argumentsFile() != null) Files.deleteIfExists(command.argumentsFile());
            throw e;
        }
        try {
            if (requests != null) {
                BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                OutputStream out = process.getOutputStream();
                out.write((Wire.encode(Seal.random().handOver()) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                awaitLine(in, KernelMessage.Ready.class, -1);
                for (String request : requests) {
                    out.write((request + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    long requestId = Wire.decode(request, HostMessage.class) instanceof HostMessage.Execute e ? e.id()
                            : ((HostMessage.Complete) Wire.decode(request, HostMessage.class)).id();
                    awaitLine(in, null, requestId);
                }
                out.write((Wire.encode(new HostMessage.Shutdown()) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            if (!process.waitFor(TRAINING_TIMEOUT_SECONDS, TimeUnit.SECONDS)) throw new IOException("timed out");
            if (process.exitValue() != 0) throw new IOException("exit code " + process.exitValue() + " from " + arguments.getFirst());
        } finally {
            process.destroyForcibly();
        }
    }

    /** Reads the kernel's output until a message of {@code type}, or the reply (or completions) to request {@code id}. */
    private static void awaitLine(BufferedReader in, Class<?> type, long id) throws IOException {
        for (String line; (line = in.readLine()) != null; ) {
            if (!line.startsWith("{")) continue;
            KernelMessage message;
            try {
                message = Wire.decode(line, KernelMessage.class);
            } catch (IOException e) {
                continue;
            }
            if (type != null && type.isInstance(message)) return;
            if (message instanceof KernelMessage.Reply r && r.id() == id) return;
            if (message instanceof KernelMessage.Completions c && c.id() == id) return;
        }
        throw new IOException("the training kernel ended early");
    }

    /** The kernels' module path, class path and main class, named as the kernels see them. */
    private List<String> loading() {
        return KernelProcess.loading(settings.libraries(), sandbox);
    }

    /** Names the cache after everything it depends on: the JDK, the kernels' options, and each jar's path, size and time. */
    private String key() throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            List<String> parts = new ArrayList<>(List.of(System.getProperty("java.home"), System.getProperty("java.vm.version")));
            parts.addAll(KernelProcess.jvmOptions(settings, dir.toString()));
            parts.add(KernelJit.DIRECTIVES);
            for (Path jar : settings.libraries().all()) {
                parts.add(jar + " " + Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis());
            }
            for (String part : parts) digest.update((part + "\n").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
