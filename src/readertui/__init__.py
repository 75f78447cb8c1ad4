"""readertui: read big codebases beside research notes that cite them."""

__version__ = "0.1.0"
