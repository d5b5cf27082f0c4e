package dev.glassbox.explorer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.NameAndTypeEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The package -> package arrows of one module's compiled classes, read from their bytecode with the
 * ClassFile API: every class a constant pool names (class entries, plus the types in field and method
 * descriptors) is an arrow from the reading class's package to that class's package. Nested classes are
 * class files of their own and count for their package like any other. Packages outside the module are
 * left out: a cycle through them would need a cycle between modules, which Maven already refuses.
 *
 * <p>A cycle is a strongly connected component (Tarjan) of more than one package; {@link #describeCycles()}
 * names each arrow inside each such component with the first class edge found for it.
 */
public final class PackageGraph {

    /** One class of the module reading another: the example given for a package arrow. */
    public record ClassEdge(String from, String to) {
        @Override
        public String toString() {
            return from + " -> " + to;
        }
    }

    /** from package -> (to package -> one class edge that makes the arrow), both sorted for a stable report. */
    private final Map<String, Map<String, ClassEdge>> arrows;

    private PackageGraph(Map<String, Map<String, ClassEdge>> arrows) {
        this.arrows = arrows;
    }

    /** The graph of the module (class directory or jar) that {@code anchor} was loaded from. */
    public static PackageGraph ofModuleOf(Class<?> anchor) {
        Path location;
        try {
            location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("code source of " + anchor.getName() + " is no file: " + e.getMessage(), e);
        }
        if (Files.isDirectory(location)) {
            return of(location);
        }
        try (FileSystem jar = FileSystems.newFileSystem(location)) {
            return of(jar.getPath("/"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + location + " as a jar", e);
        }
    }

    /** The graph of every class file under {@code root} (a class directory or a jar's root). */
    public static PackageGraph of(Path root) {
        List<ClassModel> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String name = file.getFileName().toString();
                if (name.equals("module-info.class") || name.equals("package-info.class")) {
                    continue;
                }
                classes.add(ClassFile.of().parse(Files.readAllBytes(file)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the class files under " + root, e);
        }
        if (classes.isEmpty()) {
            throw new IllegalArgumentException("no class files under " + root + "; expected a module's compiled classes");
        }
        TreeSet<String> packages = new TreeSet<>();
        for (ClassModel c : classes) {
            packages.add(packageOf(c.thisClass().asSymbol()));
        }
        Map<String, Map<String, ClassEdge>> arrows = new TreeMap<>();
        for (String p : packages) {
            arrows.put(p, new TreeMap<>());
        }
        classes.sort(Comparator.comparing(c -> c.thisClass().asInternalName()));
        for (ClassModel c : classes) {
            ClassDesc self = c.thisClass().asSymbol();
            String from = packageOf(self);
            for (ClassDesc target : referencedTypes(c)) {
                String to = packageOf(target);
                if (!to.equals(from) && packages.contains(to)) {
                    arrows.get(from).putIfAbsent(to, new ClassEdge(nameOf(self), nameOf(target)));
                }
            }
        }
        return new PackageGraph(arrows);
    }

    /** Every package of the module, sorted. */
    public List<String> packages() {
        return List.copyOf(arrows.keySet());
    }

    /** The packages {@code from} reads, sorted; empty for a package of no other module package. */
    public List<String> arrowsFrom(String from) {
        return List.copyOf(arrows.getOrDefault(from, Map.of()).keySet());
    }

    /** The strongly connected components of more than one package, each sorted, in order of their first package. */
    public List<List<String>> cycles() {
        List<List<String>> cycles = new ArrayList<>();
        for (List<String> component : new Tarjan().components()) {
            if (component.size() > 1) {
                cycles.add(component.stream().sorted().toList());
            }
        }
        cycles.sort(Comparator.comparing(c -> c.getFirst()));
        return cycles;
    }

    /** Each cycle as its arrows (inside the component) with one example class edge per arrow; empty when none. */
    public String describeCycles() {
        StringBuilder out = new StringBuilder();
        for (List<String> component : cycles()) {
            out.append("cycle between ").append(component.size()).append(" packages ").append(component).append(":\n");
            for (String from : component) {
                for (Map.Entry<String, ClassEdge> arrow : arrows.get(from).entrySet()) {
                    if (component.contains(arrow.getKey())) {
                        out.append("  ").append(from).append(" -> ").append(arrow.getKey())
                                .append("   e.g. ").append(arrow.getValue()).append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    /** Tarjan's algorithm over {@link #arrows}; components come out in reverse topological order. */
    private final class Tarjan {
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> lowLink = new HashMap<>();
        private final List<String> stack = new ArrayList<>();
        private final TreeSet<String> onStack = new TreeSet<>();
        private final List<List<String>> components = new ArrayList<>();

        List<List<String>> components() {
            for (String p : arrows.keySet()) {
                if (!index.containsKey(p)) {
                    visit(p);
                }
            }
            return components;
        }

        private void visit(String p) {
            index.put(p, index.size());
            lowLink.put(p, index.get(p));
            stack.add(p);
            onStack.add(p);
            for (String q : arrows.get(p).keySet()) {
                if (!index.containsKey(q)) {
                    visit(q);
                    lowLink.put(p, Math.min(lowLink.get(p), lowLink.get(q)));
                } else if (onStack.contains(q)) {
                    lowLink.put(p, Math.min(lowLink.get(p), index.get(q)));
                }
            }
            if (lowLink.get(p).equals(index.get(p))) {
                List<String> component = new ArrayList<>();
                String q;
                do {
                    q = stack.removeLast();
                    onStack.remove(q);
                    component.add(q);
                } while (!q.equals(p));
                components.add(component);
            }
        }
    }

    /** The classes (binary names, nested ones with {@code $}) that the compiled {@code type} names, itself left out. */
    public static java.util.SortedSet<String> classesNamedBy(Class<?> type) {
        String file = type.getName().substring(type.getName().lastIndexOf('.') + 1) + ".class";
        byte[] bytes;
        try (var in = type.getResourceAsStream(file)) {
            if (in == null) throw new IllegalArgumentException("no class file " + file + " beside " + type.getName());
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the class file of " + type.getName(), e);
        }
        TreeSet<String> names = new TreeSet<>();
        for (ClassDesc target : referencedTypes(ClassFile.of().parse(bytes))) {
            if (!target.descriptorString().replace("[", "").startsWith("L")) continue;    // a primitive or an array of one
            names.add(nameOf(target));
        }
        names.remove(type.getName());
        return names;
    }

    /** The types a class names: its constant pool's class entries, and the types in every descriptor it holds. */
    private static List<ClassDesc> referencedTypes(ClassModel c) {
        List<ClassDesc> types = new ArrayList<>();
        for (PoolEntry entry : c.constantPool()) {
            switch (entry) {
                case ClassEntry ce -> types.add(ce.asSymbol());
                case NameAndTypeEntry nt -> addDescriptor(types, nt.type().stringValue());
                default -> { }
            }
        }
        for (FieldModel f : c.fields()) {
            types.add(f.fieldTypeSymbol());
        }
        for (MethodModel m : c.methods()) {
            addDescriptor(types, m.methodType().stringValue());
        }
        return types;
    }

    private static void addDescriptor(List<ClassDesc> types, String descriptor) {
        if (descriptor.startsWith("(")) {
            MethodTypeDesc method = MethodTypeDesc.ofDescriptor(descriptor);
            types.add(method.returnType());
            types.addAll(method.parameterList());
        } else {
            types.add(ClassDesc.ofDescriptor(descriptor));
        }
    }

    /** The package of a class, array element or primitive ("" for a primitive, which no module holds). */
    private static String packageOf(ClassDesc type) {
        ClassDesc element = type;
        while (element.isArray()) {
            element = element.componentType();
        }
        return element.isPrimitive() ? "" : element.packageName();
    }

    private static String nameOf(ClassDesc type) {
        ClassDesc element = type;
        while (element.isArray()) {
            element = element.componentType();
        }
        String descriptor = element.descriptorString();
        return descriptor.substring(1, descriptor.length() - 1).replace('/', '.');
    }
}
