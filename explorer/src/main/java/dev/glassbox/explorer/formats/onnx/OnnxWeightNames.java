package dev.glassbox.explorer.formats.onnx;

import dev.glassbox.explorer.formats.Graph;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Names the anonymous weights of a PyTorch ONNX export by tracing the graph. The exporter keeps a
 * parameter's name when the graph uses it as is, but a {@code Linear} weight is transposed at export and
 * becomes an anonymous constant such as {@code onnx::MatMul_885}. The node that reads it still carries
 * the module path in its name:
 * <pre>
 * node /encoder/layer.0/attention/self/query/MatMul  (MatMul, inputs [x, onnx::MatMul_885])
 *   -> module encoder.layer.0.attention.self.query, input 1 of a MatMul is its weight
 *   -> encoder.layer.0.attention.self.query.weight, stored [in, out]
 * </pre>
 * The role comes from the operator and the input's position (MatMul/Gemm input 1 and Mul/Gather input 0
 * are weights, Add and Gemm input 2 are biases). A name that would collide with another initializer is
 * not used. Separately, every MatMul right operand, and every Gemm right operand without {@code transB},
 * is marked as stored [in, out], named or not.
 */
public final class OnnxWeightNames {
    /** The prefix the PyTorch exporter gives values that have no name of their own. */
    public static final String ANONYMOUS = "onnx::";

    private OnnxWeightNames() {}

    /** For each initializer name, the name to show and its layout; names that need no change map to themselves. */
    public static Map<String, WeightName> resolve(Graph graph, Collection<String> initializers) {
        Set<String> taken = new HashSet<>(initializers);
        Map<String, Graph.Node> firstReader = new HashMap<>();
        Map<String, Integer> readAs = new HashMap<>();
        Set<String> inOut = new HashSet<>();
        for (Graph.Node node : graph.nodes()) {
            for (int i = 0; i < node.inputs().size(); i++) {
                String input = node.inputs().get(i);
                if (!firstReader.containsKey(input)) {
                    firstReader.put(input, node);
                    readAs.put(input, i);
                }
                if (i == 1 && storesInOut(node)) inOut.add(input);
            }
        }
        Map<String, WeightName> names = new LinkedHashMap<>();
        for (String initializer : initializers) {
            String name = initializer;
            Graph.Node reader = firstReader.get(initializer);
            if (initializer.startsWith(ANONYMOUS) && reader != null) {
                String module = modulePath(reader.name());
                String role = role(reader.opType(), readAs.get(initializer));
                if (module != null && role != null && !taken.contains(module + "." + role)) {
                    name = module + "." + role;
                    taken.add(name);
                }
            }
            names.put(initializer, new WeightName(name, inOut.contains(initializer)));
        }
        return names;
    }

    /** "/encoder/layer.0/attention/self/query/MatMul" -> "encoder.layer.0.attention.self.query"; null if not a path. */
    static String modulePath(String nodeName) {
        if (!nodeName.startsWith("/")) return null;
        int last = nodeName.lastIndexOf('/');
        if (last <= 0) return null;
        String path = nodeName.substring(1, last);
        if (path.isEmpty() || path.contains("//")) return null;
        return path.replace('/', '.');
    }

    /** What an input at {@code position} of an {@code opType} node is to its module: weight, bias or unknown. */
    static String role(String opType, int position) {
        return switch (opType) {
            case "MatMul", "Conv", "ConvTranspose" -> position == 1 ? "weight" : position == 2 ? "bias" : null;
            case "Gemm" -> position == 1 ? "weight" : position == 2 ? "bias" : null;
            case "Mul", "Gather" -> position == 0 || position == 1 ? "weight" : null;
            case "Add" -> position == 0 || position == 1 ? "bias" : null;
            default -> null;
        };
    }

    /** MatMul computes x @ B, so B is [in, out]; Gemm computes x @ B' with B' = transB ? B^T : B. */
    private static boolean storesInOut(Graph.Node node) {
        return switch (node.opType()) {
            case "MatMul" -> true;
            case "Gemm" -> !(node.attributes().get("transB") instanceof Long transB) || transB == 0;
            default -> false;
        };
    }
}
