package dev.glassbox.web.training;

import dev.glassbox.web.models.ModelShelf;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Sessions;
import io.javalin.config.RoutesConfig;

import java.util.regex.Pattern;

/** Adds the Train page, the fine-tuning page of each model and their APIs to the app: one call from {@code App.create}. */
public final class TrainRoutes {
    /** The paths that train models: in classroom mode they are for the class's members only (CPU time is for the class). */
    public static final Pattern PATHS = Pattern.compile("/train|/api/train/.*|/models/[^/]+/finetune|/api/models/[^/]+/finetune(?:/.*)?");

    private TrainRoutes() {}

    public static void register(RoutesConfig routes, Pages pages, Sessions sessions, ModelShelf shelf, TrainingRuns runs) {
        SavedModels saved = new SavedModels(shelf, runs.limits().savedPerLearner());
        TrainApi api = new TrainApi(runs, saved, sessions);
        TrainPages trainPages = new TrainPages(pages, sessions, runs);
        routes.get("/train", trainPages::train);
        routes.get("/api/train/recipes", api::recipes);
        routes.post("/api/train/runs", api::start);
        routes.get("/api/train/runs/current", api::current);
        routes.post("/api/train/runs/current/stop", api::stop);
        routes.post("/api/train/runs/current/save", api::save);

        FineTuneApi fineTune = new FineTuneApi(runs, saved, sessions, shelf);
        FineTunePages fineTunePages = new FineTunePages(pages, sessions, shelf, runs);
        routes.get("/models/{id}/finetune", fineTunePages::finetune);
        routes.get("/api/models/{id}/finetune", fineTune::options);
        routes.post("/api/models/{id}/finetune/runs", fineTune::start);
        routes.get("/api/models/{id}/finetune/runs/current", fineTune::current);
        routes.post("/api/models/{id}/finetune/runs/current/stop", fineTune::stop);
        routes.post("/api/models/{id}/finetune/runs/current/save", fineTune::save);
    }
}
