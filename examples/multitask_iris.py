"""Multi-task learning on iris with the functional API: one shared trunk, two heads.

Heterogeneous tasks: from sepal length, sepal width and petal length, predict the species
(softmax head, categorical cross-entropy) and the petal width (linear head, mean squared error),
with ``loss_weights`` balancing the two losses (TF.js ignores loss weights; minitf applies them).
Homogeneous tasks: from all four measurements, two classifications, the species and whether the
flower is large (petal length above the median).

Each head's test metric is printed next to a single-task model with the same layers trained on
that task alone, so one can see what sharing the trunk costs or gains.

    python examples/multitask_iris.py
    python examples/multitask_iris.py --quick      # a few epochs, for the tests
"""
from __future__ import annotations

import argparse
from typing import Any

import numpy as np

import minitf as tf
from minitf.datasets import iris


def trunk(inp: Any) -> Any:
    """The shared layers: dense(16, relu) -> dense(16, relu)."""
    h = tf.layers.dense({"units": 16, "activation": "relu"}).apply(inp)
    return tf.layers.dense({"units": 16, "activation": "relu"}).apply(h)


def fit(model: Any, x: Any, y: Any, epochs: int) -> None:
    model.fit(x, y, epochs=epochs, batch_size=16, verbose=0)


def heterogeneous(data: dict, epochs: int) -> dict[str, tuple[float, float]]:
    """Species + petal width from the other three measurements; returns (multi, single)."""
    x_train, x_test = data["x_train"][:, :3], data["x_test"][:, :3]
    width_train, width_test = data["x_train"][:, 3:], data["x_test"][:, 3:]
    species_train, species_test = data["y_train"], data["y_test"]

    inp = tf.input({"shape": [3]})
    shared = trunk(inp)
    species = tf.layers.dense({"units": 3, "activation": "softmax", "name": "species"})
    width = tf.layers.dense({"units": 1, "name": "petal_width"})
    model = tf.model({"inputs": inp, "outputs": [species.apply(shared), width.apply(shared)]})
    model.compile(optimizer=tf.train.adam(0.01),
                  loss={"species": "categoricalCrossentropy", "petal_width": "meanSquaredError"},
                  metrics={"species": ["accuracy"], "petal_width": ["mae"]},
                  loss_weights={"species": 1.0, "petal_width": 2.0})
    fit(model, x_train, [species_train, width_train], epochs)
    _, _, _, accuracy, mae = (float(v) for v in
                              model.evaluate(x_test, [species_test, width_test]))
    model.dispose()

    single_species = single_task(3, "softmax", "categoricalCrossentropy", "accuracy")
    fit(single_species, x_train, species_train, epochs)
    single_accuracy = float(single_species.evaluate(x_test, species_test)[1])
    single_width = single_task(3, None, "meanSquaredError", "mae", units=1)
    fit(single_width, x_train, width_train, epochs)
    single_mae = float(single_width.evaluate(x_test, width_test)[1])
    for m in (single_species, single_width):
        m.dispose()
    return {"species accuracy": (accuracy, single_accuracy),
            "petal width MAE (cm)": (mae, single_mae)}


def homogeneous(data: dict, epochs: int) -> dict[str, tuple[float, float]]:
    """Species + 'large flower' from all four measurements; returns (multi, single)."""
    median = np.median(data["x_train"][:, 2])
    large_train = (data["x_train"][:, 2:3] > median).astype(np.float32)
    large_test = (data["x_test"][:, 2:3] > median).astype(np.float32)

    inp = tf.input({"shape": [4]})
    shared = trunk(inp)
    species = tf.layers.dense({"units": 3, "activation": "softmax", "name": "species"})
    large = tf.layers.dense({"units": 1, "activation": "sigmoid", "name": "large"})
    model = tf.model({"inputs": inp, "outputs": [species.apply(shared), large.apply(shared)]})
    model.compile(optimizer=tf.train.adam(0.01),
                  loss=["categoricalCrossentropy", "binaryCrossentropy"], metrics=["accuracy"])
    fit(model, data["x_train"], [data["y_train"], large_train], epochs)
    results = [float(v) for v in model.evaluate(data["x_test"], [data["y_test"], large_test])]
    species_accuracy, large_accuracy = results[-2:]
    model.dispose()

    single_species = single_task(4, "softmax", "categoricalCrossentropy", "accuracy")
    fit(single_species, data["x_train"], data["y_train"], epochs)
    single_large = single_task(4, "sigmoid", "binaryCrossentropy", "accuracy", units=1)
    fit(single_large, data["x_train"], large_train, epochs)
    singles = (float(single_species.evaluate(data["x_test"], data["y_test"])[1]),
               float(single_large.evaluate(data["x_test"], large_test)[1]))
    for m in (single_species, single_large):
        m.dispose()
    return {"species accuracy": (species_accuracy, singles[0]),
            "large-flower accuracy": (large_accuracy, singles[1])}


def single_task(inputs: int, activation: str | None, loss: str, metric: str,
                units: int = 3) -> Any:
    """The same trunk with one head: the single-task baseline."""
    inp = tf.input({"shape": [inputs]})
    out = tf.layers.dense({"units": units, "activation": activation}).apply(trunk(inp))
    model = tf.model({"inputs": inp, "outputs": out})
    model.compile(optimizer=tf.train.adam(0.01), loss=loss, metrics=[metric])
    return model


def main(argv: list[str] | None = None) -> dict[str, dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--epochs", type=int, default=150, help="training epochs (150)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split and weights")
    parser.add_argument("--quick", action="store_true", help="5 epochs: a smoke test")
    args = parser.parse_args(argv)
    tf.set_seed(args.seed)
    x, y = iris.load_data()
    (x_train, y_train), (x_test, y_test) = iris.train_test_split(x, y, seed=args.seed)
    one_hot = np.eye(3, dtype=np.float32)
    data = {"x_train": x_train, "y_train": one_hot[y_train],
            "x_test": x_test, "y_test": one_hot[y_test]}
    epochs = 5 if args.quick else args.epochs
    report = {"heterogeneous (species + petal width)": heterogeneous(data, epochs),
              "homogeneous (species + large flower)": homogeneous(data, epochs)}
    print(f"{'task':44} {'multi-task':>10} {'single-task':>12}")
    for setting, rows in report.items():
        print(setting)
        for name, (multi, single) in rows.items():
            print(f"  {name:42} {multi:10.4f} {single:12.4f}")
    return report


if __name__ == "__main__":
    main()
