package dev.glassbox.web.quantization;

import dev.glassbox.web.shelf.ModelShelf;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Audience;
import dev.glassbox.web.security.Sessions;
import io.javalin.config.RoutesConfig;

/** Adds the quantization lab page and API to the app: one call from {@code App.create}. */
public final class QuantizeRoutes {

    private QuantizeRoutes() {}

    public static void register(RoutesConfig routes, Pages pages, Sessions sessions, ModelShelf shelf, LabRuns runs) {
        QuantizeApi api = new QuantizeApi(runs, shelf, sessions);
        routes.get("/models/{id}/quantize", new QuantizePages(pages, sessions, shelf)::quantize, Audience.CLASS);
        routes.get("/api/models/{id}/quantize", api::current, Audience.CLASS);
        routes.post("/api/models/{id}/quantize", api::start, Audience.CLASS);
    }
}
