package dev.glassbox.explorer.formats;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A computation graph as a file stores it (ONNX): nodes in topological order, each reading and writing
 * named values; the graph's inputs and outputs are values with an element type and a shape.
 */
public record Graph(String name, List<Node> nodes, List<Value> inputs, List<Value> outputs) {
    public Graph {
        nodes = List.copyOf(nodes);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /**
     * One operation, e.g. {@code MatMul} named {@code /encoder/layer.0/attention/self/query/MatMul}
     * reading {@code [hidden, onnx::MatMul_885]}. An empty input name means an omitted optional input.
     * Attributes hold Long, Float, String or lists of them; tensor and graph attributes are shown by
     * kind only ({@code "<tensor>"}, {@code "<graph>"}).
     */
    public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                       Map<String, Object> attributes) {
        public Node {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
            attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        }
    }

    /**
     * A graph input or output: its element type (e.g. {@code FLOAT}, {@code INT64}) and its dimensions,
     * each a number or a symbolic name such as {@code batch_size}; empty when the file gives no shape.
     */
    public record Value(String name, String elementType, List<String> dims) {
        public Value {
            dims = List.copyOf(dims);
        }
    }
}
