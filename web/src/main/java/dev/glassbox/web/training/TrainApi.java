package dev.glassbox.web.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.tinymodels.recipes.Recipe;
import dev.glassbox.tinymodels.recipes.RecipeSettings;
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
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training API: the recipes, and the learner's current run (start, watch, stop, save). Every body is checked
 * here, at the boundary, with messages that name the field and its limits; the run itself goes on in
 * {@link TrainingRuns}, never on a request thread. docs/training.md describes every field.
 */
public final class TrainApi {
    private final TrainingRuns runs;
    private final SavedModels saved;
    private final Sessions sessions;

    TrainApi(TrainingRuns runs, SavedModels saved, Sessions sessions) {
        this.runs = runs;
        this.saved = saved;
        this.sessions = sessions;
    }

    /** {@code GET /api/train/recipes}: each recipe with its defaults, its quick settings and the limits of every field. */
    public void recipes(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Recipe recipe : Recipe.values()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", recipe.id());
            r.put("title", recipe.title());
            r.put("description", recipe.description());
            r.put("defaults", recipe.defaults());
            r.put("quick", recipe.quick());
            r.put("min", recipe.limits().min());
            r.put("max", recipe.limits().max());
            out.add(r);
        }
        ctx.json(out);
    }

    /**
     * {@code POST /api/train/runs} {@code {"recipe": "sorter", "settings": {"steps": 200, ...}}}: starts a run with the
     * recipe's quick settings, changed by the fields given. 201 with the run; 409 when the learner has a run going;
     * 503 when the server's training slots are all taken.
     */
    public void start(Context ctx) {
        Learner learner = learner(ctx);
        JsonNode body = RequestBody.of(ctx).json();
        JsonNode recipeField = body.get("recipe");
        if (recipeField == null || !recipeField.isTextual()) {
            throw new BadRequestResponse("Body needs a string field \"recipe\": one of " + recipeIds());
        }
        Recipe recipe;
        try {
            recipe = Recipe.byId(recipeField.asText());
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse("Field \"recipe\" must be one of " + recipeIds() + ", found \"" + recipeField.asText() + "\"");
        }
        RecipeSettings settings = settings(body.get("settings"), recipe.quick());
        try {
            recipe.limits().check(settings);                 // each field in its range, and a shape that fits together
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse("Settings for " + recipe.id() + ": " + e.getMessage());
        }
        LearnerRun run;
        try {
            run = runs.start(learner.id(), recipe, settings);
        } catch (TrainingRuns.AlreadyRunning e) {
            throw new ConflictResponse(e.getMessage());
        } catch (TrainingRuns.Full e) {
            ctx.header("Retry-After", "60");
            throw new ServiceUnavailableResponse(e.getMessage());
        }
        ctx.status(HttpStatus.CREATED).json(run.view(runs.limits().curvePoints()));
    }

    /** {@code GET /api/train/runs/current}: the learner's run as the page shows it; 404 when there is none. */
    public void current(Context ctx) {
        LearnerRun run = currentRun(ctx);
        run.touch();
        ctx.header("Cache-Control", "no-store");
        ctx.json(run.view(runs.limits().curvePoints()));
    }

    /** {@code POST /api/train/runs/current/stop}: asks the run to end after its current step; the run as it is now. */
    public void stop(Context ctx) {
        LearnerRun run = currentRun(ctx);
        run.touch();
        run.stop(LearnerRun.StopReason.LEARNER);
        ctx.json(run.view(runs.limits().curvePoints()));
    }

    /**
     * {@code POST /api/train/runs/current/save} {@code {"name": "my sorter"}}: saves the ended run's model in the
     * catalog; 201 {@code {"id", "name", "url", "run"}}. 409 while the run goes on, after it was saved, or when
     * the learner has saved as many models as they may.
     */
    public void save(Context ctx) {
        Learner learner = learner(ctx);
        JsonNode body = RequestBody.of(ctx).json();
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual()) throw new BadRequestResponse("Body needs a string field \"name\", e.g. {\"name\": \"my sorter\"}");
        LearnerRun run = currentRun(ctx);
        String id;
        try {
            id = saved.save(run, learner.id(), name.asText());
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
        out.put("run", run.view(runs.limits().curvePoints()));
        ctx.status(HttpStatus.CREATED).json(out);
    }

    // ---- boundary ----

    private Learner learner(Context ctx) {
        return sessions.current(ctx).orElseThrow(() -> new UnauthorizedResponse("No session: GET /api/session first"));
    }

    private LearnerRun currentRun(Context ctx) {
        String learner = sessions.current(ctx).map(Learner::id).orElse(null);
        if (learner == null) throw new NotFoundResponse("You have no training run: POST /api/train/runs starts one");
        return runs.current(learner).orElseThrow(() -> new NotFoundResponse("You have no training run: POST /api/train/runs starts one"));
    }

    private static List<String> recipeIds() {
        return Arrays.stream(Recipe.values()).map(Recipe::id).toList();
    }

    /**
     * {@code base} with the fields {@code given} names replaced: each field of {@link RecipeSettings} by its name,
     * whole numbers for the int and long ones, any finite number for the float ones. Range checks are the recipe's
     * limits' (after this); an unknown field is refused with the list of known ones.
     */
    static RecipeSettings settings(JsonNode given, RecipeSettings base) {
        if (given == null || given.isNull()) return base;
        if (!given.isObject()) throw new BadRequestResponse("Field \"settings\" must be an object, e.g. {\"steps\": 200}");
        RecordComponent[] fields = RecipeSettings.class.getRecordComponents();
        List<String> names = Arrays.stream(fields).map(RecordComponent::getName).toList();
        given.fieldNames().forEachRemaining(name -> {
            if (!names.contains(name)) throw new BadRequestResponse("Unknown setting \"" + name + "\": the settings are " + names);
        });
        Object[] values = new Object[fields.length];
        Class<?>[] types = new Class<?>[fields.length];
        try {
            for (int i = 0; i < fields.length; i++) {
                RecordComponent f = fields[i];
                types[i] = f.getType();
                JsonNode v = given.get(f.getName());
                values[i] = v == null || v.isNull() ? f.getAccessor().invoke(base) : value(f.getName(), f.getType(), v);
            }
            return RecipeSettings.class.getDeclaredConstructor(types).newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException bad) throw new BadRequestResponse(bad.getMessage());
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("RecipeSettings is a record with a canonical constructor", e);
        }
    }

    private static Object value(String name, Class<?> type, JsonNode v) {
        if (type == int.class) {
            if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new BadRequestResponse("Setting \"" + name + "\" must be a whole number, found " + v);
            return v.intValue();
        }
        if (type == long.class) {
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0 || v.asLong() > (1L << 53) - 1) {
                throw new BadRequestResponse("Setting \"" + name + "\" must be a whole number from 0 to " + ((1L << 53) - 1) + ", found " + v);
            }
            return v.longValue();
        }
        if (type == float.class || type == double.class) {
            if (!v.isNumber() || !Double.isFinite(v.asDouble())) throw new BadRequestResponse("Setting \"" + name + "\" must be a number, found " + v);
            return type == float.class ? (Object) v.floatValue() : (Object) v.doubleValue();
        }
        throw new IllegalStateException("setting " + name + " has type " + type + ", which the API does not read");
    }
}
