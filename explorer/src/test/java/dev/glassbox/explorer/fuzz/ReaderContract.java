package dev.glassbox.explorer.fuzz;

import dev.glassbox.explorer.formats.ModelFormatException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What every reader must do with any input, checked one input at a time: fail only with
 * {@link ModelFormatException}, answer within {@link #TIME_LIMIT_MS}, and make the reading thread allocate
 * no more than {@link #ALLOCATION_LIMIT} plus 64 bytes per input byte (sizes read from the file must be
 * checked before anything is allocated for them). The reader runs on a worker thread, so a hang is
 * reported instead of stopping the run; a hung worker is abandoned and replaced.
 */
final class ReaderContract implements AutoCloseable {
    static final long TIME_LIMIT_MS = 5_000;
    static final long ALLOCATION_LIMIT = 16L << 20;

    /** Opens a file the way one reader does and touches everything it returns. */
    interface Reader {
        void read(Path file) throws IOException;
    }

    /** One input's result; {@code violation} is null when the reader kept the contract. */
    record Outcome(boolean accepted, long allocatedBytes, long millis, String violation) {}

    private final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private ExecutorService worker = newWorker();

    /** Reads {@code input} (already holding {@code length} bytes) with {@code reader}. */
    Outcome check(Reader reader, Path input, long length) throws InterruptedException {
        long start = System.nanoTime();
        Future<long[]> run = worker.submit(() -> {
            long before = threads.getCurrentThreadAllocatedBytes();
            try {
                reader.read(input);
                return new long[] {1, threads.getCurrentThreadAllocatedBytes() - before};
            } catch (ModelFormatException expected) {
                return new long[] {0, threads.getCurrentThreadAllocatedBytes() - before};
            }
        });
        try {
            long[] result = run.get(TIME_LIMIT_MS, TimeUnit.MILLISECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            String violation = result[1] > ALLOCATION_LIMIT + 64L * length
                    ? "allocated " + result[1] + " bytes for a " + length + "-byte input" : null;
            return new Outcome(result[0] == 1, result[1], millis, violation);
        } catch (TimeoutException e) {
            worker.shutdownNow();
            worker = newWorker();
            return new Outcome(false, 0, TIME_LIMIT_MS, "no result after " + TIME_LIMIT_MS + " ms");
        } catch (ExecutionException e) {
            StringWriter trace = new StringWriter();
            e.getCause().printStackTrace(new PrintWriter(trace));
            return new Outcome(false, 0, (System.nanoTime() - start) / 1_000_000, trace.toString());
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "fuzz-worker");
            thread.setDaemon(true);
            return thread;
        });
    }
}
