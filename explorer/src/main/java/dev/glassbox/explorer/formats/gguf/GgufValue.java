package dev.glassbox.explorer.formats.gguf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One typed GGUF metadata value. {@code value} holds, by {@code type}:
 * <pre>
 * UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64   Long (UINT64 keeps its 64 bits; see asLong)
 * FLOAT32 Float, FLOAT64 Double, BOOL Boolean, STRING String
 * ARRAY   an array of elementType, in the Java type of the same width:
 *         byte[] (U)INT8, short[] (U)INT16, int[] (U)INT32, long[] (U)INT64, float[] FLOAT32,
 *         double[] FLOAT64, boolean[] BOOL, String[] STRING, GgufValue[] ARRAY (nested arrays)
 * </pre>
 * Unsigned array elements keep their bits; {@link #asLongs()} widens them without sign.
 * {@code elementType} is null unless {@code type} is ARRAY. Equality compares contents.
 */
public record GgufValue(GgufType type, GgufType elementType, Object value) {

    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if ((type == GgufType.ARRAY) != (elementType != null)) {
            throw new IllegalArgumentException("an element type is needed for ARRAY and only for ARRAY, found " + type + "/" + elementType);
        }
        Class<?> expected = type == GgufType.ARRAY ? arrayClass(elementType) : scalarClass(type);
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException(type + (elementType == null ? "" : " of " + elementType) + " holds "
                    + expected.getSimpleName() + ", found " + value.getClass().getSimpleName());
        }
        if (type.isInteger() && !fits(type, (Long) value)) throw new IllegalArgumentException(value + " does not fit " + type);
        if (value instanceof GgufValue[] nested) {
            for (GgufValue v : nested) if (v.type != GgufType.ARRAY) throw new IllegalArgumentException("nested arrays hold arrays, found " + v.type);
        }
    }

    public static GgufValue uint8(int v) { return new GgufValue(GgufType.UINT8, null, (long) v); }
    public static GgufValue int8(int v) { return new GgufValue(GgufType.INT8, null, (long) v); }
    public static GgufValue uint16(int v) { return new GgufValue(GgufType.UINT16, null, (long) v); }
    public static GgufValue int16(int v) { return new GgufValue(GgufType.INT16, null, (long) v); }
    public static GgufValue uint32(long v) { return new GgufValue(GgufType.UINT32, null, v); }
    public static GgufValue int32(int v) { return new GgufValue(GgufType.INT32, null, (long) v); }
    public static GgufValue uint64(long bits) { return new GgufValue(GgufType.UINT64, null, bits); }
    public static GgufValue int64(long v) { return new GgufValue(GgufType.INT64, null, v); }
    public static GgufValue float32(float v) { return new GgufValue(GgufType.FLOAT32, null, v); }
    public static GgufValue float64(double v) { return new GgufValue(GgufType.FLOAT64, null, v); }
    public static GgufValue bool(boolean v) { return new GgufValue(GgufType.BOOL, null, v); }
    public static GgufValue string(String v) { return new GgufValue(GgufType.STRING, null, v); }

    /** An array of {@code elementType}; {@code elements} is the Java array the table above names. */
    public static GgufValue array(GgufType elementType, Object elements) {
        return new GgufValue(GgufType.ARRAY, elementType, elements);
    }

    public static GgufValue strings(List<String> v) { return array(GgufType.STRING, v.toArray(String[]::new)); }
    public static GgufValue floats(float... v) { return array(GgufType.FLOAT32, v.clone()); }
    public static GgufValue int32s(int... v) { return array(GgufType.INT32, v.clone()); }

    /** An integer value; UINT64 values of 2^63 and more come back negative (use Long.toUnsignedString). */
    public long asLong() {
        if (!type.isInteger()) throw new IllegalStateException(type + " is not an integer type");
        return (Long) value;
    }

    public double asDouble() {
        return switch (value) {
            case Float f -> f;
            case Double d -> d;
            case Long l when type == GgufType.UINT64 && l < 0 -> Double.parseDouble(Long.toUnsignedString(l));
            case Long l -> l;
            default -> throw new IllegalStateException(type + " is not a number");
        };
    }

    public String asString() {
        if (type != GgufType.STRING) throw new IllegalStateException(type + " is not a string");
        return (String) value;
    }

    public boolean asBoolean() {
        if (type != GgufType.BOOL) throw new IllegalStateException(type + " is not a bool");
        return (Boolean) value;
    }

    /** The number of elements of an array. */
    public int length() {
        if (type != GgufType.ARRAY) throw new IllegalStateException(type + " is not an array");
        return java.lang.reflect.Array.getLength(value);
    }

    /** A STRING array as a list, e.g. {@code tokenizer.ggml.tokens}. */
    public List<String> asStrings() {
        if (elementType != GgufType.STRING) throw new IllegalStateException("not an array of strings: " + this);
        return List.of((String[]) value);
    }

    /** A FLOAT32 array, e.g. {@code tokenizer.ggml.scores}; a copy. */
    public float[] asFloats() {
        if (elementType != GgufType.FLOAT32) throw new IllegalStateException("not an array of FLOAT32: " + this);
        return ((float[]) value).clone();
    }

    /** An integer array widened to long, unsigned types without sign (e.g. {@code tokenizer.ggml.token_type}). */
    public long[] asLongs() {
        if (elementType == null || !elementType.isInteger()) throw new IllegalStateException("not an array of integers: " + this);
        long[] out = new long[length()];
        switch (value) {
            case byte[] a -> { for (int i = 0; i < a.length; i++) out[i] = elementType == GgufType.UINT8 ? a[i] & 0xFF : a[i]; }
            case short[] a -> { for (int i = 0; i < a.length; i++) out[i] = elementType == GgufType.UINT16 ? a[i] & 0xFFFF : a[i]; }
            case int[] a -> { for (int i = 0; i < a.length; i++) out[i] = elementType == GgufType.UINT32 ? a[i] & 0xFFFFFFFFL : a[i]; }
            case long[] a -> System.arraycopy(a, 0, out, 0, a.length);
            default -> throw new IllegalStateException();
        }
        return out;
    }

    /** The value as plain Java objects (numbers, strings, booleans, lists), e.g. for JSON. */
    public Object plain() {
        if (type != GgufType.ARRAY) {
            if (type == GgufType.UINT64 && (Long) value < 0) return Long.toUnsignedString((Long) value);
            return value;
        }
        int n = length();
        List<Object> list = new ArrayList<>(n);
        if (elementType.isInteger()) for (long v : asLongs()) list.add(v);
        else if (value instanceof GgufValue[] nested) for (GgufValue v : nested) list.add(v.plain());
        else for (int i = 0; i < n; i++) list.add(java.lang.reflect.Array.get(value, i));
        return list;
    }

    static Class<?> scalarClass(GgufType type) {
        return switch (type) {
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> throw new IllegalArgumentException("ARRAY is not a scalar type");
            default -> Long.class;
        };
    }

    static Class<?> arrayClass(GgufType element) {
        return switch (element) {
            case UINT8, INT8 -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> GgufValue[].class;
        };
    }

    private static boolean fits(GgufType type, long v) {
        return switch (type) {
            case UINT8 -> v >= 0 && v <= 0xFF;
            case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
            case UINT16 -> v >= 0 && v <= 0xFFFF;
            case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
            case UINT32 -> v >= 0 && v <= 0xFFFFFFFFL;
            case INT32 -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
            default -> true;
        };
    }

    @Override public boolean equals(Object other) {
        return other instanceof GgufValue v && type == v.type && elementType == v.elementType
                && Objects.deepEquals(value, v.value);
    }

    @Override public int hashCode() {
        return Arrays.deepHashCode(new Object[] {type, elementType, value});
    }

    @Override public String toString() {
        if (type != GgufType.ARRAY) return type == GgufType.STRING ? '"' + (String) value + '"' : String.valueOf(plain());
        int n = length();
        StringBuilder text = new StringBuilder(elementType + "[" + n + "]");
        List<Object> shown = new ArrayList<>();
        long[] widened = elementType.isInteger() ? asLongs() : null;
        for (int i = 0; i < Math.min(n, 8); i++) {
            Object element = widened != null ? widened[i] : java.lang.reflect.Array.get(value, i);
            shown.add(element instanceof String s ? '"' + s + '"' : element);
        }
        text.append(' ').append(shown);
        if (n > 8) text.setLength(text.length() - 1);
        return n > 8 ? text.append(", ...]").toString() : text.toString();
    }
}
