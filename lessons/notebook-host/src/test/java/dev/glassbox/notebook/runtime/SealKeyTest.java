package dev.glassbox.notebook.runtime;

import dev.glassbox.notebook.protocol.KernelMessage;
import dev.glassbox.notebook.protocol.Seal;
import dev.glassbox.notebook.protocol.Wire;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The kernel's own HMAC-SHA256 ({@link SealKey}, SHA-256 on native memory) signs exactly what the server's
 * {@link Seal} (the JDK's {@code HmacSHA256}) verifies, for messages on both sides of every padding boundary.
 * (Here the runtime's package is on the class path, so the test reaches it; in a kernel it is a sealed module.)
 */
class SealKeyTest {
    @Test
    void signsWhatTheServersSealVerifies() throws Exception {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            Seal seal = Seal.random();
            SealKey key = SealKey.read(new ByteArrayInputStream((Wire.encode(seal.handOver()) + "\nnext line").getBytes(StandardCharsets.UTF_8)));
            // ids of 1 to 19 digits and codes of any length: the signed message is 52 to 80 bytes, across the 55/56 and 64 byte edges
            long id = round < 19 ? (long) Math.pow(10, round) : random.nextLong() & Long.MAX_VALUE;
            String code = "x".repeat(random.nextInt(200));
            KernelMessage.Reply.Status status = KernelMessage.Reply.Status.values()[round % KernelMessage.Reply.Status.values().length];
            int count = random.nextInt(100_000);
            boolean check = random.nextBoolean();
            String signed = key.sign(id, status, count, code, check);
            assertEquals(seal.sign(id, status, count, code, check), signed, "round " + round);
            assertEquals(signed, key.sign(id, status, count, code, check), "the same twice: no state is left from the last one");
            assertNotEquals(signed, key.sign(id, status, count, code + " ", check));
        }
    }

    @Test
    void aFirstLineWithoutAKeyGivesNone() throws Exception {
        for (String line : new String[] {"", "{\"type\":\"key\",\"key\":\"c2hvcnQ=\"}", "{\"type\":\"key\",\"key\":\"AAAA", "{\"type\":\"interrupt\"}",
                "{\"type\":\"key\",\"key\":\"" + "A".repeat(600) + "\"}", "{\"type\":\"key\",\"key\":\"" + "*".repeat(44) + "\"}"}) {
            assertNull(SealKey.read(new ByteArrayInputStream((line + "\n").getBytes(StandardCharsets.UTF_8))), line);
        }
    }
}
