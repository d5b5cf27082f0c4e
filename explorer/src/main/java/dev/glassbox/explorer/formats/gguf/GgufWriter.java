package dev.glassbox.explorer.formats.gguf;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.tensor.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes GGUF v3 files (see {@link GgufReader} for the layout): metadata in the order given, tensor infos,
 * zero padding to {@code general.alignment} (32 when absent), then each tensor's data, each padded to the
 * alignment as llama.cpp's writer does. Shapes are written innermost first, the reverse of Glassbox's order.
 */
public final class GgufWriter {
    private GgufWriter() {}

    /** Writes {@code tensors} with {@code metadata}; every tensor's dtype must have a ggml type. */
    public static void write(Path path, Map<String, GgufValue> metadata, List<Tensor> tensors) throws IOException {
        long alignment = GgufReader.DEFAULT_ALIGNMENT;
        GgufValue declared = metadata.get("general.alignment");
        if (declared != null) {
            alignment = declared.type() == GgufType.UINT32 ? declared.asLong() : -1;
            if (alignment < 8 || Long.bitCount(alignment) != 1) {
                throw new IllegalArgumentException("general.alignment must be a UINT32 power of two of at least 8, found " + declared);
            }
        }
        Header header = new Header();
        // struct gguf_header_t
        header.u32(GgufReader.MAGIC);
        header.u32(3);
        header.u64(tensors.size());
        header.u64(metadata.size());
        for (Map.Entry<String, GgufValue> kv : metadata.entrySet()) {
            header.string(kv.getKey());
            header.u32(kv.getValue().type().id());
            header.value(kv.getValue());
        }
        // struct gguf_tensor_info_t, with offsets relative to tensor_data
        Set<String> names = new HashSet<>();
        long offset = 0;
        for (Tensor t : tensors) {
            int ggmlType = t.dtype().ggmlType();
            if (ggmlType < 0) throw new IllegalArgumentException(t.name() + ": GGUF has no " + t.dtype());
            if (t.name().getBytes(StandardCharsets.UTF_8).length > GgufReader.MAX_TENSOR_NAME || !names.add(t.name())) {
                throw new IllegalArgumentException("tensor name " + t.name() + " is longer than 64 bytes or used twice");
            }
            long[] dims = t.shape().dims();
            if (dims.length > GgufReader.MAX_DIMS) throw new IllegalArgumentException(t.name() + ": GGUF tensors have at most 4 dimensions");
            header.string(t.name());
            header.u32(dims.length);
            for (int d = dims.length - 1; d >= 0; d--) header.u64(dims[d]);     // ne[0] is the innermost
            header.u32(ggmlType);
            header.u64(offset);
            offset = GgufReader.align(offset + t.byteSize(), alignment);
        }
        header.pad(alignment);
        try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            writeFully(out, ByteBuffer.wrap(header.bytes.toByteArray()));
            for (Tensor t : tensors) {
                write(out, t.data());
                long padding = GgufReader.align(t.byteSize(), alignment) - t.byteSize();
                writeFully(out, ByteBuffer.allocate((int) padding));
            }
        }
    }

    /** Writes an opened GGUF file again, e.g. after editing its metadata. */
    public static void write(Path path, ModelFile file) throws IOException {
        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        file.metadata().forEach((key, value) -> {
            if (!(value instanceof GgufValue typed)) throw new IllegalArgumentException(key + " is not a GgufValue: " + value);
            metadata.put(key, typed);
        });
        write(path, metadata, file.tensors());
    }

    /** The header and tensor infos, built in memory (a few MB at most: the tokenizer arrays). */
    private static final class Header {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        void u8(int v) { bytes.write(v); }
        void u16(int v) { scratch.putShort(0, (short) v); bytes.write(scratch.array(), 0, 2); }
        void u32(long v) { scratch.putInt(0, (int) v); bytes.write(scratch.array(), 0, 4); }
        void u64(long v) { scratch.putLong(0, v); bytes.write(scratch.array(), 0, 8); }

        void string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            u64(utf8.length);
            bytes.write(utf8, 0, utf8.length);
        }

        void pad(long alignment) {
            while (bytes.size() % alignment != 0) bytes.write(0);
        }

        void value(GgufValue v) {
            switch (v.type()) {
                case UINT8, INT8, BOOL -> u8(v.type() == GgufType.BOOL ? (v.asBoolean() ? 1 : 0) : (int) v.asLong());
                case UINT16, INT16 -> u16((int) v.asLong());
                case UINT32, INT32 -> u32(v.asLong());
                case UINT64, INT64 -> u64(v.asLong());
                case FLOAT32 -> u32(Float.floatToRawIntBits((Float) v.value()));
                case FLOAT64 -> u64(Double.doubleToRawLongBits((Double) v.value()));
                case STRING -> string(v.asString());
                case ARRAY -> {
                    u32(v.elementType().id());
                    u64(v.length());
                    switch (v.value()) {
                        case byte[] a -> { for (byte x : a) u8(x); }
                        case short[] a -> { for (short x : a) u16(x); }
                        case int[] a -> { for (int x : a) u32(x); }
                        case long[] a -> { for (long x : a) u64(x); }
                        case float[] a -> { for (float x : a) u32(Float.floatToRawIntBits(x)); }
                        case double[] a -> { for (double x : a) u64(Double.doubleToRawLongBits(x)); }
                        case boolean[] a -> { for (boolean x : a) u8(x ? 1 : 0); }
                        case String[] a -> { for (String x : a) string(x); }
                        case GgufValue[] a -> {
                            for (GgufValue x : a) value(x);
                        }
                        default -> throw new IllegalStateException();
                    }
                }
            }
        }
    }

    private static void write(FileChannel out, MemorySegment data) throws IOException {
        long chunk = 1L << 30;
        for (long at = 0; at < data.byteSize(); at += chunk) {
            writeFully(out, data.asSlice(at, Math.min(chunk, data.byteSize() - at)).asByteBuffer());
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) out.write(buffer);
    }
}
