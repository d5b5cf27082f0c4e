"""
A PyTorch twin of induction-2l (two attention-only layers, RMSNorm, rotary embeddings, untied head) trained on the
same kind of data (48 symbols: a random period of 4 to 24 symbols drawn from 60, repeated to the end; only the
repeats scored), to tell whether an induction head forms. It found why Glassbox's first runs formed none: with a
vocabulary of 257 outputs of which 60 are ever seen, the twin forms no head either; with 60 outputs it forms both
heads (a previous-token head in layer 0, induction heads in layer 1) in about 300 steps. See docs/training.md.

    python3 induction_twin.py VOCAB STEPS [LR] [D_MODEL] [HEADS]      e.g.  60 600   or   257 600

Prints, every tenth of the run, the loss on the repeats, layer 0's attention to the previous position and
layer 1's attention to the position after the earlier occurrence of the query's symbol, per head.
"""
import math
import random
import sys
import time

import torch

torch.set_num_threads(1)
VOCAB, STEPS = int(sys.argv[1]), int(sys.argv[2])
LR = float(sys.argv[3]) if len(sys.argv) > 3 else 2e-3
D = int(sys.argv[4]) if len(sys.argv) > 4 else 64
HEADS = int(sys.argv[5]) if len(sys.argv) > 5 else 2
LENGTH, BATCH, SYMBOLS = 48, 32, 60
rng = random.Random(1)
torch.manual_seed(1)


def sequence():
    """(tokens, period): the period's symbols are ids 0..59, the rest of the vocabulary is never seen."""
    period = rng.randint(4, 24)
    tokens = [rng.randrange(SYMBOLS) for _ in range(period)]
    while len(tokens) < LENGTH:
        tokens.append(tokens[len(tokens) - period])
    return tokens, period


class Twin(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(VOCAB, D)
        self.qkv = torch.nn.ModuleList(torch.nn.Linear(D, 3 * D, bias=False) for _ in range(2))
        self.o = torch.nn.ModuleList(torch.nn.Linear(D, D, bias=False) for _ in range(2))
        self.gains = torch.nn.ParameterList(torch.nn.Parameter(torch.ones(D)) for _ in range(3))
        self.head = torch.nn.Linear(D, VOCAB, bias=False)
        for w in [self.embed.weight, self.head.weight] + [m.weight for m in self.qkv]:
            torch.nn.init.normal_(w, std=0.02)
        for m in self.o:
            torch.nn.init.normal_(m.weight, std=0.02 / math.sqrt(4))
        dh = D // HEADS
        angles = torch.arange(LENGTH).float()[:, None] * 10000.0 ** (-torch.arange(0, dh, 2).float() / dh)[None, :]
        self.cos, self.sin = angles.cos(), angles.sin()

    def rope(self, x):                                   # (b, heads, t, dh), pairs (j, j + dh/2)
        half = x.shape[-1] // 2
        a, b = x[..., :half], x[..., half:]
        return torch.cat([a * self.cos - b * self.sin, a * self.sin + b * self.cos], -1)

    @staticmethod
    def norm(x, gain):
        return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + 1e-5) * gain

    def forward(self, tokens):
        b = tokens.shape[0]
        x = self.embed(tokens)
        patterns = []
        for layer in range(2):
            q, k, v = self.qkv[layer](self.norm(x, self.gains[layer])).view(b, LENGTH, 3, HEADS, D // HEADS).permute(2, 0, 3, 1, 4)
            q, k = self.rope(q), self.rope(k)
            scores = (q @ k.transpose(-1, -2)) / math.sqrt(D // HEADS)
            pattern = scores.masked_fill(torch.triu(torch.ones(LENGTH, LENGTH, dtype=torch.bool), 1), float("-inf")).softmax(-1)
            patterns.append(pattern)
            x = x + self.o[layer]((pattern @ v).transpose(1, 2).reshape(b, LENGTH, D))
        return self.head(self.norm(x, self.gains[2])), patterns


model = Twin()
matrices = [p for p in model.parameters() if p.dim() == 2]
gains = [p for p in model.parameters() if p.dim() < 2]
optimiser = torch.optim.AdamW([{"params": matrices, "weight_decay": 0.1}, {"params": gains, "weight_decay": 0.0}],
                              lr=LR, betas=(0.9, 0.95))
start = time.time()
for step in range(1, STEPS + 1):
    batch = [sequence() for _ in range(BATCH)]
    tokens = torch.tensor([t for t, _ in batch])
    scored = torch.zeros(BATCH, LENGTH, dtype=torch.bool)
    for row, (_, period) in enumerate(batch):
        scored[row, period:LENGTH - 1] = True
    logits, patterns = model(tokens)
    loss = torch.nn.functional.cross_entropy(logits[scored], torch.roll(tokens, -1, 1)[scored])
    optimiser.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimiser.step()
    if step % max(1, STEPS // 10) == 0:
        with torch.no_grad():
            previous, induction, queries = torch.zeros(HEADS), torch.zeros(HEADS), 0
            for row, (seq, period) in enumerate(batch):
                for q in range(period, LENGTH - 1):
                    queries += 1
                    previous += patterns[0][row, :, q, q - 1]
                    for k in range(1, q + 1):
                        if seq[k - 1] == seq[q]:
                            induction += patterns[1][row, :, q, k]
        print(f"step {step}: loss on the repeats {loss.item():.3f}, layer-0 previous-token {[round(x, 2) for x in (previous / queries).tolist()]},"
              f" layer-1 induction {[round(x, 2) for x in (induction / queries).tolist()]}  ({time.time() - start:.0f} s)", flush=True)
