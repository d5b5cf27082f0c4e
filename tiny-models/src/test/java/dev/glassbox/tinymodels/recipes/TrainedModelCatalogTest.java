package dev.glassbox.tinymodels.recipes;

import dev.glassbox.explorer.models.Llama;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.tinymodels.GgufExport;
import dev.glassbox.tinymodels.ModelCatalog;
import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.tinymodels.TrainedModel;
import dev.glassbox.tinymodels.cards.Openness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trained models are in the catalog with their GGUF exports, fully open cards, and files Llama.load runs. */
class TrainedModelCatalogTest {
    @TempDir
    Path dir;

    @Test
    void everyShippedRecipeIsAFullyOpenCatalogEntryWithItsExports() throws Exception {
        ModelCatalog catalog = ModelCatalog.load(dir.resolve("models"), null);
        assertTrue(catalog.problems().isEmpty(), catalog.problems().toString());
        for (Recipe recipe : TrainedModel.SHIPPED) {
            ModelEntry entry = catalog.find(recipe.id()).orElseThrow();
            assertTrue(entry.openness().fullyOpen(), recipe.id() + " " + entry.openness());
            assertEquals(Openness.LicenceType.OSI_APPROVED, entry.openness().licenceType());
            String card = entry.card().markdown();
            assertTrue(card.startsWith("---\nlicense: apache-2.0\n"), card);
            assertTrue(card.contains("glassbox.jar train " + recipe.id()), card);
            assertTrue(card.contains("seed " + recipe.defaults().seed()), card);
            assertTrue(card.contains("## Training record") && card.contains("Wall time") && card.contains("Hardware"), card);
            for (DType type : GgufExport.TYPES) {
                ModelEntry gguf = catalog.find(recipe.id() + "-" + type.name().toLowerCase(java.util.Locale.ROOT)).orElseThrow();
                assertTrue(Files.size(gguf.file()) > 0, gguf.file().toString());
            }
            try (Llama model = Llama.load(entry.file().getParent())) {
                assertEquals(recipe.defaults().layers(), model.architecture().layers());
                assertEquals(recipe.defaults().kvHeads(), model.architecture().kvHeads());
            }
            assertTrue(Files.size(entry.file()) < 25L << 20, entry.file() + " is not well under 25 MB");
        }
        assertTrue(catalog.find("tiny-llama-random").orElseThrow().name().contains("untrained"));
        ModelCatalog again = ModelCatalog.loadPrepared(dir.resolve("models"));
        assertEquals(catalog.entries().size(), again.entries().size());
    }

    @Test
    void recipesAreFoundByIdAndSettingsAreCheckedAgainstTheirLimits() {
        assertEquals(Recipe.INDUCTION, Recipe.byId("induction-2l"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Recipe.byId("gpt-5"));
        assertTrue(unknown.getMessage().contains("tiny-stories"), unknown.getMessage());
        RecipeSettings tooDeep = new RecipeSettings(9, 64, 4, 4, 128, 18, 32, 10, 1e-3f, 0, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Recipe.SORTER.limits().check(tooDeep));
        assertTrue(e.getMessage().startsWith("layers in [1, 4] expected, found 9"), e.getMessage());
        for (Recipe r : Recipe.values()) {
            r.limits().check(r.defaults());
            r.limits().check(r.quick());
        }
        assertEquals(0, Recipe.INDUCTION.defaults().dMlp());
        assertTrue(Recipe.TINY_STORIES.defaults().kvHeads() < Recipe.TINY_STORIES.defaults().heads());
    }
}
