package dev.glassbox.tinymodels;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.tensor.Tensor;

import java.util.EnumMap;
import java.util.Map;

/**
 * How a model's parameters split over its {@link Component components}: where the numbers actually are.
 * In a small encoder like MiniLM the word embeddings hold more than a third of everything.
 *
 * @param counts values per component, every component present (zero when it has none)
 */
public record ParameterBudget(Map<Component, Long> counts) {
    public ParameterBudget {
        counts = Map.copyOf(counts);
    }

    public static ParameterBudget of(ModelFile file) {
        Map<Component, Long> counts = new EnumMap<>(Component.class);
        for (Component c : Component.values()) counts.put(c, 0L);
        for (Tensor t : file.tensors()) counts.merge(Component.of(t.name()), t.elementCount(), Long::sum);
        return new ParameterBudget(counts);
    }

    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    public long count(Component c) {
        return counts.getOrDefault(c, 0L);
    }
}
