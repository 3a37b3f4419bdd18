"""Functions the parallel tests send to workers: top-level, so workers import them by name."""
from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

import minitf as tf


def build_classifier(learning_rate: float = 0.1, optimizer: str = "sgd") -> Any:
    """dense(16, relu) -> dropout -> dense(3, softmax) on 6 features, compiled."""
    model = tf.sequential()
    model.add(tf.layers.dense({"units": 16, "activation": "relu", "inputShape": [6]}))
    model.add(tf.layers.dropout({"rate": 0.2}))
    model.add(tf.layers.dense({"units": 3, "activation": "softmax"}))
    opt = tf.train.sgd(learning_rate) if optimizer == "sgd" else tf.train.adam(learning_rate)
    model.compile({"optimizer": opt, "loss": "categoricalCrossentropy", "metrics": ["accuracy"]})
    return model


def make_data(count: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three classes told apart by the sign of two features."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(count, 6)).astype(np.float32)
    labels = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0).astype(int)
    return x, np.eye(3, dtype=np.float32)[labels]


def make_dataset() -> Any:
    """``make_data`` as a shuffled, batched tf.data Dataset (shuffled from the global seed)."""
    x, y = make_data()
    items = [{"xs": x[i], "ys": y[i]} for i in range(len(x))]
    return tf.data.array(items).shuffle(50).batch(16)


def boom(x: Any) -> Any:
    raise ValueError(f"no good: {x}")


def die(code: int = 3) -> None:
    """End the worker process at once, as a crash would (no exception, no cleanup)."""
    import os

    os._exit(code)


def square(x: float) -> float:
    return x * x


def slow_square(x: float, seconds: float) -> float:
    time.sleep(seconds)
    return x * x


def report_pid_and_wait(path: str, seconds: float) -> int:
    """Write this worker's pid to ``path`` (atomically), then sleep: a task to kill."""
    with open(path + ".part", "w") as f:
        f.write(str(os.getpid()))
    os.replace(path + ".part", path)
    time.sleep(seconds)
    return os.getpid()


def thread_settings() -> dict[str, Any]:
    """What a worker sees: its thread variables, Numba's count, the backend."""
    import numba

    return {"env": {name: os.environ.get(name) for name in
                    ("MINITF_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS")},
            "numba": numba.get_num_threads(), "backend": tf.get_backend()}


def add_one(tensor: Any) -> Any:
    """A Tensor arrives as an array; a Tensor goes back as an array."""
    assert isinstance(tensor, np.ndarray)
    return tf.tensor(tensor) + 1


def predict_with(model: Any, x: np.ndarray) -> np.ndarray:
    """A model arrives as a model."""
    return model.predict(x).numpy()
