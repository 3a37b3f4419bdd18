"""Every example runs in --quick mode, on tiny generated MNIST files (no download)."""
from __future__ import annotations

import gzip
import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


def _write_idx(path: Path, array: np.ndarray, magic: int) -> None:
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape)
    with gzip.open(path, "wb") as f:  # .gz, to exercise that path too
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture(scope="module")
def tiny_mnist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000 training and 300 test 'digits': a bright square whose position is the label."""
    folder = tmp_path_factory.mktemp("tiny-mnist")
    rng = np.random.default_rng(0)
    for name, count in (("train", 1000), ("t10k", 300)):
        labels = rng.integers(0, 10, size=count)
        images = rng.integers(0, 40, size=(count, 28, 28))
        for i, label in enumerate(labels):
            row, col = divmod(int(label), 5)
            images[i, 4 + 10 * row:12 + 10 * row, 2 + 5 * col:6 + 5 * col] = 255
        _write_idx(folder / f"{name}-images-idx3-ubyte.gz", images, 2051)
        _write_idx(folder / f"{name}-labels-idx1-ubyte.gz", labels, 2049)
    return folder


def run(script: str, *args: str) -> str:
    out = subprocess.run([sys.executable, str(EXAMPLES / script), *args], capture_output=True,
                         text=True, timeout=600, cwd=EXAMPLES)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-4000:]
    return out.stdout


def test_mnist_node_quick_and_save(tiny_mnist: Path, tmp_path: Path) -> None:
    out = run("mnist_node.py", "--quick", "--data-dir", str(tiny_mnist), "--verbose", "0",
              "--model-save-path", str(tmp_path / "mnist-model"))
    assert "Total params: 594922" in out
    loss, accuracy = map(float, re.search(r"Loss = ([\d.]+); Accuracy = ([\d.]+)", out).groups())
    assert 0 <= accuracy <= 1 and loss > 0
    assert f"Saved model to path: {tmp_path / 'mnist-model'}" in out
    import minitf as tf

    model = tf.load_layers_model(f"file://{tmp_path / 'mnist-model'}/model.json")
    assert model.count_params() == 594922 and model.layers[0].name == "conv2d_Conv2D1"
    model.dispose()


def test_mnist_node_tfjs_exact_quick(tiny_mnist: Path) -> None:
    out = run("mnist_node.py", "--quick", "--tfjs-exact", "--data-dir", str(tiny_mnist),
              "--verbose", "0")
    assert "Evaluation result:" in out


def test_mnist_dense_quick(tiny_mnist: Path) -> None:
    out = run("mnist_dense.py", "--quick", "--data-dir", str(tiny_mnist), "--verbose", "0")
    accuracy = float(re.search(r"Test: loss [\d.]+, accuracy ([\d.]+)", out).group(1))
    assert accuracy > 0.3  # the squares are easy: well above chance after one epoch


def test_mnist_fit_dataset_quick(tiny_mnist: Path) -> None:
    out = run("mnist_fit_dataset.py", "--quick", "--data-dir", str(tiny_mnist))
    assert "epoch 1: loss" in out and "Test: loss" in out


def test_iris_quick() -> None:
    out = run("iris.py", "--quick")
    assert "Predictions for the sample flowers:" in out
    assert re.search(r"Test: loss [\d.]+, accuracy [\d.]+ \(24 flowers\)", out)


def test_multitask_iris_quick() -> None:
    out = run("multitask_iris.py", "--quick")
    assert "petal width MAE (cm)" in out and "large-flower accuracy" in out


def test_transfer_learning_quick(tiny_mnist: Path, tmp_path: Path) -> None:
    out = run("transfer_learning.py", "--quick", "--data-dir", str(tiny_mnist), "--save-dir",
              str(tmp_path / "base"))
    assert (tmp_path / "base" / "model.json").is_file()
    assert all(k in out for k in ("from scratch", "feature extraction", "fine-tuning"))


def test_parallel_training_quick(tiny_mnist: Path) -> None:
    out = run("parallel_training.py", "--quick", "--data-dir", str(tiny_mnist))
    assert "1 worker (local processes" in out and "2 workers (local processes" in out
    assert re.search(r"speed-up of the training: [\d.]+x", out)
    rows = re.findall(r"^\s+[\d.]+\s+([\d.]+)\s+([\d.]+)$", out, re.M)
    assert len(rows) == 2 and all(0 <= float(a) <= 1 and 0 <= float(b) <= 1 for a, b in rows)


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_every_example_explains_itself(script: str) -> None:
    assert "usage:" in run(script, "--help")
