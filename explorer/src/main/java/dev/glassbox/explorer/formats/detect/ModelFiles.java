package dev.glassbox.explorer.formats.detect;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.ModelFormatException;
import dev.glassbox.explorer.formats.gguf.GgufReader;
import dev.glassbox.explorer.formats.onnx.OnnxReader;
import dev.glassbox.explorer.formats.safetensors.SafetensorsReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a model file whatever its format. It sits above the readers (it imports them, they never import it),
 * so {@link ModelFile} stays the readers' common result and knows none of them.
 *
 * <pre>{@code
 * try (ModelFile file = ModelFiles.open(Path.of("model.safetensors"))) {
 *     for (Tensor t : file.tensors()) System.out.println(t);
 * }
 * }</pre>
 */
public final class ModelFiles {
    private ModelFiles() {}

    /**
     * Opens a safetensors file, a sharded safetensors index ({@code *.index.json}), a GGUF file or an
     * ONNX file, telling them apart by name and first bytes.
     */
    public static ModelFile open(Path path) throws IOException {
        String name = path.getFileName().toString();
        if (name.endsWith(".index.json")) return SafetensorsReader.readSharded(path);
        byte[] head = new byte[9];
        int read;
        try (InputStream in = Files.newInputStream(path)) {
            read = in.readNBytes(head, 0, head.length);
        }
        if (read >= 4 && head[0] == 'G' && head[1] == 'G' && head[2] == 'U' && head[3] == 'F') return GgufReader.read(path);
        if (name.endsWith(".gguf")) return GgufReader.read(path);                   // reports the bad magic
        if (name.endsWith(".safetensors") || (read == 9 && head[8] == '{')) return SafetensorsReader.read(path);
        if (name.endsWith(".onnx")) return OnnxReader.read(path);
        throw new ModelFormatException(path, 0, "a safetensors, GGUF or ONNX file expected (by name or first bytes)");
    }
}
