package dev.glassbox.web.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.explorer.training.LoraSettings;
import dev.glassbox.explorer.training.Projection;
import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.tinymodels.recipes.FineTuneRun;
import dev.glassbox.tinymodels.recipes.FineTuneSettings;
import dev.glassbox.web.shelf.ModelShelf;
import dev.glassbox.web.security.Sessions;
import dev.glassbox.web.store.Store.Learner;
import dev.glassbox.web.server.RequestBody;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ConflictResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.ServiceUnavailableResponse;
import io.javalin.http.UnauthorizedResponse;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fine-tuning API of a model, under {@code /api/models/{id}/finetune}: what can be chosen, and the learner's
 * fine-tuning run (start, watch, stop, save). Bodies are checked here with messages naming the field and its range;
 * the run goes on in {@link TrainingRuns} (the same slots and one-run-per-learner rule as the Train page).
 */
final class FineTuneApi {
    private static final Set<String> FIELDS = Set.of("method", "steps", "learningRate", "rank", "alpha", "targets", "batch", "seqLen");

    private final TrainingRuns runs;
    private final SavedModels saved;
    private final Sessions sessions;
    private final ModelShelf shelf;

    FineTuneApi(TrainingRuns runs, SavedModels saved, Sessions sessions, ModelShelf shelf) {
        this.runs = runs;
        this.saved = saved;
        this.sessions = sessions;
        this.shelf = shelf;
    }

    /** The folder of a model that can be fine-tuned, or why it cannot (a 404 when there is no such model). */
    record Base(ModelEntry entry, Path folder, String whyNot) {}

    static Base base(ModelShelf shelf, String id) {
        ModelEntry entry = shelf.find(id).orElseThrow(() -> new NotFoundResponse("There is no model called \"" + id + "\"."));
        Path file = entry.file();
        if (!dev.glassbox.explorer.models.Architecture.Family.LLAMA.id().equals(entry.family()) || file.getFileName() == null || !file.getFileName().toString().equals("model.safetensors")) {
            return new Base(entry, null, "fine-tuning needs a Llama-style model in safetensors trained by Glassbox on the stories,"
                    + " such as tiny-stories; this one is " + entry.family() + " in " + file.getFileName());
        }
        Path folder = file.getParent();
        return new Base(entry, folder, FineTuneRun.whyNotFineTunable(folder));
    }

    /** {@code GET /api/models/{id}/finetune}: whether it can be fine-tuned, the two methods' defaults and every field's range. */
    public void options(Context ctx) {
        Base base = base(shelf, ctx.pathParam("id"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", base.entry().id());
        out.put("fineTunable", base.whyNot() == null);
        out.put("reason", base.whyNot());
        out.put("defaults", Map.of("full", FineTuneJob.settingsView(FineTuneSettings.FULL), "lora", FineTuneJob.settingsView(FineTuneSettings.LORA)));
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("steps", List.of(1, FineTuneSettings.MAX_STEPS));
        limits.put("learningRate", List.of(FineTuneSettings.MIN_RATE, FineTuneSettings.MAX_RATE));
        limits.put("rank", List.of(1, FineTuneSettings.MAX_RANK));
        limits.put("alpha", List.of(0, FineTuneSettings.MAX_ALPHA));
        limits.put("batch", List.of(1, FineTuneSettings.MAX_BATCH));
        limits.put("seqLen", List.of(FineTuneSettings.MIN_SEQ, FineTuneSettings.MAX_SEQ));
        out.put("limits", limits);
        out.put("projections", Arrays.stream(Projection.values()).map(Projection::module).toList());
        out.put("prompts", FineTuneRun.PROMPTS);
        ctx.json(out);
    }

    /**
     * {@code POST /api/models/{id}/finetune/runs} {@code {"method": "lora", "steps": 50, "rank": 8, ...}}: starts
     * fine-tuning this model on the sea stories with the method's defaults, changed by the fields given. 201 with the
     * run; 400 for a model that cannot be fine-tuned or a field out of range; 409 / 503 as the Train page's runs.
     */
    public void start(Context ctx) {
        Learner learner = learner(ctx);
        Base base = base(shelf, ctx.pathParam("id"));
        if (base.whyNot() != null) throw new BadRequestResponse("Model \"" + base.entry().id() + "\" cannot be fine-tuned: " + base.whyNot());
        FineTuneSettings settings = settings(RequestBody.of(ctx).json());
        FineTuneJob job;
        try {
            job = runs.startFineTune(learner.id(), base.folder(), base.entry().id(), settings);
        } catch (TrainingRuns.AlreadyRunning e) {
            throw new ConflictResponse(e.getMessage());
        } catch (TrainingRuns.Full e) {
            ctx.header("Retry-After", "60");
            throw new ServiceUnavailableResponse(e.getMessage());
        }
        ctx.status(HttpStatus.CREATED).json(job.view(runs.limits().curvePoints()));
    }

    /** {@code GET /api/models/{id}/finetune/runs/current}: the learner's fine-tuning run of this model; 404 when none. */
    public void current(Context ctx) {
        FineTuneJob job = currentJob(ctx);
        job.touch();
        ctx.header("Cache-Control", "no-store");
        ctx.json(job.view(runs.limits().curvePoints()));
    }

    /** {@code POST /api/models/{id}/finetune/runs/current/stop}: ends the run after its current step. */
    public void stop(Context ctx) {
        FineTuneJob job = currentJob(ctx);
        job.touch();
        job.stop(LearnerRun.StopReason.LEARNER);
        ctx.json(job.view(runs.limits().curvePoints()));
    }

    /**
     * {@code POST /api/models/{id}/finetune/runs/current/save} {@code {"name": "stories at sea"}}: saves the fine-tuned
     * model in the catalog, its card naming this model as {@code base_model}; 201 {@code {"id", "name", "url", "run"}}.
     */
    public void save(Context ctx) {
        Learner learner = learner(ctx);
        JsonNode name = RequestBody.of(ctx).json().get("name");
        if (name == null || !name.isTextual()) throw new BadRequestResponse("Body needs a string field \"name\", e.g. {\"name\": \"stories at sea\"}");
        FineTuneJob job = currentJob(ctx);
        String id;
        try {
            id = saved.save(job, learner.id(), name.asText());
        } catch (SavedModels.BadName e) {
            throw new BadRequestResponse(e.getMessage());
        } catch (SavedModels.TooMany | IllegalStateException e) {
            throw new ConflictResponse(e.getMessage());
        } catch (IOException e) {
            throw new IllegalStateException("could not write the model: " + e.getMessage(), e);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("name", name.asText().strip());
        out.put("url", "/models/" + id);
        out.put("run", job.view(runs.limits().curvePoints()));
        ctx.status(HttpStatus.CREATED).json(out);
    }

    // ---- boundary ----

    private Learner learner(Context ctx) {
        return sessions.current(ctx).orElseThrow(() -> new UnauthorizedResponse("No session: GET /api/session first"));
    }

    private FineTuneJob currentJob(Context ctx) {
        String id = ctx.pathParam("id");
        String learner = sessions.current(ctx).map(Learner::id).orElse(null);
        FineTuneJob job = learner == null ? null : runs.currentFineTune(learner).orElse(null);
        if (job == null) throw new NotFoundResponse("You have no fine-tuning run: POST /api/models/" + id + "/finetune/runs starts one");
        if (!job.baseId().equals(id)) {
            throw new NotFoundResponse("Your fine-tuning run is of \"" + job.baseId() + "\", not \"" + id + "\": open /models/" + job.baseId() + "/finetune");
        }
        return job;
    }

    /** The method's defaults ({@link FineTuneSettings#FULL} or {@link FineTuneSettings#LORA}) with the fields given replaced. */
    static FineTuneSettings settings(JsonNode body) {
        body.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) throw new BadRequestResponse("Unknown field \"" + name + "\": the fields are " + FIELDS.stream().sorted().toList());
        });
        JsonNode m = body.get("method");
        if (m == null || !m.isTextual()) throw new BadRequestResponse("Body needs a string field \"method\": \"full\" or \"lora\"");
        FineTuneSettings.Method method;
        try {
            method = FineTuneSettings.Method.byId(m.asText());
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse("Field \"method\" must be \"full\" or \"lora\", found \"" + m.asText() + "\"");
        }
        FineTuneSettings d = method == FineTuneSettings.Method.LORA ? FineTuneSettings.LORA : FineTuneSettings.FULL;
        try {
            LoraSettings lora = null;
            if (method == FineTuneSettings.Method.LORA) {
                List<String> targets = d.lora().orderedTargets().stream().map(Projection::module).toList();
                JsonNode t = body.get("targets");
                if (t != null && !t.isNull()) {
                    if (!t.isArray()) throw new BadRequestResponse("Field \"targets\" must be a list of projections, e.g. [\"q_proj\", \"v_proj\"]");
                    List<String> given = new ArrayList<>();
                    for (JsonNode item : t) {
                        if (!item.isTextual()) throw new BadRequestResponse("Field \"targets\" must hold projection names, found " + item);
                        given.add(item.asText());
                    }
                    targets = given;
                }
                lora = LoraSettings.of((int) integer(body, "rank", d.lora().rank()), (float) number(body, "alpha", d.lora().alpha()), targets);
            }
            return new FineTuneSettings(method, lora, (int) integer(body, "steps", d.steps()), (float) number(body, "learningRate", d.learningRate()),
                    (int) integer(body, "batch", d.batch()), (int) integer(body, "seqLen", d.seqLen()), d.seed());
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse("Fine-tuning settings: " + e.getMessage());
        }
    }

    private static long integer(JsonNode body, String field, long fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new BadRequestResponse("Field \"" + field + "\" must be a whole number, found " + v);
        return v.intValue();
    }

    private static double number(JsonNode body, String field, double fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) throw new BadRequestResponse("Field \"" + field + "\" must be a number, found " + v);
        return v.asDouble();
    }
}
