package dev.glassbox.notebook.runtime;

import dev.glassbox.notebook.protocol.KernelMessage;
import dev.glassbox.notebook.protocol.Seal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
        MemorySegment schedule = arena.allocate(64 * 4, 8);
        try {
            keyBlockState(key, 0x36, schedule, midstates.asSlice(0, 8 * 4));
            keyBlockState(key, 0x5c, schedule, midstates.asSlice(8 * 4, 8 * 4));
        } finally {
            key.fill((byte) 0);
            schedule.fill((byte) 0);
        }
        return new SealKey(midstates);
    }

    /** SHA-256's state after the one block {@code key ^ pad} (zero-padded to 64 bytes), all of it in native memory. */
    private static void keyBlockState(MemorySegment key, int pad, MemorySegment scheduleMemory, MemorySegment into) {
        Words schedule = new Native(scheduleMemory);
        for (int i = 0; i < 16; i++) {
            int word = 0;
            for (int j = 4 * i; j < 4 * i + 4; j++) word = word << 8 | ((j < KEY ? key.get(JAVA_BYTE, j) : 0) ^ pad) & 0xff;
            schedule.set(i, word);                                   // big-endian words of the block
        }
        compress(schedule, new Heap(INITIAL), new Native(into));
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
        int[] w = new int[64], state = new int[8];
        Words start = new Native(midstates.asSlice(4L * from, 8 * 4));
        for (int off = 0; off < total; off += BLOCK) {
            java.nio.ByteBuffer.wrap(padded, off, BLOCK).asIntBuffer().get(w, 0, 16);      // big-endian words
            compress(new Heap(w), off == 0 ? start : new Heap(state), new Heap(state));
        }
        byte[] digest = new byte[DIGEST];
        java.nio.ByteBuffer.wrap(digest).asIntBuffer().put(state);
        return digest;
    }

    /**
     * Thirty-two-bit words: a block's schedule or a hash state, either public (an array) or from the key (native
     * memory, which no heap dump holds).
     */
    private sealed interface Words {
        int get(int i);

        void set(int i, int word);
    }

    private record Heap(int[] words) implements Words {
        public int get(int i) { return words[i]; }

        public void set(int i, int word) { words[i] = word; }
    }

    private record Native(MemorySegment words) implements Words {
        public int get(int i) { return words.getAtIndex(JAVA_INT_UNALIGNED, i); }

        public void set(int i, int word) { words.setAtIndex(JAVA_INT_UNALIGNED, i, word); }
    }

    /**
     * SHA-256's compression function (FIPS 180-4, 6.2.2): expands the block's schedule {@code w} (its first 16
     * words filled), runs the 64 rounds from state {@code from} with the working words in local variables, and writes
     * the new state to {@code into} (which may be {@code from}).
     */
    private static void compress(Words w, Words from, Words into) {
        for (int t = 16; t < 64; t++) {
            int w15 = w.get(t - 15), w2 = w.get(t - 2);
            int s0 = Integer.rotateRight(w15, 7) ^ Integer.rotateRight(w15, 18) ^ (w15 >>> 3);
            int s1 = Integer.rotateRight(w2, 17) ^ Integer.rotateRight(w2, 19) ^ (w2 >>> 10);
            w.set(t, w.get(t - 16) + s0 + w.get(t - 7) + s1);
        }
        int h0 = from.get(0), h1 = from.get(1), h2 = from.get(2), h3 = from.get(3);
        int h4 = from.get(4), h5 = from.get(5), h6 = from.get(6), h7 = from.get(7);
        int a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
        for (int t = 0; t < 64; t++) {
            int t1 = h + (Integer.rotateRight(e, 6) ^ Integer.rotateRight(e, 11) ^ Integer.rotateRight(e, 25))
                    + ((e & f) ^ (~e & g)) + ROUND[t] + w.get(t);
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
        into.set(0, h0 + a);
        into.set(1, h1 + b);
        into.set(2, h2 + c);
        into.set(3, h3 + d);
        into.set(4, h4 + e);
        into.set(5, h5 + f);
        into.set(6, h6 + g);
        into.set(7, h7 + h);
    }
}
