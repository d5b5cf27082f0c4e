package dev.glassbox.web.training;

import dev.glassbox.tinymodels.recipes.Recipe;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Sessions;
import io.javalin.http.Context;

import java.util.Arrays;
import java.util.Map;

/**
 * The Train page's shell ({@code /train}): train.js fills it from the training API, so the page makes sure the
 * browser has a session and with it the CSRF token those POSTs need.
 */
public final class TrainPages {
    /** A recipe in the page's picker; its description is plain text (the Markdown code marks are dropped). */
    public record RecipeView(String id, String title, String description) {}

    private final Pages pages;
    private final Sessions sessions;
    private final TrainingRuns runs;

    TrainPages(Pages pages, Sessions sessions, TrainingRuns runs) {
        this.pages = pages;
        this.sessions = sessions;
        this.runs = runs;
    }

    public void train(Context ctx) {
        var recipes = Arrays.stream(Recipe.values()).map(r -> new RecipeView(r.id(), r.title(), r.description().replace("`", ""))).toList();
        TrainingLimits limits = runs.limits();
        pages.render(ctx, "train.html", Map.of("recipes", recipes, "idleMinutes", limits.idleStop().toMinutes(),
                "wallMinutes", limits.maxWallTime().toMinutes(), "savedPerLearner", limits.savedPerLearner()), sessions.ensure(ctx));
    }
}
