"""Small list-of-floats helpers so the model needs no numpy."""

import math
import random


def seed_everything(seed: int) -> random.Random:
    return random.Random(seed)


def matmul(a, b):
    """(n x k) @ (k x m) for lists of lists."""
    cols = list(zip(*b))
    return [[sum(x * y for x, y in zip(row, col)) for col in cols] for row in a]


def softmax(row):
    # subtract the max first: exp() of large logits overflows otherwise
    peak = max(row)
    exps = [math.exp(x - peak) for x in row]
    total = sum(exps)
    return [e / total for e in exps]


def layer_norm(row, eps=1e-5):
    mean = sum(row) / len(row)
    var = sum((x - mean) ** 2 for x in row) / len(row)
    return [(x - mean) / math.sqrt(var + eps) for x in row]


def random_matrix(rng: random.Random, rows: int, cols: int, scale: float = 0.02):
    return [[rng.gauss(0.0, scale) for _ in range(cols)] for _ in range(rows)]
