package dev.glassbox.web.shelf;

import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Audience;
import dev.glassbox.web.security.Sessions;
import io.javalin.config.RoutesConfig;

/** Adds the model pages and API to the app: one call from {@code App.create}. */
public final class ModelRoutes {
    private ModelRoutes() {}

    public static void register(RoutesConfig routes, Pages pages, Sessions sessions, ModelShelf shelf) {
        ModelApi api = new ModelApi(shelf);
        ModelPages modelPages = new ModelPages(pages, sessions, shelf);
        routes.get("/models", modelPages::catalog, Audience.EVERYONE);
        routes.get("/models/{id}", modelPages::model, Audience.EVERYONE);
        routes.get("/api/models", api::list, Audience.EVERYONE);
        routes.get("/api/models/{id}", api::get, Audience.EVERYONE);
        routes.get("/api/models/{id}/tensors", api::tensors, Audience.EVERYONE);
        routes.get("/api/models/{id}/tensors/<rest>", api::tensorAction, Audience.CLASS);
    }
}
