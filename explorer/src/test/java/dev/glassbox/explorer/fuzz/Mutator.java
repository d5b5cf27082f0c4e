package dev.glassbox.explorer.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded byte-level mutations of valid model files: bit flips, interesting bytes, 4- and 8-byte windows
 * overwritten with boundary values (where length and count fields are), truncations, deleted, repeated
 * and spliced chunks, appended noise, and for text formats JSON tokens dropped into the text.
 * Positions favour the first 256 bytes, where the headers are.
 */
final class Mutator {
    private static final long[] INTERESTING = {0, 1, -1, 2, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF,
            0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 1L << 32, 1L << 40, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE};
    private static final String[] TOKENS = {"\"", "{", "}", "[", "]", ",", ":", "-1", "0", "1e999", "99999999999999999999",
            "null", "true", "\"__metadata__\"", "\"dtype\"", "\"F32\"", "\"shape\"", "\"data_offsets\"", "[0,4]", "\\u0000", "\"../x\""};

    private final Random random;
    private final List<byte[]> seeds;

    Mutator(long seed, List<byte[]> seeds) {
        this.random = new Random(seed);
        this.seeds = seeds;
    }

    byte[] next() {
        byte[] input = seeds.get(random.nextInt(seeds.size())).clone();
        int rounds = 1 + random.nextInt(4);
        for (int i = 0; i < rounds; i++) input = mutate(input);
        return input;
    }

    private byte[] mutate(byte[] in) {
        if (in.length == 0) return noise(1 + random.nextInt(16));
        return switch (random.nextInt(11)) {
            case 0 -> { in[position(in)] ^= (byte) (1 << random.nextInt(8)); yield in; }
            case 1 -> { in[position(in)] = (byte) INTERESTING[random.nextInt(INTERESTING.length)]; yield in; }
            case 2 -> window(in, 4);
            case 3 -> window(in, 8);
            case 4 -> Arrays.copyOf(in, random.nextInt(in.length));                          // truncate
            case 5 -> {                                                                         // delete a chunk
                int from = position(in), length = 1 + random.nextInt(Math.min(64, in.length - from));
                byte[] out = new byte[in.length - length];
                System.arraycopy(in, 0, out, 0, from);
                System.arraycopy(in, from + length, out, from, in.length - from - length);
                yield out;
            }
            case 6 -> {                                                                         // splice in a chunk of any seed
                byte[] donor = seeds.get(random.nextInt(seeds.size()));
                if (donor.length == 0) yield in;
                int start = random.nextInt(donor.length), length = 1 + random.nextInt(Math.min(128, donor.length - start));
                yield insert(in, position(in), Arrays.copyOfRange(donor, start, start + length));
            }
            case 7 -> insert(in, in.length, noise(1 + random.nextInt(64)));                    // append noise
            case 8 -> {                                                                         // overwrite a run with noise
                int from = position(in), length = Math.min(in.length - from, 1 + random.nextInt(16));
                System.arraycopy(noise(length), 0, in, from, length);
                yield in;
            }
            case 9 -> insert(in, position(in), TOKENS[random.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8));
            default -> {                                                                        // a digit becomes another number
                int at = position(in);
                for (int i = 0; i < in.length; i++) {
                    int p = (at + i) % in.length;
                    if (in[p] >= '0' && in[p] <= '9') {
                        String number = Long.toString(INTERESTING[random.nextInt(INTERESTING.length)]);
                        byte[] out = insert(in, p, number.getBytes(StandardCharsets.US_ASCII));
                        yield out;
                    }
                }
                yield in;
            }
        };
    }

    /** Overwrites {@code width} bytes with a little-endian boundary value, or the input's own length give or take one. */
    private byte[] window(byte[] in, int width) {
        if (in.length < width) return in;
        long value = switch (random.nextInt(4)) {
            case 0 -> in.length + random.nextInt(3) - 1;
            case 1 -> random.nextInt(1 << 16);
            default -> INTERESTING[random.nextInt(INTERESTING.length)];
        };
        int at = Math.min(position(in), in.length - width);
        for (int i = 0; i < width; i++) in[at + i] = (byte) (value >>> (8 * i));
        return in;
    }

    private int position(byte[] in) {
        return random.nextBoolean() ? random.nextInt(Math.min(in.length, 256)) : random.nextInt(in.length);
    }

    private byte[] insert(byte[] in, int at, byte[] chunk) {
        byte[] out = new byte[in.length + chunk.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(chunk, 0, out, at, chunk.length);
        System.arraycopy(in, at, out, at + chunk.length, in.length - at);
        return out;
    }

    private byte[] noise(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
