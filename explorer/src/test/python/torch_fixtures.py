#!/usr/bin/env python3
"""PyTorch as an outside oracle for Glassbox's training code.

Builds a Llama-style decoder by hand in PyTorch (no `transformers`), in float64, for two small
configurations, and writes what one training step sees: the weights, a batch, the loss and the gradient
of the loss with respect to every weight. Glassbox's tests compare their own loss and gradients with these
files, so CI needs the committed files only, never PyTorch.

Written to explorer/src/test/resources/training/torch/, for each configuration NAME
(`llama-tiny`, `attn-only`):
  NAME.config.json          Hugging Face config.json keys (model_type llama)
  NAME.weights.safetensors  F32 weights under Hugging Face names, nn.Linear layout [out, in]
  NAME.batch.json           {"tokens": [[...]], "targets": [[...]]}; target -1 = ignored
  NAME.grads.safetensors    the float64 gradients of the loss, same names and shapes, stored as F32
  NAME.loss.json            {"loss": float64, "torch_version": "..."}
  NAME.logits.json          {"logits": [[...]]}: float64 logits (seq, vocab) of the first sequence

The model (each step as Hugging Face's LlamaForCausalLM computes it):
  x = embed[tokens]
  per block:  h = rmsnorm(x) ; q, k, v = h Wq^T, h Wk^T, h Wv^T ; RoPE on q and k, pairs (j, j + d_head/2),
              inv_freq_j = theta^(-2j/d_head), positions 0..T-1 ; key/value heads repeated for the query
              heads sharing them ; softmax(q k^T / sqrt(d_head) + causal mask) v ; x += o_proj(z)
              if intermediate_size > 0:  x += down(silu(gate(rmsnorm(x))) * up(rmsnorm(x)))
  logits = rmsnorm(x) W_head^T   (W_head = the embedding table when tie_word_embeddings)
  loss = mean cross-entropy over every position of the batch whose target is not -1
  rmsnorm(x) = x * rsqrt(mean(x^2) + eps) * w

The weights are drawn as float32 and the model runs in float64 on exactly those values, so a Java test that
reads the F32 file starts from the numbers PyTorch used. The script also checks autograd against central
finite differences on a few entries of every tensor and stops if they disagree.

Rerun from the repository root with Debian's Python and PyTorch (apt-get install python3-torch):
  python3 explorer/src/test/python/torch_fixtures.py
"""

import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "training", "torch")

CONFIGS = {
    "llama-tiny": dict(vocab_size=37, hidden_size=24, num_hidden_layers=2, num_attention_heads=4,
                       num_key_value_heads=2, intermediate_size=40, rms_norm_eps=1e-5, rope_theta=10000.0,
                       tie_word_embeddings=False, max_position_embeddings=16, batch=2, seq=7, seed=1013),
    "attn-only": dict(vocab_size=29, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                      num_key_value_heads=2, intermediate_size=0, rms_norm_eps=1e-5, rope_theta=10000.0,
                      tie_word_embeddings=True, max_position_embeddings=16, batch=3, seq=9, seed=2029),
}

MATRIX_STD = 0.3     # large enough that gradients are far from float32 round-off
NORM_STD = 0.1       # norm weights are 1 + NORM_STD * normal


# ---------------------------------------------------------------- weights and data

def weight_shapes(c):
    """Hugging Face name -> shape, in the order the files list them."""
    d, v, ff = c["hidden_size"], c["vocab_size"], c["intermediate_size"]
    dh = d // c["num_attention_heads"]
    kv = c["num_key_value_heads"] * dh
    shapes = {"model.embed_tokens.weight": (v, d)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        shapes[p + "input_layernorm.weight"] = (d,)
        shapes[p + "self_attn.q_proj.weight"] = (d, d)
        shapes[p + "self_attn.k_proj.weight"] = (kv, d)
        shapes[p + "self_attn.v_proj.weight"] = (kv, d)
        shapes[p + "self_attn.o_proj.weight"] = (d, d)
        if ff > 0:
            shapes[p + "post_attention_layernorm.weight"] = (d,)
            shapes[p + "mlp.gate_proj.weight"] = (ff, d)
            shapes[p + "mlp.up_proj.weight"] = (ff, d)
            shapes[p + "mlp.down_proj.weight"] = (d, ff)
    shapes["model.norm.weight"] = (d,)
    if not c["tie_word_embeddings"]:
        shapes["lm_head.weight"] = (v, d)
    return shapes


def make_weights(c, gen):
    """float32 draws, held as float64 leaves that require gradients."""
    weights = {}
    for name, shape in weight_shapes(c).items():
        if len(shape) == 1:
            w = 1.0 + NORM_STD * torch.randn(shape, generator=gen, dtype=torch.float32)
        else:
            w = MATRIX_STD * torch.randn(shape, generator=gen, dtype=torch.float32)
        weights[name] = w.to(torch.float32).to(torch.float64).requires_grad_(True)
    return weights


def make_batch(c, gen):
    """Random sequences; each target is the next token, the last position and a few others are ignored (-1)."""
    b, t, v = c["batch"], c["seq"], c["vocab_size"]
    seqs = torch.randint(0, v, (b, t + 1), generator=gen)
    tokens = seqs[:, :t].clone()
    targets = seqs[:, 1:].clone()
    targets[:, t - 1] = -1                       # nothing follows the last token of the window
    for row in range(b):                         # one more ignored position per row, somewhere inside
        targets[row, int(torch.randint(0, t - 1, (1,), generator=gen))] = -1
    return tokens, targets


# ---------------------------------------------------------------- the model

def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope(x, theta):
    """x (b, heads, t, dh) rotated by position, Hugging Face pairing (j, j + dh/2)."""
    t, dh = x.shape[-2], x.shape[-1]
    inv_freq = 1.0 / theta ** (torch.arange(0, dh, 2, dtype=torch.float64) / dh)     # (dh/2,)
    angles = torch.outer(torch.arange(t, dtype=torch.float64), inv_freq)             # (t, dh/2)
    emb = torch.cat((angles, angles), dim=-1)                                        # (t, dh)
    return x * emb.cos() + rotate_half(x) * emb.sin()


def forward(c, w, tokens):
    """tokens (b, t) -> logits (b, t, vocab), all float64."""
    b, t = tokens.shape
    d, heads, kv_heads = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    dh, eps, theta = d // heads, c["rms_norm_eps"], c["rope_theta"]
    causal = torch.ones(t, t, dtype=torch.bool).tril()                               # (t, t) key <= query

    x = w["model.embed_tokens.weight"][tokens]                                       # (b, t, d)
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = (h @ w[p + "self_attn.q_proj.weight"].T).view(b, t, heads, dh).transpose(1, 2)      # (b, heads, t, dh)
        k = (h @ w[p + "self_attn.k_proj.weight"].T).view(b, t, kv_heads, dh).transpose(1, 2)   # (b, kv, t, dh)
        v = (h @ w[p + "self_attn.v_proj.weight"].T).view(b, t, kv_heads, dh).transpose(1, 2)   # (b, kv, t, dh)
        q, k = rope(q, theta), rope(k, theta)
        k = k.repeat_interleave(heads // kv_heads, dim=1)                            # query head j reads kv head j // group
        v = v.repeat_interleave(heads // kv_heads, dim=1)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(dh)                           # (b, heads, t, t)
        scores = scores.masked_fill(~causal, float("-inf"))
        z = scores.softmax(-1) @ v                                                   # (b, heads, t, dh)
        z = z.transpose(1, 2).reshape(b, t, d)
        x = x + z @ w[p + "self_attn.o_proj.weight"].T
        if c["intermediate_size"] > 0:
            h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
            gate = F.silu(h @ w[p + "mlp.gate_proj.weight"].T)
            up = h @ w[p + "mlp.up_proj.weight"].T
            x = x + (gate * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def loss_of(c, w, tokens, targets):
    logits = forward(c, w, tokens)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-1)


# ---------------------------------------------------------------- checks and files

def finite_difference_check(c, w, tokens, targets, gen, random_entries=2, h=1e-5):
    """
    Central differences against autograd on the largest-gradient entry and a few random entries of every
    tensor; returns the worst relative error. With h = 1e-5 the truncation error (~h^2) and the round-off of
    a float64 loss divided by 2h (~1e-16 / h) both stay near 1e-11 in absolute terms.
    """
    worst = 0.0
    with torch.no_grad():
        for name, p in w.items():
            flat = p.view(-1)
            largest = int(p.grad.view(-1).abs().argmax())
            picks = [largest] + [int(torch.randint(0, flat.numel(), (1,), generator=gen)) for _ in range(random_entries)]
            for j in picks:
                keep = flat[j].item()
                flat[j] = keep + h
                plus = loss_of(c, w, tokens, targets).item()
                flat[j] = keep - h
                minus = loss_of(c, w, tokens, targets).item()
                flat[j] = keep
                numeric = (plus - minus) / (2 * h)
                analytic = p.grad.view(-1)[j].item()
                rel = abs(numeric - analytic) / max(abs(numeric), abs(analytic), 1e-8)
                worst = max(worst, rel)
                print(f"  {name}[{j}]  autograd {analytic:+.10e}  finite difference {numeric:+.10e}  rel {rel:.2e}")
    return worst


def write_safetensors(path, tensors):
    """name -> tensor, stored as little-endian F32 in the given order, with a space-padded JSON header."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        values = t.detach().to(torch.float32).contiguous().view(-1).tolist()
        blob = struct.pack(f"<{len(values)}f", *values)
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)                                                  # data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def write_json(path, value):
    """A flat object, one key per line; a list of lists as one row per line."""
    lines = []
    for key, v in value.items():
        if isinstance(v, list) and v and isinstance(v[0], list):
            rows = ",\n  ".join(json.dumps(row) for row in v)
            lines.append(f" {json.dumps(key)}: [\n  {rows}\n ]")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(v)}")
    with open(path, "w") as f:
        f.write("{\n" + ",\n".join(lines) + "\n}\n")


def hf_config(c):
    keys = ["vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
            "intermediate_size", "rms_norm_eps", "rope_theta", "tie_word_embeddings", "max_position_embeddings"]
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu",
              "torch_dtype": "float32"}
    config.update({k: c[k] for k in keys})
    return config


def build(name, c):
    gen = torch.Generator().manual_seed(c["seed"])
    w = make_weights(c, gen)
    tokens, targets = make_batch(c, gen)

    loss = loss_of(c, w, tokens, targets)
    loss.backward()
    with torch.no_grad():
        logits = forward(c, w, tokens[:1])[0]                                        # (t, vocab), first sequence

    print(f"{name}: loss {loss.item():.17g}, {sum(p.numel() for p in w.values())} parameters; finite differences:")
    worst = finite_difference_check(c, w, tokens, targets, gen)
    print(f"{name}: worst relative error of autograd against finite differences {worst:.2e}")
    if worst > 1e-6:
        sys.exit(f"{name}: autograd and finite differences disagree ({worst:.2e} > 1e-6)")

    base = os.path.join(OUT, name)
    write_json(base + ".config.json", hf_config(c))
    write_safetensors(base + ".weights.safetensors", w)
    write_json(base + ".batch.json", {"tokens": tokens.tolist(), "targets": targets.tolist()})
    write_safetensors(base + ".grads.safetensors", {n: p.grad for n, p in w.items()})
    write_json(base + ".loss.json", {"loss": loss.item(), "torch_version": torch.__version__})
    write_json(base + ".logits.json", {"logits": logits.tolist()})


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    for name, c in CONFIGS.items():
        build(name, c)
    print("written to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
