package dev.glassbox.explorer.formats.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small ONNX model that uses every way an initializer can hold data: raw_data, float_data,
 * int64_data, int32_data (for FLOAT16), and external data in a file next to the model.
 * <pre>
 * y = x @ onnx::MatMul_7 + dense.bias      (node names /dense/MatMul and /dense/Add keep the module path)
 * </pre>
 */
final class TinyOnnx {
    static final String MODEL = "tiny.onnx", WEIGHTS = "tiny.weights.bin";

    private TinyOnnx() {}

    static ProtoWriter valueInfo(String name, int elemType, Object... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (Object d : dims) {
            ProtoWriter dim = d instanceof Long n ? new ProtoWriter().varint(1, n) : new ProtoWriter().string(2, (String) d);
            shape.message(1, dim);
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, elemType).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }

    static ProtoWriter node(String name, String op, String[] inputs, String[] outputs) {
        ProtoWriter n = new ProtoWriter();
        for (String i : inputs) n.string(1, i);
        for (String o : outputs) n.string(2, o);
        return n.string(3, name).string(4, op);
    }

    /** The model with the external tensor's location set to {@code location}; writes both files into {@code dir}. */
    static Path write(Path dir, String location) throws IOException {
        ByteBuffer matmul = ByteBuffer.allocate(4 * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 12; i++) matmul.putFloat(i * 0.5f);                       // [4, 3] = 0, 0.5, 1, ...
        ProtoWriter graph = new ProtoWriter()
                .message(1, node("/dense/MatMul", "MatMul", new String[] {"x", "onnx::MatMul_7"}, new String[] {"/dense/MatMul_output_0"}))
                .message(1, node("/dense/Add", "Add", new String[] {"dense.bias", "/dense/MatMul_output_0"}, new String[] {"y"})
                        .message(5, new ProtoWriter().string(1, "note").string(4, "an attribute").varint(20, 3)))
                .string(2, "tiny")
                .message(5, new ProtoWriter().packedVarints(1, 4, 3).varint(2, 1).string(8, "onnx::MatMul_7").bytes(9, matmul.array()))
                .message(5, new ProtoWriter().varint(1, 3).varint(2, 1).string(8, "dense.bias").packedFloats(4, 1f, -2f, 3.5f))
                .message(5, new ProtoWriter().varint(1, 2).varint(2, 7).string(8, "ids").packedVarints(7, 5, -1L))
                .message(5, new ProtoWriter().varint(1, 2).varint(2, 10).string(8, "half").packedVarints(5, 0x3C00, 0xC000))
                .message(5, new ProtoWriter().packedVarints(1, 2, 3).varint(2, 1).string(8, "ext.weight")
                        .message(13, new ProtoWriter().string(1, "location").string(2, location))
                        .message(13, new ProtoWriter().string(1, "offset").string(2, "8"))
                        .message(13, new ProtoWriter().string(1, "length").string(2, "24"))
                        .varint(14, 1))
                .message(11, valueInfo("x", 1, "batch", 4L))
                .message(12, valueInfo("y", 1, "batch", 3L));
        ProtoWriter model = new ProtoWriter()
                .varint(1, 8)
                .string(2, "glassbox-test")
                .message(8, new ProtoWriter().string(1, "").varint(2, 17))
                .message(7, graph)
                .message(14, new ProtoWriter().string(1, "author").string(2, "Glassbox"));
        Path file = dir.resolve(MODEL);
        Files.write(file, model.toByteArray());
        ByteBuffer external = ByteBuffer.allocate(8 + 24).order(ByteOrder.LITTLE_ENDIAN);
        external.putLong(-1);                                                          // 8 bytes before the data
        for (int i = 0; i < 6; i++) external.putFloat(10 + i);
        Files.write(dir.resolve(WEIGHTS), external.array());
        return file;
    }
}
