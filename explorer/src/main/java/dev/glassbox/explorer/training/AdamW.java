package dev.glassbox.explorer.training;

import dev.glassbox.explorer.kernels.TrainingKernels;

import java.util.ArrayList;
import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter; PyTorch's {@code torch.optim.AdamW}):
 * per parameter p -= lr wd p, then m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
 * p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 * Weight decay applies only to parameters with {@link Parameter#decay()}: the matrices, not the norm gains (decay
 * would pull them towards 0 rather than their neutral 1) and not the embedding table (rare tokens' rows would shrink
 * just for being rare); an untied head is a matrix and decays.
 */
public final class AdamW {
    /** The hyper-parameters; PyTorch's defaults are (0.9, 0.999, 1e-8, 0.01); small transformers like beta2 0.95 and wd 0.1. */
    public record Settings(float beta1, float beta2, float eps, float weightDecay) {
        public static final Settings DEFAULT = new Settings(0.9f, 0.95f, 1e-8f, 0.1f);

        public Settings {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("AdamW: beta1, beta2 in [0, 1), eps > 0, weight decay >= 0 expected, found "
                        + beta1 + ", " + beta2 + ", " + eps + ", " + weightDecay);
            }
        }
    }

    private final List<Parameter> parameters;
    private final Settings settings;
    private final List<float[]> m = new ArrayList<>(), v = new ArrayList<>();   // first and second moments, one per parameter
    private int steps;                                                           // t: updates done so far

    public AdamW(List<Parameter> parameters, Settings settings) {
        this.parameters = List.copyOf(parameters);
        this.settings = settings;
        for (Parameter p : parameters) {
            m.add(new float[p.size()]);
            v.add(new float[p.size()]);
        }
    }

    public Settings settings() { return settings; }

    /** How many updates have been made (t of the bias corrections). */
    public int steps() { return steps; }

    /** One update of every parameter from its gradient, at learning rate lr. */
    public void step(float lr) {
        steps++;
        float bias1 = (float) (1 - Math.pow(settings.beta1(), steps)), bias2 = (float) (1 - Math.pow(settings.beta2(), steps));
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            TrainingKernels.adamw(p.values(), m.get(i), v.get(i), p.grads(), p.size(), lr, settings.beta1(), settings.beta2(),
                    settings.eps(), p.decay() ? settings.weightDecay() : 0f, bias1, bias2);
        }
    }

    /** The first moment of parameter i (in {@link #parameters} order), for checkpoints. */
    float[] firstMoment(int i) { return m.get(i); }

    float[] secondMoment(int i) { return v.get(i); }

    List<Parameter> parameters() { return parameters; }

    void restore(int steps) { this.steps = steps; }
}
