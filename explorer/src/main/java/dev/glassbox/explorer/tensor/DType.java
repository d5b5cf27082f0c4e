package dev.glassbox.explorer.tensor;

import java.util.Optional;

/**
 * How a tensor's numbers are stored. Plain types store one element per {@code blockBytes}; the GGUF block
 * types store {@code blockSize} elements together in {@code blockBytes} (a scale and small integers).
 * Each constant also knows its name in safetensors, its ggml type id in GGUF and its ONNX data type,
 * where the format has one.
 *
 * <p>Block layouts (ggml, {@code QK_K = 256}):
 * <pre>
 * Q8_0  32 elements, 34 bytes:  f16 d; int8 qs[32]                      x = d * q
 * Q4_0  32 elements, 18 bytes:  f16 d; uint8 qs[16] (two 4-bit q)       x = d * (q - 8)
 * Q4_K 256 elements, 144 bytes: f16 d; f16 dmin; uint8 scales[12]; uint8 qs[128]
 *                               8 sub-blocks of 32: x = d * sc * q - dmin * m  (sc, m: 6 bits)
 * Q6_K 256 elements, 210 bytes: uint8 ql[128]; uint8 qh[64]; int8 scales[16]; f16 d
 *                               16 sub-blocks of 16: x = d * sc * (q - 32)     (q: 6 bits)
 * </pre>
 * The other ggml block types are listed so that files holding them can be opened and browsed; their
 * values are not decoded ({@link #decodable()} is false).
 */
public enum DType {
    F64("F64", 28, 11, 1, 8, true),
    F32("F32", 0, 1, 1, 4, true),
    F16("F16", 1, 10, 1, 2, true),
    BF16("BF16", 30, 16, 1, 2, true),
    I64("I64", 27, 7, 1, 8, true),
    I32("I32", 26, 6, 1, 4, true),
    I16("I16", 25, 5, 1, 2, true),
    I8("I8", 24, 3, 1, 1, true),
    U8("U8", -1, 2, 1, 1, true),
    BOOL("BOOL", -1, 9, 1, 1, true),
    Q8_0(null, 8, -1, 32, 34, true),
    Q4_0(null, 2, -1, 32, 18, true),
    Q4_K(null, 12, -1, 256, 144, true),
    Q6_K(null, 14, -1, 256, 210, true),
    Q4_1(null, 3, -1, 32, 20, false),
    Q5_0(null, 6, -1, 32, 22, false),
    Q5_1(null, 7, -1, 32, 24, false),
    Q8_1(null, 9, -1, 32, 36, false),
    Q2_K(null, 10, -1, 256, 84, false),
    Q3_K(null, 11, -1, 256, 110, false),
    Q5_K(null, 13, -1, 256, 176, false),
    Q8_K(null, 15, -1, 256, 292, false);

    private final String safetensorsName;
    private final int ggmlType;
    private final int onnxType;
    private final int blockSize;
    private final int blockBytes;
    private final boolean decodable;

    DType(String safetensorsName, int ggmlType, int onnxType, int blockSize, int blockBytes, boolean decodable) {
        this.safetensorsName = safetensorsName;
        this.ggmlType = ggmlType;
        this.onnxType = onnxType;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
        this.decodable = decodable;
    }

    /** Elements stored together; 1 for plain types. */
    public int blockSize() { return blockSize; }

    /** Bytes one block takes; for plain types, the bytes of one element. */
    public int blockBytes() { return blockBytes; }

    /** True for the GGUF block types. */
    public boolean isQuantized() { return blockSize > 1; }

    /** True when Glassbox can turn the stored values into floats. */
    public boolean decodable() { return decodable; }

    /**
     * Bytes that {@code elements} take in this type, or -1 if the count does not fill whole blocks
     * or the size would not fit in a long.
     */
    public long byteSize(long elements) {
        if (elements < 0 || elements % blockSize != 0) return -1;
        long blocks = elements / blockSize;
        return blocks > Long.MAX_VALUE / blockBytes ? -1 : blocks * blockBytes;
    }

    /** The dtype string in a safetensors header, e.g. {@code "BF16"}. */
    public Optional<String> safetensorsName() { return Optional.ofNullable(safetensorsName); }

    /** The {@code ggml_type} id in a GGUF tensor info, or -1 if GGUF has no such type. */
    public int ggmlType() { return ggmlType; }

    /** The {@code TensorProto.DataType} value in ONNX, or -1 if ONNX has no such type. */
    public int onnxType() { return onnxType; }

    public static Optional<DType> fromSafetensors(String name) {
        for (DType type : values()) if (name.equals(type.safetensorsName)) return Optional.of(type);
        return Optional.empty();
    }

    public static Optional<DType> fromGgml(long id) {
        for (DType type : values()) if (type.ggmlType >= 0 && type.ggmlType == id) return Optional.of(type);
        return Optional.empty();
    }

    public static Optional<DType> fromOnnx(long id) {
        for (DType type : values()) if (type.onnxType >= 0 && type.onnxType == id) return Optional.of(type);
        return Optional.empty();
    }
}
