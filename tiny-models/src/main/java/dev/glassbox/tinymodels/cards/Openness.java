package dev.glassbox.tinymodels.cards;

import java.util.EnumMap;
import java.util.Map;

/**
 * How open a model is, part by part. "Open" is not one thing: a model can publish its weights and keep
 * its training data, or publish everything but under a licence with use restrictions.
 *
 * @param levels      each part's openness
 * @param reasons     one line per part saying why
 * @param licenceType the kind of licence the weights come under
 */
public record Openness(Map<Part, Level> levels, Map<Part, String> reasons, LicenceType licenceType) {

    /** The parts of a model that can each be opened or kept closed. */
    public enum Part { ARCHITECTURE, INFERENCE_CODE, TRAINING_CODE, WEIGHTS, TRAINING_DATA, LICENCE }

    /** NOT_APPLICABLE: the part does not exist for this model, e.g. training data for weights drawn at random. */
    public enum Level { OPEN, PARTLY_OPEN, CLOSED, NOT_APPLICABLE }

    public enum LicenceType { OSI_APPROVED, CUSTOM_WITH_RESTRICTIONS, NONE }

    public Openness {
        for (Part part : Part.values()) {
            if (!levels.containsKey(part)) throw new IllegalArgumentException("openness has no level for " + part);
            if (!reasons.containsKey(part)) throw new IllegalArgumentException("openness has no reason for " + part);
        }
        levels = Map.copyOf(levels);
        reasons = Map.copyOf(reasons);
    }

    /** True when every part that exists is open: weights, code and data can all be inspected and reused. */
    public boolean fullyOpen() {
        return levels.values().stream().allMatch(l -> l == Level.OPEN || l == Level.NOT_APPLICABLE);
    }

    /** Starts a checklist under a licence of {@code type}; name every part once with {@link Builder#part}. */
    public static Builder builder(LicenceType type) {
        return new Builder(type);
    }

    /** Collects the six parts of a checklist; {@link #build()} fails if one is missing. */
    public static final class Builder {
        private final Map<Part, Level> levels = new EnumMap<>(Part.class);
        private final Map<Part, String> reasons = new EnumMap<>(Part.class);
        private final LicenceType type;

        private Builder(LicenceType type) { this.type = type; }

        public Builder part(Part part, Level level, String reason) {
            levels.put(part, level);
            reasons.put(part, reason);
            return this;
        }

        public Openness build() { return new Openness(levels, reasons, type); }
    }
}
