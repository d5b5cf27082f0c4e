package dev.glassbox.notebook.protocol;

/**
 * How the server starts a kernel and reads how it ended: the module and main class it runs, the system properties
 * the server sets, and the exit codes a kernel ends itself with. The server compiles against these names only; the
 * runtime itself stays in a package that is neither exported nor opened.
 */
public final class KernelLaunch {
    /** The named module a kernel runs. */
    public static final String MODULE = "dev.glassbox.notebook";
    /** The kernel's main class, in {@link #MODULE}. */
    public static final String MAIN_CLASS = "dev.glassbox.notebook.runtime.KernelMain";

    /** System property: bytes of output one cell may send before it is truncated. */
    public static final String OUTPUT_CAP = "glassbox.kernel.outputCap";
    /** System property: when "true" (the server sets it inside the sandbox), a kernel without its seccomp filter exits. */
    public static final String SECCOMP_REQUIRED = "glassbox.seccomp.required";

    /** Exit code of a kernel that ended itself because a cell left too many threads. */
    public static final int EXIT_TOO_MANY_THREADS = 3;
    /** Exit code of a kernel that could not install its seccomp filter where one is required. */
    public static final int EXIT_NO_SYSCALL_FILTER = 4;
    /** Exit code of a kernel whose first line from the server was not the key of its seal. */
    public static final int EXIT_NO_KEY = 5;

    private KernelLaunch() {}
}
