package dev.glassbox.explorer.formats;

import dev.glassbox.explorer.Samples;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.formats.gguf.GgufWriter;
import dev.glassbox.explorer.formats.safetensors.SafetensorsWriter;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Shape;
import dev.glassbox.explorer.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ModelFileTest {
    @TempDir Path dir;

    @Test
    void openTellsFormatsApartByContentNotOnlyByName() throws IOException {
        List<Tensor> tensors = List.of(Samples.random("w", DType.F32, Shape.of(2, 2), 1));
        Path safetensors = dir.resolve("weights.bin");
        SafetensorsWriter.write(safetensors, Map.of(), tensors);
        Path gguf = dir.resolve("weights.dat");
        GgufWriter.write(gguf, Map.of(), tensors);
        try (ModelFile s = ModelFiles.open(safetensors); ModelFile g = ModelFiles.open(gguf)) {
            assertEquals(Format.SAFETENSORS, s.format());
            assertEquals(Format.GGUF, g.format());
            assertEquals(4, s.parameterCount());
            assertThrows(NoSuchElementException.class, () -> s.tensor("nope"));
        }
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello");
        assertEquals("notes.txt: a safetensors, GGUF or ONNX file expected (by name or first bytes) at byte 0",
                assertThrows(ModelFormatException.class, () -> ModelFiles.open(text)).getMessage());
    }

    @Test
    void tensorsCannotBeReadAfterClose() throws IOException {
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(file, Map.of(), List.of(Samples.random("w", DType.F32, Shape.of(4), 1)));
        ModelFile model = ModelFiles.open(file);
        Tensor w = model.tensor("w");
        model.close();
        model.close();                                                   // harmless
        assertThrows(IllegalStateException.class, w::toFloatArray);
    }
}
