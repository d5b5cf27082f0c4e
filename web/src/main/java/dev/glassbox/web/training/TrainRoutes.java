package dev.glassbox.web.training;

import dev.glassbox.web.models.ModelShelf;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Sessions;
import io.javalin.config.RoutesConfig;

import java.util.regex.Pattern;

/** Adds the Train page and the training API to the app: one call from {@code App.create}. */
public final class TrainRoutes {
    /** The paths that train models: in classroom mode they are for the class's members only (CPU time is for the class). */
    public static final Pattern PATHS = Pattern.compile("/train|/api/train/.*");

    private TrainRoutes() {}

    public static void register(RoutesConfig routes, Pages pages, Sessions sessions, ModelShelf shelf, TrainingRuns runs) {
        TrainApi api = new TrainApi(runs, new SavedModels(shelf, runs.limits().savedPerLearner()), sessions);
        TrainPages trainPages = new TrainPages(pages, sessions, runs);
        routes.get("/train", trainPages::train);
        routes.get("/api/train/recipes", api::recipes);
        routes.post("/api/train/runs", api::start);
        routes.get("/api/train/runs/current", api::current);
        routes.post("/api/train/runs/current/stop", api::stop);
        routes.post("/api/train/runs/current/save", api::save);
    }
}
