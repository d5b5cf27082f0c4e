package dev.glassbox.explorer.formats;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A read position in a mapped file. Every read first checks that the bytes exist, so a length or count
 * taken from the file can never make a reader step outside it; a failed check is a
 * {@link ModelFormatException} naming the offset and what the reader was looking for.
 * Values are little-endian, as in every format Glassbox reads.
 */
public final class FileCursor {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment bytes;
    private long position;

    public FileCursor(Path file, MemorySegment bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /**
     * Maps the whole file read-only into {@code arena} and returns a cursor at its start. Mapping reads
     * nothing: pages are loaded when first touched, and unmapped when the arena closes.
     */
    public static FileCursor map(Path file, Arena arena) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return new FileCursor(file, channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena));
        }
    }

    public Path file() { return file; }
    public MemorySegment bytes() { return bytes; }
    public long position() { return position; }
    public long size() { return bytes.byteSize(); }
    public long remaining() { return bytes.byteSize() - position; }

    /** Checks that {@code count} more bytes exist for {@code what}, without moving. */
    public void require(long count, String what) throws ModelFormatException {
        if (count < 0 || count > remaining()) {
            throw error(position, what + " needs " + Long.toUnsignedString(count) + " bytes, only "
                    + remaining() + " remain");
        }
    }

    public int u8(String what) throws ModelFormatException {
        require(1, what);
        return Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, position++));
    }

    public short i16(String what) throws ModelFormatException {
        require(2, what);
        short value = bytes.get(U16, position);
        position += 2;
        return value;
    }

    public int i32(String what) throws ModelFormatException {
        require(4, what);
        int value = bytes.get(U32, position);
        position += 4;
        return value;
    }

    public long i64(String what) throws ModelFormatException {
        require(8, what);
        long value = bytes.get(U64, position);
        position += 8;
        return value;
    }

    /** {@code length} bytes decoded as UTF-8, malformed sequences replaced by U+FFFD (for text that is shown, not matched). */
    public String text(long length, String what) throws ModelFormatException {
        long start = position;
        require(length, what);
        if (length > Integer.MAX_VALUE - 8) throw error(start, what + " of at most 2 GiB expected, found " + length + " bytes");
        if (length == 0) return "";
        byte[] raw = bytes.asSlice(position, length).toArray(ValueLayout.JAVA_BYTE);
        position += length;
        return new String(raw, StandardCharsets.UTF_8);
    }

    public ModelFormatException error(long offset, String problem) {
        return new ModelFormatException(file, offset, problem);
    }
}
