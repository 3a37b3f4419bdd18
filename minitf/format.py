"""Tensor printing in TF.js layout (placeholder until the formatter lands)."""
import numpy as np


def tensor_to_string(values: np.ndarray, dtype: str, verbose: bool = False) -> str:
    return "Tensor\n    " + np.array2string(values, separator=", ")
