package dev.glassbox.explorer.training;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A LoRA adapter's shape (Hu et al. 2021): rank r, the scale's numerator alpha (the update is (alpha / r) B A) and the
 * projections that get an adapter.
 */
public record LoraSettings(int rank, float alpha, Set<Projection> targets) {
    /** The adapter of the LoRA paper's main experiments: rank 8 on q and v. */
    public static final LoraSettings DEFAULT = new LoraSettings(8, 16, EnumSet.of(Projection.Q, Projection.V));

    public LoraSettings {
        if (rank < 1) throw new IllegalArgumentException("LoRA rank >= 1 expected, found " + rank);
        if (!(alpha > 0) || !Float.isFinite(alpha)) throw new IllegalArgumentException("LoRA alpha > 0 expected, found " + alpha);
        if (targets == null || targets.isEmpty()) throw new IllegalArgumentException("at least one target projection expected, found none");
        targets = Set.copyOf(EnumSet.copyOf(targets));
    }

    /** Settings from target names ({@code q_proj} or {@code q}). */
    public static LoraSettings of(int rank, float alpha, List<String> targets) {
        EnumSet<Projection> set = EnumSet.noneOf(Projection.class);
        for (String t : targets) set.add(Projection.byName(t));
        return new LoraSettings(rank, alpha, set);
    }

    /** alpha / r: the factor on B A. */
    public float scale() { return alpha / rank; }

    /** The targets in block order (q, k, v, o, gate, up, down). */
    public List<Projection> orderedTargets() { return EnumSet.copyOf(targets).stream().toList(); }
}
