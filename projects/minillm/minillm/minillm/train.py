"""A toy training loop: next-byte prediction on a fixed string, loss only (no autograd)."""

import argparse
import math

from .config import ModelConfig
from .model import MiniLM
from .utils import softmax

CORPUS = b"the quick brown fox jumps over the lazy dog. " * 4


def cross_entropy(logits, targets):
    """Mean negative log-likelihood of `targets` under softmax(logits)."""
    total = 0.0
    for row, target in zip(logits, targets):
        probs = softmax(row)
        total -= math.log(max(probs[target], 1e-12))
    return total / len(targets)


def batches(data: bytes, seq_len: int):
    # inputs are data[i:i+n], targets are shifted by one byte
    for start in range(0, len(data) - seq_len - 1, seq_len):
        chunk = data[start:start + seq_len + 1]
        yield list(chunk[:-1]), list(chunk[1:])


def lr_at(step: int, total: int, base: float = 3e-4, warmup: int = 5) -> float:
    """Linear warm-up, then cosine decay to zero."""
    if step < warmup:
        return base * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return base * 0.5 * (1.0 + math.cos(math.pi * progress))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--seq-len", type=int, default=16)
    args = parser.parse_args(argv)
    model = MiniLM(ModelConfig(max_seq_len=args.seq_len))
    data = list(batches(CORPUS, args.seq_len))
    for step in range(args.steps):
        inputs, targets = data[step % len(data)]
        loss = cross_entropy(model.forward(inputs), targets)
        print(f"step {step:3d}  lr {lr_at(step, args.steps):.2e}  loss {loss:.4f}")


if __name__ == "__main__":
    main()
