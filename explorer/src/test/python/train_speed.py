#!/usr/bin/env python3
"""Training speed of a Llama-style decoder in PyTorch on the CPU, the other side of Glassbox's training benchmark.

The model is the one of torch_fixtures.py (written by hand, no `transformers`: RMSNorm, RoPE with pairs
(j, j + d_head/2), grouped-query attention with a causal mask, SwiGLU MLP or none, an untied head, mean
cross-entropy) but in float32, and one training step is what Glassbox's Trainer does: forward, backward, global
gradient-norm clipping to 1.0, AdamW (betas 0.9 / 0.95, eps 1e-8, weight decay 0.1 on the matrices only, not on
the norm gains nor the embedding table). The RoPE cos/sin table and the causal mask are built once, as Glassbox
builds its RoPE table once. Tokens are random (the cost of a step does not depend on their values).

Debian's python3-torch calls whatever `libblas.so.3` the system provides; the reference BLAS it comes with runs a
matmul at a few GFLOP/s, so install OpenBLAS first (`apt-get install libopenblas0-pthread`) or PyTorch is
measured at a tenth of its speed. The JSON says which library was loaded ("blas").

Usage (one thread unless --threads):
  python3 explorer/src/test/python/train_speed.py --vocab 1024 --d 192 --layers 4 --heads 6 --kv-heads 3 \
      --mlp 512 --batch 8 --seq 256 [--seconds 3]
prints one JSON line: {"tokens_per_s": median over the timed steps, "steps": n, "torch_version": ...}.
With --serve it warms up, prints {"ready": true, ...} and then, for each line "run SECONDS" on stdin, times
steps for that long and prints one JSON line; TrainingVsTorchBenchmark drives it that way, so both sides
alternate in one run.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")   # read when torch loads the BLAS; set_num_threads may not reach it
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch
import torch.nn.functional as F


def parameters(a, gen):
    """Hugging Face name -> float32 parameter, N(0, 0.02^2) matrices, norm gains 1 (Glassbox's initialisation)."""
    d, dh = a.d, a.d // a.heads
    kv = a.kv_heads * dh
    shapes = {"model.embed_tokens.weight": (a.vocab, d)}
    for i in range(a.layers):
        p = f"model.layers.{i}."
        shapes[p + "input_layernorm.weight"] = (d,)
        shapes[p + "self_attn.q_proj.weight"] = (d, d)
        shapes[p + "self_attn.k_proj.weight"] = (kv, d)
        shapes[p + "self_attn.v_proj.weight"] = (kv, d)
        shapes[p + "self_attn.o_proj.weight"] = (d, d)
        if a.mlp > 0:
            shapes[p + "post_attention_layernorm.weight"] = (d,)
            shapes[p + "mlp.gate_proj.weight"] = (a.mlp, d)
            shapes[p + "mlp.up_proj.weight"] = (a.mlp, d)
            shapes[p + "mlp.down_proj.weight"] = (d, a.mlp)
    shapes["model.norm.weight"] = (d,)
    shapes["lm_head.weight"] = (a.vocab, d)
    w = {}
    for name, shape in shapes.items():
        t = torch.ones(shape) if len(shape) == 1 else 0.02 * torch.randn(shape, generator=gen)
        w[name] = torch.nn.Parameter(t.to(torch.float32))
    return w


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_table(t, dh, theta):
    """cos and sin (t, dh) of the angles position * theta^(-2j/dh), each half repeated."""
    inv_freq = 1.0 / theta ** (torch.arange(0, dh, 2, dtype=torch.float64) / dh)
    angles = torch.outer(torch.arange(t, dtype=torch.float64), inv_freq)
    emb = torch.cat((angles, angles), dim=-1)
    return emb.cos().to(torch.float32), emb.sin().to(torch.float32)


def forward(a, w, tokens, cos, sin, causal):
    """tokens (b, t) -> logits (b, t, vocab)."""
    b, t = tokens.shape
    heads, kv_heads, dh = a.heads, a.kv_heads, a.d // a.heads
    x = w["model.embed_tokens.weight"][tokens]                                       # (b, t, d)
    for i in range(a.layers):
        p = f"model.layers.{i}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], 1e-5)
        q = (h @ w[p + "self_attn.q_proj.weight"].T).view(b, t, heads, dh).transpose(1, 2)      # (b, heads, t, dh)
        k = (h @ w[p + "self_attn.k_proj.weight"].T).view(b, t, kv_heads, dh).transpose(1, 2)   # (b, kv, t, dh)
        v = (h @ w[p + "self_attn.v_proj.weight"].T).view(b, t, kv_heads, dh).transpose(1, 2)   # (b, kv, t, dh)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(heads // kv_heads, dim=1)
        v = v.repeat_interleave(heads // kv_heads, dim=1)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(dh)                           # (b, heads, t, t)
        scores = scores.masked_fill(~causal, float("-inf"))
        z = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, a.d)              # (b, t, d)
        x = x + z @ w[p + "self_attn.o_proj.weight"].T
        if a.mlp > 0:
            h = rms_norm(x, w[p + "post_attention_layernorm.weight"], 1e-5)
            x = x + (F.silu(h @ w[p + "mlp.gate_proj.weight"].T) * (h @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], 1e-5)
    return x @ w["lm_head.weight"].T


def blas():
    """The BLAS shared library this process loaded (from /proc/self/maps), or "unknown"."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if "blas" in os.path.basename(path):
                    return path
    except OSError:
        pass
    return "unknown"


class Run:
    def __init__(self, a):
        self.a = a
        gen = torch.Generator().manual_seed(1)
        self.w = parameters(a, gen)
        decay = [p for n, p in self.w.items() if p.dim() == 2 and n != "model.embed_tokens.weight"]
        other = [p for n, p in self.w.items() if not (p.dim() == 2 and n != "model.embed_tokens.weight")]
        self.optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}],
                                           lr=1e-3, betas=(0.9, 0.95), eps=1e-8)
        self.cos, self.sin = rope_table(a.seq, a.d // a.heads, 10000.0)
        self.causal = torch.ones(a.seq, a.seq, dtype=torch.bool).tril()
        self.gen = gen

    def step(self):
        """One whole step; returns its tokens per second."""
        a = self.a
        seqs = torch.randint(0, a.vocab, (a.batch, a.seq + 1), generator=self.gen)
        tokens, targets = seqs[:, :-1], seqs[:, 1:]
        start = time.perf_counter()
        self.optimizer.zero_grad(set_to_none=True)
        logits = forward(a, self.w, tokens, self.cos, self.sin, self.causal)
        loss = F.cross_entropy(logits.reshape(-1, a.vocab), targets.reshape(-1), ignore_index=-1)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(self.w.values()), 1.0)
        self.optimizer.step()
        return a.batch * a.seq / (time.perf_counter() - start)

    def timed(self, seconds, min_steps=3):
        rates, start = [], time.perf_counter()
        while len(rates) < min_steps or time.perf_counter() - start < seconds:
            rates.append(self.step())
        return {"tokens_per_s": statistics.median(rates), "steps": len(rates),
                "min": min(rates), "max": max(rates), "torch_version": torch.__version__,
                "threads": torch.get_num_threads(), "blas": blas()}


def main():
    p = argparse.ArgumentParser()
    for name in ("vocab", "d", "layers", "heads", "kv-heads", "mlp", "batch", "seq"):
        p.add_argument("--" + name, type=int, required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--warmup-seconds", type=float, default=2.0)
    p.add_argument("--serve", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    run = Run(a)
    run.timed(a.warmup_seconds)
    if not a.serve:
        print(json.dumps(run.timed(a.seconds)), flush=True)
        return
    print(json.dumps({"ready": True, "torch_version": torch.__version__,
                      "parameters": sum(t.numel() for t in run.w.values())}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] != "run" or len(words) != 2:
            sys.exit(f"'run SECONDS' expected, found {line.strip()!r}")
        print(json.dumps(run.timed(float(words[1]))), flush=True)


if __name__ == "__main__":
    main()
