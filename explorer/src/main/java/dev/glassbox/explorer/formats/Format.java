package dev.glassbox.explorer.formats;

/** The model file formats Glassbox reads. */
public enum Format {
    /** Hugging Face safetensors: a JSON header, then raw little-endian tensors; possibly sharded with an index. */
    SAFETENSORS,
    /** GGUF v3 (llama.cpp / ggml): typed metadata, tensor infos, aligned tensor data, quantized block types. */
    GGUF,
    /** ONNX: a protobuf ModelProto whose graph holds the weights as initializers. */
    ONNX
}
