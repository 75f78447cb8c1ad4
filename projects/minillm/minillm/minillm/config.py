"""Model hyper-parameters, kept in one frozen dataclass."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelConfig:
    vocab_size: int = 256
    d_model: int = 32
    n_heads: int = 4
    n_layers: int = 2
    max_seq_len: int = 64
    dropout: float = 0.0

    @property
    def head_dim(self) -> int:
        # d_model must split evenly across heads
        assert self.d_model % self.n_heads == 0, "d_model must be divisible by n_heads"
        return self.d_model // self.n_heads
