package dev.glassbox.models;

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

    public enum Level { OPEN, PARTLY_OPEN, CLOSED }

    public enum LicenceType { OSI_APPROVED, CUSTOM_WITH_RESTRICTIONS, NONE }

    public Openness {
        for (Part part : Part.values()) {
            if (!levels.containsKey(part)) throw new IllegalArgumentException("openness has no level for " + part);
            if (!reasons.containsKey(part)) throw new IllegalArgumentException("openness has no reason for " + part);
        }
        levels = Map.copyOf(levels);
        reasons = Map.copyOf(reasons);
    }

    /** True when every part is open: weights, code and data can all be inspected and reused. */
    public boolean fullyOpen() {
        return levels.values().stream().allMatch(l -> l == Level.OPEN);
    }
}
