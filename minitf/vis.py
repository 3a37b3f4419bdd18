"""Pictures of training and evaluation, saved as PNG files (the tfjs-vis counterpart).

tfjs-vis draws into a browser "visor"; a Python program has no page to draw on, so each drawing
function here writes a PNG file and returns its path:

==============================================  ===============================================
minitf.vis                                      tfjs-vis
==============================================  ===============================================
``history(h, metrics, path)``                   ``tfvis.show.history(surface, h, metrics)``
``confusion_matrix(labels, predictions, path)`` ``tfvis.render.confusionMatrix(surface, data)``
``image_grid(images, labels, predictions)``     the sample-image canvases of the tfjs-vis MNIST demo
``confusion_matrix_values(labels, preds)``      ``tfvis.metrics.confusionMatrix(labels, preds)``
``per_class_accuracy(labels, preds)``           ``tfvis.metrics.perClassAccuracy(labels, preds)``
``accuracy(labels, preds)``                     ``tfvis.metrics.accuracy(labels, preds)``
==============================================  ===============================================

The drawings need matplotlib, an optional dependency (``pip install "minitf[vis]"``). It is
imported inside the drawing functions, so ``import minitf`` never needs it, and the numbers
(``confusion_matrix_values``, ``per_class_accuracy``, ``accuracy``) are plain NumPy. Figures are
drawn on matplotlib's Agg canvas directly rather than through ``pyplot``: no global backend is
switched (a notebook's inline backend keeps working) and no figure stays open after saving.

Labels and predictions are accepted in every form a classifier produces them: class indices
(ints, or floats holding whole numbers), as NumPy arrays, lists or minitf tensors; one-hot labels
or class probabilities of shape ``[N, C]`` (the argmax is taken); or ``[N, 1]`` sigmoid outputs
and 0/1 labels (above 0.5 is class 1).

>>> confusion_matrix_values([0, 0, 1, 2, 2, 2], [0, 0, 0, 2, 1, 1])
array([[2, 0, 0],
       [1, 0, 0],
       [0, 2, 1]])
"""
from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

import numpy as np

from .tensor import Tensor

__all__ = ["history", "confusion_matrix", "image_grid", "confusion_matrix_values",
           "per_class_accuracy", "accuracy"]

INSTALL_HINT = 'pip install "minitf[vis]"'


# -- inputs -------------------------------------------------------------------------------------
def _to_numpy(x: Any) -> np.ndarray:
    """A minitf tensor, array or nested list as a NumPy array (tensors are read, not disposed)."""
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


def _class_indices(x: Any, what: str) -> np.ndarray:
    """Class indices ``[N]`` (int64) from indices, one-hot rows, probabilities or sigmoid outputs.

    ``what`` names the argument in error messages (``'labels'``, ``'predictions'``).
    """
    values = _to_numpy(x)
    if values.ndim == 2 and values.shape[1] == 1:       # [N, 1]: binary, sigmoid output or 0/1
        return (values[:, 0] > 0.5).astype(np.int64)
    if values.ndim == 2:                                # [N, C]: one-hot or probabilities
        return np.argmax(values, axis=1).astype(np.int64)
    if values.ndim != 1:
        raise ValueError(f"minitf.vis: {what} must be class indices [N], one-hot or probabilities "
                         f"[N, C], or sigmoid outputs [N, 1]; got shape {list(values.shape)}")
    if values.dtype == np.bool_:
        return values.astype(np.int64)
    if values.size and not np.all(np.equal(np.mod(values, 1), 0)):
        raise ValueError(f"minitf.vis: {what} [N] must hold whole class indices; got "
                         f"{values[:5].tolist()}... (pass [N, C] probabilities to take the argmax)")
    indices = values.astype(np.int64)
    if indices.size and indices.min() < 0:
        raise ValueError(f"minitf.vis: {what} must be class indices >= 0; got {int(indices.min())}")
    return indices


def _labels_and_predictions(labels: Any, predictions: Any,
                            num_classes: int | None) -> tuple[np.ndarray, np.ndarray, int]:
    """Both as class indices of the same length, and the number of classes.

    As in tfjs-vis, ``num_classes`` defaults to the highest index in either, plus one.
    """
    y_true = _class_indices(labels, "labels")
    y_pred = _class_indices(predictions, "predictions")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"minitf.vis: labels and predictions must be the same length; got "
                         f"{y_true.size} labels and {y_pred.size} predictions")
    highest = int(max(y_true.max(initial=-1), y_pred.max(initial=-1)))
    if num_classes is None:
        num_classes = highest + 1
    elif highest >= num_classes:
        raise ValueError(f"minitf.vis: class index {highest} is out of range for "
                         f"num_classes={num_classes}")
    return y_true, y_pred, num_classes


def _num_classes(num_classes: int | None, class_names: Sequence[str] | None) -> int | None:
    """The number of classes given directly or by ``class_names``; they must agree."""
    if class_names is None:
        return num_classes
    if num_classes is not None and num_classes != len(class_names):
        raise ValueError(f"minitf.vis: num_classes={num_classes} but {len(class_names)} "
                         "class_names were given")
    return len(class_names)


# -- numbers (no matplotlib) --------------------------------------------------------------------
def confusion_matrix_values(labels: Any, predictions: Any, num_classes: int | None = None,
                            normalize: bool = False) -> np.ndarray:
    """The confusion matrix: row ``i``, column ``j`` counts examples of class ``i`` predicted
    as ``j`` (tfjs-vis ``tfvis.metrics.confusionMatrix``).

    Returns an int64 array ``[C, C]``, or with ``normalize=True`` a float64 array whose rows are
    the fractions of each true class (they sum to 1; a class with no examples keeps a row of 0).
    ``num_classes`` defaults to the highest index seen, plus one.

    >>> confusion_matrix_values([0, 1, 1, 1], [0, 1, 0, 1], normalize=True).round(2)
    array([[1.  , 0.  ],
           [0.33, 0.67]])
    """
    y_true, y_pred, num_classes = _labels_and_predictions(labels, predictions, num_classes)
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)      # add.at: repeated (i, j) pairs all count
    if not normalize:
        return counts
    per_class = counts.sum(axis=1, keepdims=True)
    return counts / np.maximum(per_class, 1)


def per_class_accuracy(labels: Any, predictions: Any, num_classes: int | None = None,
                       class_names: Sequence[str] | None = None) -> dict[Any, dict[str, float]]:
    """For each class, the fraction of its examples predicted right and how many there were
    (tfjs-vis ``tfvis.metrics.perClassAccuracy``, which returns the same pairs as a list).

    Keys are the class indices, or ``class_names`` when given. As in tfjs-vis, a class with no
    examples has accuracy 0 and count 0.

    >>> per_class_accuracy([0, 0, 1, 2, 2, 2], [0, 0, 0, 2, 1, 1])[2]
    {'accuracy': 0.3333333333333333, 'count': 3}
    """
    num_classes = _num_classes(num_classes, class_names)
    counts = confusion_matrix_values(labels, predictions, num_classes)
    keys = list(class_names) if class_names is not None else range(len(counts))
    result: dict[Any, dict[str, float]] = {}
    for i, key in enumerate(keys):
        total = int(counts[i].sum())
        result[key] = {"accuracy": float(counts[i, i]) / total if total else 0.0, "count": total}
    return result


def accuracy(labels: Any, predictions: Any) -> float:
    """The fraction of predictions that match the labels (tfjs-vis ``tfvis.metrics.accuracy``).

    >>> accuracy([0, 1, 2, 2], [[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8], [0.6, 0.3, 0.1]])
    0.75
    """
    y_true, y_pred, _ = _labels_and_predictions(labels, predictions, None)
    return float(np.mean(y_true == y_pred)) if y_true.size else 0.0


# -- drawing ------------------------------------------------------------------------------------
def _new_figure(width: float, height: float) -> Any:
    """A matplotlib Figure on the Agg canvas, or an ImportError that says how to install it."""
    try:
        import matplotlib  # noqa: F401  (first, so a missing or blocked package fails right here)
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as err:
        raise ImportError("minitf.vis draws with matplotlib, which is not installed; "
                          f"install it with: {INSTALL_HINT}") from err
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)     # attaches itself as figure.canvas: savefig renders with Agg
    return figure


def _save(figure: Any, path: str | os.PathLike[str]) -> str:
    """Write the figure as a PNG and return the path as a string."""
    figure.savefig(path, format="png", dpi=100)
    return os.fspath(path)


def _history_dict(history: Any) -> tuple[list[int], dict[str, list[float]]]:
    """Epoch numbers (1-based) and per-epoch values from a History, its dict or a list of logs."""
    if isinstance(history, Mapping):
        values = dict(history)
        epochs = None
    elif isinstance(history, Sequence):                 # tfjs-vis also takes a list of logs
        values = {}
        for logs in history:
            for key, value in logs.items():
                values.setdefault(key, []).append(value)
        epochs = None
    elif hasattr(history, "history"):
        values = dict(history.history)
        epochs = list(getattr(history, "epoch", None) or []) or None
    else:
        raise TypeError("minitf.vis.history: expected a History (what fit returns), its .history "
                        f"dict or a list of epoch logs; got {type(history).__name__}")
    length = max((len(v) for v in values.values()), default=0)
    if epochs is None or len(epochs) != length:
        epochs = list(range(length))
    return [e + 1 for e in epochs], values


def history(history: Any, metrics: Sequence[str] = ("loss", "val_loss"),
            path: str | os.PathLike[str] = "curves.png", title: str | None = None) -> str:
    """Draw training curves, one line per metric against the epoch (1-based), and save a PNG
    (tfjs-vis ``tfvis.show.history``).

    ``history`` is what ``model.fit`` returns, its ``.history`` dict or a list of epoch logs.
    Metrics share a panel with their ``val_`` twin, so ``['loss', 'val_loss', 'acc', 'val_acc']``
    draws two panels, loss and acc, side by side; training is a solid line and validation a dashed
    one. A ``val_`` metric that is absent (fit had no validation data) is skipped; any other absent
    name is an error listing the names there are. Returns ``path``.
    """
    if isinstance(metrics, str):
        metrics = [metrics]
    epochs, values = _history_dict(history)
    panels: dict[str, list[str]] = {}               # 'loss' -> ['loss', 'val_loss'], in order
    for name in metrics:
        base = name[4:] if name.startswith("val_") else name
        if name not in values:
            if name.startswith("val_") and base in values:
                continue
            raise ValueError(f"minitf.vis.history: no metric {name!r} in the history; it has "
                             f"{sorted(values)}")
        panels.setdefault(base, []).append(name)
    if not panels:
        raise ValueError(f"minitf.vis.history: none of {list(metrics)} is in the history; it has "
                         f"{sorted(values)}")

    figure = _new_figure(5.0 * len(panels), 3.8)
    from matplotlib.ticker import MaxNLocator       # after _new_figure has checked matplotlib
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    for ax, (base, names) in zip(axes, panels.items()):
        for name in names:
            series = values[name]
            validation = name.startswith("val_")
            ax.plot(epochs[:len(series)], series, label=name, color="C1" if validation else "C0",
                    linestyle="--" if validation else "-", marker="o" if len(series) <= 20 else "")
        ax.set_title(base)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        figure.suptitle(title)
    return _save(figure, path)


def confusion_matrix(labels: Any, predictions: Any, class_names: Sequence[str] | None = None,
                     path: str | os.PathLike[str] = "confusion.png", normalize: bool = False,
                     num_classes: int | None = None, title: str | None = None) -> str:
    """Draw the confusion matrix, true classes down and predicted classes across, with the count
    in each cell, and save a PNG (tfjs-vis ``tfvis.render.confusionMatrix``).

    ``class_names`` label the ticks and fix the number of classes (a class never seen still gets
    its row). With ``normalize=True`` the cells show each true class's fractions instead of
    counts, so rare classes read as clearly as common ones. The numbers themselves come from
    ``confusion_matrix_values`` (same arguments); this function returns ``path``.
    """
    num_classes = _num_classes(num_classes, class_names)
    matrix = confusion_matrix_values(labels, predictions, num_classes, normalize=normalize)
    size = len(matrix)
    if size == 0:
        raise ValueError("minitf.vis.confusion_matrix: no labels or predictions to draw")
    names = list(class_names) if class_names is not None else [str(i) for i in range(size)]

    side = min(max(3.0, 0.55 * size + 2.0), 20.0)
    figure = _new_figure(side + 1.0, side)
    ax = figure.add_subplot()
    image = ax.imshow(matrix, cmap="Blues", vmin=0, vmax=1 if normalize else max(matrix.max(), 1))
    figure.colorbar(image, ax=ax, shrink=0.8)
    if size <= 30:                                  # beyond that the numbers no longer fit
        threshold = image.norm.vmax / 2
        for i in range(size):
            for j in range(size):
                text = f"{matrix[i, j]:.2f}" if normalize else str(matrix[i, j])
                ax.text(j, i, text, ha="center", va="center", fontsize=9,
                        color="white" if matrix[i, j] > threshold else "black")
    slanted = max(map(len, names)) > 2              # long names would overlap side by side
    ax.set_xticks(range(size), names, rotation=45 if slanted else 0,
                  ha="right" if slanted else "center")
    ax.set_yticks(range(size), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or ("confusion matrix (fraction of each true class)" if normalize
                           else "confusion matrix"))
    return _save(figure, path)


def _displayable(images: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Images scaled for ``imshow`` and the colormap: 'gray' for one channel, None for RGB.

    Values already in [0, 1] are shown as they are and values in [0, 255] are divided by 255;
    anything else (standardized inputs, say) is stretched to [0, 1] image by image.
    """
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] != 3):
        raise ValueError("minitf.vis.image_grid: images must be [N, H, W], [N, H, W, 1] or "
                         f"[N, H, W, 3]; got shape {list(images.shape)}")
    images = images.astype(np.float64)
    low, high = (images.min(), images.max()) if images.size else (0.0, 1.0)
    if low >= 0 and high <= 1:
        scaled = images
    elif low >= 0 and high <= 255:
        scaled = images / 255.0
    else:
        axes = tuple(range(1, images.ndim))
        low = images.min(axis=axes, keepdims=True)
        span = np.maximum(images.max(axis=axes, keepdims=True) - low, 1e-12)
        scaled = (images - low) / span
    return scaled, ("gray" if scaled.ndim == 3 else None)


def image_grid(images: Any, labels: Any = None, predictions: Any = None,
               path: str | os.PathLike[str] = "samples.png", columns: int = 8,
               class_names: Sequence[str] | None = None, max_images: int = 64) -> str:
    """Draw sample images in a grid, titled with their true and predicted classes, and save a PNG
    (the sample canvases of the tfjs-vis MNIST example, ``tf.browser.toPixels`` per image).

    ``images`` is ``[N, H, W]``, ``[N, H, W, 1]`` or ``[N, H, W, 3]`` (array or tensor). Titles
    show the label, the prediction, or ``true / pred`` for both, in class names when given; a
    wrong prediction has a red title. The first ``max_images`` images are drawn (slice the input
    to choose others). Returns ``path``.
    """
    pixels, cmap = _displayable(_to_numpy(images)[:max_images])
    count = len(pixels)
    y_true = _class_indices(labels, "labels")[:count] if labels is not None else None
    y_pred = _class_indices(predictions, "predictions")[:count] if predictions is not None else None
    for given, what in ((y_true, "labels"), (y_pred, "predictions")):
        if given is not None and len(given) < count:
            raise ValueError(f"minitf.vis.image_grid: {len(given)} {what} for {count} images")

    def name(index: int) -> str:
        return class_names[index] if class_names is not None else str(index)

    columns = max(1, min(columns, count))
    rows = max(1, -(-count // columns))             # ceiling division
    titled = y_true is not None or y_pred is not None
    figure = _new_figure(1.4 * columns, (1.75 if titled else 1.4) * rows)
    for k, ax in enumerate(figure.subplots(rows, columns, squeeze=False).flat):
        ax.axis("off")
        if k >= count:
            continue
        ax.imshow(pixels[k], cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
        if y_true is not None and y_pred is not None:
            wrong = y_true[k] != y_pred[k]
            ax.set_title(f"{name(y_true[k])} / {name(y_pred[k])}", fontsize=9,
                         color="red" if wrong else "black", fontweight="bold" if wrong else None)
        elif titled:
            ax.set_title(name((y_true if y_true is not None else y_pred)[k]), fontsize=9)
    if y_true is not None and y_pred is not None:
        figure.suptitle("true / predicted (wrong in red)", fontsize=10)
    return _save(figure, path)
