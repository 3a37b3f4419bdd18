"""Transfer learning, both kinds of the TF.js articles (tfjs-examples mnist-transfer-cnn).

1. Pretrain a small convnet on the digits 0-4 and save it.
2. Load it back with ``tf.load_layers_model`` (``tf.load_model`` is the same function).
3. (a) Feature extraction: freeze the 7 feature layers, put a new head on top and train it on
   a small subset of the digits 5-9 (relabelled 0-4).
   (b) Fine-tuning: then unfreeze the top convolution too and train on with a low learning rate.
4. Train the same architecture from scratch on the same small subset, and print the three test
   accuracies on the digits 5-9.

    python examples/transfer_learning.py                    # 1,000 images of 5-9
    python examples/transfer_learning.py --subset 300
    python examples/transfer_learning.py --quick            # tiny, for the tests
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import minitf as tf
from minitf.datasets import mnist

FEATURE_LAYERS = 7  # conv, relu, conv, relu, max-pool, dropout, flatten


def feature_layers() -> list[Any]:
    """The 'feature layers' of mnist-transfer-cnn's base model."""
    L = tf.layers
    return [L.conv2d({"filters": 32, "kernelSize": 3, "inputShape": [28, 28, 1]}),
            L.activation({"activation": "relu"}),
            L.conv2d({"filters": 32, "kernelSize": 3}),
            L.activation({"activation": "relu"}),
            L.max_pooling2d({"poolSize": 2}),
            L.dropout({"rate": 0.25}),
            L.flatten()]


def head() -> list[Any]:
    """The 'classification layers': dense(128) relu, dropout, dense(5) softmax."""
    L = tf.layers
    return [L.dense({"units": 128, "activation": "relu"}), L.dropout({"rate": 0.5}),
            L.dense({"units": 5, "activation": "softmax"})]


def compiled(layers: list[Any], learning_rate: float) -> Any:
    model = tf.sequential({"layers": layers})
    model.compile({"optimizer": tf.train.adam(learning_rate), "loss": "categoricalCrossentropy",
                   "metrics": ["acc"]})
    return model


def digits(images: np.ndarray, labels: np.ndarray, low: int, count: int | None = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """The images of digits low..low+4, relabelled 0-4 and one-hot, optionally the first count."""
    keep = (labels >= low) & (labels < low + 5)
    x, y = images[keep], labels[keep] - low
    if count is not None:
        x, y = x[:count], y[:count]
    return x, np.eye(5, dtype=np.float32)[y]


def accuracy(model: Any, x: np.ndarray, y: np.ndarray) -> float:
    return float(model.evaluate(x, y, batch_size=256)[1])


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--subset", type=int, default=1000,
                        help="training images of the digits 5-9 for transfer and scratch (1000)")
    parser.add_argument("--pretrain-epochs", type=int, default=5, help="epochs on 0-4 (5)")
    parser.add_argument("--epochs", type=int, default=10, help="epochs on the subset (10)")
    parser.add_argument("--save-dir", default=None, help="where the base model is saved "
                        "(default: a temporary folder)")
    parser.add_argument("--data-dir", default=None, help="folder with the MNIST IDX files")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights and shuffles")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 1 epoch: smoke test")
    args = parser.parse_args(argv)
    tf.set_seed(args.seed)
    (train_x, train_y), (test_x, test_y) = mnist.load_data(path=args.data_dir,
                                                           verify=args.data_dir is None)
    pre_count, subset, epochs, pre_epochs = (300, 100, 1, 1) if args.quick else \
        (None, args.subset, args.epochs, args.pretrain_epochs)
    base_x, base_y = digits(train_x, train_y, 0, pre_count)
    new_x, new_y = digits(train_x, train_y, 5, subset)
    eval_x, eval_y = digits(test_x, test_y, 5, 200 if args.quick else None)
    start = time.perf_counter()

    print(f"1. Pretraining on {len(base_x)} images of the digits 0-4")
    base = compiled(feature_layers() + head(), 0.001)
    base.fit(base_x, base_y, batch_size=128, epochs=pre_epochs, verbose=0)
    folder = Path(args.save_dir or tempfile.mkdtemp(prefix="minitf-transfer-"))
    base.save(f"file://{folder}")
    print(f"   saved to {folder}")

    print("2. Loading it back with tf.load_layers_model")
    loaded = tf.load_layers_model(f"file://{folder}/model.json")

    print(f"3a. Feature extraction: frozen base, new head, {len(new_x)} images of 5-9")
    for layer in loaded.layers[:FEATURE_LAYERS]:
        layer.trainable = False
    transfer = compiled(loaded.layers[:FEATURE_LAYERS] + head(), 0.01)
    transfer.summary()  # the frozen weights show as non-trainable
    transfer.fit(new_x, new_y, batch_size=128, epochs=epochs, verbose=0)
    extracted = accuracy(transfer, eval_x, eval_y)

    print("3b. Fine-tuning: the top convolution unfrozen, learning rate 1e-4")
    loaded.layers[2].trainable = True  # the second conv2d, the top of the feature block
    transfer.compile({"optimizer": tf.train.adam(1e-4), "loss": "categoricalCrossentropy",
                      "metrics": ["acc"]})
    transfer.fit(new_x, new_y, batch_size=128, epochs=epochs, verbose=0)
    fine_tuned = accuracy(transfer, eval_x, eval_y)

    print(f"4. From scratch on the same {len(new_x)} images")
    scratch = compiled(feature_layers() + head(), 0.001)
    scratch.fit(new_x, new_y, batch_size=128, epochs=epochs, verbose=0)
    from_scratch = accuracy(scratch, eval_x, eval_y)

    print(f"\nTest accuracy on the digits 5-9 ({len(eval_x)} images):")
    print(f"  from scratch        {from_scratch:.4f}")
    print(f"  feature extraction  {extracted:.4f}")
    print(f"  fine-tuning         {fine_tuned:.4f}")
    print(f"({time.perf_counter() - start:.0f} s in all)")
    for m in (base, loaded, transfer, scratch):
        m.dispose()
    return {"scratch": from_scratch, "feature_extraction": extracted, "fine_tuning": fine_tuned}


if __name__ == "__main__":
    main()
