"""End to end: a CSV file through map and batch into model.fit_dataset and evaluate_dataset."""
from __future__ import annotations

from pathlib import Path

import numpy as np

import minitf as tf
import minitf.data  # noqa: F401  (tf.data until the namespace imports it)


def _csv(tmp_path: Path, n: int = 48) -> str:
    rng = np.random.default_rng(0)
    lines = ["sex,a,b,target"]
    for _ in range(n):
        a, b = rng.uniform(-1, 1, size=2)
        lines.append(f"{rng.choice(['M', 'F', 'I'])},{a:.4f},{b:.4f},{2 * a - b + 0.5:.4f}")
    path = tmp_path / "train.csv"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _pipeline(path: str) -> tf.data.Dataset:
    sexes = {"M": 0.0, "F": 1.0, "I": 2.0}
    return (tf.data.csv(path, column_configs={"target": {"is_label": True}})
            .map(lambda e: {"xs": [e["xs"]["a"], e["xs"]["b"], sexes[e["xs"]["sex"]]],
                            "ys": [e["ys"]["target"]]})
            .shuffle(16, seed=3)
            .batch(8))


def _model() -> tf.Sequential:
    model = tf.sequential([tf.layers.dense(units=1, input_shape=[3])])
    model.compile(optimizer=tf.train.sgd(0.1), loss="meanSquaredError")
    return model


def test_fit_dataset_learns_from_a_csv_pipeline(tmp_path: Path) -> None:
    ds = _pipeline(_csv(tmp_path))
    model = _model()
    before = float(model.evaluate_dataset(ds))
    history = model.fit_dataset(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    history = model.fit_dataset(ds, epochs=6, verbose=0, validation_data=ds.take(2))
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert "val_loss" in history.history
    assert float(model.evaluate_dataset(ds, batches=2)) < before
    tf.dispose(model.evaluate_dataset(ds))
    model.dispose()


def test_fit_dataset_leaks_nothing_across_epochs(tmp_path: Path) -> None:
    ds = _pipeline(_csv(tmp_path))
    model = _model()
    model.fit_dataset(ds, epochs=1, verbose=0)  # builds the optimizer's slots
    before = tf.memory().num_tensors
    model.fit_dataset(ds, epochs=2, verbose=0)
    tf.dispose(model.evaluate_dataset(ds))
    tf.dispose(model.evaluate_dataset(ds, batches=2))
    assert tf.memory().num_tensors == before
    model.dispose()
