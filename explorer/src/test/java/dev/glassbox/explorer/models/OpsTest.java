package dev.glassbox.explorer.models;

import dev.glassbox.explorer.MiniLm;
import dev.glassbox.explorer.models.TinyCheckpoints.Gpt2Spec;
import dev.glassbox.explorer.models.TinyCheckpoints.LlamaSpec;
import dev.glassbox.explorer.tokenizers.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every numeric operation of every forward pass goes through {@link Ops}: counted per operation against what the
 * architecture says a pass must do, and checked in the bytecode, so that {@link Ops#SCALAR} is truly scalar and a
 * learner's own {@code Ops} sees everything.
 */
class OpsTest {
    @TempDir Path dir;

    /** An Ops that runs the scalar twins and counts each operation by name. */
    static final class Counting {
        final Map<String, Integer> calls = new TreeMap<>();
        final Ops ops = (Ops) Proxy.newProxyInstance(Ops.class.getClassLoader(), new Class<?>[] {Ops.class}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) return method.invoke(this, args);
            calls.merge(method.getName(), 1, Integer::sum);
            try {
                return method.invoke(Ops.SCALAR, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void aLlamaPassDoesEachOperationAsOftenAsItsArchitectureSays() throws IOException {
        Decoder llama = Llama.load(TinyCheckpoints.llama(dir, LlamaSpec.DEFAULT));
        int n = llama.architecture().layers();
        Counting counting = new Counting();
        float[] counted = llama.run(new int[] {3, 4, 5}, Hooks.none(), counting.ops).values();
        // per block: 2 RMSNorms, q k v o and gate up down, q and k rotated, 2 residual adds, SwiGLU's silu and product
        assertEquals(Map.of("rmsNorm", 2 * n + 1, "matmul", 7 * n + 1, "rope", 2 * n, "attentionScores", n, "softmaxRows", n,
                "attentionValues", n, "add", 2 * n, "silu", n, "mul", n), counting.calls);
        assertArrayEquals(llama.run(new int[] {3, 4, 5}, Hooks.none(), Ops.SCALAR).values(), counted, "the counter only counts");

        Counting lens = new Counting();
        llama.unembed(new float[llama.architecture().dModel()], 1, lens.ops);
        assertEquals(Map.of("rmsNorm", 1, "matmul", 1), lens.calls, "the logit lens: final norm and unembedding");
    }

    @Test
    void aGpt2PassDoesEachOperationAsOftenAsItsArchitectureSays() throws IOException {
        Decoder gpt2 = Gpt2.load(TinyCheckpoints.gpt2(dir, Gpt2Spec.DEFAULT));
        int n = gpt2.architecture().layers();
        Counting counting = new Counting();
        gpt2.run(new int[] {3, 4, 5}, Hooks.none(), counting.ops);
        // the position add; per block: 2 LayerNorms, q k v o in out each a linear layer (with its bias), 2 residual adds, GELU (tanh form)
        assertEquals(Map.of("layerNorm", 2 * n + 1, "linear", 6 * n, "matmul", 1, "add", 2 * n + 1,
                "attentionScores", n, "softmaxRows", n, "attentionValues", n, "geluTanh", n), counting.calls);
        Counting lens = new Counting();
        gpt2.unembed(new float[gpt2.architecture().dModel()], 1, lens.ops);
        assertEquals(Map.of("layerNorm", 1, "matmul", 1), lens.calls);
    }

    @Test
    void aBertPassDoesEachOperationAsOftenAsItsArchitectureSays() throws IOException {
        try (Bert bert = Bert.load(MiniLm.onnx(), 12, 1e-12f, Tokenizer.fromFile(MiniLm.tokenizer()))) {
            int n = bert.architecture().layers();
            Counting counting = new Counting();
            bert.run(new int[] {101, 2054, 102}, Hooks.none(), counting.ops);
            // position add and token-type row, embedding LayerNorm; per block: q k v o in out as linear layers, 2 adds, 2 LayerNorms, GELU
            assertEquals(Map.of("layerNorm", 2 * n + 1, "linear", 6 * n, "addBias", 1, "add", 2 * n + 1,
                    "attentionScores", n, "softmaxRows", n, "attentionValues", n, "gelu", n), counting.calls);
        }
    }

    /** A learner who replaces only matmul (or only addBias) has it used by every linear layer, as lesson 100 does. */
    @Test
    void aLinearLayerUsesTheMatmulAndBiasOfTheLearnersOps() throws IOException {
        try (Bert bert = Bert.load(MiniLm.onnx(), 12, 1e-12f, Tokenizer.fromFile(MiniLm.tokenizer()))) {
            int n = bert.architecture().layers();
            int[] tokens = {101, 2054, 102};
            Map<String, Integer> calls = new TreeMap<>();
            Ops mine = new Ops() {
                @Override public void matmul(float[] out, float[] x, dev.glassbox.explorer.kernels.Matrix w, int m) {
                    calls.merge("matmul", 1, Integer::sum);
                    Ops.SCALAR.matmul(out, x, w, m);
                }
                @Override public void addBias(float[] x, float[] bias, int m, int d) {
                    calls.merge("addBias", 1, Integer::sum);
                    Ops.SCALAR.addBias(x, bias, m, d);
                }
            };
            float[] theirs = bert.run(tokens, Hooks.none(), mine).values();
            assertEquals(Map.of("matmul", 6 * n, "addBias", 6 * n + 1), calls);
            // the built-in linear layer adds each bias as its part of the product is done, and its matmul is the
            // scalar one's bit for bit: the same floats
            assertArrayEquals(bert.run(tokens, Hooks.none(), Ops.BUILT_IN).values(), theirs);
        }
    }

    /** The counts above cannot see a kernel called beside Ops; the bytecode can. */
    @Test
    void noForwardPassCallsAKernelExceptThroughOps() throws IOException {
        List<String> direct = new ArrayList<>();
        for (Class<?> family : List.of(Llama.class, Gpt2.class, Bert.class, Decoder.class, Transformer.class)) {
            ClassModel model;
            try (InputStream in = family.getResourceAsStream(family.getSimpleName() + ".class")) {
                model = ClassFile.of().parse(in.readAllBytes());
            }
            for (MethodModel method : model.methods()) {
                CodeModel code = method.code().orElse(null);
                if (code == null) continue;
                code.forEach(element -> {
                    if (element instanceof InvokeInstruction call
                            && call.owner().asInternalName().startsWith("dev/glassbox/explorer/kernels/")
                            && !call.owner().asInternalName().startsWith("dev/glassbox/explorer/kernels/Matrix")) {   // weights, not work
                        direct.add(family.getSimpleName() + "." + method.methodName() + " calls "
                                + call.owner().asInternalName() + "." + call.name());
                    }
                });
            }
        }
        assertEquals(List.of(), direct);
    }

    @Test
    void theScalarKernelsGiveTheSameModel() throws IOException {
        Decoder llama = Llama.load(TinyCheckpoints.llama(dir, LlamaSpec.DEFAULT));
        int[] tokens = {7, 8, 9, 10, 11, 12};
        assertTrue(HooksTest.maxDiff(llama.logits(tokens), llama.run(tokens, Hooks.none(), Ops.SCALAR).values()) < 1e-4);
        Ops broken = new Ops() {
            @Override public void softmaxRows(float[] x, int rows, int n) { Arrays.fill(x, 0, rows * n, 1f / n); }
        };
        assertTrue(HooksTest.maxDiff(llama.logits(tokens), llama.run(tokens, Hooks.none(), broken).values()) > 1e-3,
                "a replaced kernel is really used");
    }
}
