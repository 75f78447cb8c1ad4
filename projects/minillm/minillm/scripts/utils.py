"""Helpers for the demo server."""


def argmax(row):
    return max(range(len(row)), key=row.__getitem__)


def greedy_decode(model, prompt, max_tokens):
    tokens = list(prompt)
    for _ in range(max_tokens):
        window = tokens[-model.config.max_seq_len:]
        logits = model.forward(window)
        tokens.append(argmax(logits[-1]))
    return tokens[len(prompt):]
