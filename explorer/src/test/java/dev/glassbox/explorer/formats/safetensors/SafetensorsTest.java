package dev.glassbox.explorer.formats.safetensors;

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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    @TempDir Path dir;

    @Test
    void everyTypeSurvivesAWriteAndAReadBitForBit() throws IOException {
        List<Tensor> written = Samples.safetensorsTensors();
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, Map.of("format", "pt", "note", "ünïcödé"), written);
        assertEquals(0, (8 + header(file).getBytes(StandardCharsets.UTF_8).length) % 8, "data starts 8-byte aligned");
        try (ModelFile read = ModelFiles.open(file)) {
            assertEquals(Format.SAFETENSORS, read.format());
            assertEquals(Map.of("format", "pt", "note", "ünïcödé"), read.metadata());
            assertEquals(written.size(), read.tensors().size());
            for (int i = 0; i < written.size(); i++) {
                Tensor w = written.get(i), r = read.tensors().get(i);
                assertTrue(w.sameContent(r), w + " came back as " + r);
            }
            assertEquals(DType.I64, read.tensor("model.layers.4.i64.weight").dtype());
        }
    }

    @Test
    void shardedModelsOpenThroughTheirIndex() throws IOException {
        List<Tensor> all = Samples.safetensorsTensors();
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), Map.of("format", "pt"), all.subList(0, 4));
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), Map.of(), all.subList(4, all.size()));
        StringBuilder map = new StringBuilder();
        for (int i = all.size() - 1; i >= 0; i--) {                     // the index's order, not the shards', is kept
            map.append(map.isEmpty() ? "" : ",").append('"').append(all.get(i).name()).append("\":\"model-0000")
                    .append(i < 4 ? 1 : 2).append("-of-00002.safetensors\"");
        }
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"metadata\":{\"total_size\":1234},\"weight_map\":{" + map + "}}");
        try (ModelFile model = ModelFiles.open(index)) {
            assertEquals(all.size(), model.tensors().size());
            assertEquals(all.getLast().name(), model.tensors().getFirst().name());
            assertEquals(1234L, model.metadata().get("total_size"));
            assertEquals("pt", model.metadata().get("format"));
            for (Tensor t : all) assertTrue(t.sameContent(model.tensor(t.name())), t.name());
        }
        Files.writeString(index, "{\"weight_map\":{\"scalar\":\"../outside.safetensors\"}}");
        ModelFormatException escape = assertThrows(ModelFormatException.class, () -> ModelFiles.open(index));
        assertTrue(escape.getMessage().contains("inside the index's folder"), escape.getMessage());
        Files.writeString(index, "{\"weight_map\":{\"missing\":\"model-00001-of-00002.safetensors\"}}");
        ModelFormatException missing = assertThrows(ModelFormatException.class, () -> ModelFiles.open(index));
        assertTrue(missing.getMessage().contains("does not list it"), missing.getMessage());
    }

    // ---- malformed files: each message names the file, what was expected and the offset

    private Path file(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, b.array());
        return file;
    }

    private ModelFormatException bad(Path file) {
        return assertThrows(ModelFormatException.class, () -> SafetensorsReader.read(file).close());
    }

    @Test
    void aHeaderLongerThanTheFileIsNamed() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        ModelFormatException e = bad(file);
        assertEquals("bad.safetensors: the JSON header needs 1000 bytes, only 4 remain at byte 8", e.getMessage());
        Files.write(file, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array());
        assertEquals(0, bad(file).offset());
        Files.write(file, new byte[3]);
        assertEquals("bad.safetensors: header size (8 bytes) needs 8 bytes, only 3 remain at byte 0", bad(file).getMessage());
    }

    @Test
    void offsetsOutsideTheBufferAreNamedAtTheTensor() throws IOException {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
        ModelFormatException e = bad(file(header, 12));
        assertEquals(8 + header.indexOf("\"v\""), e.offset());
        assertTrue(e.problem().contains("inside it"), e.problem());
    }

    @Test
    void sizesThatDisagreeWithTheShapeAreNamed() throws IOException {
        String header = "{\"w\":{\"dtype\":\"F16\",\"shape\":[3,3],\"data_offsets\":[0,16]}}";
        ModelFormatException e = bad(file(header, 16));
        assertEquals(9, e.offset());
        assertTrue(e.problem().contains("of 18 bytes expected, data_offsets span 16"), e.problem());
    }

    @Test
    void holesUnknownTypesAndBadJsonAreNamed() throws IOException {
        ModelFormatException hole = bad(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]}}", 3));
        assertTrue(hole.problem().contains("no holes or overlaps"), hole.problem());
        ModelFormatException type = bad(file("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2));
        assertTrue(type.problem().contains("found \"F8_E4M3\""), type.problem());
        assertEquals(8 + 14, type.offset());
        ModelFormatException json = bad(file("{\"w\":{\"dtype\":\"U8\",,}}", 0));
        assertTrue(json.problem().startsWith("well-formed JSON header expected"), json.problem());
        assertEquals(8 + 19, json.offset());                                 // the second comma
        ModelFormatException dup = bad(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]},\"w\":{}}", 1));
        assertTrue(dup.problem().contains("Duplicate field 'w'"), dup.problem());
        ModelFormatException negative = bad(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[-2],\"data_offsets\":[0,1]}}", 1));
        assertTrue(negative.problem().contains("found -2"), negative.problem());
        ModelFormatException notObject = bad(file("[1]", 0));
        assertEquals("bad.safetensors: header starting with '{' expected, found 0x5b at byte 8", notObject.getMessage());
    }

    @Test
    void quantizedTypesAreRefusedByTheWriter() {
        Tensor q = Samples.random("q", DType.Q8_0, Shape.of(32), 1);
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(dir.resolve("q.safetensors"), Map.of(), List.of(q)));
    }

    private static String header(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int n = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(bytes, 8, n, StandardCharsets.UTF_8);
    }
}
