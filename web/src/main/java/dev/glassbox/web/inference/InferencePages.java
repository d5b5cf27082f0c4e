package dev.glassbox.web.inference;

import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.web.shelf.ModelShelf;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Sessions;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;

import java.util.List;
import java.util.Map;

/**
 * The page shells of the inference views: the tokenizer comparison, and per model the attention explorer,
 * the layer-by-layer view and the generate page. The front end (attention.js, layers.js, generate.js,
 * tokenizers.js) fills them from the inference API, so each page makes sure the browser has a session
 * and with it the CSRF token those POSTs need.
 */
public final class InferencePages {
    /**
     * A model as these pages show it; {@code decoder} is false for encoders (BERT), which cannot generate. The texts
     * the attention, layers and generate pages open with are ones the model's tokenizer can encode.
     */
    public record ModelView(String id, String name, String family, boolean decoder, String attentionText, String layersText,
                            String prompt) {
        /** What a model that reads only letters and digits opens with: a random-looking run of symbols, repeated (induction). */
        static final String REPEATED = "QwErTyUiOpQwErTyUiOpQwErTyUiOp", REPEATED_PROMPT = "QwErTyUiOpQwEr";

        /**
         * The texts of the card's examples (the Hub's widget) when it has some: the first for the attention page; the last
         * for generating (a decoder's prompt, e.g. induction-2l's repeating symbols) and, for an encoder, which cannot
         * generate, for the layers page (a decoder's layers page reads the first); else everyday English.
         */
        static ModelView of(ModelEntry e) {
            boolean decoder = !e.encoder();
            List<String> examples = e.card().examples();
            if (!examples.isEmpty()) {
                return new ModelView(e.id(), e.name(), e.family(), decoder, examples.getFirst(),
                        decoder ? examples.getFirst() : examples.getLast(), examples.getLast());
            }
            return new ModelView(e.id(), e.name(), e.family(), decoder,
                    decoder ? "The cat sat on the mat because it was tired" : "The cat sat on the mat because it was tired.",
                    decoder ? "The quick brown fox jumps over the" : "Paris is the capital of France.", "Once upon a time");
        }

        ModelView fitting(ModelEntry e, ModelTokenizers tokenizers) {
            return new ModelView(id, name, family, decoder, tokenizers.example(e, attentionText, REPEATED),
                    tokenizers.example(e, layersText, REPEATED), tokenizers.example(e, prompt, REPEATED_PROMPT));
        }
    }

    private final Pages pages;
    private final Sessions sessions;
    private final ModelShelf shelf;

    private final ModelTokenizers tokenizers;

    InferencePages(Pages pages, Sessions sessions, ModelShelf shelf, ModelTokenizers tokenizers) {
        this.pages = pages;
        this.sessions = sessions;
        this.shelf = shelf;
        this.tokenizers = tokenizers;
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
        pages.render(ctx, template, Map.of("model", ModelView.of(entry).fitting(entry, tokenizers)), sessions.ensure(ctx));
    }
}
