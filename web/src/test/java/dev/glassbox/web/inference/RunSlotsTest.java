package dev.glassbox.web.inference;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The run slots: at most N runs at once, a bounded wait, and a slot that closes twice frees only once. */
class RunSlotsTest {
    @Test
    void aRequestThatFindsEverySlotTakenGivesUpAfterTheWait() {
        RunSlots slots = new RunSlots(2, Duration.ofMillis(50));
        RunSlots.Slot a = slots.tryEnter(), b = slots.tryEnter();
        assertNotNull(a);
        assertNotNull(b);
        assertNull(slots.tryEnter(), "a third run waits 50 ms and is turned away");
        a.close();
        a.close();
        RunSlots.Slot c = slots.tryEnter();
        assertNotNull(c, "a closed slot is free again");
        assertNull(slots.tryEnter(), "closing twice frees one slot, not two");
        b.close();
        c.close();
    }
}
