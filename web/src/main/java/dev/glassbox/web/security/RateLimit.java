package dev.glassbox.web.security;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most {@code max} events per key in any sliding window of {@code window} (per learner, per
 * address). Keys with no recent events are forgotten, so the map stays as small as the recent traffic.
 */
public final class RateLimit {
    private static final int SWEEP_ABOVE_KEYS = 10_000;

    private final int max;
    private final long windowNanos;
    private final Map<String, Deque<Long>> events = new ConcurrentHashMap<>();

    public RateLimit(int max, Duration window) {
        if (max < 1) throw new IllegalArgumentException("max must be at least 1, got " + max);
        this.max = max;
        this.windowNanos = window.toNanos();
    }

    /** Records an event for {@code key} if the limit allows it: ZERO; otherwise how long until it would. */
    public Duration tryAcquire(String key) {
        long now = System.nanoTime();
        Deque<Long> times = events.computeIfAbsent(key, k -> new ArrayDeque<>());
        Duration wait;
        synchronized (times) {
            wait = waitLocked(times, now);
            if (wait.isZero()) times.addLast(now);
        }
        sweepIfLarge();
        return wait;
    }

    /** Takes back the last event of {@code key} (an attempt counted before it was known to be a failure, that succeeded). */
    public void release(String key) {
        Deque<Long> times = events.get(key);
        if (times == null) return;
        synchronized (times) {
            times.pollLast();
        }
    }

    /** How long until {@code key} may have another event; ZERO when it may now. Records nothing. */
    public Duration waitFor(String key) {
        Deque<Long> times = events.get(key);
        if (times == null) return Duration.ZERO;
        synchronized (times) {
            return waitLocked(times, System.nanoTime());
        }
    }

    /** Records an event whatever the limit says (a failed login counts even when it was refused). */
    public void record(String key) {
        long now = System.nanoTime();
        Deque<Long> times = events.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (times) {
            times.addLast(now);
            while (times.size() > max) times.removeFirst();
        }
        sweepIfLarge();
    }

    private Duration waitLocked(Deque<Long> times, long now) {
        while (!times.isEmpty() && now - times.peekFirst() >= windowNanos) times.removeFirst();
        if (times.size() < max) return Duration.ZERO;
        return Duration.ofNanos(windowNanos - (now - times.peekFirst()));
    }

    private void sweepIfLarge() {
        if (events.size() <= SWEEP_ABOVE_KEYS) return;
        long now = System.nanoTime();
        events.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                Long last = e.getValue().peekLast();
                return last == null || now - last >= windowNanos;
            }
        });
    }

    /** Whole seconds to wait, rounded up, for messages and Retry-After. */
    public static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}
