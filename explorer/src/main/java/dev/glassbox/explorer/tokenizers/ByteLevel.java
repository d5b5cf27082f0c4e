package dev.glassbox.explorer.tokenizers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2's byte-to-character table. Byte-level BPE works on the UTF-8 bytes of the text, but its vocabulary
 * is a list of strings, so every byte is written as one visible character: the 188 bytes that are printable
 * Latin-1 characters ({@code ! .. ~}, {@code ¡ .. ¬}, {@code ® .. ÿ}) stand for themselves, and the other 68
 * (controls, space, DEL, no-break space, soft hyphen) become U+0100 onwards in byte order. So a space is
 * {@code Ġ} (U+0120) and a newline {@code Ċ} (U+010A).
 */
final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[0x144];      // U+0000..U+0143 -> byte, or -1

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 0x100;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) next++;
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
        assert next == 0x144;
    }

    private ByteLevel() {}

    /** The character that stands for byte {@code b} (0..255). */
    static char charOf(int b) { return BYTE_TO_CHAR[b & 0xFF]; }

    /** The byte a character stands for, or -1 if it stands for none. */
    static int byteOf(char c) { return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1; }

    /** The UTF-8 bytes of one code point; a lone surrogate is written as U+FFFD. */
    static byte[] utf8(int cp) {
        if (cp <= 0xFFFF && Character.isSurrogate((char) cp)) cp = 0xFFFD;
        return Character.toString(cp).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Appends the bytes {@code token} stands for. A token with a character outside the table (an added token
     * such as {@code <|endoftext|>} is stored as plain text) contributes its own UTF-8 bytes instead.
     */
    static void appendBytes(String token, ByteArrayOutputStream out) {
        for (int i = 0; i < token.length(); i++) {
            if (byteOf(token.charAt(i)) < 0) {
                out.writeBytes(token.getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        for (int i = 0; i < token.length(); i++) out.write(byteOf(token.charAt(i)));
    }
}
