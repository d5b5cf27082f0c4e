package dev.glassbox.web.training;

import dev.glassbox.web.shelf.ModelShelf;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Audience;
import dev.glassbox.web.security.Sessions;
import io.javalin.config.RoutesConfig;

/** Adds the Train page, the fine-tuning page of each model and their APIs to the app: one call from {@code App.create}. */
public final class TrainRoutes {
    private TrainRoutes() {}

    public static void register(RoutesConfig routes, Pages pages, Sessions sessions, ModelShelf shelf, TrainingRuns runs) {
        SavedModels saved = new SavedModels(shelf, runs.limits().savedPerLearner());
        TrainApi api = new TrainApi(runs, saved, sessions);
        TrainPages trainPages = new TrainPages(pages, sessions, runs);
        routes.get("/train", trainPages::train, Audience.CLASS);
        routes.get("/api/train/recipes", api::recipes, Audience.CLASS);
        routes.post("/api/train/runs", api::start, Audience.CLASS);
        routes.get("/api/train/runs/current", api::current, Audience.CLASS);
        routes.post("/api/train/runs/current/stop", api::stop, Audience.CLASS);
        routes.post("/api/train/runs/current/save", api::save, Audience.CLASS);

        FineTuneApi fineTune = new FineTuneApi(runs, saved, sessions, shelf);
        FineTunePages fineTunePages = new FineTunePages(pages, sessions, shelf, runs);
        routes.get("/models/{id}/finetune", fineTunePages::finetune, Audience.CLASS);
        routes.get("/api/models/{id}/finetune", fineTune::options, Audience.CLASS);
        routes.post("/api/models/{id}/finetune/runs", fineTune::start, Audience.CLASS);
        routes.get("/api/models/{id}/finetune/runs/current", fineTune::current, Audience.CLASS);
        routes.post("/api/models/{id}/finetune/runs/current/stop", fineTune::stop, Audience.CLASS);
        routes.post("/api/models/{id}/finetune/runs/current/save", fineTune::save, Audience.CLASS);
    }
}
