package dev.glassbox.notebook.runtime;

import dev.glassbox.notebook.protocol.KernelMessage;
import dev.glassbox.notebook.protocol.Seal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * The kernel's side of the {@link Seal}: the same HMAC-SHA256 over the same message, with the key kept off the Java
 * heap. A cell's thread shares the kernel's memory, and the JDK's diagnostic beans write that heap to a file a cell
 * can read (a heap dump, dead objects included), so neither the key nor anything computed from it alone (the padded
 * key blocks, SHA-256's state after them: HMAC's two "midstates", with which anyone could sign) may ever be a Java
 * object. They live in native memory; the key is read from standard input one byte at a time (the JDK reads a single
 * byte into a C variable, not into a buffer on the heap), its two blocks are hashed once, on native memory, and then
 * wiped, and each signature starts from the midstates with SHA-256's working words in local variables (which a
 * heap dump does not hold). Everything else a signature computes is public (the message, its schedule) or useless
 * without the outer midstate (the inner hash).
 * The sandbox has no {@code /proc}, so native memory is no easier to reach: no {@code /proc/self/mem}, no
 * {@code process_vm_readv} (seccomp), no native calls or {@code Unsafe} for cells.
 */
final class SealKey {
    private static final int BLOCK = 64, DIGEST = 32, KEY = 32, MAX_LINE = 512;
    private static final String KEY_FIELD = "\"key\":\"";
    private static final int[] ROUND = new int[64];      // first 32 bits of the fraction of the cube roots of the first 64 primes
    private static final int[] INITIAL = new int[8];     // ... of the square roots of the first 8 primes (FIPS 180-4, 4.2.2, 5.3.3)

    static {
        int found = 0;
        for (int n = 2; found < 64; n++) {
            if (!java.math.BigInteger.valueOf(n).isProbablePrime(30)) continue;
            if (found < 8) INITIAL[found] = fraction(Math.sqrt(n));
            ROUND[found++] = fraction(Math.cbrt(n));
        }
    }

    private static int fraction(double root) {
        return (int) (long) ((root - Math.floor(root)) * 0x1p32);
    }

    private final MemorySegment midstates;  // SHA-256's state after (K ^ ipad), then after (K ^ opad): 16 words

    private SealKey(MemorySegment midstates) {
        this.midstates = midstates;
    }

    /**
     * Reads the server's first line ({@code {"type":"key","key":"<base64>"}}) from {@code in} one byte at a time; null
     * when there is none or it holds no 32-byte key. Nothing of the line but its length reaches the heap.
     */
    static SealKey read(InputStream in) throws IOException {
        Arena arena = Arena.global();        // for the kernel's whole life
        MemorySegment line = arena.allocate(MAX_LINE);
        int length = 0;
        for (int b; (b = in.read()) != -1 && b != '\n'; ) {
            if (length == MAX_LINE) return null;
            line.set(JAVA_BYTE, length++, (byte) b);
        }
        MemorySegment key = arena.allocate(KEY);
        int at = find(line, length, KEY_FIELD);
        int bytes = at < 0 ? -1 : decodeBase64(line, at, length, key);
        line.fill((byte) 0);
        if (bytes != KEY) return null;
        MemorySegment midstates = arena.allocate(16 * 4, 8);
        MemorySegment work = arena.allocate(BLOCK + 64 * 4 + 8 * 4, 8);   // a block, the schedule, the state
        try {
            keyBlockState(key, 0x36, work, midstates.asSlice(0, 8 * 4));
            keyBlockState(key, 0x5c, work, midstates.asSlice(8 * 4, 8 * 4));
        } finally {
            key.fill((byte) 0);
            work.fill((byte) 0);
        }
        return new SealKey(midstates);
    }

    /** SHA-256's state after the one block {@code key ^ pad} (zero-padded to 64 bytes), all of it in native memory. */
    private static void keyBlockState(MemorySegment key, int pad, MemorySegment work, MemorySegment into) {
        MemorySegment block = work.asSlice(0, BLOCK);
        MemorySegment state = work.asSlice(BLOCK + 64 * 4, 8 * 4);
        for (int i = 0; i < 8; i++) state.setAtIndex(JAVA_INT_UNALIGNED, i, INITIAL[i]);
        for (int i = 0; i < BLOCK; i++) block.set(JAVA_BYTE, i, (byte) ((i < KEY ? key.get(JAVA_BYTE, i) : 0) ^ pad));
        compress(block, work.asSlice(BLOCK, 64 * 4), state);
        MemorySegment.copy(state, 0, into, 0, 8 * 4);
    }

    private static int find(MemorySegment line, int length, String what) {
        byte[] w = what.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + w.length <= length; i++) {
            for (int j = 0; j < w.length; j++) if (line.get(JAVA_BYTE, i + j) != w[j]) continue outer;
            return i + w.length;
        }
        return -1;
    }

    /** Decodes base64 from {@code line[at..]} up to its closing quote into {@code out}; the byte count, or -1. */
    private static int decodeBase64(MemorySegment line, int at, int length, MemorySegment out) {
        int bits = 0, held = 0, written = 0;
        for (int i = at; i < length; i++) {
            int c = line.get(JAVA_BYTE, i);
            if (c == '"') return written;
            if (c == '=') continue;
            int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
                    : c == '+' ? 62 : c == '/' ? 63 : -1;
            if (v < 0) return -1;
            bits = bits << 6 | v;
            held += 6;
            if (held >= 8) {
                held -= 8;
                if (written == out.byteSize()) return -1;
                out.set(JAVA_BYTE, written++, (byte) (bits >>> held));
            }
        }
        return -1;                          // no closing quote
    }

    /** The same signature as {@link Seal#sign}, in the same encoding. */
    String sign(long id, KernelMessage.Reply.Status status, int executionCount, String code, boolean check) {
        byte[] inner = afterKeyBlock(0, Seal.signed(id, status, executionCount, code, check));   // SHA-256((K ^ ipad) || message)
        return Base64.getEncoder().encodeToString(afterKeyBlock(8, inner));                       // SHA-256((K ^ opad) || inner)
    }

    /**
     * SHA-256 of a key block followed by {@code message} (public bytes), starting from that key block's midstate
     * (word {@code from} of {@link #midstates}). The midstate is read into local variables only; the message, its
     * padding and schedule are public. Between the blocks of a long message the state is an array, which without
     * the outer midstate signs nothing (a reply's message is one block: 32 bytes of code hash and a short line).
     */
    private byte[] afterKeyBlock(int from, byte[] message) {
        long bits = 8L * (BLOCK + message.length);                   // the key block is hashed too
        int total = ((message.length + 9 + BLOCK - 1) / BLOCK) * BLOCK;
        byte[] padded = java.util.Arrays.copyOf(message, total);     // then a 1 bit, zeros, the length in bits
        padded[message.length] = (byte) 0x80;
        for (int i = 0; i < 8; i++) padded[total - 1 - i] = (byte) (bits >>> (8 * i));
        int[] w = new int[64];
        int[] state = null;
        for (int off = 0; off < total; off += BLOCK) {
            java.nio.ByteBuffer.wrap(padded, off, BLOCK).asIntBuffer().get(w, 0, 16);      // big-endian words
            state = state == null ? compress(w, midstates, from) : compress(w, state);
        }
        byte[] digest = new byte[DIGEST];
        java.nio.ByteBuffer.wrap(digest).asIntBuffer().put(state);
        return digest;
    }

    /** One block whose first 16 words are in {@code w}, from the state at word {@code from} of native {@code start}. */
    private static int[] compress(int[] w, MemorySegment start, int from) {
        return rounds(w, start.getAtIndex(JAVA_INT_UNALIGNED, from), start.getAtIndex(JAVA_INT_UNALIGNED, from + 1),
                start.getAtIndex(JAVA_INT_UNALIGNED, from + 2), start.getAtIndex(JAVA_INT_UNALIGNED, from + 3),
                start.getAtIndex(JAVA_INT_UNALIGNED, from + 4), start.getAtIndex(JAVA_INT_UNALIGNED, from + 5),
                start.getAtIndex(JAVA_INT_UNALIGNED, from + 6), start.getAtIndex(JAVA_INT_UNALIGNED, from + 7));
    }

    private static int[] compress(int[] w, int[] state) {
        return rounds(w, state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7]);
    }

    /** SHA-256's compression function (FIPS 180-4, 6.2.2) from the state h0..h7, its working words in locals. */
    private static int[] rounds(int[] w, int h0, int h1, int h2, int h3, int h4, int h5, int h6, int h7) {
        for (int t = 16; t < 64; t++) {
            int w15 = w[t - 15], w2 = w[t - 2];
            int s0 = Integer.rotateRight(w15, 7) ^ Integer.rotateRight(w15, 18) ^ (w15 >>> 3);
            int s1 = Integer.rotateRight(w2, 17) ^ Integer.rotateRight(w2, 19) ^ (w2 >>> 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        int a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
        for (int t = 0; t < 64; t++) {
            int t1 = h + (Integer.rotateRight(e, 6) ^ Integer.rotateRight(e, 11) ^ Integer.rotateRight(e, 25))
                    + ((e & f) ^ (~e & g)) + ROUND[t] + w[t];
            int t2 = (Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13) ^ Integer.rotateRight(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        return new int[] {h0 + a, h1 + b, h2 + c, h3 + d, h4 + e, h5 + f, h6 + g, h7 + h};
    }

    /** SHA-256's compression function (FIPS 180-4, 6.2.2) on a key block: block, schedule and state in native memory. */
    private static void compress(MemorySegment block, MemorySegment w, MemorySegment state) {
        for (int t = 0; t < 16; t++) w.setAtIndex(JAVA_INT_UNALIGNED, t, bigEndian(block, t));
        for (int t = 16; t < 64; t++) {
            int w15 = w.getAtIndex(JAVA_INT_UNALIGNED, t - 15), w2 = w.getAtIndex(JAVA_INT_UNALIGNED, t - 2);
            int s0 = Integer.rotateRight(w15, 7) ^ Integer.rotateRight(w15, 18) ^ (w15 >>> 3);
            int s1 = Integer.rotateRight(w2, 17) ^ Integer.rotateRight(w2, 19) ^ (w2 >>> 10);
            w.setAtIndex(JAVA_INT_UNALIGNED, t, w.getAtIndex(JAVA_INT_UNALIGNED, t - 16) + s0 + w.getAtIndex(JAVA_INT_UNALIGNED, t - 7) + s1);
        }
        int a = state.getAtIndex(JAVA_INT_UNALIGNED, 0), b = state.getAtIndex(JAVA_INT_UNALIGNED, 1);
        int c = state.getAtIndex(JAVA_INT_UNALIGNED, 2), d = state.getAtIndex(JAVA_INT_UNALIGNED, 3);
        int e = state.getAtIndex(JAVA_INT_UNALIGNED, 4), f = state.getAtIndex(JAVA_INT_UNALIGNED, 5);
        int g = state.getAtIndex(JAVA_INT_UNALIGNED, 6), h = state.getAtIndex(JAVA_INT_UNALIGNED, 7);
        for (int t = 0; t < 64; t++) {
            int t1 = h + (Integer.rotateRight(e, 6) ^ Integer.rotateRight(e, 11) ^ Integer.rotateRight(e, 25))
                    + ((e & f) ^ (~e & g)) + ROUND[t] + w.getAtIndex(JAVA_INT_UNALIGNED, t);
            int t2 = (Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13) ^ Integer.rotateRight(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        state.setAtIndex(JAVA_INT_UNALIGNED, 0, state.getAtIndex(JAVA_INT_UNALIGNED, 0) + a);
        state.setAtIndex(JAVA_INT_UNALIGNED, 1, state.getAtIndex(JAVA_INT_UNALIGNED, 1) + b);
        state.setAtIndex(JAVA_INT_UNALIGNED, 2, state.getAtIndex(JAVA_INT_UNALIGNED, 2) + c);
        state.setAtIndex(JAVA_INT_UNALIGNED, 3, state.getAtIndex(JAVA_INT_UNALIGNED, 3) + d);
        state.setAtIndex(JAVA_INT_UNALIGNED, 4, state.getAtIndex(JAVA_INT_UNALIGNED, 4) + e);
        state.setAtIndex(JAVA_INT_UNALIGNED, 5, state.getAtIndex(JAVA_INT_UNALIGNED, 5) + f);
        state.setAtIndex(JAVA_INT_UNALIGNED, 6, state.getAtIndex(JAVA_INT_UNALIGNED, 6) + g);
        state.setAtIndex(JAVA_INT_UNALIGNED, 7, state.getAtIndex(JAVA_INT_UNALIGNED, 7) + h);
    }

    private static final ValueLayout.OfInt BIG_ENDIAN_INT = JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static int bigEndian(MemorySegment block, int word) {
        return block.getAtIndex(BIG_ENDIAN_INT, word);
    }
}
