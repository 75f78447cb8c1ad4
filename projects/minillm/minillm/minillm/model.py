"""The model: token + position embeddings, pre-norm blocks, tied output head."""

from .attention import MultiHeadAttention
from .config import ModelConfig
from .utils import layer_norm, matmul, random_matrix, seed_everything


class FeedForward:
    def __init__(self, config: ModelConfig, rng):
        d = config.d_model
        self.w_in = random_matrix(rng, d, 4 * d)
        self.w_out = random_matrix(rng, 4 * d, d)

    def __call__(self, x):
        hidden = [[max(0.0, h) for h in row] for row in matmul(x, self.w_in)]  # ReLU
        return matmul(hidden, self.w_out)


class Block:
    """Pre-norm residual block: x + attn(ln(x)), then x + ffn(ln(x))."""

    def __init__(self, config: ModelConfig, rng):
        self.attn = MultiHeadAttention(config, rng)
        self.ffn = FeedForward(config, rng)

    def __call__(self, x):
        normed = [layer_norm(row) for row in x]
        x = [[a + b for a, b in zip(r, s)] for r, s in zip(x, self.attn(normed))]
        normed = [layer_norm(row) for row in x]
        x = [[a + b for a, b in zip(r, s)] for r, s in zip(x, self.ffn(normed))]
        return x


class MiniLM:
    def __init__(self, config: ModelConfig, seed: int = 0):
        rng = seed_everything(seed)
        self.config = config
        self.tok_emb = random_matrix(rng, config.vocab_size, config.d_model)
        self.pos_emb = random_matrix(rng, config.max_seq_len, config.d_model)
        self.blocks = [Block(config, rng) for _ in range(config.n_layers)]

    def forward(self, tokens):
        if len(tokens) > self.config.max_seq_len:
            raise ValueError(f"sequence of {len(tokens)} exceeds max_seq_len")
        x = [
            [t + p for t, p in zip(self.tok_emb[tok], self.pos_emb[pos])]
            for pos, tok in enumerate(tokens)
        ]
        for block in self.blocks:
            x = block(x)
        x = [layer_norm(row) for row in x]
        # weight tying: the output head reuses the token embedding, transposed
        head = list(map(list, zip(*self.tok_emb)))
        return matmul(x, head)
