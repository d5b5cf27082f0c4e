package dev.glassbox.explorer;

import dev.glassbox.explorer.formats.gguf.GgufType;
import dev.glassbox.explorer.formats.gguf.GgufValue;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Shape;
import dev.glassbox.explorer.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Tensors and metadata the round-trip, fuzz and malformed-file tests write. */
public final class Samples {
    private Samples() {}

    /** A tensor of {@code dtype} filled with random bytes (for floats this includes NaNs and infinities: the bits must survive). */
    public static Tensor random(String name, DType dtype, Shape shape, long seed) {
        byte[] bytes = new byte[Math.toIntExact(dtype.byteSize(shape.elementCount()))];
        new Random(seed).nextBytes(bytes);
        if (dtype == DType.BOOL) for (int i = 0; i < bytes.length; i++) bytes[i] &= 1;
        return new Tensor(name, dtype, shape, MemorySegment.ofArray(bytes));
    }

    /** One small tensor of each type safetensors stores, with a few shapes (a scalar and an empty one too). */
    public static List<Tensor> safetensorsTensors() {
        List<Tensor> tensors = new ArrayList<>();
        int i = 0;
        for (DType t : DType.values()) {
            if (t.safetensorsName().isEmpty()) continue;
            tensors.add(random("model.layers." + i + "." + t.name().toLowerCase() + ".weight", t, Shape.of(3, 5), i++));
        }
        tensors.add(random("scalar", DType.F32, Shape.of(), 100));
        tensors.add(random("empty", DType.F16, Shape.of(0, 4), 101));
        tensors.add(random("cube", DType.BF16, Shape.of(2, 3, 4), 102));
        return tensors;
    }

    /** One tensor of each type GGUF stores; block types get rows of whole blocks. */
    public static List<Tensor> ggufTensors() {
        List<Tensor> tensors = new ArrayList<>();
        int i = 0;
        for (DType t : DType.values()) {
            if (t.ggmlType() < 0) continue;
            Shape shape = t.isQuantized() ? Shape.of(2, 2L * t.blockSize()) : Shape.of(3, 5);
            tensors.add(random("blk." + i + "." + t.name().toLowerCase(), t, shape, i++));
        }
        tensors.add(random("token_embd.weight", DType.Q8_0, Shape.of(7, 64), 200));
        tensors.add(random("output_norm.weight", DType.F32, Shape.of(64), 201));
        tensors.add(random("a.4d", DType.F16, Shape.of(2, 1, 3, 4), 202));
        return tensors;
    }

    /** Every GGUF metadata value type, arrays of each, nested arrays, and tokenizer-style arrays. */
    public static Map<String, GgufValue> ggufMetadata(int alignment) {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string("llama"));
        m.put("general.name", GgufValue.string("Glassbox test model ü"));
        m.put("general.alignment", GgufValue.uint32(alignment));
        m.put("test.uint8", GgufValue.uint8(255));
        m.put("test.int8", GgufValue.int8(-128));
        m.put("test.uint16", GgufValue.uint16(65535));
        m.put("test.int16", GgufValue.int16(-32768));
        m.put("test.uint32", GgufValue.uint32(0xFFFFFFFFL));
        m.put("test.int32", GgufValue.int32(Integer.MIN_VALUE));
        m.put("test.uint64", GgufValue.uint64(-1L));
        m.put("test.int64", GgufValue.int64(Long.MIN_VALUE));
        m.put("test.float32", GgufValue.float32(Float.intBitsToFloat(0x7FC00001)));     // a NaN with a payload
        m.put("test.float64", GgufValue.float64(-0.0));
        m.put("test.bool", GgufValue.bool(true));
        m.put("test.empty_string", GgufValue.string(""));
        m.put("test.array.uint8", GgufValue.array(GgufType.UINT8, new byte[] {0, 1, (byte) 255}));
        m.put("test.array.int16", GgufValue.array(GgufType.INT16, new short[] {-1, 2}));
        m.put("test.array.uint32", GgufValue.array(GgufType.UINT32, new int[] {-1, 7}));
        m.put("test.array.int64", GgufValue.array(GgufType.INT64, new long[] {Long.MAX_VALUE}));
        m.put("test.array.float64", GgufValue.array(GgufType.FLOAT64, new double[] {1.5, Double.NaN}));
        m.put("test.array.bool", GgufValue.array(GgufType.BOOL, new boolean[] {true, false, true}));
        m.put("test.array.empty", GgufValue.array(GgufType.FLOAT32, new float[0]));
        m.put("test.array.nested", GgufValue.array(GgufType.ARRAY, new GgufValue[] {
                GgufValue.int32s(1, 2, 3),
                GgufValue.strings(List.of("a", "b")),
                GgufValue.array(GgufType.ARRAY, new GgufValue[] {GgufValue.floats(0.5f)})}));
        m.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        m.put("tokenizer.ggml.tokens", GgufValue.strings(List.of("<unk>", "<s>", "</s>", "h", "e", "he", "llo", "hello", " ")));
        m.put("tokenizer.ggml.scores", GgufValue.floats(0f, 0f, 0f, -1f, -2f, -3f, -4f, -5f, -6f));
        m.put("tokenizer.ggml.token_type", GgufValue.int32s(2, 3, 3, 1, 1, 1, 1, 1, 1));
        m.put("tokenizer.ggml.merges", GgufValue.strings(List.of("h e", "l lo", "he llo")));
        m.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(1));
        return m;
    }
}
