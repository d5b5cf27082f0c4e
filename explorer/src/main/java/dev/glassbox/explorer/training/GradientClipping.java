package dev.glassbox.explorer.training;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.kernels.ScalarTrainingKernels;

import java.util.List;

/**
 * Global-norm clipping: when the gradient of all parameters together is longer than {@code maxNorm}, every gradient is
 * scaled by maxNorm / norm, so one bad batch cannot throw the weights far. The norm is summed in double, parameter by
 * parameter in order, element by element: the same bits on any number of threads.
 */
public final class GradientClipping {
    private GradientClipping() {}

    /** sqrt(sum of every gradient element squared). */
    public static double norm(List<Parameter> parameters) {
        double sum = 0;
        for (Parameter p : parameters) sum += ScalarTrainingKernels.sumOfSquares(p.grads(), p.size());
        return Math.sqrt(sum);
    }

    /** Clips to maxNorm (no clipping when maxNorm is 0 or infinite) and returns the norm before clipping. */
    public static double clip(List<Parameter> parameters, double maxNorm) {
        double norm = norm(parameters);
        if (maxNorm > 0 && norm > maxNorm && Double.isFinite(norm)) {
            float factor = (float) (maxNorm / norm);
            for (Parameter p : parameters) Kernels.scale(p.grads(), factor, p.size());
        }
        return norm;
    }
}
