package dev.glassbox.explorer.formats.gguf;

import java.util.Optional;

/** {@code enum gguf_metadata_value_type: uint32_t} from the GGUF spec: the type of a metadata value. */
public enum GgufType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4),
    BOOL(7, 1), STRING(8, -1), ARRAY(9, -1), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private final int id;
    private final int size;

    GgufType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    /** The number the file stores for this type. */
    public int id() { return id; }

    /** Bytes of one value, or -1 for the variable-size STRING and ARRAY. */
    public int size() { return size; }

    /** The fewest bytes one value can take: a string is at least its 8-byte length, an array its type and length. */
    public int minSize() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> size;
        };
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    public static Optional<GgufType> of(long id) {
        for (GgufType t : values()) if (t.id == id) return Optional.of(t);
        return Optional.empty();
    }
}
