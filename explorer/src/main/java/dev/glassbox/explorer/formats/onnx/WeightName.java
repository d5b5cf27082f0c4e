package dev.glassbox.explorer.formats.onnx;

/**
 * The name an ONNX initializer gets in Glassbox, e.g. {@code encoder.layer.0.attention.self.query.weight}
 * for {@code onnx::MatMul_885}, and whether it is stored [in, out] (the right operand of a MatMul) rather
 * than PyTorch's [out, in].
 */
public record WeightName(String name, boolean storedInOut) {}
