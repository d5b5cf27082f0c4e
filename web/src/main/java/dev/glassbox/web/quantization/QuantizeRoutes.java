package dev.glassbox.web.quantization;

import dev.glassbox.web.models.ModelShelf;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Sessions;
import io.javalin.config.RoutesConfig;

import java.util.regex.Pattern;

/** Adds the quantization lab page and API to the app: one call from {@code App.create}. */
public final class QuantizeRoutes {
    /** The paths that run the lab: in classroom mode they are for the class's members only (CPU time is for the class). */
    public static final Pattern PATHS = Pattern.compile("/models/[^/]+/quantize|/api/models/[^/]+/quantize");

    private QuantizeRoutes() {}

    public static void register(RoutesConfig routes, Pages pages, Sessions sessions, ModelShelf shelf, LabRuns runs) {
        QuantizeApi api = new QuantizeApi(runs, shelf, sessions);
        routes.get("/models/{id}/quantize", new QuantizePages(pages, sessions, shelf)::quantize);
        routes.get("/api/models/{id}/quantize", api::current);
        routes.post("/api/models/{id}/quantize", api::start);
    }
}
