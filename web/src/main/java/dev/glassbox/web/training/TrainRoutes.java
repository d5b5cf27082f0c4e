package dev.glassbox.web.training;

import dev.glassbox.web.models.ModelShelf;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Audience;
import dev.glassbox.web.security.Sessions;
import io.javalin.config.RoutesConfig;

/** Adds the Train page and the training API to the app: one call from {@code App.create}. */
public final class TrainRoutes {
    private TrainRoutes() {}

    public static void register(RoutesConfig routes, Pages pages, Sessions sessions, ModelShelf shelf, TrainingRuns runs) {
        TrainApi api = new TrainApi(runs, new SavedModels(shelf, runs.limits().savedPerLearner()), sessions);
        TrainPages trainPages = new TrainPages(pages, sessions, runs);
        routes.get("/train", trainPages::train, Audience.CLASS);
        routes.get("/api/train/recipes", api::recipes, Audience.CLASS);
        routes.post("/api/train/runs", api::start, Audience.CLASS);
        routes.get("/api/train/runs/current", api::current, Audience.CLASS);
        routes.post("/api/train/runs/current/stop", api::stop, Audience.CLASS);
        routes.post("/api/train/runs/current/save", api::save, Audience.CLASS);
    }
}
