package dev.glassbox.explorer.training;

import java.util.Arrays;
import java.util.Map;

/**
 * The loss of a Llama-style decoder in double precision, written plainly from the definitions (nothing shared with
 * the kernels): the reference that finite differences of the whole model are taken on.
 */
final class ReferenceLlama {
    private ReferenceLlama() {}

    /** Mean cross-entropy over targets != -1; weights by Hugging Face name, (out, in) matrices. */
    static double loss(LlamaConfig c, Map<String, double[]> w, int[] tokens, int[] targets, int batch, int s) {
        int d = c.dModel(), heads = c.heads(), kvHeads = c.kvHeads(), dh = c.dHead(), ff = c.dMlp(), vocab = c.vocab();
        double total = 0;
        int counted = 0;
        for (int b = 0; b < batch; b++) {
            double[][] x = new double[s][];
            for (int i = 0; i < s; i++) x[i] = Arrays.copyOfRange(w.get("model.embed_tokens.weight"), tokens[b * s + i] * d, (tokens[b * s + i] + 1) * d);
            for (int l = 0; l < c.layers(); l++) {
                String p = "model.layers." + l + ".";
                double[][] q = new double[s][], k = new double[s][], v = new double[s][];
                for (int i = 0; i < s; i++) {
                    double[] h = rmsNorm(x[i], w.get(p + "input_layernorm.weight"), c.rmsEps());
                    q[i] = rope(linear(h, w.get(p + "self_attn.q_proj.weight"), d), i, heads, dh, c.ropeTheta());
                    k[i] = rope(linear(h, w.get(p + "self_attn.k_proj.weight"), c.kvDim()), i, kvHeads, dh, c.ropeTheta());
                    v[i] = linear(h, w.get(p + "self_attn.v_proj.weight"), c.kvDim());
                }
                for (int i = 0; i < s; i++) {
                    double[] z = new double[d];
                    for (int hd = 0; hd < heads; hd++) {
                        int kv = hd / (heads / kvHeads);
                        double[] scores = new double[i + 1];
                        double max = Double.NEGATIVE_INFINITY, sum = 0;
                        for (int j = 0; j <= i; j++) {
                            double dot = 0;
                            for (int e = 0; e < dh; e++) dot += q[i][hd * dh + e] * k[j][kv * dh + e];
                            scores[j] = dot / Math.sqrt(dh);
                            max = Math.max(max, scores[j]);
                        }
                        for (int j = 0; j <= i; j++) sum += scores[j] = Math.exp(scores[j] - max);
                        for (int j = 0; j <= i; j++) {
                            for (int e = 0; e < dh; e++) z[hd * dh + e] += scores[j] / sum * v[j][kv * dh + e];
                        }
                    }
                    double[] o = linear(z, w.get(p + "self_attn.o_proj.weight"), d);
                    for (int e = 0; e < d; e++) o[e] += x[i][e];
                    x[i] = o;                                   // every later position reads k and v, computed above
                }
                if (ff == 0) continue;
                for (int i = 0; i < s; i++) {
                    double[] h = rmsNorm(x[i], w.get(p + "post_attention_layernorm.weight"), c.rmsEps());
                    double[] g = linear(h, w.get(p + "mlp.gate_proj.weight"), ff), u = linear(h, w.get(p + "mlp.up_proj.weight"), ff);
                    for (int e = 0; e < ff; e++) g[e] = g[e] / (1 + Math.exp(-g[e])) * u[e];
                    double[] out = linear(g, w.get(p + "mlp.down_proj.weight"), d);
                    for (int e = 0; e < d; e++) x[i][e] += out[e];
                }
            }
            double[] head = w.getOrDefault("lm_head.weight", w.get("model.embed_tokens.weight"));
            for (int i = 0; i < s; i++) {
                int target = targets[b * s + i];
                if (target < 0) continue;
                double[] logits = linear(rmsNorm(x[i], w.get("model.norm.weight"), c.rmsEps()), head, vocab);
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (double z : logits) max = Math.max(max, z);
                for (double z : logits) sum += Math.exp(z - max);
                total += Math.log(sum) + max - logits[target];
                counted++;
            }
        }
        return total / counted;
    }

    /** W (out, in) @ x (in,) -> (out,). */
    static double[] linear(double[] x, double[] w, int out) {
        int in = x.length;
        double[] y = new double[out];
        for (int j = 0; j < out; j++) {
            double sum = 0;
            for (int e = 0; e < in; e++) sum += w[j * in + e] * x[e];
            y[j] = sum;
        }
        return y;
    }

    static double[] rmsNorm(double[] x, double[] w, double eps) {
        double ss = 0;
        for (double v : x) ss += v * v;
        double f = 1 / Math.sqrt(ss / x.length + eps);
        double[] y = new double[x.length];
        for (int e = 0; e < x.length; e++) y[e] = x[e] * f * w[e];
        return y;
    }

    /** Hugging Face pairing: (j, j + dh/2) turned by position * theta^(-2j/dh). */
    static double[] rope(double[] x, int position, int heads, int dh, double theta) {
        double[] y = x.clone();
        int half = dh / 2;
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < half; j++) {
                double angle = position * Math.pow(theta, -2.0 * j / dh), c = Math.cos(angle), sn = Math.sin(angle);
                int a = h * dh + j, b = a + half;
                y[a] = x[a] * c - x[b] * sn;
                y[b] = x[b] * c + x[a] * sn;
            }
        }
        return y;
    }
}
