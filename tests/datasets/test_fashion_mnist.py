"""fashion_mnist: the same loader as mnist, plus a system folder (Debian) as a source."""
from __future__ import annotations

import numpy as np
import pytest

from minitf.datasets import _fetch, fashion_mnist, mnist


def test_class_names():
    assert len(fashion_mnist.CLASS_NAMES) == 10
    assert fashion_mnist.CLASS_NAMES[0] == "T-shirt/top"
    assert fashion_mnist.CLASS_NAMES[9] == "Ankle boot"


def test_tables_cover_the_four_files():
    assert sorted(fashion_mnist.SHA256) == sorted(mnist.SHA256)
    assert fashion_mnist.SHA256 != mnist.SHA256


def test_system_folder_is_read_in_place_after_the_cache(tiny, tmp_path, monkeypatch, isolated):
    system = tiny.write(tmp_path / "usr-share", gz=True)
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIRS", [str(tmp_path / "nothing"), str(system)])
    found = _fetch.locate(fashion_mnist._remote(), verbose=False)
    assert (found.source, found.folder) == ("system", system)
    assert not (isolated / "fashion_mnist").exists()  # read in place, not copied
    (x, y), (xt, yt) = fashion_mnist.load_data(verbose=False)
    assert x.shape == (6, 28, 28, 1) and x.dtype == np.float32 and y.dtype == np.int32
    tiny.write(isolated / "fashion_mnist")
    assert _fetch.locate(fashion_mnist._remote(), verbose=False).source == "cache"


def test_env_subfolder_keeps_mnist_and_fashion_apart(tiny, tmp_path, monkeypatch, isolated):
    tiny.write(tmp_path / "data" / "fashion_mnist")
    monkeypatch.setenv("MINITF_DATA", str(tmp_path / "data"))
    found = _fetch.locate(fashion_mnist._remote(), verbose=False)
    assert (found.source, found.folder) == ("MINITF_DATA", tmp_path / "data" / "fashion_mnist")


def test_download_into_its_own_cache_folder(tiny, monkeypatch, http_root, isolated):
    root, base = http_root
    tiny.write(root, gz=True)
    monkeypatch.setattr(fashion_mnist, "MIRRORS", [base])
    (_, y), _ = fashion_mnist.load_data(as_tensors=True, verbose=False)
    assert y.shape == (6, 10)
    assert len(list((isolated / "fashion_mnist").iterdir())) == 4


@pytest.mark.slow
def test_real_fashion_mnist_through_the_real_lookup():
    try:
        (x, y), (xt, yt) = fashion_mnist.load_data(verbose=False)
    except (_fetch.DatasetUnavailableError, OSError) as e:
        pytest.skip(f"Fashion-MNIST not available here: {e}")
    assert x.shape == (60000, 28, 28, 1) and xt.shape == (10000, 28, 28, 1)
    assert np.bincount(y).tolist() == [6000] * 10 and np.bincount(yt).tolist() == [1000] * 10
    assert fashion_mnist.CLASS_NAMES[y[0]] == "Ankle boot"
