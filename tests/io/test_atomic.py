"""Crash safety of saves and the path rules of model folders (minitf/io/atomic.py)."""
from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

import io_zoo
import minitf as tf
from minitf.io import atomic


class Crash(Exception):
    """Stands for the process dying at this point."""


def _prediction(model: Any) -> np.ndarray:
    return io_zoo.predict(model, io_zoo.inputs_for(model))[0]


@pytest.fixture
def old_and_new(tmp_path: Any) -> Any:
    """A folder holding a saved model ("old"), and a different model to save over it."""
    old, new = io_zoo.mlp(), io_zoo.mlp()
    io_zoo.set_weights(old)
    io_zoo.set_weights(new, phase=1.0)
    old.save(str(tmp_path))
    yield str(tmp_path), _prediction(old), new, _prediction(new)
    old.dispose()
    new.dispose()


def _loads_as(folder: str) -> np.ndarray:
    model = tf.load_layers_model(folder)
    out = _prediction(model)
    model.dispose()
    return out


@pytest.mark.parametrize("crash_at", [1, 2, 3])
def test_crash_at_each_rename_leaves_a_good_model(old_and_new: Any, crash_at: int,
                                                  monkeypatch: Any) -> None:
    folder, old, new, want_new = old_and_new
    real, calls = os.replace, []

    def replace(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == crash_at:
            raise Crash(f"died renaming onto {dst}")
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(Crash):
        new.save(folder)
    monkeypatch.undo()
    # before the commit point (the first model.json rename) the old model is intact; after
    # it, the new one is complete, its model.json naming the staged weights file
    expected = old if crash_at == 1 else want_new
    np.testing.assert_array_equal(_loads_as(folder), expected)
    new.save(folder)  # the next save tidies up what the crash left
    assert sorted(os.listdir(folder)) == ["model.json", "weights.bin"]
    np.testing.assert_array_equal(_loads_as(folder), want_new)


def test_saves_rename_in_the_documented_order(old_and_new: Any, monkeypatch: Any) -> None:
    folder, _, new, _ = old_and_new
    real, calls = os.replace, []
    monkeypatch.setattr(atomic.os, "replace",
                        lambda src, dst: calls.append(os.path.basename(dst)) or real(src, dst))
    new.save(folder)
    assert calls == ["model.json", "weights.bin", "model.json"]


@pytest.mark.parametrize("crash_on_write", [1, 2])
def test_crash_while_writing_leaves_the_old_model(old_and_new: Any, crash_on_write: int,
                                                  monkeypatch: Any) -> None:
    folder, old, new, _ = old_and_new
    real, writes = atomic._write_synced, []

    def write(path: str, data: bytes) -> None:
        writes.append(path)
        if len(writes) == crash_on_write:  # half the bytes reach the disk, then the crash
            with open(path, "xb") as f:
                f.write(data[:len(data) // 2])
            raise Crash("disk full")
        real(path, data)

    monkeypatch.setattr(atomic, "_write_synced", write)
    with pytest.raises(Crash):
        new.save(folder)
    monkeypatch.undo()
    np.testing.assert_array_equal(_loads_as(folder), old)
    assert sorted(os.listdir(folder)) == ["model.json", "weights.bin"]  # temporaries removed


def test_without_hard_links_the_weights_are_copied(old_and_new: Any, monkeypatch: Any) -> None:
    folder, _, new, want_new = old_and_new

    def no_link(src: str, dst: str) -> None:
        raise OSError("hard links not supported")

    monkeypatch.setattr(atomic.os, "link", no_link)
    new.save(folder)
    assert sorted(os.listdir(folder)) == ["model.json", "weights.bin"]
    np.testing.assert_array_equal(_loads_as(folder), want_new)


def test_leftovers_of_killed_saves_are_removed(old_and_new: Any) -> None:
    folder, _, new, _ = old_and_new
    for name in ("weights.bin.0a1b.staged", ".model.json.99.tmp", ".weights.bin.7f.tmp",
                 "notes.txt"):
        open(os.path.join(folder, name), "w").close()
    new.save(folder)
    assert sorted(os.listdir(folder)) == ["model.json", "notes.txt", "weights.bin"]


def test_write_bytes_atomic(tmp_path: Any, monkeypatch: Any) -> None:
    target = tmp_path / "f.bin"
    atomic.write_bytes_atomic(str(target), b"one")
    monkeypatch.setattr(atomic.os, "replace", lambda src, dst: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        atomic.write_bytes_atomic(str(target), b"two")
    assert target.read_bytes() == b"one" and os.listdir(tmp_path) == ["f.bin"]


@pytest.mark.parametrize("path", ["weights.bin", "group1-shard1of2.bin", "./model.weights.bin",
                                  "sub/dir/w.bin", ".hidden.bin", "a..b.bin"])
def test_relative_paths_that_are_fine(path: str, tmp_path: Any) -> None:
    assert atomic.check_relative_path(path) == path
    assert atomic.safe_join(str(tmp_path), path).startswith(os.path.realpath(tmp_path))


@pytest.mark.parametrize("path", ["..", "../x", "a/../../x", "a/..", "/abs", "\\\\server\\x",
                                  "C:\\x", "c:x", "file:///x", "https://h/x", "", "x\x00",
                                  "..\\x", None, 3, ["x"]])
def test_paths_that_escape(path: Any, tmp_path: Any) -> None:
    with pytest.raises(atomic.UnsafePathError):
        atomic.safe_join(str(tmp_path), path)


def test_symlinks_may_not_lead_out(tmp_path: Any) -> None:
    inside, outside = tmp_path / "model", tmp_path / "secret"
    inside.mkdir()
    outside.mkdir()
    os.symlink(outside, inside / "escape")
    os.symlink(inside / "real.bin", inside / "alias.bin")
    with pytest.raises(atomic.UnsafePathError, match="outside the model folder"):
        atomic.safe_join(str(inside), "escape/w.bin")
    assert atomic.safe_join(str(inside), "alias.bin") == str(inside / "real.bin")
