package dev.glassbox.explorer.training;

/**
 * Knowledge distillation (Hinton, Vinyals, Dean 2015): a student learns the teacher's softened output distribution.
 * Per position, with p = softmax(teacher / T) and q = softmax(student / T),
 * <pre>
 *   loss = (1 - h) T^2 KL(p || q) + h CE(softmax(student), target)
 *   dloss/dstudent_j = (1 - h) T (q_j - p_j) + h (softmax(student)_j - [j = target])
 * </pre>
 * each term the mean over its positions (every position for KL, those with a target != -1 for CE). T^2 keeps the
 * soft term's gradient the same size whatever T is, since softening shrinks it by 1/T^2. h = 0 is pure distillation.
 * Row sums run in double, position after position: the same bits on any thread count.
 *
 * @param teacher     the teacher's logits (m, vocab) on the same tokens
 * @param temperature T > 0; above 1 the teacher's small probabilities (its "dark knowledge") count more
 * @param hardWeight  h in [0, 1]; 0 needs no targets
 * @param targets     (m,) next tokens, -1 where ignored; may be null when h = 0
 */
public record DistillationLoss(float[] teacher, float temperature, float hardWeight, int[] targets) implements TrainableLlama.LogitLoss {
    public DistillationLoss {
        if (!(temperature > 0) || !Float.isFinite(temperature)) throw new IllegalArgumentException("temperature > 0 expected, found " + temperature);
        if (!(hardWeight >= 0 && hardWeight <= 1)) throw new IllegalArgumentException("hard-label weight in [0, 1] expected, found " + hardWeight);
        if (hardWeight > 0 && targets == null) throw new IllegalArgumentException("targets expected for a hard-label weight of " + hardWeight);
    }

    @Override
    public double lossAndGradient(float[] logits, int m, int vocab) {
        if (teacher.length != m * vocab) throw new IllegalArgumentException("teacher logits of " + m + " x " + vocab + " expected, found " + teacher.length);
        if (targets != null && targets.length != m) throw new IllegalArgumentException(m + " targets expected, found " + targets.length);
        double t = temperature, soft = 1 - hardWeight, total = 0;
        int counted = 0;
        if (targets != null) for (int i = 0; i < m; i++) if (targets[i] >= 0) counted++;
        double[] p = new double[vocab], q = new double[vocab], hard = new double[vocab];
        for (int i = 0; i < m; i++) {
            int at = i * vocab;
            softmax(p, teacher, at, vocab, t);
            softmax(q, logits, at, vocab, t);
            double kl = 0;
            for (int j = 0; j < vocab; j++) if (p[j] > 0) kl += p[j] * (Math.log(p[j]) - Math.log(Math.max(q[j], Double.MIN_NORMAL)));
            total += soft * t * t * kl / m;
            boolean scored = hardWeight > 0 && targets[i] >= 0 && counted > 0;
            if (scored) {
                softmax(hard, logits, at, vocab, 1);
                total += hardWeight * -Math.log(Math.max(hard[targets[i]], Double.MIN_NORMAL)) / counted;
            }
            for (int j = 0; j < vocab; j++) {
                double g = soft * t * (q[j] - p[j]) / m;
                if (scored) g += hardWeight * (hard[j] - (j == targets[i] ? 1 : 0)) / counted;
                logits[at + j] = (float) g;
            }
        }
        return total;
    }

    /** out = softmax(x[at, at + n) / t), in double, the maximum subtracted first. */
    static void softmax(double[] out, float[] x, int at, int n, double t) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < n; j++) max = Math.max(max, x[at + j] / t);
        for (int j = 0; j < n; j++) sum += out[j] = Math.exp(x[at + j] / t - max);
        for (int j = 0; j < n; j++) out[j] /= sum;
    }

    /** T^2 KL(softmax(teacher / T) || softmax(student / T)) of one position's logits: the soft term alone, no gradient. */
    static double softenedKl(float[] student, float[] teacher, int at, int vocab, float temperature) {
        double[] p = new double[vocab], q = new double[vocab];
        softmax(p, teacher, at, vocab, temperature);
        softmax(q, student, at, vocab, temperature);
        double kl = 0;
        for (int j = 0; j < vocab; j++) if (p[j] > 0) kl += p[j] * (Math.log(p[j]) - Math.log(Math.max(q[j], Double.MIN_NORMAL)));
        return (double) temperature * temperature * kl;
    }
}
