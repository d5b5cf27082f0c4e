package dev.glassbox.explorer.formats.gguf;

import dev.glassbox.explorer.formats.Format;
import dev.glassbox.explorer.formats.ModelFile;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GGUF file's metadata read by type: each getter names the key and what it expected when the file holds
 * something else, so callers never cast. Keys are GGUF's dotted names ({@code llama.block_count}).
 */
public final class GgufMetadata {
    private final Map<String, Object> values;

    private GgufMetadata(Map<String, Object> values) {
        this.values = values;
    }

    /** The metadata of {@code file}, which must be a GGUF file. */
    public static GgufMetadata of(ModelFile file) {
        if (file.format() != Format.GGUF) {
            throw new IllegalArgumentException("a GGUF file expected, found " + file.format() + " " + file.path().getFileName());
        }
        return new GgufMetadata(file.metadata());
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The value of {@code key}; the key must be there. */
    public GgufValue value(String key) {
        Object value = values.get(key);
        if (value == null) throw new IllegalArgumentException(key + " expected in the GGUF metadata, found none");
        if (!(value instanceof GgufValue v)) throw new IllegalArgumentException(key + ": a GGUF value expected, found " + value.getClass().getSimpleName());
        return v;
    }

    /** An array of {@code elementType} under {@code key}. */
    public GgufValue array(String key, GgufType elementType) {
        GgufValue v = value(key);
        if (v.elementType() != elementType) {
            throw new IllegalArgumentException(key + ": an array of " + elementType + " expected, found " + v.type()
                    + (v.elementType() == null ? "" : " of " + v.elementType()));
        }
        return v;
    }

    public String string(String key) {
        GgufValue v = value(key);
        if (v.type() != GgufType.STRING) throw new IllegalArgumentException(key + ": a STRING expected, found " + v.type());
        return v.asString();
    }

    /** A positive count (layers, heads, widths) that fits an int. */
    public int count(String key) {
        GgufValue v = value(key);
        if (!v.type().isInteger()) throw new IllegalArgumentException(key + ": an integer expected, found " + v.type());
        long n = v.asLong();
        if (n < 1 || n > Integer.MAX_VALUE) throw new IllegalArgumentException(key + ": a positive count expected, found " + n);
        return (int) n;
    }

    /** An integer, for ids and the like (range checks are the caller's). */
    public long integer(String key) {
        GgufValue v = value(key);
        if (!v.type().isInteger()) throw new IllegalArgumentException(key + ": an integer expected, found " + v.type());
        return v.asLong();
    }

    /** A number of any numeric type, or {@code absent} without the key. */
    public double number(String key, double absent) {
        if (!has(key)) return absent;
        GgufValue v = value(key);
        if (!v.type().isInteger() && v.type() != GgufType.FLOAT32 && v.type() != GgufType.FLOAT64) {
            throw new IllegalArgumentException(key + ": a number expected, found " + v.type());
        }
        return v.asDouble();
    }

    /** A BOOL, or {@code absent} without the key. */
    public boolean bool(String key, boolean absent) {
        if (!has(key)) return absent;
        GgufValue v = value(key);
        if (v.type() != GgufType.BOOL) throw new IllegalArgumentException(key + ": a BOOL expected, found " + v.type());
        return v.asBoolean();
    }

    /** Every value that is not an array, as plain Java values (String, Long, Double, Boolean), in the file's order. */
    public Map<String, Object> scalars() {
        Map<String, Object> plain = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            if (value instanceof GgufValue g && g.type() != GgufType.ARRAY) plain.put(key, g.plain());
        });
        return plain;
    }
}
