package dev.glassbox.notebook.host.containment;

import dev.glassbox.notebook.host.ExecuteReply;
import dev.glassbox.notebook.host.ExecuteReply.Status;
import dev.glassbox.notebook.host.Kernel;
import dev.glassbox.notebook.host.KernelPool;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.notebook.host.Sandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static dev.glassbox.notebook.host.containment.Replies.error;
import static dev.glassbox.notebook.host.containment.Replies.stdout;
import static dev.glassbox.notebook.host.containment.Replies.summary;
import static dev.glassbox.notebook.host.containment.Replies.text;
import static dev.glassbox.notebook.host.containment.Replies.value;
import static dev.glassbox.notebook.host.containment.Replies.weight;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile cells against a real sandboxed kernel. Each case runs one cell in the "attacker" kernel and
 * asserts that its reply arrives within the time limit plus grace (with a clear status), that
 * containment held, and that another learner's "bystander" kernel answers {@code 1 + 1} meanwhile.
 * The attacker kernel is reused from case to case; a case that restarts it leaves the same
 * {@link Kernel} with a fresh JVM. Cases run in {@link Order} (grouped by topic in this file): those that
 * restart the kernel are spread out, so that the pool has started a new JVM by the time the next one
 * needs it. Each case's status, time and message are written to {@code target/containment-cases.txt}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainmentTest {
    private static final Duration LIMIT = Duration.ofSeconds(3);
    private static final Duration SLACK = Duration.ofSeconds(3);
    private static final Duration BYSTANDER_BOUND = Duration.ofSeconds(4);
    /** In this class's constant pool only: a cell that can read this class file would print it. */
    private static final String CANARY = "canary-4d1f0e8a-class-file";
    /** The content of a file in the shared models folder, which every kernel may read and none may change. */
    private static final String MODEL_CANARY = "{\"canary\": \"shared-model-5b2c\"}";

    @TempDir
    static Path tempDir;
    static Path models;
    static Sandbox sandbox;
    static KernelPool pool;
    static Kernel attacker;
    static Kernel bystander;
    static HostPorts hostPorts;
    static Duration bound;
    static final ExecutorService bystanderThread = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("bystander").unstarted(r));
    static final List<String> log = Collections.synchronizedList(new ArrayList<>());
    static final long started = System.nanoTime();
    private String caseName = "";

    @BeforeAll
    static void startKernels() throws IOException {
        sandbox = Sandbox.detect();
        if (!sandbox.available()) {
            fail("containment tests need the real sandbox, but " + sandbox
                    + ". Install bubblewrap (apt-get install bubblewrap; CI does this in .ci/run).");
        }
        models = Files.createDirectories(tempDir.resolve("models").resolve("minilm")).getParent();
        Files.writeString(models.resolve("minilm/config.json"), MODEL_CANARY);
        pool = new KernelPool(KernelSettings.defaults(tempDir).withTimeLimit(LIMIT).withPoolSize(2).withSharedModels(models), sandbox);
        bound = LIMIT.plus(pool.settings().grace()).plus(SLACK);
        attacker = pool.open();
        bystander = pool.open();
        assertEquals("2", value(bystander.execute("1 + 1", "warm", o -> {})));
        assertEquals("2", value(attacker.execute("1 + 1", "warm", o -> {})));
        hostPorts = new HostPorts();
        log.add("sandbox: " + sandbox + ", kernels ready after " + seconds() + " s");
    }

    @AfterAll
    static void stopKernels() throws IOException {
        log.add("total " + seconds() + " s");
        System.out.println("---- containment cases ----\n" + String.join("\n", log));
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "containment-cases.txt"), log);
        if (hostPorts != null) hostPorts.close();
        if (attacker != null) attacker.close();
        if (bystander != null) bystander.close();
        if (pool != null) pool.close();
        bystanderThread.shutdownNow();
    }

    @BeforeEach
    void name(TestInfo info) {
        String method = info.getTestMethod().map(m -> m.getName()).orElse("");
        caseName = info.getDisplayName().startsWith(method) ? method : method + ": " + info.getDisplayName();
    }

    // ---------------------------------------------------------------- the helper every case uses

    private ExecuteReply assertContained(String cell, Consumer<ExecuteReply> check) {
        return assertContained(cell, bound, check);
    }

    /**
     * Runs {@code cell} in the attacker kernel while the bystander kernel runs {@code 1 + 1} (starting half
     * a second in); asserts the attacker's reply arrives within {@code limit} with a status and, unless
     * it is OK, a message, that the bystander answered 2 within {@link #BYSTANDER_BOUND}, then {@code check}.
     */
    private ExecuteReply assertContained(String cell, Duration limit, Consumer<ExecuteReply> check) {
        CompletableFuture<Long> bystanderMillis = CompletableFuture.supplyAsync(() -> {
            sleep(500);
            long start = System.nanoTime();
            ExecuteReply reply = bystander.execute("1 + 1", "bystander", o -> {});
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals("2", value(reply), "the bystander's cell: " + summary(reply));
            return millis;
        }, bystanderThread);
        int warm = pool.warmCount();
        long start = System.nanoTime();
        ExecuteReply reply = attacker.execute(cell, "attack", o -> {});
        long millis = (System.nanoTime() - start) / 1_000_000;
        long other;
        try {
            other = bystanderMillis.get(BYSTANDER_BOUND.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("the bystander kernel did not answer while " + caseName + " ran: " + e, e);
        }
        log.add(String.format("%3d s %-70s %s | bystander %d ms | warm %d", seconds(), caseName, summary(reply), other, warm));
        assertTrue(millis <= limit.toMillis(), caseName + ": the reply took " + millis + " ms, more than " + limit.toMillis()
                + " ms: " + summary(reply));
        if (reply.status() != Status.OK) {
            assertFalse(error(reply).isBlank(), "a " + reply.status() + " reply says what happened: " + text(reply));
        }
        if (reply.restarted()) {
            assertTrue(text(reply).contains("restarted") || text(reply).contains("new one was started"),
                    "a restart is announced: " + text(reply));
        }
        assertTrue(other <= BYSTANDER_BOUND.toMillis(), "the bystander waited " + other + " ms for 1 + 1 while "
                + caseName + " ran");
        check.accept(reply);
        return reply;
    }

    /** The attacker kernel answers a trivial cell (it survived, or was restarted and works). */
    private static void assertUsable() {
        ExecuteReply reply = attacker.execute("1 + 1", "after", o -> {});
        assertEquals("2", value(reply), "the kernel works after the case: " + summary(reply) + "\n" + text(reply));
    }

    /**
     * Waits until a started kernel JVM is waiting in the pool, so that a case which restarts the attacker
     * measures containment, not how long a JVM takes to start on a busy two-core machine.
     */
    private static void awaitWarmKernel() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (pool.warmCount() == 0) {
            if (System.nanoTime() > deadline) fail("no warm kernel after 90 s");
            sleep(100);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long seconds() {
        return (System.nanoTime() - started) / 1_000_000_000;
    }

    private static void assertNotIn(ExecuteReply reply, String secret) {
        assertFalse(text(reply).contains(secret), "the secret \"" + secret + "\" leaked: " + text(reply));
    }

    // ---------------------------------------------------------------- cells that never end

    static Stream<Arguments> endlessCells() {
        return Stream.of(
                Arguments.of("a plain loop", "while (true) { }"),
                Arguments.of("a loop that catches every Throwable", "while (true) { try { while (true) { } } catch (Throwable t) { } }"),
                Arguments.of("sleeping forever", "Thread.sleep(Long.MAX_VALUE);"),
                Arguments.of("a value whose toString never returns", "new Object() { public String toString() { while (true) { } } }"),
                Arguments.of("an exception whose message never comes",
                        "throw new RuntimeException() { public String getMessage() { while (true) { } } };"),
                Arguments.of("a wait inside the JDK, deaf to interrupts", "new java.util.concurrent.CompletableFuture<Void>().join();"));
    }

    @Order(10)
    @ParameterizedTest(name = "{0}")
    @MethodSource("endlessCells")
    void endlessCellIsStoppedWithinTheLimitPlusGrace(String name, String cell) {
        assertStopped(cell);
    }

    /** Cells that (may) leave the kernel stuck, so it is killed and restarted: run apart, while the pool refills. */
    static Stream<Arguments> stuckCells() {
        return Stream.of(
                Arguments.of("an endless stream", "Stream.iterate(0, i -> i + 1).filter(i -> i < 0).findFirst()"),
                Arguments.of("reading the kernel's real stdin (the protocol)", "new FileInputStream(FileDescriptor.in).read()"));
    }

    @Order(25)
    @ParameterizedTest(name = "{0}")
    @MethodSource("stuckCells")
    void stuckCellIsStoppedWithinTheLimitPlusGrace(String name, String cell) {
        assertStopped(cell);
    }

    private void assertStopped(String cell) {
        awaitWarmKernel();
        assertContained(cell, reply -> {
            assertEquals(Status.TIMEOUT, reply.status(), text(reply));
            assertTrue(text(reply).contains("the time limit for one cell"), text(reply));
        });
        assertUsable();
    }

    @Order(11)
    @Test
    void stdinIsEmpty() {
        assertContained("System.in.read()", reply -> assertEquals("-1", value(reply), text(reply)));
        assertContained("new Scanner(System.in).nextLine()", reply -> {
            assertEquals(Status.ERROR, reply.status());
            assertTrue(error(reply).contains("NoSuchElementException"), error(reply));
        });
        assertContained("new BufferedReader(new InputStreamReader(System.in)).readLine()",
                reply -> assertEquals("null", value(reply), text(reply)));
    }

    // ---------------------------------------------------------------- the host's files

    /** Names directly under {@code dir} that lead to something the sandbox binds (JDK, class path). */
    private static List<String> boundNamesUnder(Path dir) {
        List<Path> bound = new ArrayList<>(pool.settings().libraries().all());
        bound.add(Path.of(System.getProperty("java.home")));
        List<String> names = new ArrayList<>();
        for (Path p : bound) {
            Path real;
            try {
                real = p.toRealPath();
            } catch (IOException e) {
                real = p.toAbsolutePath();
            }
            for (Path q : List.of(p.toAbsolutePath(), real)) {
                if (q.startsWith(dir) && !q.equals(dir)) names.add(dir.relativize(q).getName(0).toString());
            }
        }
        return names;
    }

    static Stream<Arguments> hostFiles() throws IOException {
        Path secretFile = tempDir.resolve("secret.txt");
        String secret = "secret-" + UUID.randomUUID();
        Files.writeString(secretFile, secret);
        Path passwd = Path.of("/etc/passwd");
        String passwdLine = Files.readAllLines(passwd).getFirst();
        Path shadow = Path.of("/etc/shadow");
        String shadowLine = Files.isReadable(shadow) ? Files.readAllLines(shadow).getFirst() : "root:";
        Path pom = Path.of("pom.xml").toAbsolutePath();
        assertTrue(Files.readString(pom).contains("<artifactId>lessons</artifactId>"), "run from the lessons module: " + pom);
        Path testClass = Path.of(ContainmentTest.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .resolve(ContainmentTest.class.getName().replace('.', '/') + ".class");
        assertTrue(Files.readString(testClass, java.nio.charset.StandardCharsets.ISO_8859_1).contains(CANARY));
        return Stream.of(
                Arguments.of("/etc/passwd", passwd.toString(), passwdLine),
                Arguments.of("/etc/shadow", shadow.toString(), shadowLine),
                Arguments.of("the test's temp folder", secretFile.toString(), secret),
                Arguments.of("the repository's pom.xml", pom.toString(), "<artifactId>lessons</artifactId>"),
                Arguments.of("this test's class file (next to the kernel's class folder)", testClass.toString(), CANARY),
                // PID 1's root directory inside the sandbox (a /proc path, not a path of this machine)
                Arguments.of("/etc/passwd through PID 1's root", Path.of("/proc/1", "root", "etc", "passwd").toString(), passwdLine),
                Arguments.of("the host's /etc/hostname", "/etc/hostname", null),
                Arguments.of("the cgroup controls", "/sys/fs/cgroup/memory/memory.limit_in_bytes", null));
    }

    @Order(20)
    @ParameterizedTest(name = "{0}")
    @MethodSource("hostFiles")
    void hostFilesCannotBeRead(String name, String path, String secret) {
        assertContained("var p = Path.of(\"" + path + "\");\nnew String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1)",
                reply -> {
                    assertEquals(Status.ERROR, reply.status(), text(reply));
                    assertTrue(error(reply).contains("NoSuchFileException") || error(reply).contains("AccessDeniedException"), error(reply));
                    if (secret != null) assertNotIn(reply, secret);
                });
    }

    static Stream<Arguments> hostFolders() throws IOException {
        Files.writeString(tempDir.resolve("listing-canary.txt"), "the host folder is not empty");
        return Stream.of(
                Arguments.of("/root", Path.of("/root")),
                Arguments.of("the server's home folder", Path.of(System.getProperty("user.home"))),
                Arguments.of("/", Path.of("/")),
                Arguments.of("/etc", Path.of("/etc")),
                Arguments.of("/tmp", Path.of("/tmp")),
                Arguments.of("the test's temp folder", tempDir),
                Arguments.of("the repository", Path.of("..").toAbsolutePath().normalize()),
                Arguments.of("the folder of the first class path entry", pool.settings().libraries().all().getFirst().toAbsolutePath().getParent()));
    }

    /** A folder lists only what leads to the JDK and the class path, never the host's other files. */
    @Order(21)
    @ParameterizedTest(name = "{0}")
    @MethodSource("hostFolders")
    void hostFoldersShowOnlyWhatTheKernelNeeds(String name, Path dir) throws IOException {
        List<String> allowed = new ArrayList<>(boundNamesUnder(dir));
        if (dir.equals(Path.of("/"))) allowed.addAll(List.of("proc", "dev", "scratch", "models", "glassbox", "lib", "lib64", "bin", "usr"));
        assertContained("var p = Path.of(\"" + dir + "\");\n"
                + "Files.isDirectory(p) ? String.join(\"|\", Files.list(p).map(q -> q.getFileName().toString()).sorted().toList()) : \"(none)\"",
                reply -> {
                    String listing = value(reply) == null ? "" : value(reply).replace("\"", "");
                    if (reply.status() == Status.OK && !listing.equals("(none)") && !listing.isEmpty()) {
                        for (String entry : listing.split("\\|")) {
                            assertTrue(allowed.contains(entry), "the sandbox shows " + dir.resolve(entry) + ", which it does not need; "
                                    + "it may show " + allowed + ", shows " + listing);
                        }
                    }
                });
        // the host folder does hold more than that, or the case would prove nothing
        try (Stream<Path> host = Files.list(dir)) {
            assertTrue(host.anyMatch(p -> !allowed.contains(p.getFileName().toString())), dir + " holds nothing else");
        }
    }

    /**
     * The kernel has no /proc (but /proc/cpuinfo): through it a process reads its own memory, where the seal's key is,
     * writes to its own standard input, and learns its own and bubblewrap's command lines, environment and mounts.
     */
    @Order(22)
    @Test
    void procHoldsOnlyCpuinfo() {
        assertContained("String.join(\",\", Files.list(Path.of(\"/proc\")).map(p -> p.getFileName().toString()).sorted().toList())", reply -> {
            assertEquals(Status.OK, reply.status(), text(reply));
            assertEquals("\"cpuinfo\"", value(reply), text(reply));
        });
        assertContained("""
                for (String file : List.of("/proc/self/mem", "/proc/self/fd/0", "/proc/1/environ", "/proc/self/environ", "/proc/1/cmdline",
                        "/proc/self/cmdline", "/proc/self/mountinfo", "/proc/self/maps", "/proc/1/root/etc/passwd", "/dev/stdin")) {
                    System.out.println(file + (Files.exists(Path.of(file)) ? " is there" : " is not there"));
                }
                """, reply -> {
            assertEquals(Status.OK, reply.status(), text(reply));
            assertFalse(stdout(reply).contains(" is there"), stdout(reply));
            assertEquals(10, stdout(reply).lines().count(), stdout(reply));
        });
        assertContained("new String(Files.readAllBytes(Path.of(\"/proc/cpuinfo\"))).contains(\"processor\")",
                reply -> assertEquals("true", value(reply), text(reply)));
    }

    @Order(23)
    @Test
    void theKernelSeesNoOtherProcess() {
        long testPid = ProcessHandle.current().pid();
        long bystanderPid = bystander.pid();
        assertContained("ProcessHandle.allProcesses().map(p -> p.pid() + \" \" + p.info().command().orElse(\"?\")).toList()", reply -> {
            assertEquals(Status.OK, reply.status(), text(reply));
            assertNotIn(reply, "surefire");
            assertNotIn(reply, "maven");
        });
        for (long pid : List.of(testPid, bystanderPid)) {
            assertContained("ProcessHandle.of(" + pid + ").isPresent()",
                    reply -> assertEquals("false", value(reply), "the host process " + pid + " is visible: " + text(reply)));
        }
    }

    @Order(24)
    @Test
    void environmentAndPropertiesHoldNoServerSecrets() {
        String home = System.getProperty("user.home");
        assertContained("String.join(\",\", new TreeSet<>(System.getenv().keySet()))", reply -> {
            assertEquals(Status.OK, reply.status(), text(reply));
            for (String key : value(reply).replace("\"", "").split(",")) {
                assertTrue(List.of("LANG", "HOME", "PWD", "LD_LIBRARY_PATH").contains(key), "environment variable " + key + " reached the kernel");
            }
        });
        List<String> inside = sandbox.classPath(pool.settings().libraries().all());
        int modules = pool.settings().libraries().modulePath().size();
        String modulePath = String.join(java.io.File.pathSeparator, inside.subList(0, modules));
        String classPath = String.join(java.io.File.pathSeparator, inside.subList(modules, inside.size()));
        assertContained("""
                var props = new TreeMap<Object, Object>(System.getProperties());
                props.forEach((k, v) -> System.out.println(k + "=" + v));
                """, reply -> {
            String props = stdout(reply);
            assertTrue(props.contains("\nuser.home=/scratch\n") && props.contains("\nuser.dir=/scratch\n"), props);
            assertTrue(props.contains("\nuser.name=?\n") || props.contains("\nuser.name=nobody\n"), props);
            assertNotIn(reply, "surefire");
            // the module and class paths name the sandbox's neutral paths, one per entry of the kernel's libraries
            assertTrue(modulePath.startsWith(Sandbox.LIB + "/0-"), modulePath);
            assertTrue(classPath.startsWith(Sandbox.LIB + "/" + modules + "-"), classPath);
            assertTrue(props.contains("\njdk.module.path=" + modulePath + "\n"), "the module path is exactly the kernel's: " + props);
            assertTrue(props.contains("\njava.class.path=" + classPath + "\n"), "the class path is exactly the kernel's: " + props);
            String others = props.replace("java.class.path=" + classPath, "").replace("jdk.module.path=" + modulePath, "");
            assertFalse(others.contains(home), "a property names the server's home folder " + home + ": " + others);
            assertFalse(others.contains(Path.of("").toAbsolutePath().toString()), "a property names the server's working folder: " + others);
        });
    }

    // ---------------------------------------------------------------- host paths

    /**
     * What names the server's folders on this machine, which a cell must not learn: the data folder (the test's
     * temp folder holds the kernels' scratch root and the AOT cache), the models folder, the repository and the
     * folders of the class path's jars, the JDK's folder, the server's home folder and its user name.
     */
    private static List<String> hostSecrets() {
        List<String> secrets = new ArrayList<>(List.of(tempDir.toString(), models.toString(),
                Path.of("..").toAbsolutePath().normalize().toString(), System.getProperty("java.home"), System.getProperty("user.home")));
        for (Path entry : pool.settings().libraries().all()) secrets.add(entry.toAbsolutePath().getParent().toString());
        for (String s : List.copyOf(secrets)) {
            try {
                secrets.add(Path.of(s).toRealPath().toString());
            } catch (IOException ignored) {
                // not there: its own name is enough
            }
        }
        secrets.removeIf(s -> s.equals("/") || s.isBlank());
        return secrets;
    }

    /** The server's user name, as a word ("root" inside "/proc/1/root" is not a leak, "root" alone is). */
    private static void assertNoUserName(String seen, String where) {
        String user = System.getProperty("user.name");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<![A-Za-z0-9_.-])" + java.util.regex.Pattern.quote(user)
                + "(?![A-Za-z0-9_-])").matcher(seen);
        assertFalse(m.find(), where + " names the server's user " + user + ": "
                + (m.hitEnd() ? "" : seen.substring(Math.max(0, m.start() - 80), Math.min(seen.length(), m.end() + 80))));
    }

    private static void assertNoHostPath(String seen, String where) {
        for (String secret : hostSecrets()) {
            int at = seen.indexOf(secret);
            assertTrue(at < 0, where + " names the host path " + secret + ": "
                    + (at < 0 ? "" : seen.substring(Math.max(0, at - 80), Math.min(seen.length(), at + secret.length() + 80))));
        }
        assertNoUserName(seen, where);
    }

    /**
     * Everything a cell can read about how its JVM was started names no folder of the host: the class path, the
     * JVM's arguments and system properties, its environment ({@link #procHoldsOnlyCpuinfo}: no command lines, mounts
     * or mapped files to read).
     */
    @Order(26)
    @Test
    void noHostPathReachesTheKernel() {
        // two cells of one snippet each (a block), rather than one of many: JShell compiles each snippet apart,
        // and on a busy machine that alone can take the time limit
        List<String> cells = List.of("""
                {
                    var runtime = java.lang.management.ManagementFactory.getRuntimeMXBean();
                    System.out.println("class path: " + System.getProperty("java.class.path"));
                    System.out.println("runtime class path: " + runtime.getClassPath());
                    System.out.println("input arguments: " + runtime.getInputArguments());
                }
                """, """

                {
                    new TreeMap<Object, Object>(System.getProperties()).forEach((k, v) -> System.out.println("property " + k + "=" + v));
                    new TreeMap<>(System.getenv()).forEach((k, v) -> System.out.println("env " + k + "=" + v));
                }
                """);
        StringBuilder seen = new StringBuilder();
        for (String cell : cells) {
            assertContained(cell, reply -> {
                assertEquals(Status.OK, reply.status(), text(reply));
                seen.append(stdout(reply));
            });
        }
        assertTrue(seen.indexOf("input arguments: [-X") >= 0 && seen.indexOf("property java.class.path=") >= 0, seen.toString());
        assertNoHostPath(seen.toString(), "what the kernel reads of its start");
    }

    // ---------------------------------------------------------------- writing

    /** The notebook runtime's entry on the kernel's module path: its jar in a packaged build, else its class folder. */
    private static Path runtime() {
        return pool.settings().libraries().modulePath().getFirst();
    }

    private static Path classPathJar() {
        return pool.settings().libraries().all().stream().filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
    }

    static Stream<Arguments> forbiddenWrites() {
        String marker = "glassbox-containment-" + UUID.randomUUID();
        return Stream.of(
                Arguments.of("/tmp", Path.of("/tmp", marker)),
                Arguments.of("the root folder", Path.of("/", marker)),
                Arguments.of("the notebook runtime's folder", (Files.isDirectory(runtime()) ? runtime() : runtime().getParent()).resolve(marker + ".class")),
                Arguments.of("next to a class path jar", classPathJar().getParent().resolve(marker)),
                Arguments.of("the JDK", Path.of(System.getProperty("java.home"), "lib", marker)),
                Arguments.of("/dev/shm", Path.of("/dev/shm", marker)),
                Arguments.of("the notebook API (overwrite)",
                        Files.isDirectory(runtime()) ? runtime().resolve("dev/glassbox/notebook/Display.class") : runtime()));
    }

    @Order(30)
    @ParameterizedTest(name = "{0}")
    @MethodSource("forbiddenWrites")
    void writingOutsideScratchFails(String name, Path target) throws IOException {
        boolean existed = Files.exists(target);
        byte[] before = existed ? Files.readAllBytes(target) : null;
        assertContained("Files.write(Path.of(\"" + target + "\"), new byte[]{1, 2, 3});", reply -> {
            assertEquals(Status.ERROR, reply.status(), text(reply));
            assertTrue(error(reply).matches("(?s)java\\.nio\\.file\\.(NoSuchFile|AccessDenied|ReadOnlyFileSystem|FileSystem)Exception.*"), error(reply));
        });
        if (existed) assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(target)), target + " was changed");
        else assertFalse(Files.exists(target), target + " was created on the host");
    }

    @Order(31)
    @Test
    void scratchIsWritableAndPrivateToItsKernel() {
        String name = "mine-" + UUID.randomUUID();
        assertContained("Files.writeString(Path.of(\"/scratch/" + name + "\"), \"written\");\nFiles.readString(Path.of(\"/scratch/" + name + "\"))",
                reply -> assertEquals("\"written\"", value(reply), text(reply)));
        ExecuteReply other = bystander.execute("Files.exists(Path.of(\"/scratch/" + name + "\"))", "peek", o -> {});
        assertEquals("false", value(other), "another kernel sees the attacker's scratch file: " + text(other));
        try (Stream<Path> files = Files.walk(tempDir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().equals(name)), "the scratch file landed on the host");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The shipped models are bound read-only at a neutral path: cells read them, and cannot change or add a byte. */
    @Order(33)
    @Test
    void sharedModelsCanBeReadButNotWritten() throws IOException {
        assertContained("Files.readString(Path.of(\"/models/minilm/config.json\")) + \" \" + System.getProperty(\"glassbox.models.dir\")",
                reply -> assertEquals("\"" + MODEL_CANARY.replace("\"", "\\\"") + " /models\"", value(reply), text(reply)));
        for (String write : List.of(
                "Files.writeString(Path.of(\"/models/minilm/config.json\"), \"changed\");",
                "Files.writeString(Path.of(\"/models/minilm/config.json\"), \"more\", StandardOpenOption.APPEND);",
                "Files.write(Path.of(\"/models/added.onnx\"), new byte[]{1, 2, 3});",
                "Files.createDirectories(Path.of(\"/models/minilm/sub\"));",
                "Files.delete(Path.of(\"/models/minilm/config.json\"));",
                "Files.move(Path.of(\"/models/minilm\"), Path.of(\"/models/moved\"));",
                "Files.setLastModifiedTime(Path.of(\"/models/minilm/config.json\"), java.nio.file.attribute.FileTime.fromMillis(0));")) {
            assertContained(write, reply -> {
                assertEquals(Status.ERROR, reply.status(), write + ": " + text(reply));
                assertTrue(error(reply).matches("(?s)java\\.nio\\.file\\.(AccessDenied|ReadOnlyFileSystem|FileSystem)Exception.*"),
                        write + ": " + error(reply));
            });
        }
        assertEquals(MODEL_CANARY, Files.readString(models.resolve("minilm/config.json")), "the host file was changed");
        try (Stream<Path> files = Files.walk(models)) {
            assertEquals(List.of(models, models.resolve("minilm"), models.resolve("minilm/config.json")),
                    files.sorted().toList(), "the shared folder holds something new");
        }
    }

    @Order(32)
    @Test
    void fillingScratchStopsAtItsCap() {
        long cap = sandbox.perKernel().scratchBytes();
        assertContained("""
                try (var out = new FileOutputStream("/scratch/fill")) {
                    byte[] mb = new byte[1 << 20];
                    for (int i = 0; i < 1024; i++) out.write(mb);
                }
                """, reply -> {
            assertEquals(Status.ERROR, reply.status(), text(reply));
            assertTrue(error(reply).startsWith("java.io.IOException"), error(reply));
            assertTrue(error(reply).contains("No space left on device") || error(reply).contains("File too large"), error(reply));
        });
        assertContained("Files.size(Path.of(\"/scratch/fill\"))", reply -> {
            assertTrue(Long.parseLong(value(reply)) <= cap, "the scratch file grew to " + value(reply) + " bytes, over " + cap);
        });
        assertContained("Files.delete(Path.of(\"/scratch/fill\"));\nFiles.writeString(Path.of(\"/scratch/again\"), \"ok\");\nFiles.readString(Path.of(\"/scratch/again\"))",
                reply -> assertEquals("\"ok\"", value(reply), "scratch is usable again: " + text(reply)));
    }

    /**
     * A cell that creates a million empty files gets a clear error at the scratch space's inode cap (each file
     * costs the host kernel memory however small it is), and a file can be written again once one is removed.
     */
    @Order(34)
    @Test
    void creatingAMillionFilesStopsAtTheInodeCap() {
        assertTrue(sandbox.scratchInodesLimited(), "this machine's sandbox caps /scratch in bytes only: " + sandbox.problems());
        int cap = sandbox.perKernel().scratchInodes();
        // two thirds of the cap first, in steps that fit the time limit on a busy machine, then the million
        for (int step = 0; step < 2; step++) {
            assertContained("{\n    var many = Files.createDirectories(Path.of(\"/scratch/many\"));\n"
                    + "    for (int i = 0; i < " + cap / 3 + "; i++) Files.createFile(many.resolve(\"" + step + "-\" + i));\n}",
                    reply -> assertEquals(Status.OK, reply.status(), summary(reply)));
        }
        assertContained("""
                {
                    var many = Files.createDirectories(Path.of("/scratch/many"));
                    for (int i = 0; i < 1_000_000; i++) Files.createFile(many.resolve(Integer.toString(i)));
                }
                """, reply -> {
            assertEquals(Status.ERROR, reply.status(), summary(reply));
            assertTrue(error(reply).startsWith("java.nio.file.FileSystemException") && error(reply).contains("No space left on device"),
                    error(reply));
        });
        assertContained("""
                long made;
                try (var files = Files.list(Path.of("/scratch/many"))) { made = files.count(); }
                made
                """, reply -> assertTrue(Long.parseLong(value(reply)) < cap, value(reply) + " files, the cap is " + cap + " inodes"));
        assertContained("""
                {
                    Files.delete(Path.of("/scratch/many/0-0"));
                    Files.writeString(Path.of("/scratch/again"), "ok");
                    Files.readString(Path.of("/scratch/again"));
                }
                """, reply -> assertEquals(Status.OK, reply.status(), "a file can be written once one is removed: " + text(reply)));
        awaitWarmKernel();
        attacker.restart();                         // the next cases start with an empty scratch: the tmpfs goes with its kernel
        assertUsable();
    }

    // ---------------------------------------------------------------- the network

    static Stream<Arguments> sockets() {
        int tcp = hostPorts.tcpPort();
        int udp = hostPorts.udpPort();
        return Stream.of(
                Arguments.of("TCP to the internet", true,
                        "try (var s = new java.net.Socket()) { s.connect(new java.net.InetSocketAddress(\"1.1.1.1\", 80), 2000); }"),
                Arguments.of("TCP to the test's port on 127.0.0.1", true,
                        "try (var s = new java.net.Socket()) { s.connect(new java.net.InetSocketAddress(\"127.0.0.1\", " + tcp + "), 2000); }"),
                Arguments.of("TCP to the test's port on localhost", true,
                        "try (var s = new java.net.Socket()) { s.connect(new java.net.InetSocketAddress(\"localhost\", " + tcp + "), 2000); }"),
                Arguments.of("HTTP to the test's port", true,
                        "java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(2)).build().send("
                                + "java.net.http.HttpRequest.newBuilder(java.net.URI.create(\"http://127.0.0.1:" + tcp + "/\")).build(), "
                                + "java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()"),
                Arguments.of("UDP to the internet", true,
                        "try (var s = new java.net.DatagramSocket()) { s.send(new java.net.DatagramPacket(new byte[]{1}, 1, java.net.InetAddress.getByName(\"1.1.1.1\"), 53)); }"),
                Arguments.of("UDP to the test's port on 127.0.0.1 (the sandbox's own loopback)", false,
                        "try (var s = new java.net.DatagramSocket()) { s.send(new java.net.DatagramPacket(new byte[]{1}, 1, java.net.InetAddress.getByName(\"127.0.0.1\"), " + udp + ")); }"),
                Arguments.of("a DNS lookup", true, "java.net.InetAddress.getByName(\"example.com\")"),
                Arguments.of("Docker's Unix socket", true,
                        "java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(\"/var/run/docker.sock\"))"),
                Arguments.of("listing network interfaces", false,
                        "java.net.NetworkInterface.networkInterfaces().map(n -> n.getName()).toList()"));
    }

    @Order(40)
    @ParameterizedTest(name = "{0}")
    @MethodSource("sockets")
    void noNetwork(String name, boolean fails, String cell) {
        int before = hostPorts.contacts();
        assertContained(cell, reply -> {
            if (fails) assertEquals(Status.ERROR, reply.status(), text(reply));
            else assertFalse(text(reply).contains("eth") || text(reply).contains("wlan"), "a host interface is visible: " + text(reply));
        });
        sleep(100);
        assertEquals(before, hostPorts.contacts(), "the cell reached the test's port on the host");
    }

    // ---------------------------------------------------------------- processes

    static Stream<Arguments> processes() {
        String java = "Path.of(System.getProperty(\"java.home\"), \"bin\", \"java\").toString()";   // where the kernel sees it
        return Stream.of(
                Arguments.of("the JDK's java by fork and exec", "System.setProperty(\"jdk.lang.Process.launchMechanism\", \"FORK\");\n"
                        + "new ProcessBuilder(" + java + ", \"-version\").start().waitFor()"),
                Arguments.of("/bin/sh", "new ProcessBuilder(\"/bin/sh\", \"-c\", \"id\").start().waitFor()"),
                Arguments.of("the JDK's java", "new ProcessBuilder(" + java + ", \"-version\").start().waitFor()"),
                Arguments.of("Runtime.exec", "Runtime.getRuntime().exec(new String[]{" + java + ", \"-version\"}).waitFor()"),
                Arguments.of("a JShell with its own JVM", "jdk.jshell.JShell.create().eval(\"1 + 1\").size()"));
    }

    @Order(50)
    @ParameterizedTest(name = "{0}")
    @MethodSource("processes")
    void processesCannotBeStarted(String name, String cell) {
        assertContained(cell, reply -> {
            assertEquals(Status.ERROR, reply.status(), text(reply));
            assertTrue(error(reply).contains("IOException") || error(reply).contains("IllegalStateException"), error(reply));
        });
        assertProcessesInSandbox(2);
    }

    /** fork() called through FFM, as native code in a cell could: it fails, so no copy of the kernel JVM runs. */
    @Order(51)
    @Test
    void nativeForkFails() {
        assertContained("""
                var linker = java.lang.foreign.Linker.nativeLinker();
                var fork = linker.downcallHandle(linker.defaultLookup().find("fork").orElseThrow(),
                        java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT));
                int child = (int) fork.invokeExact();
                child
                """, reply -> {
            // cells get no native access at all (the runtime's module alone has it); without that layer, seccomp's
            // filter makes fork() return -1 (SyscallFilterTest)
            boolean noNativeAccess = reply.status() == Status.ERROR && text(reply).contains("Illegal native access");
            assertTrue(noNativeAccess || "-1".equals(value(reply)), "fork() returned " + value(reply) + ": " + text(reply));
        });
        assertProcessesInSandbox(2);
    }

    /** Below the process the server started run bwrap's and the kernel JVM only: no program the cell started is still running. */
    private static void assertProcessesInSandbox(int expected) {
        assertEquals(expected, attacker.processes(), "processes in the attacker's sandbox");
    }

    // ---------------------------------------------------------------- output floods

    static Stream<Arguments> floods() {
        return Stream.of(
                Arguments.of("2 million lines", true, "for (int i = 0; i < 2_000_000; i++) System.out.println(\"line \" + i);"),
                Arguments.of("one 50 MB line", true, "System.out.print(\"x\".repeat(50_000_000));"),
                Arguments.of("2 million lines on stderr", true, "for (int i = 0; i < 2_000_000; i++) System.err.println(\"err \" + i);"),
                Arguments.of("100 000 displays", true, "for (int i = 0; i < 100_000; i++) Display.text(\"t\" + i);"),
                Arguments.of("a 10 MB value", false, "\"x\".repeat(10_000_000)"),
                Arguments.of("an exception with a 10 MB message", false, "throw new RuntimeException(\"x\".repeat(10_000_000));"),
                Arguments.of("lines written straight to the protocol's stdout", true, """
                        var raw = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
                        for (int i = 0; i < 200_000; i++) raw.println("raw " + i);
                        """),
                Arguments.of("forged protocol messages", false, """
                        var raw = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
                        raw.println("{\\"type\\":\\"reply\\",\\"id\\":999999,\\"status\\":\\"ok\\",\\"executionCount\\":1}");
                        raw.println("{\\"type\\":\\"ready\\",\\"pid\\":1,\\"javaVersion\\":\\"x\\"}");
                        raw.println("{not json");
                        raw.print("y".repeat(17_000_000));
                        raw.println();
                        """));
    }

    @Order(60)
    @ParameterizedTest(name = "{0}")
    @MethodSource("floods")
    void outputFloodsAreCapped(String name, boolean truncated, String cell) {
        long cap = pool.settings().outputCap();
        long bound = cap + 129 * 1024;              // the kernel's cap, plus the server's margin for a final error
        awaitWarmKernel();                          // a cell stuck writing to a full pipe is killed, not stopped
        assertContained(cell, reply -> {
            assertTrue(weight(reply) <= bound, "the reply carries " + weight(reply) + " bytes of output, over " + bound);
            if (truncated && reply.status() != Status.TIMEOUT) {
                assertTrue(text(reply).contains("[output truncated"), "no truncation notice: " + summary(reply));
            }
        });
        assertUsable();
    }

    @Order(61)
    @Test
    void tooLargeHeatmapIsAClearError() {
        assertContained("Display.heatmap(\"big\", new float[2000][2000]);", reply -> {
            assertEquals(Status.ERROR, reply.status());
            assertTrue(error(reply).contains("IllegalArgumentException") && error(reply).contains("at most"), error(reply));
        });
    }

    // ---------------------------------------------------------------- recursion, JShell commands, sources

    @Order(70)
    @Test
    void deepRecursionIsAStackOverflowError() {
        assertContained("int down(int n) { return down(n + 1) + 1; }\ndown(0)", reply -> {
            assertEquals(Status.ERROR, reply.status(), text(reply));
            assertTrue(error(reply).startsWith("java.lang.StackOverflowError"), error(reply));
            assertTrue(reply.error().orElseThrow().traceback().size() < 100, "the traceback is trimmed");
        });
        assertContained("void again() { try { again(); } catch (StackOverflowError e) { again(); } }\nagain();", reply ->
                assertTrue(reply.status() == Status.TIMEOUT || reply.status() == Status.ERROR, text(reply)));
        assertUsable();
    }

    static Stream<String> jshellCommands() {
        return Stream.of("/open /etc/passwd", "/exit", "/env --class-path /", "/reset");
    }

    @Order(71)
    @ParameterizedTest(name = "{0}")
    @MethodSource("jshellCommands")
    void jshellToolCommandsDoNothing(String command) {
        attacker.execute("int kept = 42;", "before", o -> {});
        assertContained(command, reply -> {
            assertEquals(Status.ERROR, reply.status(), text(reply));
            assertEquals("CompileError", reply.error().orElseThrow().ename(), text(reply));
            assertNotIn(reply, "root:");
        });
        assertEquals("42", value(attacker.execute("kept", "after", o -> {})), "the kernel kept its state");
    }

    static Stream<Arguments> hugeSources() {
        return Stream.of(
                Arguments.of("over 100 000 characters", "int x = 1;\n".repeat(10_001)),
                Arguments.of("3000 nested parentheses", "int deep = " + "(".repeat(3000) + "1" + ")".repeat(3000) + ";"),
                Arguments.of("3000 nested blocks", "{".repeat(3000) + "}".repeat(3000)),
                Arguments.of("a sum of 10 000 terms", "int sum = " + "1 + ".repeat(10_000) + "1;"),
                Arguments.of("a method too large for the JVM", "int n = 0;\nvoid big() {\n" + "n++;\n".repeat(9_000) + "}"),
                Arguments.of("3000 nested generic types", "List<".repeat(3000) + "String" + ">".repeat(3000) + " g = null;"));
    }

    @Order(72)
    @ParameterizedTest(name = "{0}")
    @MethodSource("hugeSources")
    void hugeOrDeeplyNestedSourcesGiveAClearError(String name, String cell) {
        assertContained(cell, reply -> {
            if (name.contains("too large for the JVM")) {
                if (reply.status() == Status.TIMEOUT) return;           // javac is slow on a busy machine
                assertTrue(error(reply).contains("code too large"), summary(reply));
            }
            assertTrue(reply.status() == Status.ERROR || reply.status() == Status.REJECTED, summary(reply));
            if (cell.length() > pool.settings().maxCellChars()) {
                assertEquals(Status.REJECTED, reply.status());
                assertTrue(error(reply).contains("at most " + pool.settings().maxCellChars()), error(reply));
            }
        });
        assertUsable();
    }

    // ---------------------------------------------------------------- memory

    static Stream<Arguments> memoryHogs() {
        return Stream.of(
                Arguments.of("one array of 16 GB", "new long[Integer.MAX_VALUE - 8]"),
                Arguments.of("a growing list of 1 MB arrays", "{ var hog = new ArrayList<byte[]>(); while (true) hog.add(new byte[1 << 20]); }"),
                Arguments.of("direct buffers", "{ var keep = new ArrayList<java.nio.ByteBuffer>(); while (true) keep.add(java.nio.ByteBuffer.allocateDirect(64 << 20)); }"),
                // 2 GB, over the cgroup's 1.5 GB; bounded so that a machine without cgroups is not taken down
                Arguments.of("native memory through FFM",
                        "for (int i = 0; i < 8; i++) java.lang.foreign.Arena.global().allocate(256L << 20).fill((byte) 1);"));
    }

    @Order(80)
    @ParameterizedTest(name = "{0}")
    @MethodSource("memoryHogs")
    void memoryExhaustionIsContained(String name, String cell) {
        awaitWarmKernel();
        long limit = sandbox.perKernel().memoryBytes();
        ExecuteReply reply = assertContained(cell, r -> {
            switch (r.status()) {
                case ERROR -> assertTrue(error(r).startsWith("java.lang.OutOfMemoryError"), error(r));
                case RESTARTED -> assertTrue(error(r).contains("exit code 137"), "killed by the cgroup's OOM killer: " + error(r));
                case TIMEOUT -> { }                 // a slow machine: stopped before the limit was reached
                default -> fail("expected an OutOfMemoryError, a restart or a timeout: " + summary(r));
            }
        });
        long resident = attacker.residentBytes();
        assertTrue(resident < limit, "the kernel holds " + resident + " bytes, over its limit of " + limit
                + " (cgroups: " + sandbox.cgroups() + ")");
        if (name.contains("FFM") && !reply.restarted()) attacker.restart();   // Arena.global() never frees: start clean
        assertUsable();
    }

    // ---------------------------------------------------------------- threads

    @Order(90)
    @Test
    void threadBombEndsAndTheKernelRecovers() {
        awaitWarmKernel();
        assertContained("""
                for (int i = 0; ; i++) {
                    Thread.ofPlatform().daemon().start(() -> {
                        while (true) {
                            try { Thread.sleep(Long.MAX_VALUE); } catch (InterruptedException e) { }
                        }
                    });
                }
                """, reply -> {
            if (reply.status() == Status.TIMEOUT) return;             // stopped before the limit: its threads were interrupted
            assertEquals(Status.RESTARTED, reply.status(), summary(reply));
            assertTrue(text(reply).contains("TooManyThreads"), "the learner is told why: " + text(reply));
        });
        assertContained("Thread.ofVirtual().start(() -> { }).join();\nThread.ofPlatform().start(() -> { }).join();\n1 + 1",
                reply -> assertEquals("2", value(reply), "the kernel can start threads again: " + text(reply)));
    }

    // ---------------------------------------------------------------- ending the kernel

    @Order(55)
    @Test
    void systemExitRestartsTheKernelWithAMessage() {
        assertRestartsWithAMessage("System.exit(0);");
    }

    @Order(75)
    @Test
    void haltRestartsTheKernelWithAMessage() {
        assertRestartsWithAMessage("Runtime.getRuntime().halt(1);");
    }

    private void assertRestartsWithAMessage(String cell) {
        awaitWarmKernel();
        long pid = attacker.pid();
        assertContained(cell, reply -> {
            assertEquals(Status.RESTARTED, reply.status(), text(reply));
            assertTrue(reply.restarted());
            assertTrue(error(reply).contains("exit code"), error(reply));
        });
        assertNotEquals(pid, attacker.pid());
        assertUsable();
    }

    @Order(85)
    @Test
    void signallingPid1OfTheSandboxHarmsNoOneElse() {
        assertContained("ProcessHandle.of(1).orElseThrow().destroyForcibly()", reply -> { });
        assertUsable();
    }

    @Order(102)
    @Test
    void exitFromABackgroundThreadIsNoticedByTheNextCell() {
        awaitWarmKernel();
        long pid = attacker.pid();
        assertContained("Thread.ofVirtual().start(() -> { try { Thread.sleep(2000); } catch (InterruptedException e) { } System.exit(7); });\n\"started\"",
                reply -> assertEquals("\"started\"", value(reply), text(reply)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) sleep(100);
        assertContained("1 + 1", reply -> {
            assertEquals("2", value(reply), text(reply));
            assertTrue(reply.restarted(), "the learner is told that variables are gone: " + text(reply));
        });
    }

    @Order(110)
    @Test
    void backgroundCpuBurnIsStoppedByTheWatchdog() {
        awaitWarmKernel();
        long pid = attacker.pid();
        assertContained("Thread.ofVirtual().start(() -> { while (true) { } });", reply -> assertEquals(Status.OK, reply.status(), text(reply)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) sleep(200);
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the watchdog did not stop the burning kernel within 25 s");
        assertContained("1 + 1", reply -> {
            assertEquals("2", value(reply), text(reply));
            assertTrue(reply.restarted(), text(reply));
            assertTrue(text(reply).contains("background"), text(reply));
        });
    }
}
