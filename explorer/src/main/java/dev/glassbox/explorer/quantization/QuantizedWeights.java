package dev.glassbox.explorer.quantization;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A model file with its weights stored as Q8_0 or Q4_0, in memory: every tensor {@link QuantizationError#quantizable}
 * becomes {@code type} (encoded by {@link dev.glassbox.explorer.tensor.Quantize}, the same bytes a GGUF export
 * holds), every other tensor is copied as it is. Families load it through {@code Transformer.load(path, weights)}:
 * the Llama loader keeps the blocks and multiplies with the quantized kernels; GPT-2 and BERT read their (in, out)
 * matrices back to floats, so there the quality changes but not the speed.
 *
 * <pre>{@code
 * Transformer q8 = Transformer.load(path, file -> QuantizedWeights.of(file, DType.Q8_0));
 * }</pre>
 */
public final class QuantizedWeights {
    private QuantizedWeights() {}

    /** {@code source} with its quantizable tensors as {@code type}; the result does not read from {@code source}. */
    public static ModelFile of(ModelFile source, DType type) {
        if (!QuantizationError.TYPES.contains(type)) throw new IllegalArgumentException("a block type in " + QuantizationError.TYPES + " expected, found " + type);
        List<Tensor> tensors = new ArrayList<>();
        for (Tensor t : source.tensors()) {
            if (QuantizationError.quantizable(t, type)) {
                tensors.add(Tensor.of(t.name(), type, t.shape(), t.toFloatArray()));
            } else {
                MemorySegment copy = MemorySegment.ofArray(new byte[Math.toIntExact(t.byteSize())]);
                copy.copyFrom(t.data());
                tensors.add(new Tensor(t.name(), t.dtype(), t.shape(), copy));
            }
        }
        return new ModelFile(source.format(), source.path(), source.metadata(), tensors, source.graph().orElse(null), Arena.ofShared());
    }

    /** The bytes of every tensor of {@code file}: the size of its weights, without the file's header. */
    public static long weightBytes(ModelFile file) {
        long bytes = 0;
        for (Tensor t : file.tensors()) bytes += t.byteSize();
        return bytes;
    }
}
