package dev.glassbox.web.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.explorer.training.Projection;
import dev.glassbox.tinymodels.recipes.FineTuneSettings;
import dev.glassbox.web.server.Json;
import io.javalin.http.BadRequestResponse;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fine-tuning API's reading of a start body: the method's defaults, changed by the fields given, each checked. */
class FineTuneSettingsApiTest {
    static JsonNode body(String json) throws Exception {
        return Json.MAPPER.readTree(json);
    }

    static String refused(String json) {
        return assertThrows(BadRequestResponse.class, () -> FineTuneApi.settings(body(json))).getMessage();
    }

    @Test
    void aMethodAloneGivesItsDefaultsAndFieldsReplaceThem() throws Exception {
        assertEquals(FineTuneSettings.LORA, FineTuneApi.settings(body("{\"method\": \"lora\"}")));
        assertEquals(FineTuneSettings.FULL, FineTuneApi.settings(body("{\"method\": \"full\"}")));
        FineTuneSettings s = FineTuneApi.settings(body("{\"method\": \"lora\", \"steps\": 7, \"rank\": 2, \"alpha\": 4.5, \"targets\": [\"q_proj\", \"v\"], \"seqLen\": 32}"));
        assertEquals(7, s.steps());
        assertEquals(2, s.lora().rank());
        assertEquals(4.5f, s.lora().alpha());
        assertEquals(EnumSet.of(Projection.Q, Projection.V), s.lora().targets());
        assertEquals(32, s.seqLen());
        assertNull(FineTuneApi.settings(body("{\"method\": \"full\", \"rank\": 4}")).lora(), "full fine-tuning has no adapter");
    }

    @Test
    void badFieldsAreRefusedWithTheirNameAndRange() {
        assertTrue(refused("{}").contains("\"method\""));
        assertTrue(refused("{\"method\": \"qlora\"}").contains("\"full\" or \"lora\""));
        assertTrue(refused("{\"method\": \"lora\", \"rank\": 99}").contains("rank in [1, 64]"));
        assertTrue(refused("{\"method\": \"lora\", \"targets\": [\"w_proj\"]}").contains("projection w_proj unknown"));
        assertTrue(refused("{\"method\": \"lora\", \"targets\": []}").contains("at least one target"));
        assertTrue(refused("{\"method\": \"full\", \"steps\": 0}").contains("steps in [1, 2000]"));
        assertTrue(refused("{\"method\": \"full\", \"steps\": 2.5}").contains("whole number"));
        assertTrue(refused("{\"method\": \"full\", \"learningRate\": 1}").contains("learningRate in"));
        assertTrue(refused("{\"method\": \"full\", \"epochs\": 3}").contains("Unknown field \"epochs\""));
    }
}
