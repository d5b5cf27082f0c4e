package dev.glassbox.explorer.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.glassbox.explorer.MiniLm;

import java.util.Map;

/** The all-MiniLM-L6-v2 ONNX file run by ONNX Runtime: the reference Glassbox's BERT is held to. */
public final class OnnxRuntimeMiniLm implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    /** A session on {@code threads} intra-op threads, all graph optimizations on (its fastest). */
    public OnnxRuntimeMiniLm(int threads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        session = env.createSession(MiniLm.onnx().toString(), options);
    }

    /** tokens (s,) -> last hidden state (s, 384), one sentence, no padding. */
    public float[][] lastHiddenState(int[] tokens) throws OrtException {
        long[][] ids = new long[1][tokens.length], mask = new long[1][tokens.length], types = new long[1][tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            ids[0][i] = tokens[i];
            mask[0][i] = 1;
        }
        try (OnnxTensor a = OnnxTensor.createTensor(env, ids);
             OnnxTensor b = OnnxTensor.createTensor(env, mask);
             OnnxTensor c = OnnxTensor.createTensor(env, types);
             OrtSession.Result result = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
            return ((float[][][]) result.get(0).getValue())[0];
        }
    }

    @Override public void close() throws OrtException { session.close(); }
}
