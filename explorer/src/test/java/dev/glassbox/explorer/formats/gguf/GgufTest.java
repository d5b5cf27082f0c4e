package dev.glassbox.explorer.formats.gguf;

import dev.glassbox.explorer.Samples;
import dev.glassbox.explorer.formats.Format;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.ModelFormatException;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Shape;
import dev.glassbox.explorer.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufTest {
    @TempDir Path dir;

    @Test
    void everyTypeAndEveryMetadataValueSurviveAWriteAndARead() throws IOException {
        for (int alignment : new int[] {32, 64}) {
            Map<String, GgufValue> metadata = Samples.ggufMetadata(alignment);
            List<Tensor> written = Samples.ggufTensors();
            Path file = dir.resolve("model-" + alignment + ".gguf");
            GgufWriter.write(file, metadata, written);
            try (ModelFile read = ModelFiles.open(file)) {
                assertEquals(Format.GGUF, read.format());
                assertEquals(metadata, read.metadata());
                assertEquals(written.size(), read.tensors().size());
                for (int i = 0; i < written.size(); i++) {
                    Tensor w = written.get(i), r = read.tensors().get(i);
                    assertTrue(w.sameContent(r), w + " came back as " + r);
                    // the mapping starts on a page boundary, so the address is aligned exactly when the file offset is
                    assertEquals(0, r.data().address() % alignment, r.name() + " starts at a multiple of the alignment");
                }
                // reading and writing again gives the same bytes
                Path again = dir.resolve("again.gguf");
                GgufWriter.write(again, read);
                assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again));
            }
        }
    }

    @Test
    void tokenizerMetadataReadsAsArrays() throws IOException {
        Path file = dir.resolve("tok.gguf");
        GgufWriter.write(file, Samples.ggufMetadata(32), List.of());
        try (ModelFile read = ModelFiles.open(file)) {
            GgufValue tokens = (GgufValue) read.metadata().get("tokenizer.ggml.tokens");
            assertEquals(List.of("<unk>", "<s>", "</s>", "h", "e", "he", "llo", "hello", " "), tokens.asStrings());
            assertArrayEquals(new float[] {0f, 0f, 0f, -1f, -2f, -3f, -4f, -5f, -6f},
                    ((GgufValue) read.metadata().get("tokenizer.ggml.scores")).asFloats());
            assertArrayEquals(new long[] {2, 3, 3, 1, 1, 1, 1, 1, 1}, ((GgufValue) read.metadata().get("tokenizer.ggml.token_type")).asLongs());
            assertEquals(1, ((GgufValue) read.metadata().get("tokenizer.ggml.bos_token_id")).asLong());
            assertArrayEquals(new long[] {0, 1, 255}, ((GgufValue) read.metadata().get("test.array.uint8")).asLongs());
            assertEquals(List.of(List.of(1L, 2L, 3L), List.of("a", "b"), List.of(List.of(0.5f))),
                    ((GgufValue) read.metadata().get("test.array.nested")).plain());
            assertEquals("18446744073709551615", ((GgufValue) read.metadata().get("test.uint64")).plain());
        }
    }

    @Test
    void shapesAreReversedFromGgmlOrder() throws IOException {
        Path file = dir.resolve("shape.gguf");
        Tensor m = Tensor.of("m", DType.F32, Shape.of(2, 3), new float[] {1, 2, 3, 4, 5, 6});
        GgufWriter.write(file, Map.of(), List.of(m));
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        // header 24 bytes; tensor info: name (8 + 1), n_dimensions, then ne[0] = 3 (columns), ne[1] = 2 (rows)
        assertEquals(2, b.getInt(24 + 9));
        assertEquals(3, b.getLong(24 + 13));
        assertEquals(2, b.getLong(24 + 21));
        try (ModelFile read = ModelFiles.open(file)) {
            assertEquals(Shape.of(2, 3), read.tensor("m").shape());
            assertArrayEquals(new float[] {4, 5, 6}, read.tensor("m").readRows(1, 2));
        }
    }

    @Test
    void q8_0AndQ4_0WrittenByGlassboxDecodeToTheReferenceValues() throws IOException {
        float[] x = new float[64];
        for (int i = 0; i < 64; i++) x[i] = (i - 20) / 8f;
        Path file = dir.resolve("q.gguf");
        GgufWriter.write(file, Map.of("general.quantization_version", GgufValue.uint32(2)),
                List.of(Tensor.of("q8", DType.Q8_0, Shape.of(2, 32), x), Tensor.of("q4", DType.Q4_0, Shape.of(2, 32), x)));
        try (ModelFile read = ModelFiles.open(file)) {
            float[] q8 = read.tensor("q8").toFloatArray();
            // block 0 holds -2.5 .. 1.375: amax = 2.5, d = f16(2.5 / 127) = 0.019683838, q = round(x / d)
            float d = Float.float16ToFloat(Float.floatToFloat16(2.5f / 127));
            assertEquals(d * -127, q8[0]);                               // x = -2.5 -> q = -127
            assertEquals(d * Math.round(1.375f * (1 / d)), q8[31]);
            float[] q4 = read.tensor("q4").toFloatArray();
            // block 1 holds 1.5 .. 5.375: the largest magnitude 5.375 gives d = 5.375 / -8 = -0.671875 (exact in f16)
            assertEquals(-0.671875f * (0 - 8), q4[63]);                  // q = trunc(5.375 / -0.671875 + 8.5) = 0
            assertEquals(read.tensor("q4").blocks(1, 1).getFirst().d(), -0.671875f);
        }
    }

    // ---- malformed files

    private ByteBuffer header(int capacity) {
        ByteBuffer b = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(GgufReader.MAGIC).putInt(3);
        return b;
    }

    private ModelFormatException bad(ByteBuffer b) throws IOException {
        Path file = dir.resolve("bad.gguf");
        Files.write(file, Arrays.copyOf(b.array(), b.position()));
        return assertThrows(ModelFormatException.class, () -> GgufReader.read(file).close());
    }

    @Test
    void theMagicIsChecked() throws IOException {
        ModelFormatException e = bad(ByteBuffer.allocate(24).position(24));
        assertEquals("bad.gguf: GGUF magic 0x46554747 expected, found 0x00000000 at byte 0", e.getMessage());
        ModelFormatException big = bad(ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN).putInt(0x47475546).putInt(3).position(24));
        assertTrue(big.getMessage().contains("big-endian"), big.getMessage());
        assertEquals(4, big.offset());
    }

    @Test
    void countsThatCannotFitTheFileAreRefusedBeforeAnythingIsAllocated() throws IOException {
        ModelFormatException tensors = bad(header(24).putLong(Long.MAX_VALUE).putLong(0));
        assertEquals(8, tensors.offset());
        ModelFormatException kvs = bad(header(24).putLong(0).putLong(-1));
        assertEquals("bad.gguf: metadata_kv_count that fits the file's 24 bytes expected, found 18446744073709551615 at byte 16", kvs.getMessage());
    }

    @Test
    void hugeStringAndArrayLengthsAreNamed() throws IOException {
        ByteBuffer b = header(64).putLong(0).putLong(1);
        b.putLong(1L << 40);                                            // key length 2^40
        ModelFormatException key = bad(b.position(64));
        assertEquals(24, key.offset());
        assertTrue(key.problem().contains("at most 65535 bytes"), key.problem());

        b = header(64).putLong(0).putLong(1);
        b.putLong(1).put((byte) 'k').putInt(GgufType.ARRAY.id()).putInt(GgufType.UINT64.id()).putLong(1L << 50);
        ModelFormatException array = bad(b);
        assertEquals(24 + 9 + 4 + 4, array.offset());
        assertTrue(array.problem().startsWith("array length of k that fits the remaining"), array.problem());
    }

    @Test
    void badValuesAreNamedWhereTheyAre() throws IOException {
        ByteBuffer b = header(64).putLong(0).putLong(1);
        b.putLong(1).put((byte) 'k').putInt(GgufType.BOOL.id()).put((byte) 2);
        assertEquals("bad.gguf: bool 0 or 1 expected for k, found 2 at byte 37", bad(b).getMessage());

        b = header(64).putLong(0).putLong(1);
        b.putLong(1).put((byte) 'k').putInt(13).putInt(0);
        assertEquals("bad.gguf: a gguf_metadata_value_type (0..12) expected for k, found 13 at byte 33", bad(b).getMessage());

        b = header(64).putLong(0).putLong(1);
        b.putLong(17).put("general.alignment".getBytes(StandardCharsets.US_ASCII)).putInt(GgufType.UINT32.id()).putInt(48);
        ModelFormatException alignment = bad(b);
        assertEquals(24, alignment.offset());
        assertTrue(alignment.problem().contains("power of two"), alignment.problem());
    }

    @Test
    void tensorInfosAreCheckedAgainstTheData() throws IOException {
        Map<String, GgufValue> none = new LinkedHashMap<>();
        Path good = dir.resolve("good.gguf");
        GgufWriter.write(good, none, List.of(Samples.random("w", DType.F32, Shape.of(4, 8), 1)));
        byte[] bytes = Files.readAllBytes(good);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int info = 24;                                                  // name (8 + 1), n_dims (4), ne (2 x 8), type (4), offset (8)
        int typeAt = info + 9 + 4 + 16, offsetAt = typeAt + 4;

        b.putInt(typeAt, 39);                                           // MXFP4: a type Glassbox does not know
        ModelFormatException type = bad(b.position(bytes.length));
        assertEquals(typeAt, type.offset());
        assertTrue(type.problem().contains("found 39"), type.problem());

        b.putInt(typeAt, 0).putLong(offsetAt, 3);
        ModelFormatException misaligned = bad(b.position(bytes.length));
        assertEquals("bad.gguf: offset of w a multiple of the alignment 32 below 2^63 expected, found 3 at byte " + offsetAt, misaligned.getMessage());

        b.putLong(offsetAt, 32);
        ModelFormatException outside = bad(b.position(bytes.length));
        assertEquals(info, outside.offset());
        assertTrue(outside.problem().contains("inside the 128 bytes of tensor data"), outside.problem());

        b.putLong(offsetAt, -32);                                       // 2^64 - 32: aligned, but past any file (found by the fuzzer)
        ModelFormatException huge = bad(b.position(bytes.length));
        assertEquals(offsetAt, huge.offset());
        assertTrue(huge.problem().endsWith("found 18446744073709551584"), huge.problem());

        b.putLong(offsetAt, 0).putLong(info + 13, 1L << 31).putLong(info + 21, 1L << 31).putInt(typeAt, DType.F64.ggmlType());
        ModelFormatException overflow = bad(b.position(bytes.length));    // 2^62 values of F64 need 2^65 bytes (found by the fuzzer)
        assertTrue(overflow.problem().startsWith("a byte size that fits 63 bits expected for w"), overflow.problem());

        b.putLong(info + 13, 8).putLong(info + 21, 4);
        b.putLong(offsetAt, 0).putInt(typeAt, DType.Q8_0.ggmlType());    // 8 columns are not whole blocks of 32
        ModelFormatException blocks = bad(b.position(bytes.length));
        assertTrue(blocks.problem().contains("a multiple of 32"), blocks.problem());
    }
}
