package dev.glassbox.explorer.models;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Predicate;

/**
 * Copies of the activations one forward pass produced, by hook name, in the order the pass reached them.
 */
public final class ActivationCache {
    private final Map<String, Activation> byName = new LinkedHashMap<>();

    /** Hooks that copy every activation {@code filter} accepts into this cache. */
    Hooks recorder(Hooks hooks, Predicate<String> filter) {
        return hooks.with(filter, a -> byName.put(a.name(), a.copy()));
    }

    /** The names, in execution order. */
    public List<String> names() { return List.copyOf(byName.keySet()); }

    public boolean contains(String name) { return byName.containsKey(name); }

    public Activation get(String name) {
        Activation a = byName.get(name);
        if (a == null) throw new NoSuchElementException("no activation " + name + " in this cache; it holds " + byName.size() + " (e.g. " + names().stream().limit(3).toList() + ")");
        return a;
    }

    /** {@code blocks.{layer}.{point}}. */
    public Activation get(int layer, HookName.InBlock point) { return get(HookName.block(layer, point)); }

    public int size() { return byName.size(); }
}
