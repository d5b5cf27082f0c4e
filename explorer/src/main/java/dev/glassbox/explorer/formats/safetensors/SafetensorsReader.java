package dev.glassbox.explorer.formats.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.glassbox.explorer.formats.FileCursor;
import dev.glassbox.explorer.formats.Format;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.ModelFormatException;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Shape;
import dev.glassbox.explorer.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads safetensors files. The layout (huggingface/safetensors, README "Format"):
 * <pre>
 * 8 bytes   N, unsigned little-endian 64-bit: the size of the header
 * N bytes   a UTF-8 JSON object, starting with '{', possibly padded at the end with spaces:
 *             "__metadata__": {string: string}                    (optional)
 *             "NAME": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]}
 * rest      the byte buffer; offsets are relative to its start, tensors are row-major and
 *           little-endian, and the buffer is entirely indexed, without holes or overlaps
 * </pre>
 * A sharded model has a {@code model.safetensors.index.json} naming the shard of each tensor:
 * {@code {"metadata": {"total_size": ...}, "weight_map": {"NAME": "model-00001-of-00002.safetensors"}}}.
 */
public final class SafetensorsReader {
    /** The reference implementation refuses headers over 100 MB, so a bad length cannot make it parse gigabytes. */
    public static final long MAX_HEADER = 100_000_000;
    /** Index files are a few hundred KB; anything near this is not an index. */
    public static final long MAX_INDEX = 64L << 20;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private SafetensorsReader() {}

    /** Opens one safetensors file; its tensors' data stays mapped until the ModelFile is closed. */
    public static ModelFile read(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            Contents contents = parse(FileCursor.map(path, arena));
            return new ModelFile(Format.SAFETENSORS, path, contents.metadata, contents.tensors, null, arena);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Opens a sharded model through its index: every shard is mapped, and the tensors appear in the
     * index's order. The index must name each tensor's shard correctly, and each shard tensor must be in
     * the index. Shard names are paths relative to the index's folder and may not leave it.
     */
    public static ModelFile readSharded(Path index) throws IOException {
        Path folder = index.toAbsolutePath().normalize().getParent();
        long size = Files.size(index);
        if (size > MAX_INDEX) throw new ModelFormatException(index, 0, "an index of at most " + MAX_INDEX + " bytes expected, found " + size);
        byte[] json = Files.readAllBytes(index);
        Map<String, Object> metadata = new LinkedHashMap<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        Map<String, Long> weightOffsets = new HashMap<>();
        parseIndex(index, json, metadata, weightMap, weightOffsets);

        Arena arena = Arena.ofShared();
        try {
            Map<String, Tensor> all = new HashMap<>();
            List<String> shards = new ArrayList<>();
            for (Map.Entry<String, String> entry : weightMap.entrySet()) {
                String shard = entry.getValue();
                if (shards.contains(shard)) continue;
                shards.add(shard);
                Path file = shardFile(index, folder, shard, weightOffsets.get(entry.getKey()));
                if (!Files.isRegularFile(file)) {
                    throw new ModelFormatException(index, weightOffsets.get(entry.getKey()), "shard file " + shard + " expected to exist");
                }
                Contents contents = parse(FileCursor.map(file, arena));
                for (Tensor t : contents.tensors) {
                    String listed = weightMap.get(t.name());
                    if (!shard.equals(listed)) {
                        throw new ModelFormatException(file, -1, "tensor " + t.name() + " is in " + shard
                                + " but the index " + (listed == null ? "does not list it" : "places it in " + listed));
                    }
                    all.put(t.name(), t);
                }
                contents.metadata.forEach(metadata::putIfAbsent);
            }
            List<Tensor> tensors = new ArrayList<>(weightMap.size());
            for (Map.Entry<String, String> entry : weightMap.entrySet()) {
                Tensor t = all.get(entry.getKey());
                if (t == null) {
                    throw new ModelFormatException(index, weightOffsets.get(entry.getKey()),
                            "tensor " + entry.getKey() + " listed for shard " + entry.getValue() + " expected in that shard, not found");
                }
                tensors.add(t);
            }
            metadata.put("shards", List.copyOf(shards));
            return new ModelFile(Format.SAFETENSORS, index, metadata, tensors, null, arena);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** The shard's path: relative to the index's folder and inside it. */
    private static Path shardFile(Path index, Path folder, String shard, long at) throws ModelFormatException {
        try {
            Path relative = Path.of(shard);
            Path file = folder.resolve(relative).normalize();
            if (!relative.isAbsolute() && file.startsWith(folder) && !file.equals(folder)) return file;
        } catch (InvalidPathException e) {
            // reported below like any other bad name
        }
        throw new ModelFormatException(index, at, "a shard file inside the index's folder expected, found \"" + shard + "\"");
    }

    private record Contents(Map<String, Object> metadata, List<Tensor> tensors) {}

    /** A tensor entry of the header before its bytes are checked: {@code at} is where its name starts. */
    private record Entry(String name, long at, DType dtype, long[] shape, long begin, long end) {}

    private static Contents parse(FileCursor in) throws ModelFormatException {
        // 8 bytes: N, the header size
        long headerSize = in.i64("header size (8 bytes)");
        if (headerSize < 2 || headerSize > MAX_HEADER) {
            throw in.error(0, "header size between 2 and " + MAX_HEADER + " expected, found " + Long.toUnsignedString(headerSize));
        }
        in.require(headerSize, "the JSON header");
        long headerStart = in.position();
        long dataStart = headerStart + headerSize;
        byte[] header = in.bytes().asSlice(headerStart, headerSize).toArray(ValueLayout.JAVA_BYTE);
        if (header[0] != '{') {
            throw in.error(headerStart, "header starting with '{' expected, found 0x" + Integer.toHexString(header[0] & 0xFF));
        }

        Map<String, Object> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        try (JsonParser json = JSON.createParser(header)) {
            json.nextToken();                                           // the '{' checked above
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String key = json.currentName();
                long at = headerStart + json.currentTokenLocation().getByteOffset();
                json.nextToken();
                if (key.equals("__metadata__")) readMetadata(in, json, headerStart, metadata);
                else entries.add(readEntry(in, json, headerStart, key, at));
            }
            if (json.nextToken() != null) {                             // only space padding may follow the object
                throw in.error(headerStart + json.currentTokenLocation().getByteOffset(), "end of the JSON header expected, found more JSON");
            }
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            long offset = where == null || where.getByteOffset() < 0 ? headerStart : headerStart + where.getByteOffset();
            throw new ModelFormatException(in.file(), offset, "well-formed JSON header expected: " + e.getOriginalMessage(), e);
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFormatException(in.file(), headerStart, "readable JSON header expected: " + e.getMessage(), e);
        }

        // the byte buffer: every tensor inside it, in order, without holes or overlaps
        long dataSize = in.size() - dataStart;
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expectedBegin = 0;
        for (Entry e : byOffset) {
            if (e.end > dataSize) {
                throw in.error(e.at, "tensor " + e.name + " ending at byte " + e.end + " of a " + dataSize + "-byte buffer expected inside it");
            }
            if (e.begin != expectedBegin) {
                throw in.error(e.at, "tensor " + e.name + " starting at buffer byte " + expectedBegin + " (no holes or overlaps) expected, found " + e.begin);
            }
            expectedBegin = e.end;
        }
        if (expectedBegin != dataSize) {
            throw in.error(dataStart + expectedBegin, "the byte buffer to end with the last tensor expected, found "
                    + (dataSize - expectedBegin) + " bytes no tensor uses");
        }
        List<Tensor> tensors = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            MemorySegment data = in.bytes().asSlice(dataStart + e.begin, e.end - e.begin);
            tensors.add(new Tensor(e.name, e.dtype, new Shape(e.shape), data));
        }
        return new Contents(metadata, tensors);
    }

    private static void readMetadata(FileCursor in, JsonParser json, long headerStart, Map<String, Object> metadata) throws IOException {
        if (json.currentToken() != JsonToken.START_OBJECT) throw unexpected(in, json, headerStart, "__metadata__ as an object of strings");
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String key = json.currentName();
            if (json.nextToken() != JsonToken.VALUE_STRING) throw unexpected(in, json, headerStart, "__metadata__ value of " + key + " as a string");
            metadata.put(key, json.getText());
        }
    }

    private static Entry readEntry(FileCursor in, JsonParser json, long headerStart, String name, long at) throws IOException {
        if (json.currentToken() != JsonToken.START_OBJECT) throw unexpected(in, json, headerStart, "tensor " + name + " as an object");
        DType dtype = null;
        long[] shape = null, offsets = null;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            json.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (json.currentToken() != JsonToken.VALUE_STRING) throw unexpected(in, json, headerStart, "dtype of " + name + " as a string");
                    String text = json.getText();
                    dtype = DType.fromSafetensors(text).orElseThrow(() -> in.error(location(json, headerStart),
                            "dtype of " + name + " among " + supported() + " expected, found \"" + text + "\""));
                }
                case "shape" -> shape = readLongs(in, json, headerStart, "shape of " + name, Shape.MAX_RANK);
                case "data_offsets" -> offsets = readLongs(in, json, headerStart, "data_offsets of " + name, 2);
                default -> json.skipChildren();                         // fields this version does not know
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            throw in.error(at, "tensor " + name + " with dtype, shape and data_offsets expected, found "
                    + (dtype == null ? "no dtype" : shape == null ? "no shape" : "no data_offsets"));
        }
        if (offsets.length != 2 || offsets[0] > offsets[1]) {
            throw in.error(at, "data_offsets of " + name + " as [begin, end] with begin <= end expected, found " + Arrays.toString(offsets));
        }
        long count = Shape.checkedElementCount(shape);
        long bytes = count < 0 ? -1 : dtype.byteSize(count);
        if (bytes < 0) throw in.error(at, "shape of " + name + " with a countable number of elements expected, found " + Arrays.toString(shape));
        if (offsets[1] - offsets[0] != bytes) {
            throw in.error(at, "tensor " + name + " (" + dtype + " " + Arrays.toString(shape) + ") of " + bytes
                    + " bytes expected, data_offsets span " + (offsets[1] - offsets[0]));
        }
        return new Entry(name, at, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] readLongs(FileCursor in, JsonParser json, long headerStart, String what, int max) throws IOException {
        if (json.currentToken() != JsonToken.START_ARRAY) throw unexpected(in, json, headerStart, what + " as an array of integers");
        long[] values = new long[max];
        int n = 0;
        while (json.nextToken() != JsonToken.END_ARRAY) {
            if (json.currentToken() != JsonToken.VALUE_NUMBER_INT || json.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw unexpected(in, json, headerStart, what + " as integers below 2^63");
            }
            long value = json.getLongValue();
            if (value < 0) throw in.error(location(json, headerStart), what + " without negative numbers expected, found " + value);
            if (n == max) throw in.error(location(json, headerStart), what + " with at most " + max + " numbers expected");
            values[n++] = value;
        }
        return Arrays.copyOf(values, n);
    }

    private static void parseIndex(Path index, byte[] bytes, Map<String, Object> metadata, Map<String, String> weightMap,
                                   Map<String, Long> offsets) throws ModelFormatException {
        try (JsonParser json = JSON.createParser(bytes)) {
            if (json.nextToken() != JsonToken.START_OBJECT) throw new ModelFormatException(index, 0, "a JSON object expected");
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String key = json.currentName();
                JsonToken value = json.nextToken();
                if (key.equals("weight_map")) {
                    if (value != JsonToken.START_OBJECT) throw new ModelFormatException(index, location(json, 0), "weight_map as an object expected");
                    while (json.nextToken() == JsonToken.FIELD_NAME) {
                        String tensor = json.currentName();
                        long at = location(json, 0);
                        if (json.nextToken() != JsonToken.VALUE_STRING) {
                            throw new ModelFormatException(index, location(json, 0), "shard file name for " + tensor + " expected");
                        }
                        weightMap.put(tensor, json.getText());
                        offsets.put(tensor, at);
                    }
                } else if (key.equals("metadata") && value == JsonToken.START_OBJECT) {
                    while (json.nextToken() == JsonToken.FIELD_NAME) {
                        String name = json.currentName();
                        JsonToken token = json.nextToken();
                        metadata.put(name, switch (token) {
                            case VALUE_NUMBER_INT -> json.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? json.getText() : json.getLongValue();
                            case VALUE_NUMBER_FLOAT -> json.getDoubleValue();
                            case VALUE_TRUE, VALUE_FALSE -> json.getBooleanValue();
                            case VALUE_STRING -> json.getText();
                            default -> {
                                json.skipChildren();
                                yield "(" + token + ")";
                            }
                        });
                    }
                } else {
                    json.skipChildren();
                }
            }
            if (weightMap.isEmpty()) throw new ModelFormatException(index, -1, "a non-empty weight_map expected");
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            throw new ModelFormatException(index, where == null ? -1 : where.getByteOffset(),
                    "well-formed JSON expected: " + e.getOriginalMessage(), e);
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFormatException(index, -1, "readable JSON expected: " + e.getMessage(), e);
        }
    }

    private static ModelFormatException unexpected(FileCursor in, JsonParser json, long headerStart, String expected) {
        return in.error(location(json, headerStart), expected + " expected, found " + json.currentToken());
    }

    private static long location(JsonParser json, long base) {
        return base + json.currentTokenLocation().getByteOffset();
    }

    private static String supported() {
        List<String> names = new ArrayList<>();
        for (DType t : DType.values()) t.safetensorsName().ifPresent(names::add);
        return String.join(", ", names);
    }
}
