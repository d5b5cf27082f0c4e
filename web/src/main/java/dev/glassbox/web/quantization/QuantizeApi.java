package dev.glassbox.web.quantization;

import dev.glassbox.explorer.quantization.QuantizationError;
import dev.glassbox.explorer.quantization.QuantizationLab;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.web.shelf.ModelShelf;
import dev.glassbox.web.security.Sessions;
import dev.glassbox.web.store.Store.Learner;
import io.javalin.http.ConflictResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.ServiceUnavailableResponse;
import io.javalin.http.UnauthorizedResponse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The quantization lab API: {@code POST /api/models/{id}/quantize} starts the lab on a model (in the background),
 * {@code GET /api/models/{id}/quantize} shows the learner's run on it: progress while it goes, then per tensor the
 * error of Q8_0 and Q4_0 with its histogram, and per variant size, speed, loss and generations (or, for an
 * encoder, the cosine to F32 and the retrieval test). docs/inference.md describes the fields.
 */
public final class QuantizeApi {
    private final LabRuns runs;
    private final ModelShelf shelf;
    private final Sessions sessions;

    QuantizeApi(LabRuns runs, ModelShelf shelf, Sessions sessions) {
        this.runs = runs;
        this.shelf = shelf;
        this.sessions = sessions;
    }

    /** {@code POST /api/models/{id}/quantize}: 202 with the run; 409 when the learner has a lab going; 503 when all slots are taken. */
    public void start(Context ctx) {
        Learner learner = sessions.current(ctx).orElseThrow(() -> new UnauthorizedResponse("No session: GET /api/session first"));
        ModelEntry entry = entry(ctx);
        LabRun run;
        try {
            run = runs.start(learner.id(), entry.id(), source(entry), ggufFiles(entry));
        } catch (LabRuns.AlreadyRunning e) {
            throw new ConflictResponse(e.getMessage());
        } catch (LabRuns.Full e) {
            ctx.header("Retry-After", "30");
            throw new ServiceUnavailableResponse(e.getMessage());
        }
        ctx.status(HttpStatus.ACCEPTED).json(json(run.view()));
    }

    /** {@code GET /api/models/{id}/quantize}: the learner's lab run on this model; 404 when there is none. */
    public void current(Context ctx) {
        ModelEntry entry = entry(ctx);
        String none = "You have no quantization lab run on " + entry.id() + ": POST /api/models/" + entry.id() + "/quantize starts one";
        String learner = sessions.current(ctx).map(Learner::id).orElseThrow(() -> new NotFoundResponse(none));
        LabRun run = runs.current(learner).filter(r -> r.model().equals(entry.id())).orElseThrow(() -> new NotFoundResponse(none));
        ctx.header("Cache-Control", "no-store");
        ctx.json(json(run.view()));
    }

    private ModelEntry entry(Context ctx) {
        String id = ctx.pathParam("id");
        return shelf.find(id).orElseThrow(() -> new NotFoundResponse("There is no model called \"" + id + "\"."));
    }

    /** The id without a GGUF export's suffix ({@code tiny-stories-q8_0} -> {@code tiny-stories}). */
    private static String baseId(String id) {
        for (DType t : List.of(DType.F32, DType.Q8_0, DType.Q4_0)) {
            String suffix = "-" + t.name().toLowerCase(Locale.ROOT);
            if (id.endsWith(suffix)) return id.substring(0, id.length() - suffix.length());
        }
        return id;
    }

    /**
     * What the lab quantizes for this page: a GGUF export's page ({@code tiny-stories-q8_0}) quantizes the model it was
     * exported from, whose weights are still F32 (quantizing Q8_0 blocks again would compare Q8_0 with itself).
     */
    private ModelEntry source(ModelEntry entry) {
        String base = baseId(entry.id());
        return base.equals(entry.id()) ? entry : shelf.find(base).orElse(entry);
    }

    /**
     * The GGUF exports the catalog holds of this model (a trained model's {@code id-f32}, {@code id-q8_0},
     * {@code id-q4_0}), their file sizes by type: the size of each variant on disk, header included.
     */
    private Map<String, Long> ggufFiles(ModelEntry entry) {
        String base = baseId(entry.id());
        Map<String, Long> files = new LinkedHashMap<>();
        for (DType t : List.of(DType.F32, DType.Q8_0, DType.Q4_0)) {
            shelf.find(base + "-" + t.name().toLowerCase(Locale.ROOT)).ifPresent(e -> {
                try {
                    files.put(t.name(), Files.size(e.file()));
                } catch (IOException io) {
                    throw new UncheckedIOException(io);
                }
            });
        }
        return files;
    }

    /** The view as JSON: explicit fields, NaN as null (JSON has none). */
    static Map<String, Object> json(LabRun.View v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", v.model());
        out.put("source", v.source());
        out.put("state", v.state());
        out.put("active", v.active());
        out.put("done", v.done());
        out.put("total", v.total());
        out.put("step", v.step());
        out.put("elapsedSeconds", v.elapsedSeconds());
        out.put("error", v.error());
        QuantizationLab.Report r = v.report();
        if (r == null) return out;
        out.put("family", r.family());
        List<Map<String, Object>> tensors = new ArrayList<>();
        for (QuantizationError e : r.tensors()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", e.name());
            t.put("type", e.type().name());
            t.put("shape", e.shape().dims());
            t.put("bytesBefore", e.bytesBefore());
            t.put("bytesAfter", e.bytesAfter());
            t.put("maxAbs", e.maxAbs());
            t.put("meanAbs", e.meanAbs());
            t.put("rms", e.rms());
            t.put("relativeRms", e.relativeRms());
            t.put("histogram", Map.of("min", e.errors().min(), "max", e.errors().max(), "counts", e.errors().counts()));
            tensors.add(t);
        }
        out.put("tensors", tensors);
        List<Map<String, Object>> variants = new ArrayList<>();
        for (QuantizationLab.Variant x : r.variants()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", x.type().name());
            m.put("weightBytes", x.weightBytes());
            m.put("fileBytes", v.files().get(x.type().name()));
            m.put("quantizedTensors", x.quantizedTensors());
            m.put("speed", x.speed());
            m.put("heldOutLoss", finite(x.heldOutLoss()));
            m.put("perplexity", finite(x.perplexity()));
            m.put("generations", x.generations());
            m.put("embeddings", x.embeddings());
            variants.add(m);
        }
        out.put("variants", variants);
        return out;
    }

    private static Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }

    static List<String> types() {
        return LabRun.TYPES.stream().map(DType::name).toList();
    }
}
