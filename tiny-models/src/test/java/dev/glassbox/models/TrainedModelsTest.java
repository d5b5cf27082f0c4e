package dev.glassbox.models;

import dev.glassbox.models.cards.ModelCard;
import dev.glassbox.models.recipes.Recipe;
import dev.glassbox.models.recipes.TrainingRun;
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
                List.of("sorting lists (seed 7)", "a, \"quoted\" one"), "learning: how a model sorts", "# My sorter\n\nBody.\n");
        assertEquals(card, ModelCard.parse(card.markdown()));
        ModelCard plain = ModelCard.parse("# No front matter\n");
        assertEquals("unknown", plain.license());
        assertEquals("# No front matter\n", plain.body());
        assertThrows(IllegalArgumentException.class, () -> ModelCard.parse("---\nlicense: mit\nno end\n"));
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
