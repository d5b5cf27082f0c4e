package dev.glassbox.web.shelf;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.tensor.Histogram;
import dev.glassbox.explorer.tensor.QuantBlock;
import dev.glassbox.explorer.tensor.RowNorms;
import dev.glassbox.explorer.tensor.TopK;
import dev.glassbox.explorer.tensor.Tensor;
import dev.glassbox.explorer.tensor.TensorStats;
import dev.glassbox.explorer.tokenizers.Encoding;
import dev.glassbox.explorer.tokenizers.Tokenizer;
import dev.glassbox.tinymodels.Component;
import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.tinymodels.ParameterBudget;
import dev.glassbox.tinymodels.cards.Openness;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The models' JSON API, read-only: the catalog, one model's card and parameter budget, its tensors, and for
 * one tensor its statistics, a slice of its values, its rows with the largest norms, the rows of a word's tokens,
 * its quantized blocks, or the whole tensor as .npy. Tensor names hold dots and slashes, so everything after
 * {@code /tensors/} is the name plus an action.
 *
 * <p>A 2-D tensor whose row count is the vocabulary size of the model's tokenizer has a vocabulary dimension (an
 * embedding, an unembedding): its row r stands for token r, so its slices carry each row's token as a label.
 */
public final class ModelApi {
    /** The largest slice one request may ask for, per side: 512 x 512 floats is about 3 MB of JSON. */
    public static final int MAX_SIDE = 512;
    /** The slice a request without rows/cols gets, per side. */
    static final int DEFAULT_SIDE = 128;
    static final int MAX_BLOCKS = 256;
    static final int DEFAULT_BINS = 64;
    static final int MAX_BINS = 256;
    /** The largest-norm rows a request gets without {@code count}: enough to fill the page's map. */
    static final int DEFAULT_TOP = 64;
    /** The longest word {@code token-rows} tokenizes, in characters. */
    static final int MAX_WORD = 100;
    /** The largest tensor a .npy download may hold: 16 Mi floats, 64 MB (MiniLM's word embeddings are 11.7 Mi). */
    static final long MAX_DOWNLOAD_ELEMENTS = 16L << 20;
    private static final Pattern LAYER = Pattern.compile("(?:^|\\.)(?:layer|layers|blk|h)\\.(\\d+)\\.");

    /** A model in the list. */
    public record Summary(String id, String name, String family, long params, String license, String source,
                          Map<String, String> openness, Map<String, String> reasons, String licenceType) {}

    /** A tensor in the list: {@code group} is "layer N" for a layer's tensors, else the component; {@code vocabulary}: one row per token. */
    public record TensorInfo(String name, String dtype, long[] shape, long bytes, String component, String group, boolean quantized,
                             boolean vocabulary) {}

    public record Budget(String component, long parameters) {}

    public record Stats(long count, long nonFinite, float min, float max, double mean, double std, double sparsity,
                        Map<String, Object> histogram) {}

    /** A slice; {@code rowLabels} holds each row's token where the tensor has a vocabulary dimension, else null. */
    public record Values(String name, long rowFrom, long rowTo, long colFrom, long colTo, int rows, int cols, float[] data,
                         List<String> rowLabels) {}

    /** The {@code rows} rows with the largest L2 norms, largest first: their indices, norms, tokens (or null), and a slice of columns. */
    public record TopRows(String name, long rowCount, long colFrom, long colTo, int rows, int cols, int[] rowIndex, float[] norms,
                          List<String> rowLabels, float[] data) {}

    /** A row of a vocabulary dimension: the token's id (its row) and its text as the tokenizer stores it. */
    public record TokenRow(long row, String token) {}

    public record TokenRows(String text, long rowCount, List<TokenRow> tokens) {}

    public record Block(long index, float d, float dmin, int[] scales, int[] mins, int[] quants) {}

    private final ModelShelf shelf;

    public ModelApi(ModelShelf shelf) {
        this.shelf = shelf;
    }

    public void list(Context ctx) {
        ctx.json(shelf.catalog().entries().stream().map(ModelApi::summary).toList());
    }

    public void get(Context ctx) {
        ModelEntry entry = entry(ctx);
        ModelFile file = shelf.file(entry);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", summary(entry));
        out.put("format", file.format().name());
        out.put("file", entry.file().getFileName().toString());
        out.put("card", entry.card());
        out.put("cardMarkdown", entry.card().markdown());
        out.put("config", entry.config());
        out.put("tensorCount", file.tensors().size());
        out.put("budget", budget(file));
        ctx.json(out);
    }

    public void tensors(Context ctx) {
        ModelEntry entry = entry(ctx);
        ModelFile file = shelf.file(entry);
        ctx.json(file.tensors().stream().map(t -> info(t, vocabulary(entry, t).isPresent())).toList());
    }

    /** {@code /tensors/<name>/stats}, {@code /values}, {@code /top-rows}, {@code /token-rows}, {@code /blocks}, or {@code <name>.npy}. */
    public void tensorAction(Context ctx) throws Exception {
        ModelEntry entry = entry(ctx);
        String rest = ctx.pathParam("rest");
        for (String action : List.of("stats", "values", "top-rows", "token-rows", "blocks")) {
            if (rest.endsWith("/" + action)) {
                String name = rest.substring(0, rest.length() - action.length() - 1);
                Tensor tensor = tensor(entry, name);
                switch (action) {
                    case "stats" -> stats(ctx, entry, tensor);
                    case "values" -> values(ctx, tensor, vocabulary(entry, tensor));
                    case "top-rows" -> topRows(ctx, tensor, vocabulary(entry, tensor));
                    case "token-rows" -> tokenRows(ctx, entry, tensor);
                    default -> blocks(ctx, tensor);
                }
                return;
            }
        }
        if (rest.endsWith(".npy")) {
            Tensor tensor = tensor(entry, rest.substring(0, rest.length() - 4));
            decodable(tensor);
            if (tensor.elementCount() > MAX_DOWNLOAD_ELEMENTS) {
                throw new BadRequestResponse(tensor.name() + " has " + tensor.elementCount() + " values; a download may have at most "
                        + MAX_DOWNLOAD_ELEMENTS + ". Read it in a notebook cell instead.");
            }
            String file = tensor.name().replaceAll("[^A-Za-z0-9._-]", "_") + ".npy";
            ctx.contentType("application/octet-stream");
            ctx.header("Content-Disposition", "attachment; filename=\"" + file + "\"");
            ctx.header("Content-Length", Long.toString(Npy.header(tensor.shape().dims()).length + 4 * tensor.elementCount()));
            Npy.write(tensor, ctx.outputStream());
            return;
        }
        throw new NotFoundResponse("No such tensor endpoint: expected tensors/{name}/stats, /values, /top-rows, /token-rows, /blocks or {name}.npy, found " + rest);
    }

    private void stats(Context ctx, ModelEntry entry, Tensor tensor) {
        decodable(tensor);
        int bins = intParam(ctx, "bins", DEFAULT_BINS, 1, MAX_BINS);
        TensorStats s = shelf.stats(entry, tensor.name(), bins, DEFAULT_BINS);
        Histogram h = s.histogram();
        ctx.json(new Stats(s.count(), s.nonFinite(), s.min(), s.max(), s.mean(), s.std(), s.sparsity(),
                Map.of("min", h.min(), "max", h.max(), "counts", h.counts())));
    }

    private static void values(Context ctx, Tensor tensor, Optional<Tokenizer> vocabulary) {
        decodable(tensor);
        long[] rows = range(ctx, "rows", tensor.rowCount());
        long[] cols = range(ctx, "cols", tensor.rowLength());
        int r = (int) (rows[1] - rows[0]), c = (int) (cols[1] - cols[0]);
        List<String> labels = vocabulary.map(tok -> java.util.stream.LongStream.range(rows[0], rows[1])
                .mapToObj(row -> tok.token((int) row)).toList()).orElse(null);
        ctx.json(new Values(tensor.name(), rows[0], rows[1], cols[0], cols[1], r, c,
                tensor.readSlice(rows[0], rows[1], cols[0], cols[1]), labels));
    }

    /** {@code ?count=N&cols=a:b}: the N rows with the largest L2 norms (all of the tensor's rows are measured), largest first. */
    private static void topRows(Context ctx, Tensor tensor, Optional<Tokenizer> vocabulary) {
        decodable(tensor);
        int count = intParam(ctx, "count", DEFAULT_TOP, 1, MAX_SIDE);
        long[] cols = range(ctx, "cols", tensor.rowLength());
        if (tensor.rowCount() > Tensor.MAX_ARRAY) {
            throw new BadRequestResponse(tensor.name() + " has " + tensor.rowCount() + " rows; norms are measured for at most " + Tensor.MAX_ARRAY);
        }
        float[] norms = RowNorms.of(tensor);                                   // (rowCount,)
        int[] top = TopK.indices(norms, count);                            // (k,), k = min(count, rowCount)
        int c = (int) (cols[1] - cols[0]);
        float[] data = new float[top.length * c];                              // (k, c)
        float[] topNorms = new float[top.length];
        for (int i = 0; i < top.length; i++) {
            System.arraycopy(tensor.readSlice(top[i], top[i] + 1, cols[0], cols[1]), 0, data, i * c, c);
            topNorms[i] = norms[top[i]];
        }
        List<String> labels = vocabulary.map(tok -> java.util.Arrays.stream(top).mapToObj(tok::token).toList()).orElse(null);
        ctx.json(new TopRows(tensor.name(), tensor.rowCount(), cols[0], cols[1], top.length, c, top, topNorms, labels, data));
    }

    /** {@code ?text=word}: the word tokenized by the model's tokenizer (no special tokens), each token with its row. */
    private void tokenRows(Context ctx, ModelEntry entry, Tensor tensor) {
        String text = ctx.queryParam("text");
        if (text == null || text.isBlank() || text.length() > MAX_WORD) {
            throw new BadRequestResponse("text must be a word of 1 to " + MAX_WORD + " characters, found "
                    + (text == null ? "none" : text.length() + " characters"));
        }
        Tokenizer tokenizer = vocabulary(entry, tensor).orElseThrow(() -> new BadRequestResponse(tensor.name() + " has "
                + tensor.rowCount() + " rows of " + tensor.rowLength() + ": it has no vocabulary dimension (a 2-D tensor with one row per token of "
                + (shelf.tokenizer(entry).map(tok -> "the tokenizer's " + tok.vocabSize()).orElse("a tokenizer, which " + entry.id() + " lacks"))
                + "), so its rows have no tokens"));
        Encoding encoding;
        try {
            encoding = tokenizer.encode(text, false);
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse("The tokenizer of " + entry.id() + " cannot read \"" + text + "\": " + e.getMessage());
        }
        List<TokenRow> rows = new ArrayList<>();
        for (int i = 0; i < encoding.ids().length; i++) rows.add(new TokenRow(encoding.ids()[i], tokenizer.token(encoding.ids()[i])));
        if (rows.isEmpty()) throw new BadRequestResponse("\"" + text + "\" gives no tokens; try a word with letters in it");
        ctx.json(new TokenRows(text, tensor.rowCount(), rows));
    }

    /** The model's tokenizer when {@code tensor} has one row per token of it (2-D, row count = vocabulary size). */
    private Optional<Tokenizer> vocabulary(ModelEntry entry, Tensor tensor) {
        if (tensor.shape().dims().length != 2) return Optional.empty();
        return shelf.tokenizer(entry).filter(tok -> tok.vocabSize() == tensor.rowCount());
    }

    private static void blocks(Context ctx, Tensor tensor) {
        if (!tensor.dtype().isQuantized()) {
            throw new BadRequestResponse(tensor.name() + " is " + tensor.dtype() + ": only quantized tensors (Q8_0, Q4_0, Q4_K, Q6_K) have blocks");
        }
        long from = longParam(ctx, "from", 0, 0, Math.max(0, tensor.blockCount() - 1));
        int count = (int) longParam(ctx, "count", 8, 1, MAX_BLOCKS);
        count = (int) Math.min(count, tensor.blockCount() - from);
        List<Block> blocks = new ArrayList<>();
        try {
            for (QuantBlock b : tensor.blocks(from, count)) blocks.add(new Block(b.index(), b.d(), b.dmin(), b.scales(), b.mins(), b.quants()));
        } catch (UnsupportedOperationException e) {
            throw new BadRequestResponse(e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", tensor.name());
        out.put("dtype", tensor.dtype().name());
        out.put("blockSize", tensor.dtype().blockSize());
        out.put("blockBytes", tensor.dtype().blockBytes());
        out.put("blockCount", tensor.blockCount());
        out.put("blocks", blocks);
        ctx.json(out);
    }

    private ModelEntry entry(Context ctx) {
        String id = ctx.pathParam("id");
        return shelf.find(id).orElseThrow(() -> new NotFoundResponse("There is no model called \"" + id + "\"; GET /api/models lists them."));
    }

    private Tensor tensor(ModelEntry entry, String name) {
        return shelf.file(entry).find(name).orElseThrow(() ->
                new NotFoundResponse("Model " + entry.id() + " has no tensor named \"" + name + "\"; GET /api/models/" + entry.id() + "/tensors lists them."));
    }

    private static void decodable(Tensor tensor) {
        if (!tensor.dtype().decodable()) {
            throw new BadRequestResponse(tensor.name() + " is stored as " + tensor.dtype() + ", which Glassbox cannot decode yet; its blocks are listed but not its values");
        }
    }

    /** {@code a:b} (end exclusive) within [0, limit]; absent: the first {@link #DEFAULT_SIDE}. */
    static long[] range(Context ctx, String param, long limit) {
        String text = ctx.queryParam(param);
        if (text == null || text.isBlank()) return new long[] {0, Math.min(limit, DEFAULT_SIDE)};
        Matcher m = Pattern.compile("(\\d{1,18}):(\\d{1,18})").matcher(text.trim());
        if (!m.matches()) throw new BadRequestResponse(param + " must look like start:end (end exclusive), e.g. 0:64; found \"" + text + "\"");
        long from = Long.parseLong(m.group(1)), to = Long.parseLong(m.group(2));
        if (from >= to || to > limit) {
            throw new BadRequestResponse(param + " " + text + " is not a non-empty range within 0:" + limit);
        }
        if (to - from > MAX_SIDE) {
            throw new BadRequestResponse(param + " " + text + " spans " + (to - from) + "; at most " + MAX_SIDE + " per request");
        }
        return new long[] {from, to};
    }

    private static long longParam(Context ctx, String name, long fallback, long min, long max) {
        String text = ctx.queryParam(name);
        if (text == null || text.isBlank()) return fallback;
        try {
            long value = Long.parseLong(text.trim());
            if (value >= min && value <= max) return value;
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new BadRequestResponse(name + " must be a whole number from " + min + " to " + max + ", found \"" + text + "\"");
    }

    private static int intParam(Context ctx, String name, int fallback, int min, int max) {
        return (int) longParam(ctx, name, fallback, min, max);
    }

    static Summary summary(ModelEntry e) {
        Map<String, String> levels = new LinkedHashMap<>(), reasons = new LinkedHashMap<>();
        for (Openness.Part part : Openness.Part.values()) {
            String key = part.name().toLowerCase(Locale.ROOT);
            levels.put(key, e.openness().levels().get(part).name().toLowerCase(Locale.ROOT));
            reasons.put(key, e.openness().reasons().get(part));
        }
        return new Summary(e.id(), e.name(), e.family(), e.parameters(), e.card().license(), e.source(), levels, reasons,
                e.openness().licenceType().name().toLowerCase(Locale.ROOT));
    }

    static List<Budget> budget(ModelFile file) {
        ParameterBudget budget = ParameterBudget.of(file);
        List<Budget> out = new ArrayList<>();
        for (Component c : Component.values()) {
            if (c != Component.OTHER || budget.count(c) > 0) out.add(new Budget(c.label(), budget.count(c)));
        }
        return out;
    }

    static TensorInfo info(Tensor t, boolean vocabulary) {
        Matcher m = LAYER.matcher(t.name());
        String group = m.find() ? "layer " + m.group(1) : Component.of(t.name()).label();
        return new TensorInfo(t.name(), t.dtype().name(), t.shape().dims(), t.byteSize(), Component.of(t.name()).label(), group,
                t.dtype().isQuantized(), vocabulary);
    }
}
