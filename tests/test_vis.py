"""minitf.vis: PNGs written by matplotlib, confusion-matrix and per-class numbers checked by hand,
tensors accepted, and a clear ImportError when matplotlib is missing."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minitf as tf
from minitf import vis
from minitf.callbacks import History

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
needs_matplotlib = pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                                      reason='drawing needs pip install "minitf[vis]"')

# tfjs-vis's example, six examples of three classes: 0->0, 0->0, 1->0, 2->2, 2->1, 2->1.
LABELS = [0, 0, 1, 2, 2, 2]
PREDS = [0, 0, 0, 2, 1, 1]
COUNTS = [[2, 0, 0],
          [1, 0, 0],
          [0, 2, 1]]


def assert_matplotlib_png(path: str | Path) -> bytes:
    """The file is a non-empty PNG whose text chunk names matplotlib as its software."""
    data = Path(path).read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 1000
    assert b"Software" in data and b"Matplotlib" in data
    return data


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The figures the drawing functions save, kept for inspection (they are still written)."""
    figures: list[Any] = []
    save = vis._save

    def keep(figure: Any, path: Any) -> str:
        figures.append(figure)
        return save(figure, path)

    monkeypatch.setattr(vis, "_save", keep)
    return figures


def fitted_history(epochs: int = 5, validation: bool = True) -> History:
    history = History()
    history.on_train_begin()
    for epoch in range(epochs):
        logs = {"loss": 1.0 / (epoch + 1), "acc": 0.5 + 0.1 * epoch}
        if validation:
            logs.update(val_loss=1.2 / (epoch + 1), val_acc=0.45 + 0.1 * epoch)
        history.on_epoch_end(epoch, logs)
    return history


# -- history ------------------------------------------------------------------------------------
@needs_matplotlib
def test_history_draws_loss_curves_against_1_based_epochs(tmp_path: Path, drawn: list) -> None:
    path = tmp_path / "curves.png"
    assert vis.history(fitted_history(), path=path) == str(path)
    assert_matplotlib_png(path)
    (ax,) = drawn[0].axes
    assert ax.get_title() == "loss"
    assert [line.get_label() for line in ax.lines] == ["loss", "val_loss"]
    assert list(ax.lines[0].get_xdata()) == [1, 2, 3, 4, 5]
    assert list(ax.lines[1].get_ydata()) == pytest.approx([1.2 / e for e in range(1, 6)])


@needs_matplotlib
def test_history_puts_loss_and_accuracy_in_two_panels(tmp_path: Path, drawn: list) -> None:
    vis.history(fitted_history(), ["loss", "val_loss", "acc", "val_acc"],
                path=tmp_path / "both.png", title="run 1")
    assert_matplotlib_png(tmp_path / "both.png")
    loss_ax, acc_ax = drawn[0].axes
    assert (loss_ax.get_title(), acc_ax.get_title()) == ("loss", "acc")
    assert [line.get_label() for line in acc_ax.lines] == ["acc", "val_acc"]
    assert acc_ax.lines[1].get_linestyle() == "--"          # validation is dashed
    assert drawn[0].get_suptitle() == "run 1"


@needs_matplotlib
def test_history_accepts_its_dict_and_a_list_of_logs(tmp_path: Path, drawn: list) -> None:
    history = fitted_history(3)
    vis.history(history.history, path=tmp_path / "dict.png")
    logs = [{"loss": 0.9, "acc": 0.5}, {"loss": 0.4, "acc": 0.8}]
    vis.history(logs, metrics=["acc"], path=tmp_path / "list.png")
    assert_matplotlib_png(tmp_path / "dict.png")
    assert_matplotlib_png(tmp_path / "list.png")
    assert list(drawn[1].axes[0].lines[0].get_ydata()) == [0.5, 0.8]
    assert list(drawn[1].axes[0].lines[0].get_xdata()) == [1, 2]


@needs_matplotlib
def test_history_epochs_follow_the_history_when_it_starts_later(tmp_path: Path,
                                                                drawn: list) -> None:
    history = History()                     # as after fit(..., initial_epoch=3)
    for epoch in (3, 4):
        history.on_epoch_end(epoch, {"loss": 0.5})
    vis.history(history, path=tmp_path / "later.png")
    assert list(drawn[0].axes[0].lines[0].get_xdata()) == [4, 5]


@needs_matplotlib
def test_history_skips_missing_validation_but_rejects_unknown_names(tmp_path: Path,
                                                                    drawn: list) -> None:
    no_val = fitted_history(validation=False)
    vis.history(no_val, path=tmp_path / "train_only.png")   # default asks for val_loss too
    assert [line.get_label() for line in drawn[0].axes[0].lines] == ["loss"]
    with pytest.raises(ValueError, match=r"no metric 'accuracy'.*'acc'"):
        vis.history(no_val, ["loss", "accuracy"], path=tmp_path / "typo.png")
    with pytest.raises(ValueError, match="none of"):
        vis.history(no_val, ["val_acc"], path=tmp_path / "none.png")
    with pytest.raises(TypeError, match="History"):
        vis.history(42, path=tmp_path / "bad.png")


# -- confusion matrix values and per-class accuracy (no matplotlib) -----------------------------
def test_confusion_matrix_values_by_hand() -> None:
    values = vis.confusion_matrix_values(LABELS, PREDS)
    assert values.dtype == np.int64
    np.testing.assert_array_equal(values, COUNTS)


def test_confusion_matrix_values_normalized_rows() -> None:
    values = vis.confusion_matrix_values(LABELS, PREDS, num_classes=4, normalize=True)
    np.testing.assert_allclose(values, [[1, 0, 0, 0],
                                        [1, 0, 0, 0],
                                        [0, 2 / 3, 1 / 3, 0],
                                        [0, 0, 0, 0]])    # class 3 has no examples: a row of 0


def test_confusion_matrix_values_accept_tensors_one_hot_and_probabilities() -> None:
    one_hot = np.eye(3, dtype=np.float32)[LABELS]
    probabilities = np.array([[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.5, 0.4, 0.1],
                              [0.1, 0.2, 0.7], [0.2, 0.5, 0.3], [0.0, 0.9, 0.1]])
    cases = [(tf.tensor(LABELS, dtype="int32"), tf.tensor(PREDS, dtype="int32")),
             (tf.tensor(LABELS), tf.tensor(PREDS)),                 # float32 whole numbers
             (tf.tensor(one_hot), tf.tensor(probabilities.astype(np.float32))),
             (one_hot, probabilities)]
    for labels, predictions in cases:
        np.testing.assert_array_equal(vis.confusion_matrix_values(labels, predictions), COUNTS)


def test_confusion_matrix_values_binary_sigmoid_outputs() -> None:
    labels = np.array([[0.0], [1.0], [1.0], [0.0]])
    outputs = np.array([[0.2], [0.9], [0.4], [0.7]])
    np.testing.assert_array_equal(vis.confusion_matrix_values(labels, outputs), [[1, 1], [1, 1]])


def test_confusion_matrix_values_errors() -> None:
    with pytest.raises(ValueError, match="same length"):
        vis.confusion_matrix_values([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="whole class indices"):
        vis.confusion_matrix_values([0.5, 1.0], [0, 1])
    with pytest.raises(ValueError, match="out of range for num_classes=2"):
        vis.confusion_matrix_values([0, 2], [0, 1], num_classes=2)
    with pytest.raises(ValueError, match=">= 0"):
        vis.confusion_matrix_values([-1, 0], [0, 0])
    with pytest.raises(ValueError, match=r"shape \[2, 2, 2\]"):
        vis.confusion_matrix_values(np.zeros((2, 2, 2)), [0, 1])
    with pytest.raises(ValueError, match="no labels or predictions to draw"):
        vis.confusion_matrix([], [])


def test_per_class_accuracy_by_hand() -> None:
    assert vis.per_class_accuracy(LABELS, PREDS) == {
        0: {"accuracy": 1.0, "count": 2},
        1: {"accuracy": 0.0, "count": 1},
        2: {"accuracy": pytest.approx(1 / 3), "count": 3}}


def test_per_class_accuracy_with_class_names_and_an_empty_class() -> None:
    result = vis.per_class_accuracy(tf.tensor(LABELS), tf.tensor(PREDS),
                                    class_names=["cat", "dog", "mouse", "bird"])
    assert list(result) == ["cat", "dog", "mouse", "bird"]
    assert result["bird"] == {"accuracy": 0.0, "count": 0}      # as in tfjs-vis
    with pytest.raises(ValueError, match="num_classes=3 but 4 class_names"):
        vis.per_class_accuracy(LABELS, PREDS, num_classes=3, class_names=["a", "b", "c", "d"])


def test_accuracy() -> None:
    assert vis.accuracy(LABELS, PREDS) == pytest.approx(0.5)
    assert vis.accuracy(tf.tensor(np.eye(3)[LABELS].astype(np.float32)), PREDS) == 0.5


# -- confusion matrix drawing -------------------------------------------------------------------
def cell_texts(figure: Any) -> list[list[str]]:
    ax = figure.axes[0]
    size = int(round(max(t.get_position()[0] for t in ax.texts))) + 1
    grid = [[""] * size for _ in range(size)]
    for text in ax.texts:
        column, row = text.get_position()
        grid[int(row)][int(column)] = text.get_text()
    return grid


@needs_matplotlib
def test_confusion_matrix_draws_counts_and_class_names(tmp_path: Path, drawn: list) -> None:
    path = tmp_path / "confusion.png"
    result = vis.confusion_matrix(tf.tensor(LABELS), np.eye(3)[PREDS],
                                  class_names=["cat", "dog", "mouse", "bird"], path=path)
    assert result == str(path)
    assert_matplotlib_png(path)
    assert cell_texts(drawn[0]) == [["2", "0", "0", "0"],
                                    ["1", "0", "0", "0"],
                                    ["0", "2", "1", "0"],
                                    ["0", "0", "0", "0"]]
    ax = drawn[0].axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "mouse", "bird"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog", "mouse", "bird"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted", "true")


@needs_matplotlib
def test_confusion_matrix_normalized_cells(tmp_path: Path, drawn: list) -> None:
    vis.confusion_matrix(LABELS, PREDS, path=tmp_path / "normalized.png", normalize=True)
    assert_matplotlib_png(tmp_path / "normalized.png")
    assert cell_texts(drawn[0]) == [["1.00", "0.00", "0.00"],
                                    ["1.00", "0.00", "0.00"],
                                    ["0.00", "0.67", "0.33"]]


# -- image grid ---------------------------------------------------------------------------------
@needs_matplotlib
def test_image_grid_marks_wrong_predictions_in_red(tmp_path: Path, drawn: list) -> None:
    images = tf.tensor(np.random.default_rng(0).random((6, 8, 8, 1)).astype(np.float32))
    path = tmp_path / "samples.png"
    assert vis.image_grid(images, LABELS, tf.tensor(PREDS), path=path, columns=4,
                          class_names=["cat", "dog", "mouse"]) == str(path)
    assert_matplotlib_png(path)
    axes = drawn[0].axes
    assert len(axes) == 8                                       # 2 rows of 4, two left blank
    titles = [(ax.get_title(), ax.title.get_color()) for ax in axes[:6]]
    assert titles[0] == ("cat / cat", "black")
    assert titles[2] == ("dog / cat", "red")
    assert [color for _, color in titles] == ["black", "black", "red", "black", "red", "red"]
    assert not axes[7].images                                   # the blank cells stay empty


@needs_matplotlib
def test_image_grid_accepts_gray_rgb_and_0_255_images(tmp_path: Path, drawn: list) -> None:
    rng = np.random.default_rng(1)
    vis.image_grid(rng.random((3, 5, 5)), path=tmp_path / "gray.png")
    vis.image_grid((rng.random((3, 5, 5, 3)) * 255).astype(np.uint8), labels=[0, 1, 2],
                   path=tmp_path / "rgb.png")
    vis.image_grid(rng.normal(size=(2, 5, 5)), predictions=[1, 0], path=tmp_path / "std.png")
    for name in ("gray", "rgb", "std"):
        assert_matplotlib_png(tmp_path / f"{name}.png")
    for figure in drawn:                                        # every image shown in [0, 1]
        for ax in figure.axes:
            for image in ax.images:
                pixels = np.asarray(image.get_array())
                assert 0.0 <= pixels.min() and pixels.max() <= 1.0
    assert [ax.get_title() for ax in drawn[1].axes] == ["0", "1", "2"]
    assert drawn[1].axes[0].images[0].get_array().shape == (5, 5, 3)


@needs_matplotlib
def test_image_grid_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\[N, H, W, 3\]; got shape \[2, 4, 4, 2\]"):
        vis.image_grid(np.zeros((2, 4, 4, 2)), path=tmp_path / "x.png")
    with pytest.raises(ValueError, match="1 labels for 2 images"):
        vis.image_grid(np.zeros((2, 4, 4)), labels=[0], path=tmp_path / "x.png")


# -- matplotlib is optional ---------------------------------------------------------------------
def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)    # makes `import matplotlib` fail
    for draw in (lambda: vis.history(fitted_history(), path=tmp_path / "a.png"),
                 lambda: vis.confusion_matrix(LABELS, PREDS, path=tmp_path / "b.png"),
                 lambda: vis.image_grid(np.zeros((2, 4, 4)), path=tmp_path / "c.png")):
        with pytest.raises(ImportError, match=r'pip install "minitf\[vis\]"'):
            draw()
    assert not list(tmp_path.iterdir())
    assert vis.per_class_accuracy(LABELS, PREDS)[0]["count"] == 2  # the numbers need no plots


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_import_minitf_does_not_import_matplotlib() -> None:
    out = run_python("import sys, minitf, minitf.vis; print('matplotlib' in sys.modules)")
    assert out.strip() == "False"


def test_without_matplotlib_installed() -> None:
    """A fresh interpreter where no matplotlib module was ever loaded (unlike this one)."""
    out = run_python("import sys; sys.modules['matplotlib'] = None\n"
                     "import minitf, minitf.vis\n"
                     "print(minitf.vis.confusion_matrix_values([0, 1], [1, 1]).tolist())\n"
                     "for draw in (lambda: minitf.vis.history({'loss': [1.0]}),\n"
                     "             lambda: minitf.vis.confusion_matrix([0], [0]),\n"
                     "             lambda: minitf.vis.image_grid([[[0.0]]])):\n"
                     "    try:\n"
                     "        draw()\n"
                     "    except ImportError as err:\n"
                     "        print(err)\n")
    lines = out.splitlines()
    assert lines[0] == "[[0, 1], [0, 1]]"
    assert len(lines) == 4
    assert all(line.endswith('install it with: pip install "minitf[vis]"') for line in lines[1:])
