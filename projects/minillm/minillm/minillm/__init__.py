"""minillm: a toy decoder-only transformer in plain Python."""

from .config import ModelConfig
from .model import MiniLM

__all__ = ["ModelConfig", "MiniLM"]
