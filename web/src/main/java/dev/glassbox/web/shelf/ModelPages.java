package dev.glassbox.web.shelf;

import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.tinymodels.cards.Openness;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Sessions;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The model catalog page and a model's page; the tensor browser on the latter is drawn by models.js. */
public final class ModelPages {
    private static final List<org.commonmark.Extension> EXTENSIONS = List.of(TablesExtension.create());
    private static final Parser MARKDOWN = Parser.builder().extensions(EXTENSIONS).build();
    /** Cards may come from users' files: their HTML is escaped, their links limited to safe schemes. */
    private static final HtmlRenderer HTML = HtmlRenderer.builder().extensions(EXTENSIONS).escapeHtml(true).sanitizeUrls(true).build();

    /** One checklist item: part name, level (open, partly-open, closed) and why. */
    public record Check(String part, String level, String levelText, String reason) {}

    /** A model as the pages show it. */
    public record Card(ModelEntry entry, String params, List<Check> checks, String licenceType, String html) {}

    private final Pages pages;
    private final Sessions sessions;
    private final ModelShelf shelf;

    public ModelPages(Pages pages, Sessions sessions, ModelShelf shelf) {
        this.pages = pages;
        this.sessions = sessions;
        this.shelf = shelf;
    }

    public void catalog(Context ctx) {
        List<Card> cards = shelf.catalog().entries().stream().map(e -> card(e, false)).toList();
        pages.render(ctx, "models.html", Map.of("models", cards, "problems", shelf.catalog().problems()),
                sessions.current(ctx).orElse(null));
    }

    public void model(Context ctx) {
        String id = ctx.pathParam("id");
        ModelEntry entry = shelf.find(id).orElseThrow(() -> new NotFoundResponse("There is no model called \"" + id + "\"."));
        pages.render(ctx, "model.html", Map.of("model", card(entry, true)), sessions.current(ctx).orElse(null));
    }

    static Card card(ModelEntry e, boolean withHtml) {
        List<Check> checks = new ArrayList<>();
        for (Openness.Part part : Openness.Part.values()) {
            Openness.Level level = e.openness().levels().get(part);
            checks.add(new Check(part.name().toLowerCase(Locale.ROOT).replace('_', ' '),
                    level.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                    level.name().toLowerCase(Locale.ROOT).replace('_', ' '), e.openness().reasons().get(part)));
        }
        String type = switch (e.openness().licenceType()) {
            case OSI_APPROVED -> "OSI-approved";
            case CUSTOM_WITH_RESTRICTIONS -> "custom, with restrictions";
            case NONE -> "no licence stated";
        };
        return new Card(e, humanCount(e.parameters()), checks, type, withHtml ? HTML.render(MARKDOWN.parse(e.card().body())) : "");
    }

    /** 22713728 -> "22.7 M", 139584 -> "139.6 k". */
    static String humanCount(long n) {
        if (n >= 1_000_000_000) return String.format(Locale.ROOT, "%.1f B", n / 1e9);
        if (n >= 1_000_000) return String.format(Locale.ROOT, "%.1f M", n / 1e6);
        if (n >= 1_000) return String.format(Locale.ROOT, "%.1f k", n / 1e3);
        return Long.toString(n);
    }
}
