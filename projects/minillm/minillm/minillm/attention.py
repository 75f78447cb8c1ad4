"""Causal multi-head self-attention, written out step by step."""

import math

from .config import ModelConfig
from .utils import matmul, random_matrix, softmax

NEG_INF = float("-inf")


def causal_mask(seq_len: int):
    """mask[i][j] is True where query i may attend to key j (j <= i)."""
    return [[j <= i for j in range(seq_len)] for i in range(seq_len)]


class MultiHeadAttention:
    def __init__(self, config: ModelConfig, rng):
        self.config = config
        d = config.d_model
        # one fused projection for q, k and v: d_model -> 3 * d_model
        self.w_qkv = random_matrix(rng, d, 3 * d)
        self.w_out = random_matrix(rng, d, d)

    def split_heads(self, x):
        """(seq, d_model) -> n_heads lists of (seq, head_dim)."""
        hd = self.config.head_dim
        return [[row[h * hd:(h + 1) * hd] for row in x] for h in range(self.config.n_heads)]

    def __call__(self, x):
        seq_len = len(x)
        d = self.config.d_model
        qkv = matmul(x, self.w_qkv)
        q = [row[:d] for row in qkv]
        k = [row[d:2 * d] for row in qkv]
        v = [row[2 * d:] for row in qkv]
        mask = causal_mask(seq_len)
        scale = 1.0 / math.sqrt(self.config.head_dim)
        heads = []
        for qh, kh, vh in zip(self.split_heads(q), self.split_heads(k), self.split_heads(v)):
            scores = matmul(qh, list(map(list, zip(*kh))))
            # scaled dot-product; masked positions get -inf so softmax gives them 0
            scores = [
                [s * scale if mask[i][j] else NEG_INF for j, s in enumerate(row)]
                for i, row in enumerate(scores)
            ]
            weights = [softmax(row) for row in scores]
            heads.append(matmul(weights, vh))
        # concatenate heads back to (seq, d_model), then the output projection
        merged = [sum((h[i] for h in heads), []) for i in range(seq_len)]
        return matmul(merged, self.w_out)
