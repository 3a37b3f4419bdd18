"""Fashion-MNIST: Zalando's 28x28 grey images of 10 kinds of clothing, a drop-in for MNIST.

Same IDX files, names, sizes and layout as MNIST (60,000 training and 10,000 test images), so
:func:`load_data` returns exactly what :func:`minitf.datasets.mnist.load_data` does. Its TF.js
counterpart is tfjs-examples' fashion-mnist-vae (``download.js`` fetches the README's
``train-images-idx3-ubyte.gz`` over http, ``data.js`` reads it as mnist-node does, /255, no
checksum). The class names are those of the dataset's README.

Files are looked for in an explicit ``path``, ``MINITF_DATA`` (its ``fashion_mnist/``
subfolder first), the cache, the folder of Debian's package ``dataset-fashion-mnist``
(``/usr/share/datasets/fashion-mnist``), and finally downloaded from :data:`MIRRORS`. Every
file is checked against :data:`SHA256`.
"""
from __future__ import annotations

import os

from . import _fetch
from .mnist import TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS
from .mnist import arrays_from_files, to_model_inputs

#: Label i names class i.
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

#: SHA-256 of each file's *decompressed* bytes (Debian recompressed the ``.gz`` files, so their
#: own hashes differ from the README's MD5s while the contents are the same).
SHA256 = {
    TRAIN_IMAGES: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    TRAIN_LABELS: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    TEST_IMAGES: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    TEST_LABELS: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
#: Base URLs tried in order; each file is ``<base>/<name>.gz``. The first is the README's.
MIRRORS = [
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
]
#: Folders read in place when they hold all four files (Debian: dataset-fashion-mnist).
SYSTEM_DIRS = ["/usr/share/datasets/fashion-mnist"]


def _remote() -> _fetch.Remote:
    """This module's sources, read at call time so tests can swap the tables."""
    return _fetch.Remote("fashion_mnist", SHA256, MIRRORS, system_dirs=SYSTEM_DIRS)


def load_data(path: str | os.PathLike | None = None, as_tensors: bool = False,
              verbose: bool = True, verify: bool = True):
    """Load Fashion-MNIST as ``((train_images, train_labels), (test_images, test_labels))``.

    Images are float32 ``[N, 28, 28, 1]`` in [0, 1], labels int32 ``[N]`` (index into
    :data:`CLASS_NAMES`); with ``as_tensors=True``, minitf tensors with one-hot float32 labels
    ``[N, 10]``. ``path``, ``verify`` and ``verbose`` work as in ``mnist.load_data``.

    >>> (x_train, y_train), _ = load_data()  # doctest: +SKIP
    >>> CLASS_NAMES[y_train[0]]  # doctest: +SKIP
    'Ankle boot'
    """
    found = _fetch.locate(_remote(), path, verify=verify, verbose=verbose)
    train, test = arrays_from_files(found.files)
    return to_model_inputs(*train, as_tensors), to_model_inputs(*test, as_tensors)
