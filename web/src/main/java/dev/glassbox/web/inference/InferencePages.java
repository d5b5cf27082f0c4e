package dev.glassbox.web.inference;

import dev.glassbox.models.ModelEntry;
import dev.glassbox.web.models.ModelShelf;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Sessions;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;

import java.util.Map;

/**
 * The page shells of the inference views: the tokenizer comparison, and per model the attention explorer,
 * the layer-by-layer view and the generate page. The front end (attention.js, layers.js, generate.js,
 * tokenizers.js) fills them from the inference API, so each page makes sure the browser has a session
 * and with it the CSRF token those POSTs need.
 */
public final class InferencePages {
    /** A model as these pages show it; {@code decoder} is false for encoders (BERT), which cannot generate. */
    public record ModelView(String id, String name, String family, boolean decoder) {
        static ModelView of(ModelEntry e) {
            return new ModelView(e.id(), e.name(), e.family(), !e.family().equals("bert"));
        }
    }

    private final Pages pages;
    private final Sessions sessions;
    private final ModelShelf shelf;

    public InferencePages(Pages pages, Sessions sessions, ModelShelf shelf) {
        this.pages = pages;
        this.sessions = sessions;
        this.shelf = shelf;
    }

    public void tokenizers(Context ctx) {
        var models = shelf.catalog().entries().stream().map(ModelView::of).toList();
        pages.render(ctx, "tokenizers.html", Map.of("models", models), sessions.ensure(ctx));
    }

    public void attention(Context ctx) {
        model(ctx, "attention.html");
    }

    public void layers(Context ctx) {
        model(ctx, "layers.html");
    }

    public void generate(Context ctx) {
        model(ctx, "generate.html");
    }

    private void model(Context ctx, String template) {
        String id = ctx.pathParam("id");
        ModelEntry entry = shelf.find(id).orElseThrow(() -> new NotFoundResponse("There is no model called \"" + id + "\"."));
        pages.render(ctx, template, Map.of("model", ModelView.of(entry)), sessions.ensure(ctx));
    }
}
