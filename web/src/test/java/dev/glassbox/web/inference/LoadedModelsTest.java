package dev.glassbox.web.inference;

import dev.glassbox.explorer.models.Transformer;
import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.tinymodels.TinyLlamaRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache of loaded models on the generated tiny Llama (safetensors and its GGUF exports). */
class LoadedModelsTest {
    @TempDir
    Path dir;

    @Test
    void concurrentRequestsLoadAModelOnce() throws Exception {
        List<ModelEntry> entries = TinyLlamaRandom.entries(dir);
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        try (LoadedModels models = new LoadedModels(2, file -> {
            loads.incrementAndGet();
            return Transformer.load(file);
        }); ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Transformer>> leased = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                leased.add(pool.submit(() -> {
                    go.await();
                    try (LoadedModels.Lease lease = models.lease(entries.getFirst())) {
                        lease.model().run(new int[] {1, 2, 3});
                        return lease.model();
                    }
                }));
            }
            go.countDown();
            Transformer first = leased.getFirst().get();
            for (Future<Transformer> f : leased) assertSame(first, f.get());
            assertEquals(1, loads.get());
        }
    }

    @Test
    void anEvictedModelStaysUsableUntilItsLastLeaseEnds() throws Exception {
        List<ModelEntry> entries = TinyLlamaRandom.entries(dir);
        AtomicInteger loads = new AtomicInteger();
        try (LoadedModels models = new LoadedModels(1, file -> {
            loads.incrementAndGet();
            return Transformer.load(file);
        })) {
            try (LoadedModels.Lease held = models.lease(entries.get(0))) {
                try (LoadedModels.Lease other = models.lease(entries.get(1))) {
                    other.model().run(new int[] {4, 5});
                }
                assertEquals(List.of(entries.get(1).id()), models.loaded(), "the first model was pushed out");
                held.model().run(new int[] {1, 2, 3});                       // but its run still works
            }
            try (LoadedModels.Lease again = models.lease(entries.get(0))) {
                again.model().run(new int[] {1});
            }
            assertEquals(3, loads.get(), "loaded again after eviction");
        }
    }

    @Test
    void aModelThatFailsToLoadIsNotRemembered() throws Exception {
        List<ModelEntry> entries = TinyLlamaRandom.entries(dir);
        AtomicInteger attempts = new AtomicInteger();
        try (LoadedModels models = new LoadedModels(2, file -> {
            if (attempts.incrementAndGet() == 1) throw new IOException("disk on fire");
            return Transformer.load(file);
        })) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> models.lease(entries.getFirst()));
            assertTrue(e.getMessage().contains("disk on fire"), e.getMessage());
            try (LoadedModels.Lease lease = models.lease(entries.getFirst())) {
                lease.model().run(new int[] {1});
            }
            assertEquals(2, attempts.get());
        }
    }
}
