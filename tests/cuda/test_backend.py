"""The ``cuda`` backend as a whole: tensors stay on the device through training steps (the
transfer counter shows every host<->device copy), ``tidy``/``dispose`` free device memory at
once, a model trained on ``cuda`` saves and loads, kernels it lacks fall back visibly, and
selecting it where CUDA cannot run says what is missing.
"""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import minitf as tf
from minitf.backends import cuda as cuda_package
from minitf.engine import backend as engine_backend

pytestmark = pytest.mark.cuda


def _dense_model(optimizer: object = "sgd") -> object:
    model = tf.sequential()
    model.add(tf.layers.flatten({"inputShape": [4, 4, 1]}))
    model.add(tf.layers.dense({"units": 6, "activation": "relu"}))
    model.add(tf.layers.dense({"units": 3, "activation": "softmax"}))
    model.compile({"optimizer": optimizer, "loss": "categoricalCrossentropy",
                   "metrics": ["accuracy"]})
    return model


def _conv_model() -> object:
    model = tf.sequential()
    model.add(tf.layers.conv2d({"inputShape": [6, 6, 1], "filters": 2, "kernelSize": 3,
                                "activation": "relu"}))
    model.add(tf.layers.max_pooling2d({"poolSize": [2, 2]}))
    model.add(tf.layers.flatten())
    model.add(tf.layers.dropout({"rate": 0.25}))
    model.add(tf.layers.dense({"units": 3, "activation": "softmax"}))
    model.compile({"optimizer": "rmsprop", "loss": "categoricalCrossentropy",
                   "metrics": ["accuracy"]})
    return model


def _data(n: int, side: int) -> tuple:
    rng = np.random.default_rng(1)
    x = rng.random((n, side, side, 1), dtype=np.float32)
    y = np.eye(3, dtype=np.float32)[np.arange(n) % 3]
    return tf.tensor(x), tf.tensor(y)


@pytest.mark.parametrize("build,side", [(_dense_model, 4), (_conv_model, 6)],
                         ids=["dense", "conv"])
def test_training_step_stays_on_the_device(backend, build, side) -> None:
    model = build()
    x, y = _data(4, side)
    model.train_on_batch(x, y)  # the first step uploads the scalar constants it uses, once
    before, fallbacks = dict(backend.transfers), dict(backend.fallbacks)
    loss, acc = model.train_on_batch(x, y)
    moved = {k: backend.transfers[k] - before[k] for k in before}
    assert moved == {"to_device": 0, "to_host": 2}, moved  # the loss and the accuracy, read back
    assert backend.fallbacks == fallbacks, "a kernel ran on the host during the step"
    assert np.isfinite(loss) and 0 <= acc <= 1
    for w in model.weights:
        assert w.backend is backend
    tf.dispose([x, y])
    model.dispose()


def test_fit_reads_back_only_the_logged_numbers(backend) -> None:
    model = _dense_model()
    x, y = _data(8, 4)
    model.fit(x, y, {"batchSize": 4, "epochs": 1, "verbose": 0})
    before = dict(backend.transfers)
    history = model.fit(x, y, {"batchSize": 4, "epochs": 1, "verbose": 0})
    moved = {k: backend.transfers[k] - before[k] for k in before}
    # per batch: its indices go up; the loss and the accuracy come back
    assert moved == {"to_device": 2, "to_host": 4}, moved
    assert np.isfinite(history.history["loss"][0])
    tf.dispose([x, y])
    model.dispose()


def test_tidy_and_dispose_free_device_memory_at_once(backend) -> None:
    start = tf.memory()
    x = tf.ones([16, 16])
    watched = []

    def work():
        y = tf.matmul(x, x)
        watched.append(weakref.ref(backend.read(y.data_id)))
        return tf.relu(y) + 1

    z = tf.tidy(work)
    assert watched[0]() is None, "the intermediate's device array outlived its scope"
    assert tf.memory().num_tensors == start.num_tensors + 2
    ref = weakref.ref(backend.read(z.data_id))
    z.dispose()
    x.dispose()
    assert ref() is None  # released at dispose, not at a later garbage collection
    assert tf.memory().num_bytes == start.num_bytes
    gc.collect()


def test_model_trained_on_cuda_saves_and_loads(backend, tmp_path) -> None:
    model = _dense_model("adam")
    x, y = _data(4, 4)
    model.train_on_batch(x, y)
    want = model.predict(x).numpy()
    model.save(f"file://{tmp_path}")
    loaded = tf.load_layers_model(f"file://{tmp_path}/model.json")
    np.testing.assert_allclose(loaded.predict(x).numpy(), want, rtol=1e-6)
    tf.set_backend("numpy")
    on_host = tf.load_layers_model(f"file://{tmp_path}/model.json")
    np.testing.assert_allclose(on_host.predict(x.numpy()).numpy(), want, rtol=1e-5, atol=1e-6)
    for m in (model, loaded, on_host):
        m.dispose()
    tf.dispose([x, y])


def test_missing_kernels_fall_back_visibly(backend) -> None:
    x = tf.tensor([1.5, -2.5])
    before = dict(backend.transfers)
    y = tf.floor(x)  # Floor has no CUDA kernel: numpy runs it on a host copy
    assert backend.fallbacks.get("Floor", 0) >= 1
    assert backend.transfers["to_host"] == before["to_host"] + 1
    np.testing.assert_array_equal(y.numpy(), [1.0, -3.0])
    z = tf.sum(tf.tensor([1.0, 2.0], dtype="float64"))  # float64 runs on the host too
    assert backend.fallbacks.get("Sum:float64", 0) >= 1
    assert z.numpy() == 3.0
    tf.dispose([x, y, z])


def test_constants_upload_once(backend) -> None:
    x = tf.ones([3])
    before = backend.transfers["to_device"]
    tf.dispose([x * 2.5, x * 2.5, x + 2.5])
    assert backend.transfers["to_device"] - before <= 1
    x.dispose()


def test_out_of_memory_names_the_request(monkeypatch) -> None:
    from minitf.backends.cuda import device

    def refuse(*args, **kwargs):
        raise RuntimeError("CUDA_ERROR_OUT_OF_MEMORY")

    monkeypatch.setattr(device.cuda, "device_array", refuse)
    with pytest.raises(MemoryError, match=r"shape \[1000, 1000\].*4,000,000 bytes"):
        device.empty((1000, 1000), np.float32)


def test_selecting_cuda_without_numba_cuda_names_the_extra(monkeypatch) -> None:
    monkeypatch.setattr(cuda_package, "_numba_cuda_installed", lambda: False)
    monkeypatch.delitem(engine_backend._instances, "cuda", raising=False)
    with pytest.raises(cuda_package.CudaUnavailable, match=r"numba-cuda.*minitf\[cuda13\]"):
        tf.set_backend("cuda")


def test_selecting_cuda_without_a_gpu_says_so(monkeypatch) -> None:
    from minitf.backends.cuda import device
    monkeypatch.setattr(device, "SIMULATED", False)
    monkeypatch.setattr(device.cuda, "is_available", lambda: False)
    monkeypatch.delitem(engine_backend._instances, "cuda", raising=False)
    with pytest.raises(cuda_package.CudaUnavailable, match="needs an NVIDIA GPU"):
        tf.set_backend("cuda")
