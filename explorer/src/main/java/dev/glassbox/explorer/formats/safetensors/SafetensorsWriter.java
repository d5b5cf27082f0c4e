package dev.glassbox.explorer.formats.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.glassbox.explorer.tensor.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes safetensors files (see {@link SafetensorsReader} for the layout): the header lists the tensors in
 * the order given, with contiguous data offsets, and is padded with spaces so the data starts at a
 * multiple of 8 bytes, as the reference implementation does.
 */
public final class SafetensorsWriter {
    private static final JsonFactory JSON = new JsonFactory();

    private SafetensorsWriter() {}

    /** Writes {@code tensors} (plain types only: F64 .. BOOL) and the string {@code metadata} to {@code path}. */
    public static void write(Path path, Map<String, String> metadata, List<Tensor> tensors) throws IOException {
        byte[] header = header(metadata, tensors);
        try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer size = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(out, size);
            writeFully(out, ByteBuffer.wrap(header));
            for (Tensor t : tensors) write(out, t.data());
        }
    }

    /** The JSON header, space-padded so that 8 + its length is a multiple of 8. */
    static byte[] header(Map<String, String> metadata, List<Tensor> tensors) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Set<String> names = new HashSet<>();
        try (JsonGenerator json = JSON.createGenerator(bytes)) {
            json.writeStartObject();
            if (!metadata.isEmpty()) {
                json.writeObjectFieldStart("__metadata__");
                for (Map.Entry<String, String> e : metadata.entrySet()) json.writeStringField(e.getKey(), e.getValue());
                json.writeEndObject();
            }
            long offset = 0;
            for (Tensor t : tensors) {
                String dtype = t.dtype().safetensorsName().orElseThrow(() ->
                        new IllegalArgumentException(t.name() + ": safetensors has no " + t.dtype() + "; use GGUF for block types"));
                if (t.name().equals("__metadata__") || !names.add(t.name())) {
                    throw new IllegalArgumentException("tensor name " + t.name() + " is reserved or used twice");
                }
                json.writeObjectFieldStart(t.name());
                json.writeStringField("dtype", dtype);
                json.writeArrayFieldStart("shape");
                for (long dim : t.shape().dims()) json.writeNumber(dim);
                json.writeEndArray();
                json.writeArrayFieldStart("data_offsets");
                json.writeNumber(offset);
                json.writeNumber(offset + t.byteSize());
                json.writeEndArray();
                json.writeEndObject();
                offset += t.byteSize();
            }
            json.writeEndObject();
        }
        while ((8 + bytes.size()) % 8 != 0) bytes.write(' ');
        return bytes.toByteArray();
    }

    private static void write(FileChannel out, MemorySegment data) throws IOException {
        long chunk = 1L << 30;                                          // a ByteBuffer holds at most 2 GiB
        for (long at = 0; at < data.byteSize(); at += chunk) {
            writeFully(out, data.asSlice(at, Math.min(chunk, data.byteSize() - at)).asByteBuffer());
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) out.write(buffer);
    }
}
