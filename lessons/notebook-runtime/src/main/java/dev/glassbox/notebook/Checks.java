package dev.glassbox.notebook;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.StringEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an exercise's check asks of the learner's code beyond its results: that it does the work itself instead of
 * calling the library function the exercise teaches. JShell compiles every snippet to a class of its own
 * ({@code REPL.$JShell$12}); the check reads the bytecode of the class that declares the learner's method and of every
 * snippet class it names, and looks for the forbidden classes in their constant pools (calls, types, and class names
 * in string constants, as reflection would use them).
 * <pre>
 * Runnable mention = () -> sumOfSquares(new float[0]);   // the check's class now names the learner's snippet
 * String leans = dev.glassbox.notebook.Checks.leansOn(java.lang.invoke.MethodHandles.lookup(), "sumOfSquares", "dev.glassbox.");
 * if (leans != null) fail(leans);
 * </pre>
 */
public final class Checks {
    private static final Pattern SNIPPET = Pattern.compile("REPL\\.\\$JShell\\$[\\w$]+");

    private Checks() {}

    /**
     * Why the learner's method {@code method}, or any notebook code it reaches, uses a class whose name starts with
     * one of {@code forbidden} (e.g. "dev.glassbox.explorer."); null when it does not. {@code check} is the check's
     * own {@code MethodHandles.lookup()}; the check must mention the method before asking, so that its class names
     * the snippet that declared it.
     */
    public static String leansOn(MethodHandles.Lookup check, String method, String... forbidden) {
        Class<?> self = check.lookupClass();
        ClassLoader loader = self.getClassLoader();
        String declaring = null;
        for (String snippet : snippetsIn(bytes(loader, self.getName()))) {
            try {
                for (Method m : Class.forName(snippet, false, loader).getDeclaredMethods()) {
                    if (m.getName().equals(method)) declaring = snippet;
                }
            } catch (ClassNotFoundException | LinkageError e) {
                // a snippet that was replaced or never finished compiling: not the learner's method
            }
        }
        if (declaring == null) return method + " is not defined: run your exercise cell first";
        Deque<String> todo = new ArrayDeque<>(List.of(declaring));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (!seen.add(name)) continue;
            byte[] bytes = bytes(loader, name);
            for (String used : namesIn(bytes)) {
                for (String prefix : forbidden) {
                    if (used.contains(prefix)) {
                        return method + " calls on " + used.replaceAll("^L|;$", "") + ": the exercise is to write that part yourself";
                    }
                }
            }
            todo.addAll(snippetsIn(bytes));
        }
        return null;
    }

    /** The snippet classes a class file names. */
    private static List<String> snippetsIn(byte[] bytes) {
        List<String> snippets = new ArrayList<>();
        for (String name : namesIn(bytes)) {
            var m = SNIPPET.matcher(name);
            while (m.find()) if (!snippets.contains(m.group())) snippets.add(m.group());
        }
        return snippets;
    }

    /** Every class name, descriptor and string constant in a class file's constant pool, with dots for slashes. */
    private static List<String> namesIn(byte[] bytes) {
        List<String> names = new ArrayList<>();
        if (bytes.length == 0) return names;
        for (PoolEntry entry : ClassFile.of().parse(bytes).constantPool()) {
            switch (entry) {
                case ClassEntry c -> names.add(c.asInternalName().replace('/', '.'));
                case StringEntry s -> names.add(s.stringValue().replace('/', '.'));
                case Utf8Entry u -> names.add(u.stringValue().replace('/', '.'));
                default -> { }
            }
        }
        return names;
    }

    private static byte[] bytes(ClassLoader loader, String className) {
        try (InputStream in = loader.getResourceAsStream(className.replace('.', '/') + ".class")) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
