package dev.glassbox.web.quantization;

import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.web.shelf.ModelShelf;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Sessions;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;

import java.util.Map;

/** The quantization lab page's shell ({@code /models/{id}/quantize}); quantize.js runs the lab through the API and draws it. */
public final class QuantizePages {
    /** The model as the page names it; {@code decoder} is false for an encoder (no loss or generations, cosine instead). */
    public record ModelView(String id, String name, String family, boolean decoder) {}

    private final Pages pages;
    private final Sessions sessions;
    private final ModelShelf shelf;

    QuantizePages(Pages pages, Sessions sessions, ModelShelf shelf) {
        this.pages = pages;
        this.sessions = sessions;
        this.shelf = shelf;
    }

    public void quantize(Context ctx) {
        String id = ctx.pathParam("id");
        ModelEntry e = shelf.find(id).orElseThrow(() -> new NotFoundResponse("There is no model called \"" + id + "\"."));
        pages.render(ctx, "quantize.html", Map.of("model", new ModelView(e.id(), e.name(), e.family(), !e.encoder()),
                "types", QuantizeApi.types()), sessions.ensure(ctx));
    }
}
