package dev.glassbox.notebook;

import dev.glassbox.notebook.protocol.Output;
import dev.glassbox.notebook.runtime.Channel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rich output for notebook cells: {@code Display.table(...)}, {@code Display.heatmap(...)},
 * {@code Display.bars(...)}. Each call sends one display_data output carrying a Glassbox MIME type
 * and a plain-text fallback. Outside a kernel the fallback is printed.
 */
public final class Display {
    public static final String TABLE = "application/vnd.glassbox.table+json";
    public static final String HEATMAP = "application/vnd.glassbox.heatmap+json";
    public static final String BARS = "application/vnd.glassbox.bars+json";

    /** Largest matrix a heatmap takes (cells); larger ones should be sliced first. */
    public static final int MAX_HEATMAP_CELLS = 1 << 20;
    private static final int MAX_TABLE_CELLS = 20_000;

    private Display() {}

    /** Shows plain text. */
    public static void text(String text) {
        show(Map.of("text/plain", String.valueOf(text)));
    }

    /** Shows a table; each row has one value per column. */
    public static void table(String[] columns, Object[][] rows) {
        if (columns == null || rows == null) throw new IllegalArgumentException("table needs columns and rows, got null");
        if ((long) columns.length * rows.length > MAX_TABLE_CELLS) {
            throw new IllegalArgumentException("table has " + columns.length * (long) rows.length
                    + " cells; at most " + MAX_TABLE_CELLS + " can be shown");
        }
        List<List<Object>> body = new ArrayList<>();
        for (int r = 0; r < rows.length; r++) {
            if (rows[r] == null || rows[r].length != columns.length) {
                throw new IllegalArgumentException("row " + r + " has " + (rows[r] == null ? 0 : rows[r].length)
                        + " values; expected " + columns.length + " (one per column)");
            }
            List<Object> row = new ArrayList<>();
            for (Object v : rows[r]) row.add(v instanceof Number || v instanceof Boolean || v == null ? v : String.valueOf(v));
            body.add(row);
        }
        StringBuilder plain = new StringBuilder(String.join("\t", columns));
        for (List<Object> row : body) plain.append('\n').append(String.join("\t", row.stream().map(String::valueOf).toList()));
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("columns", List.of(columns));
        table.put("rows", body);
        show(Map.of(TABLE, table, "text/plain", plain.toString()));
    }

    /** Shows a matrix as a heatmap; rows may not be ragged. */
    public static void heatmap(String title, float[][] values) {
        if (values == null || values.length == 0) throw new IllegalArgumentException("heatmap needs at least one row");
        int cols = values[0].length;
        float[] flat = new float[values.length * cols];
        for (int r = 0; r < values.length; r++) {
            if (values[r].length != cols) {
                throw new IllegalArgumentException("row " + r + " has " + values[r].length + " values; expected " + cols);
            }
            System.arraycopy(values[r], 0, flat, r * cols, cols);
        }
        heatmap(title, flat, values.length, cols);
    }

    /** Shows a row-major {@code (rows, cols)} matrix as a heatmap. */
    public static void heatmap(String title, float[] data, int rows, int cols) {
        heatmap(title, data, rows, cols, null, null);
    }

    /**
     * Shows a matrix as a heatmap with a label per row and per column, e.g. the tokens of an attention
     * pattern (queries down, keys across). Labels are shown as text, never as markup.
     */
    public static void heatmap(String title, float[][] values, String[] rowLabels, String[] colLabels) {
        if (values == null || values.length == 0) throw new IllegalArgumentException("heatmap needs at least one row");
        int cols = values[0].length;
        float[] flat = new float[values.length * cols];
        for (int r = 0; r < values.length; r++) {
            if (values[r].length != cols) {
                throw new IllegalArgumentException("row " + r + " has " + values[r].length + " values; expected " + cols);
            }
            System.arraycopy(values[r], 0, flat, r * cols, cols);
        }
        heatmap(title, flat, values.length, cols, rowLabels, colLabels);
    }

    /** A row-major {@code (rows, cols)} heatmap with optional (null) row and column labels. */
    public static void heatmap(String title, float[] data, int rows, int cols, String[] rowLabels, String[] colLabels) {
        if (rowLabels != null && rowLabels.length != rows) {
            throw new IllegalArgumentException(rowLabels.length + " row labels for " + rows + " rows; expected one per row");
        }
        if (colLabels != null && colLabels.length != cols) {
            throw new IllegalArgumentException(colLabels.length + " column labels for " + cols + " columns; expected one per column");
        }
        if (rows <= 0 || cols <= 0 || (long) rows * cols != data.length) {
            throw new IllegalArgumentException("heatmap of " + rows + " x " + cols + " needs " + (long) rows * cols
                    + " values, got " + data.length);
        }
        if (data.length > MAX_HEATMAP_CELLS) {
            throw new IllegalArgumentException("heatmap has " + data.length + " cells; at most " + MAX_HEATMAP_CELLS
                    + " can be shown: slice the matrix first");
        }
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        List<Object> values = new ArrayList<>(data.length);
        for (float v : data) {
            if (Float.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                values.add(v);
            } else {
                values.add(null);                          // JSON has no NaN or infinity
            }
        }
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("title", title == null ? "" : title);
        map.put("rows", rows);
        map.put("cols", cols);
        map.put("min", Float.isFinite(min) ? min : 0);
        map.put("max", Float.isFinite(max) ? max : 0);
        map.put("data", values);
        if (rowLabels != null) map.put("rowLabels", java.util.Arrays.asList(rowLabels));
        if (colLabels != null) map.put("colLabels", java.util.Arrays.asList(colLabels));
        show(Map.of(HEATMAP, map, "text/plain", "heatmap " + (title == null ? "" : title) + " (" + rows + " x " + cols
                + "), values in [" + min + ", " + max + "]"));
    }

    /** Shows a horizontal bar chart, one bar per label. */
    public static void bars(String title, String[] labels, double[] values) {
        if (labels.length != values.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + values.length + " values; expected one value per label");
        }
        StringBuilder plain = new StringBuilder(title == null ? "" : title);
        List<Object> numbers = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            numbers.add(Double.isFinite(values[i]) ? values[i] : null);
            plain.append('\n').append(labels[i]).append(": ").append(values[i]);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("title", title == null ? "" : title);
        map.put("labels", Arrays.asList(labels));
        map.put("values", numbers);
        show(Map.of(BARS, map, "text/plain", plain.toString()));
    }

    private static void show(Map<String, Object> data) {
        Channel channel = Channel.current();
        if (channel == null) {
            System.out.println(data.get("text/plain"));
        } else {
            channel.display(new Output.DisplayData(data));
        }
    }
}
