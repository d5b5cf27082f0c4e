package dev.glassbox.web;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Gives the server a JVM that has the Vector API. The models' kernels use {@code jdk.incubator.vector}, and an
 * incubator module is resolved only when the command line asks for it ({@code --add-modules}); a JAR manifest
 * cannot ask. So when {@code java -jar glassbox.jar} starts without it, this starts the same server in a child
 * JVM with the same JVM options plus the module, passes the terminal through, and exits with the child's code.
 *
 * <p>Signals: Ctrl+C reaches both processes (they share the terminal's process group) and both shut down; a
 * signal sent to this process alone is passed on by the shutdown hook, which stops the child and waits for it.
 * If this process is killed outright, the child notices ({@link #PARENT_PID}) and stops itself.
 */
final class Launcher {
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** System property the child gets: the launcher's pid, so that the child ends when the launcher does. */
    static final String PARENT_PID = "glassbox.launcher.pid";
    /** How long a stopping launcher waits for the child to close (the server stops kernels and the database). */
    private static final long STOP_GRACE_SECONDS = 20;

    private Launcher() {}

    static boolean hasVectorApi() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /** Runs Main with {@code args} in a child JVM that has the Vector API; returns its exit code. */
    static int relaunch(String[] args) throws IOException, InterruptedException {
        if (System.getProperty(PARENT_PID) != null) {
            // a child without the module: the JDK has none (e.g. a trimmed runtime image); another child would not help
            System.err.println("glassbox: this Java runtime (" + System.getProperty("java.home") + ") has no " + VECTOR_MODULE
                    + " module; Glassbox needs a full JDK 25.");
            return 2;
        }
        Process child = new ProcessBuilder(command(args)).inheritIO().start();
        Thread stopChild = new Thread(() -> stop(child), "glassbox-stop-server");
        Runtime.getRuntime().addShutdownHook(stopChild);
        int code = child.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stopChild);
        } catch (IllegalStateException shuttingDown) {
            // the hook is already running: it finds the child gone
        }
        return code;
    }

    /** java [this JVM's options] --add-modules jdk.incubator.vector -cp [this class path] dev.glassbox.web.Main args */
    static List<String> command(String[] args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // -Xmx, -D... as given to this JVM (JDK_JAVA_OPTIONS included: the launcher put them there)
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("--add-modules=" + VECTOR_MODULE);
        command.add("--enable-native-access=ALL-UNNAMED");   // what the manifest grants under -jar (SQLite's driver)
        command.add("-D" + PARENT_PID + "=" + ProcessHandle.current().pid());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));  // under -jar: the jar, whose manifest adds lib/
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        return command;
    }

    private static void stop(Process child) {
        if (!child.isAlive()) return;
        child.destroy();   // SIGTERM: the server's own shutdown hook closes kernels and the store
        try {
            if (!child.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) child.destroyForcibly();
        } catch (InterruptedException e) {
            child.destroyForcibly();
        }
    }

    /** In the child: stop when the launcher is gone (it was killed and could not stop us). */
    static void followParent() {
        String pid = System.getProperty(PARENT_PID);
        if (pid == null) return;
        ProcessHandle.of(Long.parseLong(pid)).ifPresentOrElse(
                parent -> parent.onExit().thenRun(() -> {
                    System.err.println("glassbox: the launcher (pid " + pid + ") ended; stopping");
                    System.exit(1);
                }),
                () -> System.exit(1));
    }
}
