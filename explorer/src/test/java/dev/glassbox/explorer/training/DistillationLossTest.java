package dev.glassbox.explorer.training;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistillationLossTest {
    static float[] gaussian(Random r, int n, double std) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (std * r.nextGaussian());
        return x;
    }

    /** The loss written again from its definition, in double, for finite differences. */
    static double reference(double[] student, float[] teacher, int[] targets, int m, int vocab, double t, double h) {
        double total = 0;
        int counted = 0;
        for (int target : targets) if (target >= 0) counted++;
        for (int i = 0; i < m; i++) {
            double[] p = new double[vocab], q = new double[vocab], s = new double[vocab];
            double zp = 0, zq = 0, zs = 0;
            for (int j = 0; j < vocab; j++) {
                zp += p[j] = Math.exp(teacher[i * vocab + j] / t);
                zq += q[j] = Math.exp(student[i * vocab + j] / t);
                zs += s[j] = Math.exp(student[i * vocab + j]);
            }
            double kl = 0;
            for (int j = 0; j < vocab; j++) kl += p[j] / zp * Math.log((p[j] / zp) / (q[j] / zq));
            total += (1 - h) * t * t * kl / m;
            if (targets[i] >= 0) total += h * -Math.log(s[targets[i]] / zs) / counted;
        }
        return total;
    }

    @Test
    void gradientMatchesFiniteDifferencesAtSeveralTemperatures() {
        Random r = new Random(3);
        int m = 5, vocab = 11;
        for (float t : new float[] {1f, 2f, 4.5f}) {
            for (float h : new float[] {0f, 0.3f}) {
                float[] teacher = gaussian(r, m * vocab, 2), student = gaussian(r, m * vocab, 2);
                int[] targets = {3, -1, 0, 10, 7};
                float[] grad = student.clone();
                double loss = new DistillationLoss(teacher, t, h, targets).lossAndGradient(grad, m, vocab);
                double[] s = new double[m * vocab];
                for (int i = 0; i < s.length; i++) s[i] = student[i];
                double ref = reference(s, teacher, targets, m, vocab, t, h);
                assertEquals(ref, loss, 1e-9 * Math.max(1, ref), "loss at T " + t + ", h " + h);
                for (int i = 0; i < s.length; i++) {
                    double keep = s[i], e = 1e-6;
                    s[i] = keep + e;
                    double plus = reference(s, teacher, targets, m, vocab, t, h);
                    s[i] = keep - e;
                    double minus = reference(s, teacher, targets, m, vocab, t, h);
                    s[i] = keep;
                    assertEquals((plus - minus) / (2 * e), grad[i], 1e-6, "dloss/dstudent[" + i + "] at T " + t + ", h " + h);
                }
            }
        }
    }

    @Test
    void theSoftTermIsZeroExactlyWhenTheStudentMatchesTheTeacher() {
        float[] teacher = gaussian(new Random(1), 3 * 7, 3);
        float[] student = teacher.clone();
        double loss = new DistillationLoss(teacher, 2f, 0f, null).lossAndGradient(student, 3, 7);
        assertEquals(0, loss, 1e-12);
        for (float g : student) assertEquals(0f, g, 1e-9f);
        assertTrue(DistillationLoss.softenedKl(gaussian(new Random(2), 7, 3), teacher, 0, 7, 2f) > 0);
        assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(teacher, 0f, 0f, null));
        assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(teacher, 1f, 0.5f, null));
    }
}
