package dev.glassbox.notebook.runtime;

import dev.glassbox.notebook.protocol.KernelMessage.Reply.Status;
import dev.glassbox.notebook.protocol.KernelMessage.Completions;
import dev.glassbox.notebook.protocol.Output;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Evaluates cells in one JShell (local execution engine, so snippets run in this JVM). A cell holds
 * several snippets; each is evaluated in turn and the cell stops at the first error. Positions in
 * diagnostics and stack traces are mapped back to lines and columns of the cell.
 */
final class CellRunner {
    /** Imports every cell starts with. */
    static final List<String> IMPORTS = List.of(
            "import java.util.*;", "import java.util.function.*;", "import java.util.stream.*;",
            "import java.io.*;", "import java.nio.file.*;", "import java.math.*;",
            "import jdk.incubator.vector.*;", "import dev.glassbox.notebook.*;",
            "import static org.junit.jupiter.api.Assertions.*;");

    private static final int MAX_VALUE_CHARS = 10_000;
    /** A cell can throw an exception with any message and any chain of causes; the error it shows is bounded. */
    private static final int MAX_MESSAGE_CHARS = 10_000;
    private static final int MAX_TRACEBACK_LINES = 200;
    private static final Pattern REPL_PREFIX = Pattern.compile("REPL\\.\\$JShell\\$\\d+[A-Z]?\\.");

    /** Where a snippet came from, for tracebacks: the cell's label and the cell line it starts on. */
    private record Origin(String label, int firstLine) {}

    /** A snippet's source (leading white space removed) and its char offset in the cell. */
    private record Piece(String source, int offset) {}

    private final JShell shell;
    private final Channel channel;
    private final Map<String, Origin> origins = new HashMap<>();
    private volatile boolean stopRequested;
    private volatile boolean running;
    private int executionCount;
    private String currentLabel = "";

    CellRunner(JShell shell, Channel channel) {
        this.shell = shell;
        this.channel = channel;
    }

    /** Evaluates the imports every cell starts with; {@link KernelMain} then warms the kernel up with real cells. */
    void warmUp() {
        for (String imp : IMPORTS) shell.eval(imp);
    }

    /** Forgets the warm-up: drops every snippet but the imports, and the next cell is number 1 again. */
    void forgetWarmUp() {
        for (Snippet snippet : shell.snippets().toList()) {
            if (snippet.kind() != Snippet.Kind.IMPORT && shell.status(snippet).isActive()) shell.drop(snippet);
        }
        origins.clear();
        executionCount = 0;
    }

    boolean running() {
        return running;
    }

    /** Asks the running cell to stop: JShell raises ThreadDeath at the next loop back-edge or call. */
    void stop() {
        if (!running) return;
        stopRequested = true;
        shell.stop();
    }

    /** Runs a cell; returns how it ended. Outputs go to the channel as they happen. */
    Status execute(String code, String label, boolean check) {
        stopRequested = false;
        running = true;
        currentLabel = label;
        try {
            if (check) {
                List<String> shadowed = shadowedBy(code);
                if (!shadowed.isEmpty()) {
                    channel.emit(new Output.Error("ShadowedName", "The check cannot run: your cells declare "
                            + String.join(", ", shadowed) + ", which the check uses from Java or from JUnit. "
                            + "Rename it, or restart the kernel and run the lesson's cells again.", 0, 0, List.of()));
                    return Status.ERROR;
                }
            }
            if (!check) executionCount++;
            String cell = check ? "{\n" + code + "\n}" : code;
            List<Piece> pieces = split(cell);
            for (int i = 0; i < pieces.size(); i++) {
                Piece piece = pieces.get(i);
                Status status = evaluate(cell, piece, label, check, i == pieces.size() - 1);
                if (stopRequested) return Status.INTERRUPTED;
                if (status != Status.OK) return status;
            }
            return stopRequested ? Status.INTERRUPTED : Status.OK;
        } finally {
            running = false;
        }
    }

    /** Names a check relies on from JUnit's assertions or from the JDK, and the packages of fully qualified names. */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
    private static final java.util.Set<String> PACKAGE_ROOTS = java.util.Set.of("java", "javax", "jdk", "org", "dev", "com", "sun");

    /**
     * The names the learner's cells declare (methods, fields, classes, static imports) that the check's code uses
     * and means as JUnit's assertions (fail, assertEquals, ...), as a JDK type (Math, Random, ...) or as the root of
     * a package: declared in a cell, such a name would change what the check does (a fail that does nothing makes
     * every check pass). The exercise's own names (sumOfSquares) are the learner's to declare.
     */
    List<String> shadowedBy(String checkCode) {
        java.util.Set<String> used = new java.util.HashSet<>();
        java.util.regex.Matcher m = IDENTIFIER.matcher(checkCode);
        while (m.find()) used.add(m.group());
        java.util.Set<String> shadowed = new java.util.TreeSet<>();
        for (Snippet snippet : shell.snippets().toList()) {
            if (!shell.status(snippet).isActive()) continue;
            String name = switch (snippet) {
                case jdk.jshell.ImportSnippet i -> IMPORTS.contains(i.source().strip()) ? null : i.name();
                case DeclarationSnippet d -> d.name();
                default -> null;
            };
            if (name == null || !used.contains(name)) continue;
            if (assertion(name) || PACKAGE_ROOTS.contains(name) || jdkType(name)) shadowed.add(name);
        }
        return List.copyOf(shadowed);
    }

    /** The names of JUnit's assertions, which cells and checks call (JUnit is on the cells' class path, not a module this one reads). */
    private static final Set<String> ASSERTIONS = assertions();

    private static Set<String> assertions() {
        try {
            Class<?> assertions = Class.forName("org.junit.jupiter.api.Assertions", false, ClassLoader.getSystemClassLoader());
            return java.util.Arrays.stream(assertions.getMethods()).map(java.lang.reflect.Method::getName).collect(java.util.stream.Collectors.toUnmodifiableSet());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("JUnit's Assertions are not on the kernel's class path", e);
        }
    }

    private static boolean assertion(String name) {
        return ASSERTIONS.contains(name);
    }

    private static boolean jdkType(String name) {
        if (name.isEmpty() || !Character.isUpperCase(name.charAt(0))) return false;
        for (String pkg : List.of("java.lang.", "java.util.", "java.util.function.", "java.util.stream.", "java.io.", "java.nio.file.", "java.math.")) {
            try {
                Class.forName(pkg + name, false, ClassLoader.getPlatformClassLoader());
                return true;
            } catch (ClassNotFoundException | LinkageError ignored) {
                // not in this package
            }
        }
        return false;
    }

    int executionCount() {
        return executionCount;
    }

    private Status evaluate(String cell, Piece piece, String label, boolean check, boolean last) {
        List<SnippetEvent> events = shell.eval(piece.source());
        try {
            return report(cell, piece, label, check, last, events);
        } finally {
            forgetTemporaries(events);
        }
    }

    /**
     * Drops the temporary variable ($1, $2, ...) in which JShell keeps an expression's value. The page never names it,
     * but JShell imports every one into each later snippet and keeps its value alive: with them a kernel's 300th
     * {@code 1+1} compiled twice as slowly as its first, and its heap grew by the values of every expression shown.
     */
    private void forgetTemporaries(List<SnippetEvent> events) {
        for (SnippetEvent event : events) {
            if (event.causeSnippet() == null && event.snippet() instanceof VarSnippet v
                    && v.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND && shell.status(v).isActive()) {
                shell.drop(v);
            }
        }
    }

    private Status report(String cell, Piece piece, String label, boolean check, boolean last, List<SnippetEvent> events) {
        for (SnippetEvent event : events) {
            Snippet snippet = event.snippet();
            origins.put(snippet.id(), new Origin(label, lineOf(cell, piece.offset()) - (check ? 1 : 0)));
            if (event.causeSnippet() != null) continue;     // a consequence of the main event (e.g. an update)
            if (event.status() == Snippet.Status.REJECTED || notDefinedByAnError(event)) {
                channel.emit(compileError(cell, piece, snippet));
                return Status.ERROR;
            }
            if (event.status().isDefined() && event.status() != Snippet.Status.VALID
                    && snippet instanceof DeclarationSnippet declaration) {
                List<String> missing = shell.unresolvedDependencies(declaration).toList();
                if (!missing.isEmpty()) channel.emit(new Output.Stream("stderr",
                        "note: " + declaration.name() + " is defined, but it cannot be used until "
                                + String.join(", ", missing) + " is declared\n"));
            }
            if (event.exception() != null) {
                if (stopRequested) return Status.INTERRUPTED;
                channel.emit(runtimeError(cell, event.exception()));
                return Status.ERROR;
            }
            if (last && !check && shows(snippet) && event.value() != null && !event.value().isEmpty()) {
                String value = event.value();
                if (value.length() > MAX_VALUE_CHARS) value = value.substring(0, MAX_VALUE_CHARS) + " …[value truncated]";
                channel.emit(new Output.ExecuteResult(executionCount, Map.of("text/plain", value)));
            }
        }
        return Status.OK;
    }

    /**
     * JShell keeps a declaration it could not define as "recoverable" when it waits for a missing name; one
     * that failed for another reason (e.g. "code too large") is an error, not something to wait for.
     */
    private boolean notDefinedByAnError(SnippetEvent event) {
        return event.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED
                && event.snippet() instanceof DeclarationSnippet declaration
                && shell.unresolvedDependencies(declaration).findAny().isEmpty()
                && shell.diagnostics(declaration).anyMatch(Diag::isError);
    }

    /**
     * Only an expression (not a declaration) shows its value, as in Jupyter; and not a print stream,
     * which is what {@code System.out.printf(...)} returns.
     */
    private static boolean shows(Snippet snippet) {
        String type = switch (snippet) {
            case ExpressionSnippet e -> e.typeName();
            case VarSnippet v when v.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND -> v.typeName();
            default -> null;
        };
        return type != null && !type.endsWith("PrintStream") && !type.endsWith("PrintWriter");
    }

    private Output.Error compileError(String cell, Piece piece, Snippet snippet) {
        List<Diag> errors = shell.diagnostics(snippet).filter(Diag::isError).toList();
        if (errors.isEmpty()) {
            return new Output.Error("CompileError", "this cell does not compile", lineOf(cell, piece.offset()), 1, List.of());
        }
        List<String> all = new ArrayList<>();
        for (Diag d : errors) {
            int at = piece.offset() + (int) Math.max(0, Math.min(d.getStartPosition(), piece.source().length()));
            all.add("line " + lineOf(cell, at) + ", column " + columnOf(cell, at) + ": " + d.getMessage(Locale.ROOT));
        }
        Diag first = errors.getFirst();
        int at = piece.offset() + (int) Math.max(0, Math.min(first.getStartPosition(), piece.source().length()));
        return new Output.Error("CompileError", clean(first.getMessage(Locale.ROOT)), lineOf(cell, at), columnOf(cell, at),
                all.size() > 1 ? all : List.of());
    }

    private Output.Error runtimeError(String cell, JShellException exception) {
        String ename = switch (exception) {
            case EvalException e -> e.getExceptionClassName();
            case UnresolvedReferenceException _ -> "UnresolvedReference";
            default -> exception.getClass().getName();
        };
        String message = exception instanceof UnresolvedReferenceException u
                ? u.getSnippet().toString() + " cannot run until what it refers to is declared"
                : exception.getMessage() == null ? "" : clean(shorten(exception.getMessage()));
        int line = 0;
        int column = 0;
        List<String> traceback = new ArrayList<>();
        Set<Throwable> seen = new LinkedHashSet<>();
        for (Throwable t = exception; t != null && seen.add(t); t = t.getCause()) {
            if (traceback.size() >= MAX_TRACEBACK_LINES) {
                traceback.add("… (traceback truncated)");
                break;
            }
            if (t != exception) traceback.add("Caused by: " + (t instanceof EvalException ee ? ee.getExceptionClassName() : t.getClass().getName())
                    + (t.getMessage() == null ? "" : ": " + clean(shorten(t.getMessage()))));
            StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < frames.length && i < 40; i++) {
                StackTraceElement f = frames[i];
                Origin origin = f.getFileName() != null && f.getFileName().startsWith("#")
                        ? origins.get(f.getFileName().substring(1)) : null;
                if (origin != null) {
                    int cellLine = origin.firstLine() + f.getLineNumber() - 1;
                    String where = f.getMethodName().isEmpty() ? "" : f.getMethodName() + " ";
                    traceback.add("at " + where + "(" + origin.label() + ", line " + cellLine + ")");
                    if (t == exception && line == 0 && origin.label().equals(currentLabel)) {
                        line = cellLine;
                        column = firstNonBlankColumn(cell, cellLine);
                    }
                } else {
                    traceback.add("at " + f);
                }
            }
            if (frames.length > 40) traceback.add("… " + (frames.length - 40) + " more");
        }
        return new Output.Error(ename, message, line, column, traceback);
    }

    /** Completion options at {@code cursor}, looked up in the snippet that contains it. */
    Completions complete(long id, String code, int cursor) {
        cursor = Math.max(0, Math.min(cursor, code.length()));
        Piece piece = new Piece(code, 0);
        for (Piece p : split(code.substring(0, cursor) + " ")) {
            if (p.offset() <= cursor) piece = p;
        }
        int inPiece = cursor - piece.offset();
        String source = code.substring(piece.offset(), cursor);
        int[] anchor = new int[1];
        List<SourceCodeAnalysis.Suggestion> suggestions =
                shell.sourceCodeAnalysis().completionSuggestions(source, Math.min(inPiece, source.length()), anchor);
        List<Completions.Option> options = new ArrayList<>();
        Set<String> labels = new LinkedHashSet<>();
        for (boolean wanted : new boolean[]{true, false}) {
            for (SourceCodeAnalysis.Suggestion s : suggestions) {
                if (s.matchesType() == wanted && labels.add(s.continuation())) {
                    options.add(new Completions.Option(s.continuation(), kindOf(s.continuation())));
                }
            }
        }
        return new Completions(id, piece.offset() + anchor[0], options.subList(0, Math.min(200, options.size())));
    }

    private static String kindOf(String continuation) {
        if (continuation.endsWith("(") || continuation.endsWith(")")) return "method";
        if (!continuation.isEmpty() && Character.isUpperCase(continuation.charAt(0))) return "class";
        return "variable";
    }

    /** Splits a cell into snippets the way JShell reads them, keeping each one's offset in the cell. */
    private List<Piece> split(String cell) {
        List<Piece> pieces = new ArrayList<>();
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        int offset = 0;
        String remaining = cell;
        while (!remaining.isBlank()) {
            int lead = 0;
            while (lead < remaining.length() && Character.isWhitespace(remaining.charAt(lead))) lead++;
            offset += lead;
            remaining = remaining.substring(lead);
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            boolean complete = info.completeness().isComplete() && info.source() != null;
            String source = complete ? info.source() : remaining;
            String rest = complete ? info.remaining() : "";
            pieces.add(new Piece(source, offset));
            offset += remaining.length() - rest.length();
            remaining = rest;
        }
        return pieces;
    }

    private static String shorten(String message) {
        return message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS) + " …[message truncated]";
    }

    private static String clean(String message) {
        return REPL_PREFIX.matcher(message).replaceAll("");
    }

    static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < Math.min(offset, text.length()); i++) if (text.charAt(i) == '\n') line++;
        return line;
    }

    static int columnOf(String text, int offset) {
        offset = Math.min(offset, text.length());
        int lineStart = text.lastIndexOf('\n', offset - 1) + 1;
        return offset - lineStart + 1;
    }

    private static int firstNonBlankColumn(String text, int line) {
        String[] lines = text.split("\n", -1);
        if (line < 1 || line > lines.length) return 1;
        String l = lines[line - 1];
        int i = 0;
        while (i < l.length() && Character.isWhitespace(l.charAt(i))) i++;
        return i + 1;
    }
}
