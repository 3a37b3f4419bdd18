"""The dense MNIST classifier trained with ``fit_dataset`` over a streaming CSV pipeline.

MNIST rows are first written to a CSV file (the label, then 784 pixel values 0-255); then
``tf.data.csv`` streams it back row by row, ``map`` turns each row into (pixels / 255, one-hot
label), ``shuffle`` and ``batch`` make batches, and ``model.fit_dataset`` trains on them, with an
``on_epoch_end`` callback printing loss and accuracy. The file is read again every epoch and is
never held in memory, which is the point of the pipeline. Parsing 785 numbers per row in Python
is slow, so the default uses 10,000 training rows.

    python examples/mnist_fit_dataset.py
    python examples/mnist_fit_dataset.py --rows 60000 --epochs 5
    python examples/mnist_fit_dataset.py --quick          # 300 rows, for the tests
"""
from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import minitf as tf
from minitf.datasets import mnist


def write_csv(path: Path, images: np.ndarray, labels: np.ndarray) -> None:
    """One row per image: label, p0, ..., p783 (0-255), with a header."""
    pixels = np.rint(images.reshape(len(images), -1) * 255).astype(np.uint8)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["label"] + [f"p{i}" for i in range(pixels.shape[1])])
        for label, row in zip(labels, pixels):
            writer.writerow([int(label), *row.tolist()])


def pipeline(path: Path, batch_size: int, seed: int) -> Any:
    """tf.data.csv -> map to (image [28, 28, 1] in [0, 1], one-hot) -> shuffle -> batch."""
    one_hot = np.eye(10, dtype=np.float32)

    def to_example(row: dict) -> tuple[np.ndarray, np.ndarray]:
        pixels = np.fromiter(row["xs"].values(), dtype=np.float32, count=784)
        return (pixels / 255).reshape(28, 28, 1), one_hot[int(row["ys"]["label"])]

    return (tf.data.csv(f"file://{path}", column_configs={"label": {"is_label": True}})
            .map(to_example)
            .shuffle(1000, seed=seed)
            .batch(batch_size))


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--rows", type=int, default=10000, help="training rows in the CSV")
    parser.add_argument("--epochs", type=int, default=3, help="training epochs (3)")
    parser.add_argument("--batch-size", type=int, default=32, help="batch size (32)")
    parser.add_argument("--learning-rate", type=float, default=0.1, help="SGD step (0.1)")
    parser.add_argument("--data-dir", default=None, help="folder with the MNIST IDX files")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights and shuffles")
    parser.add_argument("--quick", action="store_true", help="300 rows, 1 epoch: a smoke test")
    args = parser.parse_args(argv)
    tf.set_seed(args.seed)
    rows, epochs = (300, 1) if args.quick else (args.rows, args.epochs)
    options = {"path": args.data_dir, "verify": args.data_dir is None}
    train_x, train_y = mnist.training(0, rows, **options)
    test_x, test_y = mnist.testing(0, 200 if args.quick else 10000, **options)

    folder = Path(tempfile.mkdtemp(prefix="minitf-mnist-csv-"))
    csv_path = folder / "mnist_train.csv"
    write_csv(csv_path, train_x, train_y)
    print(f"wrote {rows} rows to {csv_path} ({csv_path.stat().st_size / 1e6:.1f} MB)")

    model = tf.sequential()  # the dense classifier of examples/mnist_dense.py
    model.add(tf.layers.flatten({"inputShape": [28, 28, 1]}))
    model.add(tf.layers.dense({"units": 128, "activation": "relu"}))
    model.add(tf.layers.dense({"units": 10, "activation": "softmax"}))
    model.compile({"optimizer": tf.train.sgd(args.learning_rate),
                   "loss": "categoricalCrossentropy", "metrics": ["accuracy"]})
    start = time.perf_counter()
    model.fit_dataset(pipeline(csv_path, args.batch_size, args.seed), epochs=epochs, verbose=0,
                      callbacks={"on_epoch_end": lambda epoch, logs: print(
                          f"epoch {epoch + 1}: loss {logs['loss']:.4f}, "
                          f"accuracy {logs['acc']:.4f}")})
    seconds = time.perf_counter() - start
    loss, accuracy = (float(v) for v in
                      model.evaluate(test_x, np.eye(10, dtype=np.float32)[test_y]))
    print(f"\nTest: loss {loss:.4f}, accuracy {accuracy:.4f} ({seconds:.1f} s of training)")
    model.dispose()
    csv_path.unlink()
    folder.rmdir()
    return {"loss": loss, "accuracy": accuracy, "seconds": seconds}


if __name__ == "__main__":
    main()
