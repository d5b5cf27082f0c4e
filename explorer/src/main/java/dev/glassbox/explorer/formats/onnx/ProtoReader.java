package dev.glassbox.explorer.formats.onnx;

import dev.glassbox.explorer.formats.ModelFormatException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads one protobuf message in wire format from bytes [start, end) of a mapped file. A message is a
 * sequence of fields, each a tag varint {@code (field_number << 3) | wire_type} followed by:
 * <pre>
 * wire type 0  VARINT   a base-128 varint, least significant group first, at most 10 bytes
 * wire type 1  I64      8 bytes little-endian (fixed64, double)
 * wire type 2  LEN      a varint length, then that many bytes (string, bytes, message, packed repeated)
 * wire type 5  I32      4 bytes little-endian (fixed32, float)
 * </pre>
 * Groups (wire types 3 and 4) are deprecated and ONNX does not use them; they are rejected. Every length
 * is checked against the end of the enclosing message before it is used.
 */
final class ProtoReader {
    static final int VARINT = 0, I64 = 1, LEN = 2, I32 = 5;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Names, keys and op types longer than this are not names. */
    static final long MAX_STRING = 1 << 20;

    private final Path file;
    private final MemorySegment bytes;
    private final long end;
    private final String message;
    private long position;
    private long tagAt;
    private int field;
    private int wireType;

    ProtoReader(Path file, MemorySegment bytes, long start, long end, String message) {
        this.file = file;
        this.bytes = bytes;
        this.position = start;
        this.end = end;
        this.message = message;
    }

    /** Moves to the next field; false at the end of the message. */
    boolean next() throws ModelFormatException {
        if (position >= end) return false;
        tagAt = position;
        long tag = varint("field tag");
        field = (int) (tag >>> 3);
        wireType = (int) (tag & 7);
        if (tag >>> 3 > 0x1FFF_FFFF || field == 0) throw error(tagAt, "a field number between 1 and 2^29 - 1 expected, found " + (tag >>> 3));
        if (wireType != VARINT && wireType != I64 && wireType != LEN && wireType != I32) {
            throw error(tagAt, "wire type 0, 1, 2 or 5 expected for field " + field + ", found " + wireType);
        }
        return true;
    }

    int field() { return field; }
    int wireType() { return wireType; }
    long tagAt() { return tagAt; }
    long position() { return position; }
    long end() { return end; }
    String message() { return message; }
    Path file() { return file; }
    MemorySegment bytes() { return bytes; }

    /** Checks that the current field has the wire type the schema gives it. */
    void expect(int wire, String name) throws ModelFormatException {
        if (wireType != wire) {
            throw error(tagAt, message + "." + name + " (field " + field + ") with wire type " + wire + " expected, found " + wireType);
        }
    }

    long varint(String what) throws ModelFormatException {
        long start = position;
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (position >= end) throw error(start, what + " as a varint inside " + message + " expected, found its end");
            int b = bytes.get(ValueLayout.JAVA_BYTE, position++);
            if (shift == 63 && (b & 0x7E) != 0) throw error(start, what + " as a varint of at most 64 bits expected");
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw error(start, what + " as a varint of at most 10 bytes expected");
    }

    int fixed32(String what) throws ModelFormatException {
        require(4, what);
        int value = bytes.get(INT, position);
        position += 4;
        return value;
    }

    long fixed64(String what) throws ModelFormatException {
        require(8, what);
        long value = bytes.get(LONG, position);
        position += 8;
        return value;
    }

    /** The byte range [offset, offset + length) of a LEN field's payload; the reader moves past it. */
    record Range(long offset, long length) {
        long end() { return offset + length; }
    }

    Range range(String what) throws ModelFormatException {
        long at = position;
        long length = varint(what + " length");
        if (length < 0 || length > end - position) {
            throw error(at, what + " of at most " + (end - position) + " bytes (the rest of " + message + ") expected, found "
                    + Long.toUnsignedString(length));
        }
        Range range = new Range(position, length);
        position += length;
        return range;
    }

    /** The current LEN field as an embedded message. */
    ProtoReader message(String name) throws ModelFormatException {
        Range r = range(name);
        return new ProtoReader(file, bytes, r.offset, r.end(), name);
    }

    /** The current LEN field as a UTF-8 string. */
    String string(String what) throws ModelFormatException {
        long at = position;
        Range r = range(what);
        if (r.length > MAX_STRING) throw error(at, what + " of at most " + MAX_STRING + " bytes expected, found " + r.length);
        byte[] raw = bytes.asSlice(r.offset, r.length).toArray(ValueLayout.JAVA_BYTE);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw error(r.offset, what + " as UTF-8 expected");
        }
    }

    /** The current LEN field as text, malformed UTF-8 replaced (for bytes fields that are usually text). */
    String text(String what) throws ModelFormatException {
        long at = position;
        Range r = range(what);
        if (r.length > MAX_STRING) throw error(at, what + " of at most " + MAX_STRING + " bytes expected, found " + r.length);
        return new String(bytes.asSlice(r.offset, r.length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** Steps over the current field, whatever it holds. */
    void skip() throws ModelFormatException {
        switch (wireType) {
            case VARINT -> varint("field " + field);
            case I64 -> { require(8, "field " + field); position += 8; }
            case I32 -> { require(4, "field " + field); position += 4; }
            case LEN -> range("field " + field);
            default -> throw new IllegalStateException();
        }
    }

    private void require(long count, String what) throws ModelFormatException {
        if (count > end - position) throw error(position, what + " needs " + count + " bytes, " + message + " has " + (end - position) + " left");
    }

    ModelFormatException error(long offset, String problem) {
        return new ModelFormatException(file, offset, problem);
    }
}
