"""Fit a cubic to noisy points with tf.variable and tf.variable_grads (the TF.js "fitting a
curve to synthetic data" tutorial, in Python).

The engine alone, before layers exist: four scalar variables a, b, c, d; a loss; gradients from
the tape; plain gradient descent with ``assign``. Every step runs inside ``tf.tidy``, so the
number of live tensors stays flat, which the program checks and prints.

    python examples/fit_curve.py            # 200 steps
    python examples/fit_curve.py --quick    # 20 steps, for the tests
"""
from __future__ import annotations

import argparse

import minitf as tf

TRUE_COEFFS = {"a": -0.8, "b": -0.2, "c": 0.9, "d": 0.5}


def generate_data(num_points: int, sigma: float = 0.04,
                  seed: int = 1) -> tuple[tf.Tensor, tf.Tensor]:
    """Points of y = a x^3 + b x^2 + c x + d plus Gaussian noise, with y scaled to [-1, 1]."""
    def make() -> tuple[tf.Tensor, tf.Tensor]:
        x = tf.random_uniform([num_points], -1, 1, seed=seed)
        c = TRUE_COEFFS
        y = c["a"] * x ** 3 + c["b"] * x ** 2 + c["c"] * x + c["d"]
        y = y + tf.random_normal([num_points], 0, sigma, seed=seed + 1)
        lo, hi = tf.min(y), tf.max(y)
        return x, (y - lo) / (hi - lo) * 2 - 1

    return tf.tidy(make)


def predict(coeffs: dict[str, tf.Variable], x: tf.Tensor) -> tf.Tensor:
    """a x^3 + b x^2 + c x + d."""
    return coeffs["a"] * x ** 3 + coeffs["b"] * x ** 2 + coeffs["c"] * x + coeffs["d"]


def train(xs: tf.Tensor, ys: tf.Tensor, steps: int, learning_rate: float) -> tuple[dict, list]:
    """Gradient descent on the mean squared error; returns the variables and the loss curve."""
    initial = tf.tidy(lambda: tf.random_uniform([4], -1, 1, seed=7).array_sync())
    coeffs = {k: tf.variable(v, name=k) for k, v in zip("abcd", initial)}
    losses = []
    for _ in range(steps):
        def step() -> tf.Tensor:
            loss, grads = tf.variable_grads(lambda: tf.mean(tf.square(predict(coeffs, xs) - ys)),
                                            list(coeffs.values()))
            for name, v in coeffs.items():
                v.assign(v - learning_rate * grads[name])
            return loss

        loss = tf.tidy(step)
        losses.append(loss.item())
        loss.dispose()
    return coeffs, losses


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=200, help="gradient descent steps (200)")
    parser.add_argument("--learning-rate", type=float, default=0.5, help="step size (0.5)")
    parser.add_argument("--points", type=int, default=100, help="number of data points (100)")
    parser.add_argument("--quick", action="store_true", help="20 steps, for the test suite")
    args = parser.parse_args(argv)
    steps = 20 if args.quick else args.steps

    xs, ys = generate_data(args.points)
    start = tf.memory().num_tensors
    coeffs, losses = train(xs, ys, steps, args.learning_rate)
    grown = tf.memory().num_tensors - start - len(coeffs)
    print(f"steps: {steps}  loss: {losses[0]:.4f} -> {losses[-1]:.4f}")
    print("fitted:", "  ".join(f"{k}={v.item():+.3f}" for k, v in coeffs.items()))
    print(f"live tensors created by training besides the 4 variables: {grown}")
    tf.dispose([xs, ys, list(coeffs.values())])


if __name__ == "__main__":
    main()
