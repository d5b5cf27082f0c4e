package dev.glassbox.explorer.formats.onnx;

import dev.glassbox.explorer.formats.Format;
import dev.glassbox.explorer.formats.Graph;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.ModelFormatException;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxTest {
    @TempDir Path dir;

    @Test
    void everyWayOfStoringAnInitializerIsRead() throws IOException {
        try (ModelFile model = ModelFiles.open(TinyOnnx.write(dir, TinyOnnx.WEIGHTS))) {
            assertEquals(Format.ONNX, model.format());
            assertEquals(List.of("dense.weight", "dense.bias", "ids", "half", "ext.weight"),
                    model.tensors().stream().map(t -> t.name()).toList());
            assertEquals(Shape.of(4, 3), model.tensor("dense.weight").shape());
            assertEquals(4.5f, model.tensor("dense.weight").get(3, 0));           // raw_data: element 9 * 0.5
            assertArrayEquals(new float[] {1f, -2f, 3.5f}, model.tensor("dense.bias").toFloatArray());
            assertEquals(DType.I64, model.tensor("ids").dtype());
            assertArrayEquals(new float[] {5f, -1f}, model.tensor("ids").toFloatArray());
            assertArrayEquals(new float[] {1f, -2f}, model.tensor("half").toFloatArray());  // f16 0x3C00, 0xC000
            assertArrayEquals(new float[] {10, 11, 12, 13, 14, 15}, model.tensor("ext.weight").toFloatArray());
            assertEquals(Map.of("dense.weight", "onnx::MatMul_7"), model.metadata().get("initializer_names"));
            assertEquals(List.of("dense.weight"), model.metadata().get("stored_in_out"));
            assertEquals(8L, model.metadata().get("ir_version"));
            assertEquals(Map.of("ai.onnx", 17L), model.metadata().get("opset_import"));
            assertEquals(Map.of("author", "Glassbox"), model.metadata().get("metadata_props"));
            Graph graph = model.graph().orElseThrow();
            assertEquals(List.of(new Graph.Value("x", "FLOAT", List.of("batch", "4"))), graph.inputs());
            assertEquals("y", graph.outputs().getFirst().name());
            assertEquals(List.of("MatMul", "Add"), graph.nodes().stream().map(Graph.Node::opType).toList());
            assertEquals("an attribute", graph.nodes().get(1).attributes().get("note"));
        }
    }

    @Test
    void externalDataMayNotLeaveTheModelFolder() throws IOException {
        Path inner = Files.createDirectories(dir.resolve("model"));
        Files.write(dir.resolve("secret.bin"), new byte[64]);
        ModelFormatException escape = assertThrows(ModelFormatException.class, () -> OnnxReader.read(TinyOnnx.write(inner, "../secret.bin")));
        assertTrue(escape.problem().contains("inside the model's folder expected"), escape.problem());
        ModelFormatException absolute = assertThrows(ModelFormatException.class,
                () -> OnnxReader.read(TinyOnnx.write(inner, dir.resolve("secret.bin").toAbsolutePath().toString())));
        assertTrue(absolute.problem().contains("inside the model's folder expected"), absolute.problem());
        ModelFormatException missing = assertThrows(ModelFormatException.class, () -> OnnxReader.read(TinyOnnx.write(inner, "nothing.bin")));
        assertTrue(missing.problem().contains("not found"), missing.problem());
    }

    @Test
    void truncatedAndCorruptedFilesNameTheOffset() throws IOException {
        Path file = TinyOnnx.write(dir, TinyOnnx.WEIGHTS);
        byte[] bytes = Files.readAllBytes(file);

        Files.write(file, Arrays.copyOf(bytes, bytes.length - 30));     // cut inside the graph
        ModelFormatException cut = assertThrows(ModelFormatException.class, () -> OnnxReader.read(file));
        assertTrue(cut.problem().contains("bytes (the rest of ModelProto) expected"), cut.getMessage());
        assertTrue(cut.offset() > 0 && cut.offset() < bytes.length, cut.getMessage());

        byte[] groups = bytes.clone();
        groups[0] = (byte) (1 << 3 | 3);                                 // field 1 as a (deprecated) group
        Files.write(file, groups);
        assertEquals("tiny.onnx: wire type 0, 1, 2 or 5 expected for field 1, found 3 at byte 0",
                assertThrows(ModelFormatException.class, () -> OnnxReader.read(file)).getMessage());

        Files.write(file, new byte[] {0x08, 0x08});                      // ir_version only: no graph
        assertEquals("tiny.onnx: ModelProto.graph (field 7) expected, found none at byte 0",
                assertThrows(ModelFormatException.class, () -> OnnxReader.read(file)).getMessage());

        ProtoWriter shortRaw = new ProtoWriter().message(7, new ProtoWriter()
                .message(5, new ProtoWriter().packedVarints(1, 4).varint(2, 1).string(8, "w").bytes(9, new byte[12])));
        Files.write(file, shortRaw.toByteArray());
        ModelFormatException raw = assertThrows(ModelFormatException.class, () -> OnnxReader.read(file));
        assertEquals("raw_data of 16 bytes expected for w (F32 [4]), found 12", raw.problem());
        // model tag + length (2), graph tag + length (2), dims (3), data_type (2), name (3), raw_data tag + length (2)
        assertEquals(14, raw.offset());

        ProtoWriter typedCount = new ProtoWriter().message(7, new ProtoWriter()
                .message(5, new ProtoWriter().packedVarints(1, 3).varint(2, 7).string(8, "w").packedVarints(7, 1, 2)));
        Files.write(file, typedCount.toByteArray());
        assertTrue(assertThrows(ModelFormatException.class, () -> OnnxReader.read(file)).problem().contains("3 values expected for w, found 2"));
    }

    @Test
    void moduleNamesComeFromTheNodePath() {
        assertEquals("encoder.layer.0.attention.self.query", OnnxWeightNames.modulePath("/encoder/layer.0/attention/self/query/MatMul"));
        assertEquals(null, OnnxWeightNames.modulePath("MatMul_12"));
        assertEquals(null, OnnxWeightNames.modulePath("/MatMul"));
    }
}
