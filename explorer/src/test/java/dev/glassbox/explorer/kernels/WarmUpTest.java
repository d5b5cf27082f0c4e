package dev.glassbox.explorer.kernels;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warm-up a notebook kernel runs while it waits for a learner: all rounds when left alone, none once told to stop. */
class WarmUpTest {
    @Test
    void runsEveryRoundWhenLeftAlone() {
        assertEquals(WarmUp.ROUNDS, WarmUp.run(() -> true));
    }

    @Test
    void stopsAtTheFirstCheckAfterItIsToldTo() {
        assertEquals(0, WarmUp.run(() -> false), "a kernel claimed before the warm-up began runs none of it");
        AtomicInteger checks = new AtomicInteger();
        int rounds = WarmUp.run(() -> checks.incrementAndGet() <= 10);
        assertEquals(11, checks.get(), "it went on after it was told to stop");
        assertTrue(rounds < WarmUp.ROUNDS, rounds + " rounds");
    }
}
