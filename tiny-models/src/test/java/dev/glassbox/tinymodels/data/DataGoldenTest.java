package dev.glassbox.tinymodels.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shipped seeds' data, pinned by hash: a model card says "generator X with seed S", so X with S must give
 * the same bytes on every JVM and after every refactoring. A change here changes every model trained on it,
 * and must come with retrained models.
 */
class DataGoldenTest {
    @Test
    void theShippedDataIsTheSameBytesAsWhenTheModelsWereTrained() throws Exception {
        assertEquals("947dff3c0ef4101f7553e3095a598a46a669e1113c43da021f9d6dee03c8c1e8", sha256(new SortingLists(SortingLists.SEED).text(1000)), "sorting");
        assertEquals("aef272c82dbf933b1bcd27978eed26c76c661abb09abff6c2908486d2d5fb21e", sha256(new RepeatedSequences(RepeatedSequences.SEED).text(1000)), "repeated sequences");
        assertEquals("df5ba4217a3178a2efd611ef2532571d602cd133b84bea94c873f19d19121802", sha256(Stories.plain().text(300)), "stories");
        assertEquals("7b7da59005c8710198661e643ac35585fbbf75eb748dd666e9f6e2bde64361b5", sha256(Stories.atSea().text(300)), "sea stories");
        assertEquals("974215653e2a308e7804009b111edec4e5aa1457b75cf5b02146974632495aa3", sha256(String.join("\n", Stories.plain().heldOut(100))), "held-out stories");
        assertEquals("76c6601d1765d7e63a5df6d0ea072159770700ff76e850d72415ea305e3b9b1a", sha256(RecipeTokenizer.TINY_STORIES.vocabulary().toTokenizerJson()), "story tokenizer");
    }

    private static String sha256(String text) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
