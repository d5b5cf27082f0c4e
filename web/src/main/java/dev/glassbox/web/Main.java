package dev.glassbox.web;

import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.classroom.Passphrase;
import dev.glassbox.web.server.ServerLimits;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;

/**
 * Starts Glassbox: {@code java -jar web/target/glassbox.jar [options]}; see {@link #USAGE}. A command line it
 * cannot use is refused here; then, when this JVM lacks the Vector API, the {@link Launcher} starts the server in
 * one that has it.
 */
public final class Main {
    /** Environment variable with the teacher's passphrase (classroom mode). */
    static final String PASSPHRASE_ENV = "GLASSBOX_TEACHER_PASSPHRASE";

    private static final String USAGE = """
            Usage: java -jar web/target/glassbox.jar [options]
                   java -jar web/target/glassbox.jar train RECIPE --out DIR [--steps N] [--seed S] [--threads T] [--quick]
            train RECIPE              train a recipe (sorter, induction-2l, tiny-stories) and write DIR/RECIPE:
                                      model.safetensors, config.json, tokenizer.json, MODEL_CARD.md, training.json
                                      (train --help for its options)
              --port N                port to listen on (default 7070)
              --data DIR              where Glassbox keeps learners' work (default ~/.glassbox)
              --lessons DIR           serve the lesson files in DIR instead of the bundled ones
              --models DIR            also list the .safetensors, .gguf and .onnx files in DIR under /models, and
                                      those of a Hugging Face cache in DIR (e.g. ~/.cache/huggingface/hub);
                                      a README.md beside a file is its model card
              --host ADDRESS          interface to listen on (default 127.0.0.1; single-user mode: loopback only)
              --no-token              single-user mode without the owner's token: by default every request must
                                      show the token of the link printed at start-up (kept in DATA/owner-token);
                                      without it any user of this computer can run code as you
            Classroom mode (a class on one server; needs the kernel sandbox):
              --classroom             students join with a class code at /join; the teacher signs in at /teacher
              --passphrase-file FILE  the teacher passphrase (at least 8 characters) is the first line of FILE;
                                      or set the environment variable GLASSBOX_TEACHER_PASSPHRASE
              --max-kernels N         kernels open at once, all learners together (default 80)
              --running-cells N       cells running at once; the rest wait their turn (default 2 per core)
              --kernel-memory SIZE    memory all kernels together may use, e.g. 12G or 8000M (default: 75% of
                                      this computer's memory, at most what is available at start less the
                                      server's own); idle kernels are closed to make room, and a new kernel is
                                      refused (503) when even then one more kernel's 1.5 GB does not fit
              --trusted-proxy ADDRESS the address of a reverse proxy in front of Glassbox (repeatable): its
                                      X-Forwarded-For names the student for per-address limits
              --classroom-without-resource-limits
                                      start classroom mode even without writable cgroups, so with no memory,
                                      process or CPU limits per kernel: one student can slow or stop the class
            """;

    /** What the command line asks for. {@code passphrase} is null in single-user mode. */
    record Options(String host, int port, Path data, Path lessons, boolean classroom, Passphrase passphrase,
                   Integer maxKernels, Integer runningCells, boolean withoutResourceLimits, java.util.Set<String> trustedProxies,
                   boolean withoutToken, Long kernelMemory) {}

    /** A command line Glassbox cannot start with; the message says what to change. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private Main() {}

    /**
     * One line per log record, for the app's own loggers and the libraries' (SLF4J reaches java.util.logging through
     * slf4j-jdk14): time, level, logger, message, then the stack trace if there is one.
     */
    static final String LOG_FORMAT = "%1$tF %1$tT %4$-7s %3$s: %5$s%6$s%n";

    public static void main(String[] args) throws Exception {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", LOG_FORMAT);   // before the first logger
        }
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ServerLogManager.class.getName());   // logs while stopping too
        }
        if (args.length > 0 && args[0].equals("train")) {
            train(java.util.Arrays.copyOfRange(args, 1, args.length), args);
            return;
        }
        if (java.util.Arrays.asList(args).contains("--help") || java.util.Arrays.asList(args).contains("-h")) {
            System.out.print(USAGE);
            return;
        }
        Options options;
        try {
            options = parse(args, System.getenv());
        } catch (UsageException e) {
            System.err.println("glassbox: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (!Launcher.hasVectorApi()) {
            System.exit(Launcher.relaunch(args));
            return;
        }
        Launcher.followParent();
        ServerLimits limits = ServerLimits.defaults();
        if (options.maxKernels() != null) limits = limits.withMaxKernels(options.maxKernels());
        if (options.runningCells() != null) limits = limits.withRunningCells(options.runningCells());
        Path data = options.data().toAbsolutePath();
        KernelSettings kernels = options.kernelMemory() == null ? null
                : KernelSettings.defaults(data.resolve("scratch")).withMemoryBudget(options.kernelMemory());
        App.Settings settings = new App.Settings(options.host(), options.port(), data, options.lessons(), kernels)
                .withLimits(limits);
        settings = settings.withoutToken(options.withoutToken());
        if (options.classroom()) settings = settings.withClassroom(options.passphrase())   // App.start checks for the sandbox and limits
                .withoutResourceLimits(options.withoutResourceLimits()).withTrustedProxies(options.trustedProxies());
        App app;
        try {
            app = App.start(settings);
        } catch (App.StartupException e) {
            System.err.println("glassbox: " + e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "glassbox-shutdown"));
        String local = "http://localhost:" + app.port() + "/";
        System.out.println("Glassbox is running at " + app.startUrl() + "  (data in " + options.data() + ")");
        if (options.classroom()) {
            System.out.println("Classroom mode: the teacher signs in at " + local + "teacher; students join at /join with the class code.");
        } else if (app.ownerToken().isPresent()) {
            System.out.println("Single-user mode: Glassbox only listens on this computer, and only for you: open the link above"
                    + " (in any browser of yours; the token stays in " + options.data().resolve("owner-token") + ").");
        } else {
            System.out.println("Single-user mode without a token (--no-token): any user of this computer can open Glassbox as you.");
        }
    }

    /**
     * {@code glassbox train ...}: the training command of {@code tiny-models}, run in a JVM with the Vector API (the
     * trainer's kernels need it), relaunched like the server when this one lacks it.
     */
    private static void train(String[] trainArgs, String[] args) throws Exception {
        if (!Launcher.hasVectorApi()) {
            System.exit(Launcher.relaunch(args));
            return;
        }
        Launcher.followParent();
        System.exit(dev.glassbox.tinymodels.recipes.TrainCommand.run(trainArgs, System.out, System.err));
    }

    /** Reads the command line; the passphrase comes from {@code env} or a file, never from the command line itself. */
    static Options parse(String[] args, Map<String, String> env) throws UsageException {
        int port = 7070;
        Path data = Path.of(System.getProperty("user.home"), ".glassbox");
        Path lessons = null;
        String host = "127.0.0.1";
        boolean classroom = false;
        Path passphraseFile = null;
        Integer maxKernels = null;
        Integer runningCells = null;
        boolean withoutResourceLimits = false;
        boolean withoutToken = false;
        java.util.Set<String> trustedProxies = new java.util.LinkedHashSet<>();
        Long kernelMemory = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--classroom")) {
                classroom = true;
                continue;
            }
            if (arg.equals("--no-token")) {
                withoutToken = true;
                continue;
            }
            if (arg.equals("--classroom-without-resource-limits")) {
                withoutResourceLimits = true;
                continue;
            }
            if (arg.equals("--passphrase") || arg.startsWith("--passphrase=")) {
                throw new UsageException("the teacher passphrase is never given on the command line, where every user of this "
                        + "computer can read it (ps): put it in a file for --passphrase-file, or in " + PASSPHRASE_ENV);
            }
            if (i + 1 >= args.length) throw new UsageException("option " + arg + " needs a value");
            String value = args[++i];
            switch (arg) {
                case "--port" -> port = number(arg, value, 0, 65535);
                case "--data" -> data = Path.of(value);
                case "--lessons" -> lessons = Path.of(value);
                case "--models" -> System.setProperty(dev.glassbox.web.shelf.ModelShelf.USER_MODELS_PROPERTY, value);
                case "--host" -> host = value;
                case "--passphrase-file" -> passphraseFile = Path.of(value);
                case "--max-kernels" -> maxKernels = number(arg, value, 1, 10_000);
                case "--running-cells" -> runningCells = number(arg, value, 1, 1_000);
                case "--trusted-proxy" -> trustedProxies.add(value.strip());
                case "--kernel-memory" -> kernelMemory = bytes(arg, value);
                default -> throw new UsageException("unknown option " + arg);
            }
        }
        Passphrase passphrase = null;
        if (classroom) {
            passphrase = passphrase(passphraseFile, env.get(PASSPHRASE_ENV));
        } else if (passphraseFile != null) {
            throw new UsageException("--passphrase-file is for classroom mode: add --classroom");
        }
        if (withoutResourceLimits && !classroom) throw new UsageException("--classroom-without-resource-limits is for classroom mode: add --classroom");
        if (withoutToken && classroom) throw new UsageException("--no-token is for single-user mode: in classroom mode students join with a class code");
        return new Options(host, port, data, lessons, classroom, passphrase, maxKernels, runningCells, withoutResourceLimits, trustedProxies,
                withoutToken, kernelMemory);
    }

    private static Passphrase passphrase(Path file, String fromEnv) throws UsageException {
        String text;
        String source;
        if (file != null) {
            try {
                text = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("");
            } catch (IOException e) {
                throw new UsageException("cannot read the passphrase file " + file + ": " + e.getMessage());
            }
            source = "the first line of " + file;
            warnIfOthersCanRead(file);
        } else if (fromEnv != null) {
            text = fromEnv;
            source = PASSPHRASE_ENV;
        } else {
            throw new UsageException("classroom mode needs a teacher passphrase (at least " + Passphrase.MIN_LENGTH
                    + " characters): set " + PASSPHRASE_ENV + ", or give --passphrase-file FILE");
        }
        try {
            return Passphrase.of(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage() + " (from " + source + ")");
        }
    }

    private static void warnIfOthersCanRead(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.OTHERS_READ) || permissions.contains(PosixFilePermission.GROUP_READ)) {
                System.err.println("glassbox: warning: other users can read the passphrase file " + file + " (chmod 600 it)");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
    }

    /** A size such as "12G", "8000M" or "12GB" (K, M, G, T; binary units), at least 1 GB. */
    static long bytes(String option, String value) throws UsageException {
        var m = java.util.regex.Pattern.compile("(\\d{1,9})\\s*([KMGT])i?B?", java.util.regex.Pattern.CASE_INSENSITIVE).matcher(value.strip());
        if (m.matches()) {
            int shift = switch (Character.toUpperCase(m.group(2).charAt(0))) {
                case 'K' -> 10;
                case 'M' -> 20;
                case 'G' -> 30;
                default -> 40;
            };
            long n = Long.parseLong(m.group(1));
            if (n <= (Long.MAX_VALUE >> shift) && (n << shift) >= (1L << 30)) return n << shift;
        }
        throw new UsageException(option + " expects a size of at least 1G, such as 12G or 8000M, got \"" + value + "\"");
    }

    private static int number(String option, String value, int min, int max) throws UsageException {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new UsageException(option + " expects a number from " + min + " to " + max + ", got \"" + value + "\"");
    }
}
