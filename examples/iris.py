"""The iris classifier of the TF.js articles, trained from a CSV through ``tf.data``.

dense(10, relu) -> dense(10, relu) -> dense(3, softmax) on the four measurements of 150 iris
flowers (the CSV ships with minitf). The pipeline is TF.js's: ``tf.data.csv`` with the species
column as the label, ``map`` to (features, one-hot), a seeded shuffle without reshuffling, then
``take`` 126 rows for training and ``skip`` them for testing, ``batch``, and ``fit_dataset``.
It prints the prediction for three sample flowers and the test accuracy (expect >= 95%).

    python examples/iris.py
    python examples/iris.py --epochs 100 --learning-rate 0.01
    python examples/iris.py --quick           # a few epochs, for the tests
"""
from __future__ import annotations

import argparse
from typing import Any

import numpy as np

import minitf as tf
from minitf.datasets import iris

# One flower of each species, as [sepal length, sepal width, petal length, petal width] in cm.
SAMPLES = [[5.1, 3.5, 1.4, 0.2], [6.4, 3.2, 4.5, 1.5], [5.8, 2.7, 5.1, 1.9]]
TRAIN_ROWS = 126  # 150 - round(150 * 0.15), as the TF.js example holds out 15%


def pipeline(seed: int) -> Any:
    """CSV rows -> ([4 features], one-hot species), in a fixed shuffled order."""
    def to_pair(row: dict) -> tuple[list[float], np.ndarray]:
        xs, ys = row["xs"], row["ys"]
        features = [xs[name] for name in iris.FEATURES]
        return features, np.eye(3, dtype=np.float32)[int(ys[iris.LABEL])]

    return (tf.data.csv(iris.csv_path(), column_configs={iris.LABEL: {"is_label": True}})
            .map(to_pair)
            .shuffle(150, seed=seed, reshuffle_each_iteration=False))


def create_model(learning_rate: float) -> Any:
    model = tf.sequential()
    model.add(tf.layers.dense({"units": 10, "activation": "relu", "inputShape": [4]}))
    model.add(tf.layers.dense({"units": 10, "activation": "relu"}))
    model.add(tf.layers.dense({"units": 3, "activation": "softmax"}))
    model.compile({"optimizer": tf.train.adam(learning_rate), "loss": "categoricalCrossentropy",
                   "metrics": ["accuracy"]})
    return model


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--epochs", type=int, default=100, help="training epochs (100)")
    parser.add_argument("--batch-size", type=int, default=16, help="batch size (16)")
    parser.add_argument("--learning-rate", type=float, default=0.01, help="adam step (0.01)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the split and weights")
    parser.add_argument("--quick", action="store_true", help="5 epochs: a smoke test")
    args = parser.parse_args(argv)
    tf.set_seed(args.seed)
    rows = pipeline(args.seed)
    train = rows.take(TRAIN_ROWS).batch(args.batch_size)
    test = rows.skip(TRAIN_ROWS).batch(64)

    model = create_model(args.learning_rate)
    model.summary()
    epochs = 5 if args.quick else args.epochs
    model.fit_dataset(train, epochs=epochs, verbose=0, callbacks={
        "onEpochEnd": lambda epoch, logs: print(f"epoch {epoch + 1}: loss {logs['loss']:.4f} "
                                                f"acc {logs['acc']:.4f}")
        if (epoch + 1) % max(1, epochs // 10) == 0 else None})
    loss, accuracy = (float(v) for v in model.evaluate_dataset(test))

    probabilities = model.predict(np.array(SAMPLES, dtype=np.float32)).numpy()
    print("\nPredictions for the sample flowers:")
    for flower, p in zip(SAMPLES, probabilities):
        shares = ", ".join(f"{name.split('-')[1]} {v:.3f}" for name, v in zip(iris.CLASSES, p))
        print(f"  {flower} -> {iris.CLASSES[int(p.argmax())]}  ({shares})")
    print(f"\nTest: loss {loss:.4f}, accuracy {accuracy:.4f} ({150 - TRAIN_ROWS} flowers)")
    model.dispose()
    return {"loss": loss, "accuracy": accuracy}


if __name__ == "__main__":
    main()
