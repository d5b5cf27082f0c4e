package dev.glassbox.web.inference;

import dev.glassbox.web.shelf.ModelShelf;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Audience;
import dev.glassbox.web.security.Sessions;
import io.javalin.config.RoutesConfig;

/** Adds the inference pages and API to the app: one call from {@code App.create}. */
public final class InferenceRoutes {
    private InferenceRoutes() {}

    public static void register(RoutesConfig routes, Pages pages, Sessions sessions, ModelShelf shelf, Inference inference) {
        ModelTokenizers tokenizers = new ModelTokenizers(shelf, inference.models());
        InferenceApi api = new InferenceApi(shelf, inference.models(), tokenizers, inference.slots(), inference.limits());
        InferencePages inferencePages = new InferencePages(pages, sessions, shelf, tokenizers);
        routes.get("/tokenizers", inferencePages::tokenizers, Audience.CLASS);
        routes.get("/models/{id}/attention", inferencePages::attention, Audience.CLASS);
        routes.get("/models/{id}/layers", inferencePages::layers, Audience.CLASS);
        routes.get("/models/{id}/generate", inferencePages::generate, Audience.CLASS);
        routes.post("/api/models/{id}/tokenize", api::tokenize, Audience.CLASS);
        routes.post("/api/models/{id}/embed", api::embed, Audience.CLASS);
        routes.post("/api/models/{id}/attention", api::attention, Audience.CLASS);
        routes.post("/api/models/{id}/trace", api::trace, Audience.CLASS);
        routes.post("/api/models/{id}/layers", api::layers, Audience.CLASS);
        routes.post("/api/models/{id}/generate", api::generate, Audience.CLASS);
    }
}
