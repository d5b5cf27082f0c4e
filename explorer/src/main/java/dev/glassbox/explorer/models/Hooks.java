package dev.glassbox.explorer.models;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What one forward pass should do at its hook points. Passed to a single call and gone after it: a hook
 * never outlives the run it was given to. (Which kernels the run uses is a separate choice: {@link Ops}.)
 * <pre>
 * Hooks.none()
 *     .with("blocks.0.attn.hook_pattern", a -> System.out.println(a.get(0, 3, 2)))   // read
 *     .with(name -> name.endsWith("hook_z"), a -> java.util.Arrays.fill(a.data(), 0f)); // replace
 * </pre>
 */
public final class Hooks {
    /** Called with the live activation; may read it, or write into {@code data()} to change the rest of the run. */
    @FunctionalInterface
    public interface Hook {
        void apply(Activation activation);
    }

    private record Entry(Predicate<String> names, Hook hook) {}

    private static final Hooks NONE = new Hooks(List.of());

    private final List<Entry> entries;

    private Hooks(List<Entry> entries) {
        this.entries = entries;
    }

    /** No hooks. */
    public static Hooks none() { return NONE; }

    /** These hooks plus {@code hook} at the hook point called {@code name}. */
    public Hooks with(String name, Hook hook) {
        return with(name::equals, hook);
    }

    /** These hooks plus {@code hook} at every hook point whose name {@code names} accepts. */
    public Hooks with(Predicate<String> names, Hook hook) {
        List<Entry> more = new ArrayList<>(entries);
        more.add(new Entry(names, hook));
        return new Hooks(List.copyOf(more));
    }

    public boolean isEmpty() { return entries.isEmpty(); }

    /** The forward pass reached {@code name} with {@code data} of {@code shape}: run every hook that wants it, in order. */
    void at(String name, float[] data, int... shape) {
        if (entries.isEmpty()) return;
        Activation activation = null;
        for (Entry e : entries) {
            if (!e.names.test(name)) continue;
            if (activation == null) activation = new Activation(name, shape, data);
            e.hook.apply(activation);
        }
    }
}
