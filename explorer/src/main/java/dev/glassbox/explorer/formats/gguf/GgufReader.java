package dev.glassbox.explorer.formats.gguf;

import dev.glassbox.explorer.formats.FileCursor;
import dev.glassbox.explorer.formats.Format;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.ModelFormatException;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Shape;
import dev.glassbox.explorer.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads GGUF v3 files (ggml's {@code docs/gguf.md}), quoting the spec's struct fields beside each read.
 * Everything is little-endian. The tensors' shapes are turned into Glassbox's row-major order: GGUF lists
 * {@code ne[0]} (the innermost, fastest-varying dimension) first, so a (rows, cols) matrix is stored with
 * dimensions {@code [cols, rows]}; the reader reverses them.
 *
 * <p>Limits beyond the spec, so a bad count cannot make the reader allocate without bound: a string is
 * at most {@link #MAX_STRING} bytes, all metadata arrays together hold at most
 * {@link #MAX_ARRAY_ELEMENTS} elements, arrays nest at most {@link #MAX_DEPTH} deep.
 */
public final class GgufReader {
    /** {@code "GGUF"} read as a little-endian uint32. */
    public static final int MAGIC = 0x46554747;
    public static final int DEFAULT_ALIGNMENT = 32;
    public static final int MAX_KEY = 65_535;
    public static final int MAX_TENSOR_NAME = 64;
    public static final int MAX_DIMS = 4;
    public static final long MAX_STRING = 16L << 20;
    public static final long MAX_ARRAY_ELEMENTS = 1L << 26;
    public static final int MAX_DEPTH = 8;

    private final FileCursor in;
    private long arrayBudget = MAX_ARRAY_ELEMENTS;

    private GgufReader(FileCursor in) {
        this.in = in;
    }

    /** Opens a GGUF file: reads its metadata and tensor infos; the tensor data stays mapped, unread. */
    public static ModelFile read(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            return new GgufReader(FileCursor.map(path, arena)).readFile(arena);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** A tensor info before its data is located: {@code at} is where the info starts. */
    private record Info(String name, long at, long[] ne, DType type, long offset, long bytes) {}

    private ModelFile readFile(Arena arena) throws ModelFormatException {
        // struct gguf_header_t
        int magic = in.i32("magic");                                   // uint32_t magic: "GGUF"
        if (magic != MAGIC) {
            throw in.error(0, "GGUF magic 0x46554747 expected, found 0x" + String.format("%08X", magic));
        }
        int version = in.i32("version");                               // uint32_t version: 3
        if (version != 3 && version != 2) {
            String hint = Integer.reverseBytes(version) == 3 ? " (a big-endian file; only little-endian is read)" : "";
            throw in.error(4, "GGUF version 3 expected, found " + Integer.toUnsignedString(version) + hint);
        }
        long tensorCount = in.i64("tensor_count");                     // uint64_t tensor_count
        long kvCount = in.i64("metadata_kv_count");                    // uint64_t metadata_kv_count
        // a tensor info takes at least 8 (name length) + 4 (n_dimensions) + 4 (type) + 8 (offset) bytes
        if (Long.compareUnsigned(tensorCount, in.remaining() / 24) > 0) {
            throw in.error(8, "tensor_count that fits the file's " + in.size() + " bytes expected, found " + Long.toUnsignedString(tensorCount));
        }
        // a key-value pair takes at least 8 (key length) + 4 (value_type) + 1 (value) bytes
        if (Long.compareUnsigned(kvCount, in.remaining() / 13) > 0) {
            throw in.error(16, "metadata_kv_count that fits the file's " + in.size() + " bytes expected, found " + Long.toUnsignedString(kvCount));
        }

        // gguf_metadata_kv_t metadata_kv[metadata_kv_count]
        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        long alignmentAt = -1;
        for (long i = 0; i < kvCount; i++) {
            long at = in.position();
            String key = string(MAX_KEY, "metadata key");               // gguf_string_t key
            int type = in.i32("value_type of " + key);                  // gguf_metadata_value_type value_type
            GgufValue value = value(type(type, in.position() - 4, key), key, 0);  // gguf_metadata_value_t value
            if (metadata.put(key, value) != null) throw in.error(at, "unique metadata keys expected, found " + key + " twice");
            if (key.equals("general.alignment")) alignmentAt = at;
        }
        int alignment = alignment(metadata, alignmentAt);

        // gguf_tensor_info_t tensor_infos[tensor_count]
        List<Info> infos = new ArrayList<>((int) Math.min(tensorCount, 1024));
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            long at = in.position();
            String name = string(MAX_TENSOR_NAME, "tensor name");       // gguf_string_t name (at most 64 bytes)
            if (!names.add(name)) throw in.error(at, "unique tensor names expected, found " + name + " twice");
            int nDims = in.i32("n_dimensions of " + name);              // uint32_t n_dimensions
            if (nDims < 0 || nDims > MAX_DIMS) {
                throw in.error(in.position() - 4, "n_dimensions of " + name + " between 0 and " + MAX_DIMS + " expected, found " + Integer.toUnsignedString(nDims));
            }
            long[] ne = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                ne[d] = in.i64("dimension " + d + " of " + name);      // uint64_t dimensions[n_dimensions]
                if (ne[d] < 0) throw in.error(in.position() - 8, "dimension " + d + " of " + name + " below 2^63 expected, found " + Long.toUnsignedString(ne[d]));
            }
            int typeId = in.i32("type of " + name);                    // ggml_type type
            DType type = DType.fromGgml(typeId).orElseThrow(() -> in.error(in.position() - 4,
                    "a ggml type Glassbox knows (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K, ...) expected for " + name + ", found " + Integer.toUnsignedString(typeId)));
            long offset = in.i64("offset of " + name);                 // uint64_t offset (relative to tensor_data)
            long count = Shape.checkedElementCount(ne);
            if (count < 0) throw in.error(at, "dimensions of " + name + " whose product fits 63 bits expected, found " + Arrays.toString(ne));
            long innermost = nDims == 0 ? 1 : ne[0];
            if (type.isQuantized() && innermost % type.blockSize() != 0) {
                throw in.error(at, "first dimension of " + type + " tensor " + name + " a multiple of " + type.blockSize() + " expected, found " + innermost);
            }
            long bytes = type.byteSize(count);
            if (bytes < 0) throw in.error(at, "a byte size that fits 63 bits expected for " + name + " (" + count + " x " + type + ")");
            if (offset < 0 || offset % alignment != 0) {
                throw in.error(in.position() - 8, "offset of " + name + " a multiple of the alignment " + alignment + " below 2^63 expected, found "
                        + Long.toUnsignedString(offset));
            }
            infos.add(new Info(name, at, ne, type, offset, bytes));
        }

        // uint8_t _padding[]: up to the next multiple of ALIGNMENT; then uint8_t tensor_data[]
        long dataStart = align(in.position(), alignment);
        if (tensorCount > 0 && dataStart > in.size()) {
            throw in.error(in.position(), "tensor data starting at byte " + dataStart + " expected, the file ends at " + in.size());
        }
        long dataSize = in.size() - Math.min(dataStart, in.size());
        List<Info> byOffset = new ArrayList<>(infos);
        byOffset.sort(Comparator.comparingLong(Info::offset));
        long end = 0;
        for (Info info : byOffset) {
            if (info.offset < end) throw in.error(info.at, "tensor " + info.name + " not overlapping the one before expected, found offset " + info.offset);
            if (info.offset > dataSize || info.bytes > dataSize - info.offset) {
                throw in.error(info.at, "tensor " + info.name + " (" + info.bytes + " bytes at data offset " + info.offset
                        + ") inside the " + dataSize + " bytes of tensor data expected");
            }
            end = info.offset + info.bytes;
        }
        List<Tensor> tensors = new ArrayList<>(infos.size());
        for (Info info : infos) {
            long[] dims = new long[info.ne.length];
            for (int d = 0; d < dims.length; d++) dims[d] = info.ne[dims.length - 1 - d];     // ne[0] is innermost
            tensors.add(new Tensor(info.name, info.type, new Shape(dims), in.bytes().asSlice(dataStart + info.offset, info.bytes)));
        }
        return new ModelFile(Format.GGUF, in.file(), metadata, tensors, null, arena);
    }

    /** {@code general.alignment} (uint32, a power of two and a multiple of 8), or 32 when absent. */
    private int alignment(Map<String, GgufValue> metadata, long at) throws ModelFormatException {
        GgufValue value = metadata.get("general.alignment");
        if (value == null) return DEFAULT_ALIGNMENT;
        long alignment = value.type() == GgufType.UINT32 ? value.asLong() : -1;
        if (alignment < 8 || alignment > (1 << 20) || Long.bitCount(alignment) != 1) {
            throw in.error(at, "general.alignment as a UINT32 power of two between 8 and 2^20 expected, found " + value.type() + " " + value);
        }
        return (int) alignment;
    }

    private GgufValue value(GgufType type, String key, int depth) throws ModelFormatException {
        long at = in.position();
        return switch (type) {
            case UINT8 -> GgufValue.uint8(in.u8(key));
            case INT8 -> GgufValue.int8((byte) in.u8(key));
            case UINT16 -> GgufValue.uint16(in.i16(key) & 0xFFFF);
            case INT16 -> GgufValue.int16(in.i16(key));
            case UINT32 -> GgufValue.uint32(in.i32(key) & 0xFFFFFFFFL);
            case INT32 -> GgufValue.int32(in.i32(key));
            case UINT64 -> GgufValue.uint64(in.i64(key));
            case INT64 -> GgufValue.int64(in.i64(key));
            case FLOAT32 -> GgufValue.float32(Float.intBitsToFloat(in.i32(key)));
            case FLOAT64 -> GgufValue.float64(Double.longBitsToDouble(in.i64(key)));
            case BOOL -> {
                int b = in.u8(key);                                     // 1 byte: 0 false, 1 true, anything else invalid
                if (b > 1) throw in.error(at, "bool 0 or 1 expected for " + key + ", found " + b);
                yield GgufValue.bool(b == 1);
            }
            case STRING -> GgufValue.string(string(MAX_STRING, key));
            case ARRAY -> array(key, depth);
        };
    }

    /** struct { gguf_metadata_value_type type; uint64_t len; gguf_metadata_value_t array[len]; } */
    private GgufValue array(String key, int depth) throws ModelFormatException {
        long at = in.position();
        if (depth >= MAX_DEPTH) throw in.error(at, "arrays nested at most " + MAX_DEPTH + " deep expected in " + key);
        int typeId = in.i32("array type of " + key);
        GgufType type = type(typeId, at, key);
        long length = in.i64("array length of " + key);
        if (Long.compareUnsigned(length, in.remaining() / type.minSize()) > 0) {
            throw in.error(at + 4, "array length of " + key + " that fits the remaining " + in.remaining() + " bytes ("
                    + type + " takes at least " + type.minSize() + ") expected, found " + Long.toUnsignedString(length));
        }
        if (length > arrayBudget) {
            throw in.error(at + 4, "at most " + MAX_ARRAY_ELEMENTS + " metadata array elements in all expected, " + key + " adds " + length);
        }
        arrayBudget -= length;
        int n = (int) length;
        Object elements = switch (type) {
            case UINT8, INT8 -> { byte[] a = new byte[n]; for (int i = 0; i < n; i++) a[i] = (byte) in.u8(key); yield a; }
            case UINT16, INT16 -> { short[] a = new short[n]; for (int i = 0; i < n; i++) a[i] = in.i16(key); yield a; }
            case UINT32, INT32 -> { int[] a = new int[n]; for (int i = 0; i < n; i++) a[i] = in.i32(key); yield a; }
            case UINT64, INT64 -> { long[] a = new long[n]; for (int i = 0; i < n; i++) a[i] = in.i64(key); yield a; }
            case FLOAT32 -> { float[] a = new float[n]; for (int i = 0; i < n; i++) a[i] = Float.intBitsToFloat(in.i32(key)); yield a; }
            case FLOAT64 -> { double[] a = new double[n]; for (int i = 0; i < n; i++) a[i] = Double.longBitsToDouble(in.i64(key)); yield a; }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = value(GgufType.BOOL, key, depth).asBoolean();
                yield a;
            }
            case STRING -> { String[] a = new String[n]; for (int i = 0; i < n; i++) a[i] = string(MAX_STRING, key); yield a; }
            case ARRAY -> { GgufValue[] a = new GgufValue[n]; for (int i = 0; i < n; i++) a[i] = array(key, depth + 1); yield a; }
        };
        return GgufValue.array(type, elements);
    }

    /** struct gguf_string_t { uint64_t len; char string[len]; } (UTF-8, not NUL-terminated) */
    private String string(long max, String what) throws ModelFormatException {
        long at = in.position();
        long length = in.i64(what + " length");
        if (length < 0 || length > max) {
            throw in.error(at, what + " of at most " + max + " bytes expected, found length " + Long.toUnsignedString(length));
        }
        return in.text(length, what);
    }

    private GgufType type(int id, long at, String key) throws ModelFormatException {
        return GgufType.of(id).orElseThrow(() -> in.error(at, "a gguf_metadata_value_type (0..12) expected for " + key
                + ", found " + Integer.toUnsignedString(id)));
    }

    /** align_offset(offset) = offset + (ALIGNMENT - (offset % ALIGNMENT)) % ALIGNMENT */
    static long align(long offset, long alignment) {
        return offset + (alignment - offset % alignment) % alignment;
    }
}
