package dev.glassbox.web.inference;

import dev.glassbox.web.models.ModelShelf;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Sessions;
import io.javalin.config.RoutesConfig;

import java.util.regex.Pattern;

/** Adds the inference pages and API to the app: one call from {@code App.create}. */
public final class InferenceRoutes {
    /** The paths that run models: in classroom mode they are for the class's members only. */
    public static final Pattern PATHS = Pattern.compile(
            "/tokenizers|/models/[^/]+/(?:attention|layers|generate)|/api/models/[^/]+/(?:tokenize|embed|attention|trace|layers|generate)");

    private InferenceRoutes() {}

    public static void register(RoutesConfig routes, Pages pages, Sessions sessions, ModelShelf shelf, Inference inference) {
        ModelTokenizers tokenizers = new ModelTokenizers(shelf, inference.models());
        InferenceApi api = new InferenceApi(shelf, inference.models(), tokenizers, inference.slots(), inference.limits());
        InferencePages inferencePages = new InferencePages(pages, sessions, shelf, tokenizers);
        routes.get("/tokenizers", inferencePages::tokenizers);
        routes.get("/models/{id}/attention", inferencePages::attention);
        routes.get("/models/{id}/layers", inferencePages::layers);
        routes.get("/models/{id}/generate", inferencePages::generate);
        routes.post("/api/models/{id}/tokenize", api::tokenize);
        routes.post("/api/models/{id}/embed", api::embed);
        routes.post("/api/models/{id}/attention", api::attention);
        routes.post("/api/models/{id}/trace", api::trace);
        routes.post("/api/models/{id}/layers", api::layers);
        routes.post("/api/models/{id}/generate", api::generate);
    }
}
