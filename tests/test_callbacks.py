"""Callbacks driven by hand the way fit drives them, on a fake model (no engine needed)."""
from __future__ import annotations

import io
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from minitf.callbacks import (CallbackList, Callback, CSVLogger, CustomCallback, EarlyStopping,
                              History, ModelCheckpoint, ProgbarLogger, TerminateOnNaN,
                              csv_logger, early_stopping, format_metrics,
                              get_succinct_number_display, model_checkpoint, terminate_on_nan)

PARAMS = {"epochs": 4, "initial_epoch": 0, "samples": 10, "steps": None, "batch_size": 4,
          "verbose": 1, "do_validation": True, "metrics": ["loss", "acc", "val_loss", "val_acc"]}


class FakeModel:
    """What callbacks use of a model: stop_training, get/set_weights, save.

    get_weights hands out the live arrays (as TF.js does with its variables), and train_epoch
    changes them in place, so a callback that keeps them without copying sees them change.
    """

    def __init__(self) -> None:
        self.stop_training = False
        self.weights = [np.zeros((2, 2)), np.zeros(2)]
        self.saved: list[str] = []

    def train_epoch(self) -> None:
        for w in self.weights:
            w += 1.0

    def get_weights(self) -> list[np.ndarray]:
        return self.weights

    def set_weights(self, weights: list[Any]) -> None:
        self.weights = [np.array(w) for w in weights]

    def save(self, path: str) -> None:
        self.saved.append(path)


def drive(callbacks: Any, model: FakeModel, epoch_logs: list[dict[str, float]],
          batch_losses: tuple[float, ...] = (0.5, 0.4, 0.3), params: dict | None = None) -> int:
    """Run the hooks as fit does; returns the number of epochs run."""
    hooks = CallbackList(callbacks, model, params or PARAMS)
    hooks.on_train_begin()
    epochs = 0
    for epoch, logs in enumerate(epoch_logs):
        hooks.on_epoch_begin(epoch)
        for batch, loss in enumerate(batch_losses):
            hooks.on_batch_begin(batch, {"batch": batch, "size": 4})
            hooks.on_batch_end(batch, {"batch": batch, "size": 4, "loss": loss})
            if model.stop_training:
                break
        model.train_epoch()
        hooks.on_epoch_end(epoch, dict(logs))
        epochs += 1
        if model.stop_training:
            break
    hooks.on_train_end()
    return epochs


def val_losses(*values: float) -> list[dict[str, float]]:
    return [{"loss": 1.0, "val_loss": v} for v in values]


# -- CallbackList and dict hooks ----------------------------------------------------------------
def _recording_hooks(calls: list, camel: bool) -> dict[str, Any]:
    names = {"on_train_begin": lambda logs: calls.append(("train_begin",)),
             "on_epoch_begin": lambda epoch, logs: calls.append(("epoch_begin", epoch)),
             "on_batch_begin": lambda batch, logs: calls.append(("batch_begin", batch)),
             "on_batch_end": lambda batch, logs: calls.append(("batch_end", batch, logs["loss"])),
             "on_epoch_end": lambda epoch, logs: calls.append(("epoch_end", epoch,
                                                                logs["val_loss"])),
             "on_train_end": lambda logs: calls.append(("train_end",))}
    if camel:
        return {re.sub(r"_(\w)", lambda m: m.group(1).upper(), k): v for k, v in names.items()}
    return names


@pytest.mark.parametrize("camel", [True, False], ids=["camelCase", "snake_case"])
def test_dict_hooks_are_called_like_tfjs(camel: bool) -> None:
    calls: list = []
    hooks = _recording_hooks(calls, camel)
    assert ("onEpochEnd" in hooks) is camel
    drive(hooks, FakeModel(), val_losses(0.9), batch_losses=(0.5, 0.4))
    assert calls == [("train_begin",), ("epoch_begin", 0), ("batch_begin", 0),
                     ("batch_end", 0, 0.5), ("batch_begin", 1), ("batch_end", 1, 0.4),
                     ("epoch_end", 0, 0.9), ("train_end",)]


def test_list_mixes_callbacks_and_dicts_in_order() -> None:
    order: list[str] = []

    class Recorder(Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            order.append("object")

    model = FakeModel()
    recorder = Recorder()
    hooks = CallbackList([{"onEpochEnd": lambda e, logs: order.append("camel")}, recorder,
                          {"on_epoch_end": lambda e, logs: order.append("snake")}],
                         model, PARAMS)
    hooks.on_epoch_end(0, {"loss": 1.0})
    assert order == ["camel", "object", "snake"]
    assert len(hooks.callbacks) == 3 and isinstance(hooks.callbacks[0], CustomCallback)
    assert all(cb.model is model and cb.params == PARAMS for cb in hooks.callbacks)
    history = History()
    hooks.append(history)
    assert hooks.callbacks[-1] is history and history.model is model


def test_none_and_single_callback() -> None:
    assert CallbackList(None).callbacks == []
    history = History()
    assert CallbackList(history, FakeModel(), PARAMS).callbacks == [history]
    CallbackList().on_batch_end(0)  # no callbacks, no logs: nothing happens


def test_unknown_hook_name_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="'onEpochEndd'.*on_epoch_end"):
        CallbackList({"onEpochEndd": lambda epoch, logs: None})
    with pytest.raises(TypeError, match="'onEpochEnd' must be a function"):
        CallbackList({"onEpochEnd": 3})
    with pytest.raises(TypeError, match="expected a Callback or a dict"):
        CallbackList(["not a callback"])


def test_on_yield_runs_at_most_every_yield_every_ms() -> None:
    clock = iter([0, 50, 130, 200, 300])  # ms: construction, then one reading per batch end
    yields: list[tuple[int, int]] = []
    callback = CustomCallback({"onYield": lambda epoch, batch, logs: yields.append((epoch, batch)),
                               "nowFunc": lambda: next(clock)}, yield_every=100)
    callback.on_epoch_begin(2)
    for batch in range(4):
        callback.on_batch_end(batch, {"loss": 1.0})
    assert yields == [(2, 1), (2, 3)]  # at 130 ms and 300 ms


def test_yield_every_batch_and_never() -> None:
    frames: list[int] = []
    callback = CustomCallback({"nextFrameFunc": lambda: frames.append(1)}, yield_every="batch")
    for batch in range(3):
        callback.on_batch_end(batch, {})
    assert len(frames) == 3
    with pytest.raises(ValueError, match="yieldEvery is `never`"):
        CustomCallback({"onYield": lambda e, b, logs: None}, yield_every="never")
    with pytest.raises(ValueError, match="yield_every"):
        CustomCallback({}, yield_every="sometimes")


# -- History ------------------------------------------------------------------------------------
def test_history_records_every_epoch_and_restarts_with_each_fit() -> None:
    history = History()
    logs = [{"loss": 1.0, "acc": 0.5, "val_loss": 1.2, "val_acc": 0.4},
            {"loss": 0.8, "acc": 0.6, "val_loss": 1.1, "val_acc": 0.45}]
    drive(history, FakeModel(), logs)
    assert history.epoch == [0, 1]
    assert history.history == {"loss": [1.0, 0.8], "acc": [0.5, 0.6], "val_loss": [1.2, 1.1],
                               "val_acc": [0.4, 0.45]}
    assert history.params["batch_size"] == 4
    drive(history, FakeModel(), logs[:1])
    assert history.epoch == [0] and history.history["loss"] == [1.0]


# -- ProgbarLogger ------------------------------------------------------------------------------
@pytest.mark.parametrize("x, text", [
    (0, "0.00"), (1.2345, "1.23"), (0.012345, "0.0123"), (123.456, "123.46"), (1e-7, "1.00e-7"),
    (float("nan"), "NaN"), (float("inf"), "Infinity"), (-float("inf"), "-Infinity"),
    (1.0, "1.00"), (-0.5, "-0.500"), (0.001234, "1.23e-3"), (-0.0, "0.00"), (12345.678, "12345.68"),
    (1.125, "1.13"),  # an exact tie: JavaScript rounds away from zero, Python would give 1.12
])
def test_succinct_number_display(x: float, text: str) -> None:
    assert get_succinct_number_display(x) == text


def test_metrics_string_sorted_without_batch_and_size_and_cut() -> None:
    logs = {"val_loss": 5.6, "loss": 7.42, "acc": 0.5, "batch": 3, "size": 32}
    assert format_metrics(logs) == "acc=0.500 loss=7.42 val_loss=5.60 "
    assert format_metrics(logs, max_length=12) == "acc=0.500..."


def _run_progbar(params: dict, stream: io.StringIO, batches: int = 3,
                 seconds: tuple[float, float] = (10.0, 10.402)) -> None:
    clock = iter(seconds)
    progbar = ProgbarLogger(stream=stream, clock=lambda: next(clock))
    progbar.set_params(params)
    progbar.on_train_begin()
    progbar.on_epoch_begin(99)
    for batch in range(batches):
        progbar.on_batch_end(batch, {"batch": batch, "size": 4, "loss": 7.0, "acc": 0.5})
    progbar.on_epoch_end(99, {"loss": 7.42, "val_loss": 5.6, "acc": 0.123456, "val_acc": 0.1})
    progbar.on_train_end()


def test_progbar_lines_per_sample_for_array_fit() -> None:
    stream = io.StringIO()  # not a terminal: only the two lines, no bar for a short epoch
    _run_progbar({**PARAMS, "epochs": 100}, stream)
    # 402 ms over 10 samples = 40.2 ms = 40200 us per sample
    assert stream.getvalue() == ("Epoch 100 / 100\n"
                                 "402ms 40200us/step - acc=0.123 loss=7.42 val_acc=0.100 "
                                 "val_loss=5.60 \n")


def test_progbar_per_batch_when_samples_unknown() -> None:
    stream = io.StringIO()
    _run_progbar({"epochs": 3, "samples": None, "steps": None, "batch_size": None}, stream,
                 batches=4, seconds=(0.0, 0.0025))
    # 2.5 ms over 4 batches = 625 us; TF.js rounds 2.5 ms up to 3
    assert stream.getvalue().splitlines()[1].startswith("3ms 625us/step - acc=")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progbar_draws_a_bar_on_a_terminal() -> None:
    stream = _Terminal()
    _run_progbar({**PARAMS, "epochs": 100, "samples": None, "steps": 3}, stream)
    text = stream.getvalue()
    lines = text.split("\n")
    assert lines[0] == "Epoch 100 / 100"
    assert "eta=" in lines[1] and "=====" in lines[1]  # the bar, redrawn in place with \r
    assert re.fullmatch(r"402ms 134000us/step - acc=0\.123 loss=7\.42 val_acc=0\.100 "
                        r"val_loss=5\.60 ", lines[2])


def test_progbar_batches_per_epoch() -> None:
    progbar = ProgbarLogger(stream=io.StringIO())
    progbar.set_params({**PARAMS, "samples": 10, "batch_size": 4})
    progbar.on_train_begin()
    assert progbar.batches_per_epoch == 3
    progbar.set_params({**PARAMS, "samples": 10, "batch_size": 4, "steps": 2})  # steps_per_epoch
    progbar.on_train_begin()
    assert progbar.batches_per_epoch == 2
    progbar.set_params({"samples": None, "steps": 7, "batch_size": None})
    progbar.on_train_begin()
    assert progbar.batches_per_epoch == 7
    progbar.set_params({"samples": None, "steps": None})
    progbar.on_train_begin()
    assert progbar.batches_per_epoch == 0


# -- EarlyStopping ------------------------------------------------------------------------------
@pytest.mark.parametrize("patience, values, epochs_run", [
    (0, (1.0, 0.9, 0.95, 0.8), 3),  # stops at the first epoch without improvement
    (1, (1.0, 0.9, 0.95, 0.8), 3),  # wait counts the bad epoch first: patience 1 acts as 0
    (2, (1.0, 0.9, 0.95, 0.8), 4),  # one bad epoch is tolerated
    (2, (1.0, 0.9, 0.95, 0.96, 0.5), 4),
    (2, (1.0, 1.1, 1.2, 1.3), 3),
])
def test_early_stopping_min_mode_patience(patience: int, values: tuple, epochs_run: int) -> None:
    model = FakeModel()
    stopper = EarlyStopping(patience=patience)
    assert drive(stopper, model, val_losses(*values)) == epochs_run
    assert model.stop_training is (epochs_run < len(values))


def test_early_stopping_max_and_auto_modes() -> None:
    accs = [{"val_acc": v} for v in (0.5, 0.6, 0.55)]
    assert EarlyStopping(monitor="val_acc").mode == "auto"
    assert drive(EarlyStopping(monitor="val_acc"), FakeModel(), accs) == 3  # auto: max for acc
    assert drive(EarlyStopping(monitor="val_acc", mode="min"), FakeModel(), accs) == 2
    rising = val_losses(1.0, 2.0, 3.0, 0.5)
    assert drive(EarlyStopping(mode="max"), FakeModel(), rising) == 4
    assert drive(EarlyStopping(mode="auto"), FakeModel(), rising) == 2  # auto: min for loss


def test_early_stopping_min_delta() -> None:
    # 0.95 is better than 1.0, but not by more than 0.1, so it does not count
    assert drive(EarlyStopping(min_delta=0.1), FakeModel(), val_losses(1.0, 0.95, 0.5)) == 2
    assert drive(EarlyStopping(min_delta=-0.1), FakeModel(), val_losses(1.0, 0.85, 0.5)) == 3
    accs = [{"acc": v} for v in (0.5, 0.55, 0.7)]
    assert drive(EarlyStopping(monitor="acc", min_delta=0.1), FakeModel(), accs) == 2


def test_early_stopping_baseline() -> None:
    # Must beat 0.5 to count; TF.js can stop in the very first epoch.
    stopper = EarlyStopping(baseline=0.5)
    assert drive(stopper, FakeModel(), val_losses(0.8, 0.4)) == 1
    assert stopper.stopped_epoch == 0 and stopper.best == 0.5
    assert drive(EarlyStopping(baseline=0.5, patience=2), FakeModel(),
                 val_losses(0.8, 0.4, 0.45, 0.3)) == 4


def test_early_stopping_restores_best_weights() -> None:
    model = FakeModel()  # after epoch e the weights are all e + 1
    stopper = EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    assert drive(stopper, model, val_losses(0.5, 0.3, 0.4, 0.6, 0.1)) == 4
    assert stopper.best_epoch == 1
    for w in model.weights:
        np.testing.assert_array_equal(w, np.full_like(w, 2.0))  # epoch 1's weights


def test_early_stopping_restore_keeps_the_best_value_even_below_baseline() -> None:
    model = FakeModel()
    stopper = EarlyStopping(patience=3, baseline=0.1, restore_best_weights=True)
    assert drive(stopper, model, val_losses(0.5, 0.3, 0.4, 0.2)) == 3  # none beats 0.1
    assert stopper.best_epoch == 1
    np.testing.assert_array_equal(model.weights[1], [2.0, 2.0])


def test_early_stopping_verbose_message(capsys: pytest.CaptureFixture) -> None:
    drive(EarlyStopping(verbose=1, restore_best_weights=True), FakeModel(),
          val_losses(1.0, 0.5, 0.7))
    assert capsys.readouterr().out == ("Epoch 3: early stopping.\nRestoring model weights from "
                                       "the end of the best epoch: 2.\n")


def test_early_stopping_missing_monitor_warns_once() -> None:
    model = FakeModel()
    with pytest.warns(UserWarning, match="'val_loss' is not available.*loss") as record:
        assert drive(EarlyStopping(), model, [{"loss": 1.0}] * 3) == 3
    assert len(record) == 1 and not model.stop_training


def test_early_stopping_bad_mode_falls_back_to_auto() -> None:
    with pytest.warns(UserWarning, match="mode 'sideways' is invalid"):
        stopper = EarlyStopping(monitor="val_acc", mode="sideways")
    assert stopper.mode == "auto" and stopper.monitor_op(2, 1)


def test_early_stopping_factory_takes_a_tfjs_config() -> None:
    stopper = early_stopping({"monitor": "val_acc", "minDelta": -0.01, "patience": 2,
                              "restoreBestWeights": True})
    assert (stopper.monitor, stopper.min_delta, stopper.patience) == ("val_acc", 0.01, 2)
    assert stopper.restore_best_weights
    assert early_stopping(patience=3).patience == 3
    with pytest.raises(TypeError, match="both"):
        early_stopping({"patience": 1}, patience=2)


# -- ModelCheckpoint ----------------------------------------------------------------------------
def test_checkpoint_every_epoch_fills_in_the_file_name() -> None:
    model = FakeModel()
    drive(ModelCheckpoint("ckpt/e{epoch:02d}-{val_loss:.2f}"), model, val_losses(0.5, 0.25))
    assert model.saved == ["ckpt/e01-0.50", "ckpt/e02-0.25"]


def test_checkpoint_save_best_only() -> None:
    model = FakeModel()
    drive(ModelCheckpoint("m{epoch}", save_best_only=True), model,
          val_losses(0.5, 0.6, 0.4, 0.4, 0.1))
    assert model.saved == ["m1", "m3", "m5"]
    model = FakeModel()
    accs = [{"val_acc": v} for v in (0.5, 0.4, 0.7)]
    drive(model_checkpoint({"filepath": "a{epoch}", "monitor": "val_acc", "saveBestOnly": True}),
          model, accs)
    assert model.saved == ["a1", "a3"]


def test_checkpoint_verbose(capsys: pytest.CaptureFixture) -> None:
    drive(ModelCheckpoint("m{epoch}", save_best_only=True, verbose=1), FakeModel(),
          val_losses(0.5, 0.6))
    assert capsys.readouterr().out == (
        "Epoch 1: val_loss improved from inf to 0.50000, saving model to m1\n"
        "Epoch 2: val_loss did not improve from 0.50000\n")


def test_checkpoint_every_n_batches() -> None:
    model = FakeModel()
    drive(model_checkpoint("m{epoch}-{batch}", save_freq=2), model, val_losses(0.5, 0.4),
          batch_losses=(0.5, 0.4, 0.3))
    assert model.saved == ["m1-2", "m2-1", "m2-3"]  # batches 2, 4, 6 counted across epochs


def test_checkpoint_errors() -> None:
    with pytest.raises(KeyError, match="val_acc.*available fields: loss, val_loss, epoch"):
        drive(ModelCheckpoint("m{val_acc}"), FakeModel(), val_losses(0.5))
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint("m", save_freq=0)


def test_checkpoint_missing_monitor_warns_and_skips() -> None:
    model = FakeModel()
    with pytest.warns(UserWarning, match="'val_loss' is not available"):
        drive(ModelCheckpoint("m", save_best_only=True), model, [{"loss": 1.0}] * 2)
    assert model.saved == []


# -- TerminateOnNaN -----------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_terminate_on_nan(bad: float, capsys: pytest.CaptureFixture) -> None:
    model = FakeModel()
    history = History()
    assert drive([terminate_on_nan(), history], model, val_losses(1.0, 1.0),
                 batch_losses=(0.5, bad, 0.3)) == 1
    assert model.stop_training
    assert capsys.readouterr().out == "Batch 1: Invalid loss, terminating training\n"


def test_terminate_on_nan_lets_finite_losses_through() -> None:
    model = FakeModel()
    assert drive(TerminateOnNaN(), model, val_losses(1.0, 1.0)) == 2
    assert not model.stop_training


# -- CSVLogger ----------------------------------------------------------------------------------
def test_csv_logger_writes_one_row_per_epoch(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    logs = [{"loss": 1.5, "val_loss": 2.0, "acc": 0.25},
            {"loss": 0.5, "val_loss": 1.0, "acc": 0.75}]
    drive(CSVLogger(path), FakeModel(), logs)
    assert path.read_bytes() == (b"epoch,acc,loss,val_loss\n"
                                 b"0,0.25,1.5,2.0\n"
                                 b"1,0.75,0.5,1.0\n")


def test_csv_logger_append_and_separator(tmp_path: Path) -> None:
    path = tmp_path / "log.tsv"
    drive(csv_logger({"filename": str(path), "separator": "\t"}), FakeModel(),
          [{"loss": 1.0}])
    drive(csv_logger(path, separator="\t", append=True), FakeModel(),
          [{"loss": 0.5}, {"val_loss": 0.25}])
    assert path.read_text().splitlines() == ["epoch\tloss", "0\t1.0", "0\t0.5", "1\tNA"]
    drive(CSVLogger(path, separator="\t"), FakeModel(), [{"loss": 2.0}])  # no append: rewrite
    assert path.read_text().splitlines() == ["epoch\tloss", "0\t2.0"]


def test_csv_logger_flushes_each_row(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    logger = CSVLogger(path)
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 1.0})
    assert path.read_text().splitlines() == ["epoch,loss", "0,1.0"]  # file still open
    logger.on_train_end()


def test_learning_rate_scheduler_sets_the_rate_each_epoch() -> None:
    import numpy as np

    import minitf as tf
    from minitf.callbacks import LearningRateScheduler

    model = tf.sequential([tf.layers.dense(units=1, input_shape=[2])])
    model.compile(optimizer=tf.train.sgd(0.1), loss="meanSquaredError")
    seen = []
    record = {"onEpochEnd": lambda e, logs: seen.append(model.optimizer.learning_rate)}
    model.fit(np.zeros((4, 2), np.float32), np.zeros((4, 1), np.float32), epochs=3, verbose=0,
              callbacks=[LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1)), record])
    assert seen == pytest.approx([0.1, 0.05, 0.1 / 3])
