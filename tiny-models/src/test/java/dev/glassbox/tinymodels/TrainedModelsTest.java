package dev.glassbox.tinymodels;

import dev.glassbox.tinymodels.cards.ModelCard;
import dev.glassbox.tinymodels.recipes.Recipe;
import dev.glassbox.tinymodels.recipes.TrainingRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The folder of models trained on this machine, and the card reader it relies on. */
class TrainedModelsTest {
    @TempDir
    Path dir;

    @Test
    void aCardReadsBackAsItWasWritten() {
        ModelCard card = new ModelCard("apache-2.0", "https://www.apache.org/licenses/LICENSE-2.0", List.of(),
                List.of("sorting lists (seed 7)", "a, \"quoted\" one", "- dash: and colon", "#hash"), "text-generation", "glassbox",
                List.of(), List.of("llama", "yes"), List.of("49034>03449.", "49034>"), "learning: how a model sorts",
                "# My sorter\n\nBody.\n\n## Data\n\nDigits.\n");
        String markdown = card.markdown();
        assertEquals(card, ModelCard.parse(markdown));
        // the Hub's keys in the front matter, the intended use as a section of its own before the first section
        assertTrue(markdown.contains("\npipeline_tag: text-generation\nlibrary_name: glassbox\n"), markdown);
        assertTrue(markdown.contains("\nwidget:\n- text: 49034>03449.\n- text: 49034>\n---\n"), markdown);
        assertTrue(markdown.endsWith("Body.\n\n## Uses\n\nlearning: how a model sorts\n\n## Data\n\nDigits.\n"), markdown);
        ModelCard noSections = new ModelCard("mit", "", List.of(), List.of(), "", "", List.of("en"), List.of(), List.of(),
                "reading", "# Plain\n\nText.\n");
        assertEquals(noSections, ModelCard.parse(noSections.markdown()));

        ModelCard plain = ModelCard.parse("# No front matter\n");
        assertEquals("unknown", plain.license());
        assertEquals("not stated", plain.intendedUse());
        assertEquals("# No front matter\n", plain.body());
        // a card written by hand the way the Hub allows: one plain value for a list, an intended_use key
        ModelCard hub = ModelCard.parse("---\nlicense: mit\nlanguage: en\nintended_use: testing\n---\n# Hub\n");
        assertEquals(List.of("en"), hub.language());
        assertEquals("testing", hub.intendedUse());
        assertThrows(IllegalArgumentException.class, () -> ModelCard.parse("---\nlicense: mit\nno end\n"));
        assertThrows(IllegalArgumentException.class, () -> ModelCard.parse("---\nlicense: [mit\n---\n# Broken\n"));
    }

    @Test
    void aSavedRunIsACatalogEntryWithItsCard() throws Exception {
        TrainingRun run = new TrainingRun(Recipe.SORTER, Recipe.SORTER.quick().withSteps(3));
        run.run(p -> {});
        run.save(dir, "my-sorter", "My sorter");
        Files.createDirectories(dir.resolve("half-saved"));
        Files.createDirectories(dir.resolve(".saving-123"));

        List<String> problems = new ArrayList<>();
        List<ModelEntry> entries = TrainedModels.scan(dir, problems);
        assertEquals(List.of("my-sorter"), entries.stream().map(ModelEntry::id).toList());
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.getFirst().contains("half-saved") && problems.getFirst().contains("config.json is missing"), problems.toString());

        ModelEntry entry = entries.getFirst();
        assertEquals("llama", entry.family());
        assertEquals(run.parameterCount(), entry.parameters());
        assertEquals(List.of(), entry.card().baseModel(), "trained from scratch");
        assertEquals(TrainingRun.LICENSE, entry.card().license());
        assertTrue(entry.openness().fullyOpen(), entry.openness().toString());
        assertEquals(Recipe.SORTER.quick().dModel(), ((Number) entry.config().get("hidden_size")).intValue());
        try (var model = entry.load()) {
            assertEquals(Recipe.SORTER.quick().layers(), model.architecture().layers());
        }
        assertEquals(List.of(), TrainedModels.scan(dir.resolve("absent"), problems));
    }
}
