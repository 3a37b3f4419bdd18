"""Which handler a destination or source goes to: .h5/.hdf5 paths to Keras HDF5 (hdf5.py, here a
stand-in), everything else to the TF.js format; custom routers plug in like TF.js's."""
from __future__ import annotations

import sys
import types
from typing import Any

import pytest

import io_zoo
import minitf as tf
import minitf.io
from minitf.io import ModelLoadError, handlers


@pytest.fixture
def fake_hdf5(monkeypatch: Any) -> list[tuple]:
    """Replace minitf.io.hdf5 with a recorder of save_h5/load_h5 calls."""
    calls: list[tuple] = []
    module = types.ModuleType("minitf.io.hdf5")

    def save_h5(model: Any, path: str, include_optimizer: bool = False) -> None:
        calls.append(("save", path, include_optimizer))
        open(path, "wb").write(b"\x89HDF\r\n\x1a\n")

    def load_h5(path: str, strict: bool = True, compile: bool = True) -> Any:
        calls.append(("load", path, strict) if compile else ("load", path, strict, "uncompiled"))
        if "broken" in path:
            raise KeyError("model_config")
        if "leaky" in path:
            tf.variable(tf.zeros([3]), name="half_built")
            raise ValueError("gave up halfway")
        return "a model"

    module.save_h5, module.load_h5 = save_h5, load_h5
    monkeypatch.setitem(sys.modules, "minitf.io.hdf5", module)
    monkeypatch.setattr(minitf.io, "hdf5", module, raising=False)
    return calls


def test_h5_paths_go_to_hdf5(fake_hdf5: list, tmp_path: Any) -> None:
    model = io_zoo.zoo_model("mlp")
    for target in (tmp_path / "a.h5", f"{tmp_path}/b.HDF5", f"file://{tmp_path}/c.hdf5"):
        result = model.save(target, include_optimizer=True)
        assert result.model_artifacts_info.model_topology_type == "HDF5"
        assert tf.load_layers_model(target, strict=False) == "a model"
    paths = [str(tmp_path / "a.h5"), f"{tmp_path}/b.HDF5", f"{tmp_path}/c.hdf5"]
    assert fake_hdf5 == [call for p in paths for call in (("save", p, True),
                                                          ("load", p, False))]
    tf.load_layers_model(paths[0], compile=False)
    assert fake_hdf5[-1] == ("load", paths[0], True, "uncompiled")
    with pytest.raises(TypeError, match="do not apply to HDF5 files"):
        tf.load_layers_model(paths[0], timeout=3)
    model.save(tmp_path / "model.keras")  # not HDF5: a TF.js folder of that name
    assert (tmp_path / "model.keras" / "model.json").exists()
    model.dispose()


def test_h5_failures_are_load_errors_and_leave_nothing(fake_hdf5: list,
                                                       no_leaks: None) -> None:
    with pytest.raises(ModelLoadError, match="broken.h5: KeyError"):
        tf.load_layers_model("/tmp/broken.h5")
    with pytest.raises(ModelLoadError, match="gave up halfway"):
        tf.load_layers_model("/tmp/leaky.h5")
    with pytest.raises(TypeError, match="do not apply to HDF5"):
        tf.load_layers_model("/tmp/x.h5", request_init={})


def test_http_urls_ending_in_h5_are_not_hdf5(fake_hdf5: list) -> None:
    with pytest.raises(ModelLoadError, match="Request to http://127.0.0.1:9/m.h5 failed"):
        tf.load_layers_model("http://127.0.0.1:9/m.h5", timeout=1)
    assert fake_hdf5 == []


def test_custom_routers(monkeypatch: Any) -> None:
    stored: dict[str, Any] = {}

    class Store(tf.io.IOHandler):
        def __init__(self, key: str) -> None:
            self.key = self.where = key

        def save(self, artifacts: dict) -> Any:
            stored[self.key] = artifacts
            return "stored"

        def load(self) -> dict:
            return stored[self.key]

    def router(url: str, options: dict) -> Any:
        return Store(url) if url.startswith("store://") else None

    monkeypatch.setattr(handlers, "_save_routers", list(handlers._save_routers))
    monkeypatch.setattr(handlers, "_load_routers", list(handlers._load_routers))
    tf.io.register_save_router(router)
    tf.io.register_load_router(router)
    model = io_zoo.zoo_model("conv1d")
    assert model.save("store://m") == "stored"
    loaded = tf.load_layers_model("store://m")
    assert [w.original_name for w in loaded.weights] == [w.original_name for w in model.weights]
    with pytest.raises(ModelLoadError, match="KeyError"):
        tf.load_layers_model("store://missing")
    model.dispose()
    loaded.dispose()
