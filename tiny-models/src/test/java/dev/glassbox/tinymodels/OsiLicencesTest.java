package dev.glassbox.tinymodels;

import dev.glassbox.tinymodels.cards.Openness;
import dev.glassbox.tinymodels.cards.Openness.LicenceType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A card's licence id decides whether Glassbox calls the licence OSI-approved: only licences on the OSI's list. */
class OsiLicencesTest {

    @Test
    void osiApprovedLicencesAreOpen() {
        for (String id : new String[] {"apache-2.0", "mit", "gpl-3.0", "bsd-3-clause", "unlicense"}) {
            assertEquals(LicenceType.OSI_APPROVED, TrainedModels.openness(id).licenceType(), id);
            assertEquals(Openness.Level.OPEN, TrainedModels.openness(id).levels().get(Openness.Part.LICENCE), id);
        }
    }

    @Test
    void licencesOffTheOsiListAreNotCalledOsiApproved() {
        // CC0 is a public-domain dedication the OSI never approved; the others restrict use or users.
        for (String id : new String[] {"cc0-1.0", "cc-by-4.0", "cc-by-nc-4.0", "openrail", "llama3.1", "other"}) {
            assertEquals(LicenceType.CUSTOM_WITH_RESTRICTIONS, TrainedModels.openness(id).licenceType(), id);
        }
        assertEquals(LicenceType.NONE, TrainedModels.openness("unknown").licenceType());
    }
}
