"""Backends supply kernels: arrays in, arrays out. ``numpy`` is the complete reference."""
from . import numpy  # noqa: F401  (registers the numpy backend and its kernels)
