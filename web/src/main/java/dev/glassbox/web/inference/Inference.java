package dev.glassbox.web.inference;

import dev.glassbox.explorer.models.Transformer;

/**
 * What the server sets aside for running models: its caps, the loaded models and the run slots.
 * Made once per server; closing it closes the models.
 */
public record Inference(InferenceLimits limits, LoadedModels models, RunSlots slots) implements AutoCloseable {

    /** The default caps, models loaded from their files with {@link Transformer#load}, one run slot per core. */
    public static Inference defaults() {
        InferenceLimits limits = InferenceLimits.defaults();
        return new Inference(limits, new LoadedModels(limits.loadedModels(), Transformer::load), RunSlots.perCore());
    }

    @Override
    public void close() {
        models.close();
    }
}
