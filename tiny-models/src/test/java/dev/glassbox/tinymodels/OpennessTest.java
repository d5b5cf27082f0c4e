package dev.glassbox.tinymodels;

import dev.glassbox.tinymodels.cards.Openness;
import dev.glassbox.tinymodels.cards.Openness.Level;
import dev.glassbox.tinymodels.cards.Openness.Part;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpennessTest {

    @Test
    void randomWeightsHaveNoTrainingDataRatherThanOpenData() {
        for (Openness o : new Openness[] {TinyLlamaRandom.openness(), TinyGpt2Random.openness()}) {
            assertEquals(Level.NOT_APPLICABLE, o.levels().get(Part.TRAINING_DATA), o.toString());
            assertTrue(o.fullyOpen(), "a part that does not exist does not make a model less open: " + o);
        }
    }

    @Test
    void aClosedOrPartlyOpenPartIsNotFullyOpen() {
        assertFalse(MiniLmL6.openness().fullyOpen());
        Openness.Builder b = Openness.builder(Openness.LicenceType.OSI_APPROVED);
        for (Part part : Part.values()) b.part(part, Level.OPEN, "published");
        assertTrue(b.build().fullyOpen());
        b.part(Part.TRAINING_DATA, Level.CLOSED, "not published");
        assertFalse(b.build().fullyOpen());
    }
}
