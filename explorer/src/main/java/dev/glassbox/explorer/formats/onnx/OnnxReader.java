package dev.glassbox.explorer.formats.onnx;

import dev.glassbox.explorer.formats.FileCursor;
import dev.glassbox.explorer.formats.Format;
import dev.glassbox.explorer.formats.Graph;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.ModelFormatException;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Shape;
import dev.glassbox.explorer.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an ONNX model (a protobuf {@code ModelProto}, field numbers from {@code onnx/onnx.proto}) with
 * Glassbox's own wire-format reader: the graph's nodes, inputs and outputs, and its initializers as
 * tensors. Initializer bytes are not copied: {@code raw_data} and external data are slices of mapped
 * files; only the rare typed fields ({@code float_data}, {@code int64_data}, ...) are decoded into memory.
 *
 * <p>Anonymous initializers ({@code onnx::MatMul_885}) get the names {@link OnnxWeightNames} finds by
 * tracing the graph. The metadata records the renaming under {@code "initializer_names"} (new name ->
 * name in the file) and lists the weights stored [in, out] under {@code "stored_in_out"}; ONNX
 * {@code MatMul} weights are the transpose of PyTorch's {@code Linear.weight} [out, in].
 */
public final class OnnxReader {
    /** Typed data fields are decoded into the heap; exporters put anything big in raw_data, so this is plenty. */
    public static final long MAX_TYPED_DATA = 64L << 20;
    static final String[] DATA_TYPES = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64",
            "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};

    private final Path path;
    private final Path folder;
    private final Arena arena;
    private final Map<Path, MemorySegment> externalFiles = new HashMap<>();

    private OnnxReader(Path path, Arena arena) {
        this.path = path;
        this.folder = path.toAbsolutePath().normalize().getParent();
        this.arena = arena;
    }

    /** Opens an ONNX file; external data files are looked up relative to its folder. */
    public static ModelFile read(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            return new OnnxReader(path, arena).readModel(FileCursor.map(path, arena).bytes());
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private record GraphContents(Graph graph, List<Tensor> initializers) {}

    private ModelFile readModel(MemorySegment file) throws IOException {
        ProtoReader model = new ProtoReader(path, file, 0, file.byteSize(), "ModelProto");
        Map<String, Object> metadata = new LinkedHashMap<>();
        Map<String, Long> opsets = new LinkedHashMap<>();
        Map<String, String> props = new LinkedHashMap<>();
        GraphContents graph = null;
        while (model.next()) {
            switch (model.field()) {
                case 1 -> { model.expect(ProtoReader.VARINT, "ir_version"); metadata.put("ir_version", model.varint("ir_version")); }
                case 2 -> { model.expect(ProtoReader.LEN, "producer_name"); metadata.put("producer_name", model.string("producer_name")); }
                case 3 -> { model.expect(ProtoReader.LEN, "producer_version"); metadata.put("producer_version", model.string("producer_version")); }
                case 4 -> { model.expect(ProtoReader.LEN, "domain"); metadata.put("domain", model.string("domain")); }
                case 5 -> { model.expect(ProtoReader.VARINT, "model_version"); metadata.put("model_version", model.varint("model_version")); }
                case 6 -> { model.expect(ProtoReader.LEN, "doc_string"); metadata.put("doc_string", model.string("doc_string")); }
                case 7 -> {                                             // optional GraphProto graph = 7
                    model.expect(ProtoReader.LEN, "graph");
                    if (graph != null) throw model.error(model.tagAt(), "one ModelProto.graph expected, found a second");
                    graph = readGraph(model.message("GraphProto"));
                }
                case 8 -> {                                             // repeated OperatorSetIdProto opset_import = 8
                    model.expect(ProtoReader.LEN, "opset_import");
                    ProtoReader opset = model.message("OperatorSetIdProto");
                    String domain = "";
                    long version = 0;
                    while (opset.next()) {
                        if (opset.field() == 1) { opset.expect(ProtoReader.LEN, "domain"); domain = opset.string("domain"); }
                        else if (opset.field() == 2) { opset.expect(ProtoReader.VARINT, "version"); version = opset.varint("version"); }
                        else opset.skip();
                    }
                    opsets.put(domain.isEmpty() ? "ai.onnx" : domain, version);
                }
                case 14 -> {                                            // repeated StringStringEntryProto metadata_props = 14
                    model.expect(ProtoReader.LEN, "metadata_props");
                    String[] kv = keyValue(model.message("StringStringEntryProto"));
                    props.put(kv[0], kv[1]);
                }
                default -> model.skip();
            }
        }
        if (graph == null) throw model.error(0, "ModelProto.graph (field 7) expected, found none");
        if (!opsets.isEmpty()) metadata.put("opset_import", opsets);
        if (!props.isEmpty()) metadata.put("metadata_props", props);

        List<String> names = graph.initializers.stream().map(Tensor::name).toList();
        Map<String, WeightName> resolved = OnnxWeightNames.resolve(graph.graph, names);
        List<Tensor> tensors = new ArrayList<>(names.size());
        Map<String, String> renamed = new LinkedHashMap<>();
        List<String> inOut = new ArrayList<>();
        for (Tensor t : graph.initializers) {
            WeightName name = resolved.get(t.name());
            tensors.add(name.name().equals(t.name()) ? t : t.withName(name.name()));
            if (!name.name().equals(t.name())) renamed.put(name.name(), t.name());
            if (name.storedInOut()) inOut.add(name.name());
        }
        metadata.put("initializer_names", renamed);
        metadata.put("stored_in_out", inOut);
        return new ModelFile(Format.ONNX, path, metadata, tensors, graph.graph, arena);
    }

    private GraphContents readGraph(ProtoReader g) throws IOException {
        String name = "";
        List<Graph.Node> nodes = new ArrayList<>();
        List<Graph.Value> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        List<Tensor> initializers = new ArrayList<>();
        Map<String, Long> seen = new HashMap<>();
        while (g.next()) {
            switch (g.field()) {
                case 1 -> { g.expect(ProtoReader.LEN, "node"); nodes.add(readNode(g.message("NodeProto"))); }
                case 2 -> { g.expect(ProtoReader.LEN, "name"); name = g.string("name"); }
                case 5 -> {                                             // repeated TensorProto initializer = 5
                    g.expect(ProtoReader.LEN, "initializer");
                    long at = g.tagAt();
                    Tensor t = readTensor(g.message("TensorProto"), at);
                    if (seen.put(t.name(), at) != null) throw g.error(at, "unique initializer names expected, found " + t.name() + " twice");
                    initializers.add(t);
                }
                case 11 -> { g.expect(ProtoReader.LEN, "input"); inputs.add(readValueInfo(g.message("ValueInfoProto"))); }
                case 12 -> { g.expect(ProtoReader.LEN, "output"); outputs.add(readValueInfo(g.message("ValueInfoProto"))); }
                default -> g.skip();
            }
        }
        return new GraphContents(new Graph(name, nodes, inputs, outputs), initializers);
    }

    private Graph.Node readNode(ProtoReader n) throws ModelFormatException {
        List<String> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        String name = "", opType = "", domain = "";
        Map<String, Object> attributes = new LinkedHashMap<>();
        while (n.next()) {
            switch (n.field()) {
                case 1 -> { n.expect(ProtoReader.LEN, "input"); inputs.add(n.string("input")); }
                case 2 -> { n.expect(ProtoReader.LEN, "output"); outputs.add(n.string("output")); }
                case 3 -> { n.expect(ProtoReader.LEN, "name"); name = n.string("name"); }
                case 4 -> { n.expect(ProtoReader.LEN, "op_type"); opType = n.string("op_type"); }
                case 5 -> { n.expect(ProtoReader.LEN, "attribute"); readAttribute(n.message("AttributeProto"), attributes); }
                case 7 -> { n.expect(ProtoReader.LEN, "domain"); domain = n.string("domain"); }
                default -> n.skip();                                    // doc_string (6)
            }
        }
        return new Graph.Node(name, opType, domain, inputs, outputs, attributes);
    }

    /**
     * AttributeProto: name = 1, f = 2, i = 3, s = 4, t = 5, g = 6, floats = 7, ints = 8, strings = 9,
     * tensors = 10, graphs = 11, sparse_tensor = 22, sparse_tensors = 23.
     */
    private static void readAttribute(ProtoReader a, Map<String, Object> attributes) throws ModelFormatException {
        String name = "";
        Object value = null;
        List<Object> list = new ArrayList<>();
        while (a.next()) {
            switch (a.field()) {
                case 1 -> { a.expect(ProtoReader.LEN, "name"); name = a.string("name"); }
                case 2 -> { a.expect(ProtoReader.I32, "f"); value = Float.intBitsToFloat(a.fixed32("f")); }
                case 3 -> { a.expect(ProtoReader.VARINT, "i"); value = a.varint("i"); }
                case 4 -> { a.expect(ProtoReader.LEN, "s"); value = a.text("s"); }
                case 5, 22 -> { a.skip(); value = "<tensor>"; }
                case 6 -> { a.skip(); value = "<graph>"; }
                case 7 -> {
                    if (a.wireType() == ProtoReader.I32) { list.add(Float.intBitsToFloat(a.fixed32("floats"))); continue; }
                    a.expect(ProtoReader.LEN, "floats");
                    ProtoReader.Range r = a.range("floats");
                    if (r.length() % 4 != 0) throw a.error(r.offset(), "packed floats of whole 4-byte values expected");
                    ProtoReader packed = new ProtoReader(a.file(), a.bytes(), r.offset(), r.end(), "floats");
                    while (packed.position() < packed.end()) list.add(Float.intBitsToFloat(packed.fixed32("floats")));
                }
                case 8 -> {
                    if (a.wireType() == ProtoReader.VARINT) { list.add(a.varint("ints")); continue; }
                    a.expect(ProtoReader.LEN, "ints");
                    ProtoReader.Range r = a.range("ints");
                    ProtoReader packed = new ProtoReader(a.file(), a.bytes(), r.offset(), r.end(), "ints");
                    while (packed.position() < packed.end()) list.add(packed.varint("ints"));
                }
                case 9 -> { a.expect(ProtoReader.LEN, "strings"); list.add(a.text("strings")); }
                case 10, 23 -> { a.skip(); list.add("<tensor>"); }
                case 11 -> { a.skip(); list.add("<graph>"); }
                default -> a.skip();
            }
        }
        attributes.put(name, value != null ? value : List.copyOf(list));
    }

    /** ValueInfoProto { name = 1; TypeProto type = 2 } with TypeProto.tensor_type = 1 { elem_type = 1; shape = 2 }. */
    private Graph.Value readValueInfo(ProtoReader v) throws ModelFormatException {
        String name = "", elementType = "";
        List<String> dims = new ArrayList<>();
        while (v.next()) {
            if (v.field() == 1) { v.expect(ProtoReader.LEN, "name"); name = v.string("name"); continue; }
            if (v.field() != 2) { v.skip(); continue; }
            v.expect(ProtoReader.LEN, "type");
            ProtoReader type = v.message("TypeProto");
            while (type.next()) {
                if (type.field() != 1) { type.skip(); continue; }
                type.expect(ProtoReader.LEN, "tensor_type");
                ProtoReader tensorType = type.message("TypeProto.Tensor");
                while (tensorType.next()) {
                    if (tensorType.field() == 1) {
                        tensorType.expect(ProtoReader.VARINT, "elem_type");
                        elementType = dataTypeName(tensorType.varint("elem_type"));
                    } else if (tensorType.field() == 2) {
                        tensorType.expect(ProtoReader.LEN, "shape");
                        ProtoReader shape = tensorType.message("TensorShapeProto");
                        while (shape.next()) {
                            if (shape.field() != 1) { shape.skip(); continue; }
                            shape.expect(ProtoReader.LEN, "dim");
                            ProtoReader dim = shape.message("TensorShapeProto.Dimension");
                            String text = "?";
                            while (dim.next()) {
                                if (dim.field() == 1) { dim.expect(ProtoReader.VARINT, "dim_value"); text = Long.toString(dim.varint("dim_value")); }
                                else if (dim.field() == 2) { dim.expect(ProtoReader.LEN, "dim_param"); text = dim.string("dim_param"); }
                                else dim.skip();
                            }
                            dims.add(text);
                        }
                    } else {
                        tensorType.skip();
                    }
                }
            }
        }
        return new Graph.Value(name, elementType, dims);
    }

    /**
     * TensorProto: dims = 1, data_type = 2, segment = 3, float_data = 4, int32_data = 5, string_data = 6,
     * int64_data = 7, name = 8, raw_data = 9, double_data = 10, uint64_data = 11, external_data = 13,
     * data_location = 14. The data comes from exactly one of raw_data, a typed field, or external data.
     */
    private Tensor readTensor(ProtoReader t, long at) throws IOException {
        long start = t.position();
        long[] dims = new long[Shape.MAX_RANK];
        int rank = 0;
        long dataType = 0, location = 0;
        String name = null;
        ProtoReader.Range raw = null;
        Map<String, String> external = new LinkedHashMap<>();
        long typedCount = 0;
        int typedField = 0;
        while (t.next()) {
            switch (t.field()) {
                case 1 -> {                                             // repeated int64 dims = 1 (packed or not)
                    if (t.wireType() == ProtoReader.LEN) {
                        ProtoReader.Range r = t.range("dims");
                        ProtoReader packed = new ProtoReader(path, t.bytes(), r.offset(), r.end(), "TensorProto.dims");
                        while (packed.position() < packed.end()) rank = addDim(dims, rank, packed.varint("dim"), t, at);
                    } else {
                        t.expect(ProtoReader.VARINT, "dims");
                        rank = addDim(dims, rank, t.varint("dim"), t, at);
                    }
                }
                case 2 -> { t.expect(ProtoReader.VARINT, "data_type"); dataType = t.varint("data_type"); }
                case 3 -> throw t.error(t.tagAt(), "a whole tensor expected, found a TensorProto.segment (chunked tensors are not supported)");
                case 4, 5, 7, 10, 11 -> {
                    if (typedField != 0 && typedField != t.field()) throw t.error(t.tagAt(), "one typed data field expected, found fields " + typedField + " and " + t.field());
                    typedField = t.field();
                    typedCount += countTyped(t);
                }
                case 6 -> throw t.error(t.tagAt(), "numeric data expected, found string_data (STRING tensors are not supported)");
                case 8 -> { t.expect(ProtoReader.LEN, "name"); name = t.string("name"); }
                case 9 -> {
                    t.expect(ProtoReader.LEN, "raw_data");
                    if (raw != null) throw t.error(t.tagAt(), "one raw_data expected, found a second");
                    raw = t.range("raw_data");
                }
                case 13 -> {
                    t.expect(ProtoReader.LEN, "external_data");
                    String[] kv = keyValue(t.message("StringStringEntryProto"));
                    external.put(kv[0], kv[1]);
                }
                case 14 -> { t.expect(ProtoReader.VARINT, "data_location"); location = t.varint("data_location"); }
                default -> t.skip();
            }
        }
        if (name == null || name.isEmpty()) throw t.error(at, "initializer with a name expected, found none");
        long[] shape = Arrays.copyOf(dims, rank);
        DType dtype = DType.fromOnnx(dataType).orElse(null);
        if (dtype == null) {
            throw t.error(at, "initializer " + name + " with a supported data_type (FLOAT, FLOAT16, BFLOAT16, DOUBLE,"
                    + " INT8..INT64, UINT8, BOOL) expected, found " + dataTypeName(dataType));
        }
        long count = Shape.checkedElementCount(shape);
        long bytes = count < 0 ? -1 : dtype.byteSize(count);
        if (bytes < 0) throw t.error(at, "dims of " + name + " whose product fits 63 bits expected, found " + Arrays.toString(shape));
        if (location != 0 && location != 1) throw t.error(at, "data_location DEFAULT (0) or EXTERNAL (1) expected for " + name + ", found " + location);
        int sources = (raw != null ? 1 : 0) + (typedField != 0 ? 1 : 0) + (location == 1 || !external.isEmpty() ? 1 : 0);
        if (sources > 1) throw t.error(at, "one data source (raw_data, a typed field or external data) expected for " + name + ", found " + sources);
        if (location == 0 && !external.isEmpty()) throw t.error(at, "data_location EXTERNAL expected for " + name + ", which has external_data");

        MemorySegment data;
        if (raw != null) {
            if (raw.length() != bytes) {
                throw t.error(raw.offset(), "raw_data of " + bytes + " bytes expected for " + name + " (" + dtype + " "
                        + Arrays.toString(shape) + "), found " + raw.length());
            }
            data = t.bytes().asSlice(raw.offset(), raw.length());
        } else if (location == 1) {
            data = external(t, at, name, external, bytes);
        } else if (typedField != 0) {
            data = typed(t, start, at, name, dtype, typedField, typedCount, count, bytes);
        } else if (count == 0) {
            data = MemorySegment.NULL;
        } else {
            throw t.error(at, "data for initializer " + name + " (" + count + " elements) expected, found none");
        }
        return new Tensor(name, dtype, new Shape(shape), data);
    }

    private static int addDim(long[] dims, int rank, long dim, ProtoReader t, long at) throws ModelFormatException {
        if (rank == dims.length) throw t.error(at, "at most " + Shape.MAX_RANK + " dims expected");
        if (dim < 0) throw t.error(at, "dims that are not negative expected, found " + dim);
        dims[rank] = dim;
        return rank + 1;
    }

    /** Elements in one occurrence of a typed data field: packed (LEN) or a single value. */
    private static long countTyped(ProtoReader t) throws ModelFormatException {
        boolean fixed32 = t.field() == 4, fixed64 = t.field() == 10;
        if (t.wireType() == ProtoReader.LEN) {
            ProtoReader.Range r = t.range("packed data");
            if (fixed32 || fixed64) {
                int size = fixed32 ? 4 : 8;
                if (r.length() % size != 0) throw t.error(r.offset(), "packed data of whole " + size + "-byte values expected, found " + r.length() + " bytes");
                return r.length() / size;
            }
            long count = 0;                                             // a varint ends at each byte below 0x80
            for (long i = r.offset(); i < r.end(); i++) if (t.bytes().get(ValueLayout.JAVA_BYTE, i) >= 0) count++;
            if (r.length() > 0 && t.bytes().get(ValueLayout.JAVA_BYTE, r.end() - 1) < 0) {
                throw t.error(r.end() - 1, "packed varints ending inside their field expected, found a cut varint");
            }
            return count;
        }
        t.expect(fixed32 ? ProtoReader.I32 : fixed64 ? ProtoReader.I64 : ProtoReader.VARINT, "data");
        t.skip();
        return 1;
    }

    /** Decodes a typed data field into little-endian bytes of {@code dtype}, after checking its count. */
    private MemorySegment typed(ProtoReader t, long start, long at, String name, DType dtype, int field, long found,
                                long count, long bytes) throws ModelFormatException {
        int expectedField = switch (dtype) {
            case F32 -> 4;
            case F64 -> 10;
            case I64 -> 7;
            case I32, I16, I8, U8, BOOL, F16, BF16 -> 5;
            default -> -1;
        };
        if (field != expectedField) throw t.error(at, "data of " + dtype + " initializer " + name + " in field " + expectedField + " expected, found field " + field);
        if (found != count) throw t.error(at, count + " values expected for " + name + ", found " + found);
        if (bytes > MAX_TYPED_DATA) throw t.error(at, "typed data of at most " + MAX_TYPED_DATA + " bytes expected for " + name + ", found " + bytes);
        MemorySegment out = MemorySegment.ofArray(new byte[(int) bytes]);
        ProtoReader again = new ProtoReader(path, t.bytes(), start, t.end(), "TensorProto");
        long index = 0;
        while (again.next()) {
            if (again.field() != field) { again.skip(); continue; }
            ProtoReader values = again;
            if (again.wireType() == ProtoReader.LEN) {
                ProtoReader.Range r = again.range("packed data");
                values = new ProtoReader(path, t.bytes(), r.offset(), r.end(), "packed data");
                while (values.position() < values.end()) put(out, dtype, index++, values);
            } else {
                put(out, dtype, index++, values);
            }
        }
        return out;
    }

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static void put(MemorySegment out, DType dtype, long index, ProtoReader in) throws ModelFormatException {
        switch (dtype) {
            case F32 -> out.set(INT, 4 * index, in.fixed32("float_data"));
            case F64 -> out.set(LONG, 8 * index, in.fixed64("double_data"));
            case I64 -> out.set(LONG, 8 * index, in.varint("int64_data"));
            case I32 -> out.set(INT, 4 * index, (int) in.varint("int32_data"));
            case I16, F16, BF16 -> out.set(SHORT, 2 * index, (short) in.varint("int32_data"));
            default -> out.set(ValueLayout.JAVA_BYTE, index, (byte) in.varint("int32_data"));
        }
    }

    /** external_data keys: location (relative to the model's folder), offset and length (decimal strings). */
    private MemorySegment external(ProtoReader t, long at, String name, Map<String, String> keys, long bytes) throws IOException {
        String location = keys.get("location");
        if (location == null || location.isEmpty()) throw t.error(at, "external_data location for " + name + " expected, found none");
        long offset = number(t, at, name, keys, "offset", 0);
        long length = number(t, at, name, keys, "length", bytes);
        if (length != bytes) throw t.error(at, "external data of " + bytes + " bytes expected for " + name + ", length says " + length);
        Path file;
        try {
            Path relative = Path.of(location);
            file = folder.resolve(relative).normalize();
            if (relative.isAbsolute() || !file.startsWith(folder)) throw new InvalidPathException(location, "outside the model's folder");
            if (!Files.isRegularFile(file)) throw t.error(at, "external data file " + location + " for " + name + " expected next to the model, not found");
            if (!file.toRealPath().startsWith(folder.toRealPath())) throw new InvalidPathException(location, "links outside the model's folder");
        } catch (InvalidPathException e) {
            throw t.error(at, "external data location inside the model's folder expected for " + name + ", found \"" + location + "\"");
        }
        MemorySegment mapped = externalFiles.get(file);
        if (mapped == null) {
            mapped = FileCursor.map(file, arena).bytes();
            externalFiles.put(file, mapped);
        }
        if (offset > mapped.byteSize() || length > mapped.byteSize() - offset) {
            throw t.error(at, "external data of " + name + " (" + length + " bytes at " + offset + ") inside " + location
                    + " (" + mapped.byteSize() + " bytes) expected");
        }
        return mapped.asSlice(offset, length);
    }

    private static long number(ProtoReader t, long at, String name, Map<String, String> keys, String key, long otherwise) throws ModelFormatException {
        String text = keys.get(key);
        if (text == null) return otherwise;
        try {
            long value = Long.parseLong(text.trim());
            if (value < 0) throw new NumberFormatException();
            return value;
        } catch (NumberFormatException e) {
            throw t.error(at, "external_data " + key + " of " + name + " as a non-negative integer expected, found \"" + text + "\"");
        }
    }

    private static String[] keyValue(ProtoReader entry) throws ModelFormatException {
        String key = "", value = "";
        while (entry.next()) {
            if (entry.field() == 1) { entry.expect(ProtoReader.LEN, "key"); key = entry.string("key"); }
            else if (entry.field() == 2) { entry.expect(ProtoReader.LEN, "value"); value = entry.string("value"); }
            else entry.skip();
        }
        return new String[] {key, value};
    }

    static String dataTypeName(long type) {
        return type >= 0 && type < DATA_TYPES.length ? DATA_TYPES[(int) type] : "data type " + type;
    }
}
