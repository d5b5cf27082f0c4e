package dev.glassbox.tinymodels.recipes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A student of a fifth of tiny-stories' size learns the teacher's softened distribution. */
class DistillationRunTest {
    @TempDir
    static Path dir;

    @Test
    void aStudentTwiceSmallerLearnsFromTheTeachersSoftenedDistribution() throws IOException {
        Path teacher = FineTuneRunTest.shippedStories(dir);
        DistillationRun run = new DistillationRun(teacher, DistillationRun.Settings.QUICK);
        long start = System.nanoTime();
        run.run((step, loss) -> System.out.printf("  step %d: student held-out loss %.4f%n", step, loss));
        System.out.printf("distilled %d steps in %.1f s%n", run.stepsDone(), (System.nanoTime() - start) / 1e9);
        List<float[]> e = run.evaluations();
        float first = e.getFirst()[1], last = e.getLast()[1];
        assertTrue(last < first - 3, "the student's held-out loss falls well below its start (about ln 1024 = 6.9): " + first + " -> " + last);
        DistillationRun.Comparison c = run.compare();
        System.out.println(c);
        assertTrue(c.sizeRatio() >= 2, "the student is at least 2x smaller: " + c.sizeRatio());
        assertTrue(c.studentBytes() * 2 <= c.teacherBytes());
        assertTrue(c.teacherLoss() < c.studentLoss(), "the teacher, trained 1500 steps, is still the better model: " + c);
        assertTrue(c.studentTokensPerSecond() > 0 && c.teacherTokensPerSecond() > 0);
    }
}
