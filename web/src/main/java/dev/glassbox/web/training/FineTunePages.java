package dev.glassbox.web.training;

import dev.glassbox.web.shelf.ModelShelf;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Sessions;
import io.javalin.http.Context;

import java.util.HashMap;
import java.util.Map;

/**
 * The fine-tuning page's shell ({@code /models/{id}/finetune}): finetune.js fills it from the fine-tuning API; the
 * page says at once when the model cannot be fine-tuned, and makes sure the browser has a session for the POSTs.
 */
final class FineTunePages {
    private final Pages pages;
    private final Sessions sessions;
    private final ModelShelf shelf;
    private final TrainingRuns runs;

    FineTunePages(Pages pages, Sessions sessions, ModelShelf shelf, TrainingRuns runs) {
        this.pages = pages;
        this.sessions = sessions;
        this.shelf = shelf;
        this.runs = runs;
    }

    public void finetune(Context ctx) {
        FineTuneApi.Base base = FineTuneApi.base(shelf, ctx.pathParam("id"));
        TrainingLimits limits = runs.limits();
        Map<String, Object> model = new HashMap<>();
        model.put("modelId", base.entry().id());
        model.put("modelName", base.entry().name());
        model.put("whyNot", base.whyNot() == null ? "" : base.whyNot());
        model.put("idleMinutes", limits.idleStop().toMinutes());
        model.put("wallMinutes", limits.maxWallTime().toMinutes());
        model.put("savedPerLearner", limits.savedPerLearner());
        pages.render(ctx, "finetune.html", model, sessions.ensure(ctx));
    }
}
