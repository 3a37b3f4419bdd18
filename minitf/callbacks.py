"""Callbacks: code that ``fit`` runs at the start and end of training, of each epoch and of each
batch (TF.js ``tf.Callback``, ``tf.CustomCallback``, ``tf.callbacks.*``; tfjs-node's progress bar).

``fit`` wraps what the user passes in a ``CallbackList``, in TF.js's order: the progress bar
(``ProgbarLogger``, verbose >= 1), then the user's callbacks, then one ``History``, which ``fit``
returns. A user callback is a ``Callback`` subclass or, as in TF.js, a plain dict of hook
functions, in TF.js camelCase or Python snake_case:

>>> seen = []
>>> hooks = CallbackList({'onEpochEnd': lambda epoch, logs: seen.append((epoch, logs['loss']))})
>>> hooks.on_epoch_end(0, {'loss': 0.5})
>>> seen
[(0, 0.5)]

Logs are dicts of plain floats. Batch logs hold ``batch``, ``size``, ``loss`` and the metrics;
epoch logs hold ``loss``, the metrics (batch-size-weighted means), ``val_loss`` and
``val_<metric>``. Epochs and batches count from 0. A callback stops training by setting
``model.stop_training = True``.
"""
from __future__ import annotations

import csv
import math
import operator
import os
import shutil
import sys
import time
import warnings
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path
from typing import Any, Callable, TextIO

import numpy as np
from tqdm import tqdm

from .format import js_number_to_string, js_to_fixed
from .serialization import merge_config, to_snake_case

Logs = dict[str, Any]

__all__ = ["Callback", "CustomCallback", "CallbackList", "History", "ProgbarLogger",
           "EarlyStopping", "ModelCheckpoint", "TerminateOnNaN", "CSVLogger",
           "standardize_callbacks", "get_succinct_number_display", "format_metrics",
           "early_stopping", "model_checkpoint", "terminate_on_nan", "csv_logger"]


class Callback:
    """Base class of all callbacks: every hook does nothing until a subclass overrides it
    (TF.js ``tf.Callback``, Keras ``keras.callbacks.Callback``).

    ``model`` is the model being trained and ``params`` describes the run: ``epochs``,
    ``initial_epoch``, ``samples``, ``steps``, ``batch_size``, ``verbose``, ``do_validation`` and
    ``metrics`` (the log names, ``val_*`` included). ``CallbackList`` sets both.
    """

    model: Any = None

    def __init__(self) -> None:
        self.model = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        """Remember the model being trained (TF.js ``setModel``)."""
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        """Remember the run's parameters (TF.js ``setParams``)."""
        self.params = params

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Called once before the first epoch."""

    def on_train_end(self, logs: Logs | None = None) -> None:
        """Called once after the last epoch."""

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        """Called at the start of epoch ``epoch`` (0-based)."""

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Called at the end of an epoch with the epoch's mean losses and metrics."""

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Called before batch ``batch`` (0-based within the epoch)."""

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Called after a batch with its ``batch``, ``size``, loss and metrics."""


# -- hooks given as a dict ----------------------------------------------------------------------
_HOOK_NAMES = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
               "on_batch_begin", "on_batch_end", "on_yield")
_OPTION_NAMES = ("now_func", "next_frame_func")
DEFAULT_YIELD_EVERY_MS = 125  # TF.js: 'auto' yields to the event loop at most every 125 ms


class CustomCallback(Callback):
    """A callback made of hook functions (TF.js ``tf.CustomCallback``).

    ``hooks`` maps hook names, in camelCase (``onEpochEnd``) or snake_case (``on_epoch_end``), to
    functions called as in TF.js: ``fn(epoch, logs)``, ``fn(batch, logs)``, ``fn(logs)`` and
    ``onYield(epoch, batch, logs)``. ``nowFunc`` (a clock in ms) and ``nextFrameFunc`` are TF.js's
    options too. Python has no event loop to yield to, so ``yield_every`` only paces the calls of
    ``onYield`` (and ``nextFrameFunc``): ``'auto'`` (every 125 ms), a number of ms, ``'batch'``,
    ``'epoch'`` or ``'never'``. As in TF.js, ``onYield`` runs only with a time interval.
    """

    def __init__(self, hooks: dict[str, Callable[..., Any]] | None = None,
                 yield_every: str | float = "auto", **kwargs: Callable[..., Any]) -> None:
        super().__init__()
        given = {**(hooks or {}), **kwargs}
        funcs: dict[str, Callable[..., Any]] = {}
        for key, fn in given.items():
            name = to_snake_case(key)
            if name not in _HOOK_NAMES + _OPTION_NAMES:
                valid = ", ".join(_HOOK_NAMES + _OPTION_NAMES)
                raise ValueError(f"CustomCallback: unknown hook {key!r}; expected one of {valid} "
                                 "(or their camelCase names, e.g. onEpochEnd)")
            if not callable(fn):
                raise TypeError(f"CustomCallback: hook {key!r} must be a function, "
                                f"got {type(fn).__name__}")
            funcs[name] = fn
        self.hooks = funcs
        if yield_every == "auto":
            yield_every = DEFAULT_YIELD_EVERY_MS
        if yield_every not in ("batch", "epoch", "never") and not (
                isinstance(yield_every, (int, float)) and yield_every >= 0):
            raise ValueError(f"CustomCallback: yield_every must be 'auto', 'batch', 'epoch', "
                             f"'never' or a number of ms >= 0, got {yield_every!r}")
        if yield_every == "never" and "on_yield" in funcs:
            raise ValueError("yieldEvery is `never` but you provided an `onYield` callback. "
                             "Either change `yieldEvery` or remove the callback")
        self.yield_every = yield_every
        self._now = funcs.get("now_func", lambda: time.perf_counter() * 1000.0)
        self._epoch = 0
        self._last_yield = self._now()

    def _call(self, name: str, *args: Any) -> None:
        fn = self.hooks.get(name)
        if fn is not None:
            fn(*args)

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._last_yield = self._now()
        self._call("on_train_begin", logs)

    def on_train_end(self, logs: Logs | None = None) -> None:
        self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._epoch = epoch
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self._call("on_epoch_end", epoch, logs)
        if self.yield_every == "epoch":
            self._call("next_frame_func")

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        self._call("on_batch_begin", batch, logs)

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._call("on_batch_end", batch, logs)
        if self.yield_every == "batch":
            self._call("next_frame_func")
        elif isinstance(self.yield_every, (int, float)):
            now = self._now()
            if now - self._last_yield >= self.yield_every:  # TF.js's debounce
                self._last_yield = now
                self._call("on_yield", self._epoch, batch, logs)
                self._call("next_frame_func")


def standardize_callbacks(callbacks: Any, yield_every: str | float = "auto") -> list[Callback]:
    """None, a Callback, a dict of hooks, or a list of these -> a list of Callbacks
    (TF.js ``standardizeCallbacks``)."""
    if callbacks is None:
        return []
    items = list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]
    result: list[Callback] = []
    for item in items:
        if isinstance(item, Callback):
            result.append(item)
        elif isinstance(item, dict):
            result.append(CustomCallback(item, yield_every=yield_every))
        else:
            raise TypeError(f"callbacks: expected a Callback or a dict of hook functions "
                            f"(e.g. {{'onEpochEnd': fn}}), got {type(item).__name__}")
    return result


class CallbackList:
    """The callbacks of one ``fit`` call; each hook is forwarded to every callback in order
    (TF.js ``CallbackList``). All callbacks share the same ``logs`` dict and ``params``."""

    def __init__(self, callbacks: Any = None, model: Any = None,
                 params: dict[str, Any] | None = None,
                 yield_every: str | float = "auto") -> None:
        self.callbacks = standardize_callbacks(callbacks, yield_every)
        self.model = model
        self.params: dict[str, Any] = dict(params or {})
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(self.params)

    def append(self, callback: Callback) -> None:
        """Add one more callback at the end, with this list's model and params."""
        callback.set_model(self.model)
        callback.set_params(self.params)
        self.callbacks.append(callback)

    def on_train_begin(self, logs: Logs | None = None) -> None:
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs: Logs | None = None) -> None:
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_train_end(logs)

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_batch_begin(batch, logs)

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_batch_end(batch, logs)


class History(Callback):
    """Records every epoch's logs; ``fit`` returns it (TF.js ``History``).

    ``epoch`` lists the epoch numbers (0-based) and ``history`` maps each log name (``loss``,
    ``acc``, ``val_loss``, ``val_acc``...) to its per-epoch values. Both restart with each fit.
    """

    def __init__(self) -> None:
        super().__init__()
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


# -- the tfjs-node progress bar -----------------------------------------------------------------
def get_succinct_number_display(x: float) -> str:
    """A log value as tfjs-node's progress bar writes it (``getSuccinctNumberDisplay``).

    Two decimals when |x| >= 1, x is 0 or not finite; otherwise enough decimals for about two
    significant digits (``2 - floor(log10|x|)``), switching to ``x.toExponential(2)`` beyond 4.
    Rounding is JavaScript's: ties away from zero.

    >>> [get_succinct_number_display(x) for x in (0, 1.2345, 0.012345, 123.456, 1e-7)]
    ['0.00', '1.23', '0.0123', '123.46', '1.00e-7']
    """
    x = float(x) + 0.0  # + 0.0 turns -0.0 into 0.0, which JavaScript prints as "0.00"
    if not math.isfinite(x) or x == 0 or abs(x) > 1:
        decimals = 2
    else:
        decimals = 2 - math.floor(math.log10(abs(x)))
    return _js_to_exponential(x, 2) if decimals > 4 else js_to_fixed(x, decimals)


def _js_to_exponential(x: float, digits: int) -> str:
    """JavaScript's ``x.toExponential(digits)``: ``1.00e-7``, ``1.23e+5`` (ties away from 0)."""
    if not math.isfinite(x):
        return js_number_to_string(x)
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        context.prec = 60
        return format(Decimal(x), f".{digits}e")  # Decimal writes e-7, not Python's e-07


def format_metrics(logs: Logs | None, max_length: int | None = None) -> str:
    """``key=value `` for each log but ``batch`` and ``size``, keys sorted, values succinct;
    cut to ``max_length`` with ``...`` (tfjs-node ``formatLogsAsMetricsContent``).

    >>> format_metrics({'val_loss': 5.6, 'loss': 7.42, 'batch': 3, 'size': 32})
    'loss=7.42 val_loss=5.60 '
    """
    text = "".join(f"{key}={get_succinct_number_display(value)} "
                   for key, value in sorted((logs or {}).items())
                   if key not in ("batch", "size"))
    if max_length is not None and 0 < max_length < len(text):
        text = text[:max_length - 3] + "..."
    return text


class _EpochBar(tqdm):
    """tqdm with one more field, ``{metrics}``, for TF.js's ``eta=:eta :bar :metrics`` layout."""

    monitor_interval = 0  # no tqdm monitor thread
    metrics = ""

    @property
    def format_dict(self) -> dict[str, Any]:
        return {**super().format_dict, "metrics": self.metrics}


_TERMINAL_REFRESH_S = 0.05  # tfjs-node: renderThrottle 50 ms
_LOG_REFRESH_S = 10.0  # not a terminal (a log file, CI): draw the bar at most this often


class ProgbarLogger(Callback):
    """The progress output of tfjs-node's ``fit`` at verbose 1 (tfjs-node ``ProgbarLogger``).

    Per epoch it prints ``Epoch 3 / 20``, draws a bar over the epoch's batches with the eta and
    the latest batch logs, and ends with ``402ms 57us/step - loss=7.42 val_loss=5.60 `` (the
    trailing space is TF.js's). us/step is the epoch time per *sample* when ``params['samples']``
    is known (array fit), per batch otherwise (dataset fit). The epoch time includes validation.

    As in tfjs-node, the lines go to stdout and the bar (tqdm) to stderr; ``stream`` sends both
    to one place instead. When that stream is not a terminal, the bar is drawn only for epochs
    longer than 10 s and then at most every 10 s, so logs stay readable. ``clock`` (seconds) is
    for tests.
    """

    def __init__(self, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        super().__init__()
        self.stream = stream
        self.clock = clock
        self.batches_per_epoch = 0  # 0: unknown (a dataset without batches_per_epoch)
        self._bar: _EpochBar | None = None
        self._epoch_start = 0.0
        self._batches_seen = 0
        self._terminal: os.terminal_size | None = None  # None: not a terminal

    def _print(self, line: str) -> None:
        print(line, file=self.stream or sys.stdout, flush=True)

    def _bar_stream(self) -> TextIO:
        return self.stream or sys.stderr

    def on_train_begin(self, logs: Logs | None = None) -> None:
        # TF.js reads ceil(samples / batch_size) first; steps, when given, is the loop's own count
        samples, steps = self.params.get("samples"), self.params.get("steps")
        batch_size = self.params.get("batch_size")
        if steps:
            self.batches_per_epoch = steps
        elif samples and batch_size:
            self.batches_per_epoch = math.ceil(samples / batch_size)
        else:
            self.batches_per_epoch = 0

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._print(f"Epoch {epoch + 1} / {self.params.get('epochs')}")
        self._epoch_start = self.clock()
        self._batches_seen = 0
        # shutil falls back to 80x24 where the terminal reports no size (e.g. under `script`)
        self._terminal = shutil.get_terminal_size() if _is_terminal(self._bar_stream()) else None

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._batches_seen += 1
        if self._bar is None:
            self._bar = self._open_bar()
        size = self._terminal
        max_length = math.floor(size.columns * 0.5 - 12) if size else None  # tfjs-node's cut
        self._bar.metrics = format_metrics(logs, max_length)
        self._bar.update(1)

    def _open_bar(self) -> _EpochBar:
        known = self.batches_per_epoch > 0
        size = self._terminal
        refresh = _LOG_REFRESH_S if size is None else _TERMINAL_REFRESH_S
        return _EpochBar(
            total=self.batches_per_epoch if known else None, file=self._bar_stream(),
            bar_format=("eta={remaining_s:.1f} {bar} {metrics}" if known
                        else "{n_fmt} batches {metrics}"),
            ascii=" >=", ncols=size.columns if size else None, nrows=size.lines if size else None,
            mininterval=refresh, delay=refresh if size is None else 0, leave=True)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        ms = (self.clock() - self._epoch_start) * 1000.0
        steps = self.params.get("samples") or self._batches_seen
        us = ms / steps * 1000.0 if steps else 0.0
        self._close_bar()
        self._print(f"{js_to_fixed(ms, 0)}ms {js_to_fixed(us, 0)}us/step - "
                    f"{format_metrics(logs)}")

    def on_train_end(self, logs: Logs | None = None) -> None:
        self._close_bar()  # training stopped in the middle of an epoch

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.metrics = ""  # tfjs-node's last tick blanks the metrics
            self._bar.close()
            self._bar = None


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


# -- callbacks that watch a monitored quantity --------------------------------------------------
def _monitor_op(mode: str, monitor: str, where: str) -> tuple[str, Callable[[Any, Any], bool]]:
    """The mode and its comparison: 'min' -> <, 'max' -> >, 'auto' -> > if 'acc' in the name."""
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"{where} mode {mode!r} is invalid. Falling back to mode 'auto'.",
                      stacklevel=3)
        mode = "auto"
    if mode == "max" or (mode == "auto" and "acc" in monitor):
        return mode, operator.gt
    return mode, operator.lt


class EarlyStopping(Callback):
    """Stops training when ``monitor`` has stopped improving (TF.js ``tf.callbacks.earlyStopping``).

    An epoch improves when it beats the best value so far by more than ``min_delta`` (lower is
    better in mode 'min', higher in 'max'; 'auto' picks 'max' when the name contains 'acc').
    With a ``baseline``, the best value starts there, so epochs must also beat the baseline.
    ``wait`` counts the epochs in a row without improvement, and training stops
    (``model.stop_training = True``) as soon as ``wait >= patience``; the epoch is counted before
    the check, so patience 0 and 1 both stop at the first epoch that does not improve. A missing
    ``monitor`` in the logs warns once and the epoch is skipped.

    ``restore_best_weights`` (not implemented in TF.js) works as in Keras: the weights of the epoch
    with the best monitored value are put back with ``model.set_weights`` when training ends.
    The "early stopping" message (verbose) numbers epochs from 1, like the progress bar; TF.js
    prints the 0-based number there.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False) -> None:
        super().__init__()
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.verbose = verbose
        self.mode, self.monitor_op = _monitor_op(mode, monitor, "EarlyStopping")
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.on_train_begin()

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.wait = 0
        self.stopped_epoch: int | None = None
        worst = math.inf if self.monitor_op is operator.lt else -math.inf
        self.best = worst if self.baseline is None else self.baseline
        self.best_weights: list[np.ndarray] | None = None
        self.best_epoch: int | None = None
        self._best_seen = worst  # best value of any epoch, baseline or not: for the weights
        self._warned = False

    def _improves(self, current: float, reference: float) -> bool:
        delta = -self.min_delta if self.monitor_op is operator.lt else self.min_delta
        return self.monitor_op(current - delta, reference)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        current = _monitored_value(self, logs)
        if current is None:
            return
        if self.restore_best_weights and (self.best_weights is None
                                          or self._improves(current, self._best_seen)):
            self._best_seen, self.best_epoch = current, epoch
            # Copies: the model's own arrays change with the next training step.
            self.best_weights = [np.array(w, copy=True) for w in self.model.get_weights()]
        if self._improves(current, self.best):
            self.best = current
            self.wait = 0
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.stopped_epoch is not None and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping.")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


def _monitored_value(callback: Any, logs: Logs | None) -> float | None:
    """``logs[callback.monitor]``, or None with one warning per training run."""
    value = (logs or {}).get(callback.monitor)
    if value is None and not callback._warned:
        callback._warned = True
        available = ", ".join(logs or {}) or "none"
        warnings.warn(f"{type(callback).__name__}: metric {callback.monitor!r} is not "
                      f"available. Available metrics are: {available}", stacklevel=3)
    return value


class ModelCheckpoint(Callback):
    """Saves the model with ``model.save(path)`` every epoch, or every ``save_freq`` batches
    (Keras ``ModelCheckpoint``; TF.js has no checkpoint callback).

    ``filepath`` may hold ``{epoch}`` (1-based, as Keras), ``{batch}`` (1-based, with an integer
    ``save_freq``) and any log name with a format, e.g.
    ``'file://ckpt/e{epoch:02d}-{val_loss:.2f}'``.
    With ``save_best_only`` it saves only when ``monitor`` beats the best value so far (``mode`` as
    in ``EarlyStopping``); the best value persists across fits of the same callback, as in Keras.
    """

    def __init__(self, filepath: str, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, mode: str = "auto",
                 save_freq: str | int = "epoch") -> None:
        super().__init__()
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(f"ModelCheckpoint: save_freq must be 'epoch' or a positive number "
                             f"of batches, got {save_freq!r}")
        self.filepath = str(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.mode, self.monitor_op = _monitor_op(mode, monitor, "ModelCheckpoint")
        self.save_freq = save_freq
        self.best = math.inf if self.monitor_op is operator.lt else -math.inf
        self._epoch = 0
        self._batches_since_save = 0
        self._warned = False

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._batches_since_save = 0
        self._warned = False

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._epoch = epoch

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs or {})

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def file_path(self, epoch: int, batch: int | None, logs: Logs) -> str:
        """``filepath`` with its placeholders filled in."""
        fields = {**logs, "epoch": epoch + 1}
        if batch is not None:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except (KeyError, IndexError, ValueError) as error:
            raise KeyError(f"ModelCheckpoint: cannot fill in filepath {self.filepath!r} "
                           f"({error!r}); available fields: {', '.join(fields)}") from None

    def _save(self, epoch: int, batch: int | None, logs: Logs) -> None:
        path = self.file_path(epoch, batch, logs)
        if self.save_best_only:
            current = _monitored_value(self, logs)
            if current is None:
                return
            if not self.monitor_op(current, self.best):
                if self.verbose:
                    print(f"Epoch {epoch + 1}: {self.monitor} did not improve from "
                          f"{self.best:.5f}")
                return
            if self.verbose:
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        self.model.save(path)


class TerminateOnNaN(Callback):
    """Stops training as soon as a batch loss is NaN or infinite (Keras ``TerminateOnNaN``)."""

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class CSVLogger(Callback):
    """Writes each epoch's logs as one CSV row (Keras ``CSVLogger``; not in TF.js).

    The header is ``epoch`` (0-based, as in ``History``) and then the first epoch's log names,
    sorted as Keras does; lines end in ``\\n`` (Keras writes ``\\r\\n``). A name missing in a
    later epoch is written ``NA``; a new one is left out. Each row is flushed, so the file can be
    watched during training. With ``append`` the rows go after an existing file's, without a
    second header.
    """

    def __init__(self, filename: str | Path, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.filename = Path(filename)
        self.separator = separator
        self.append = append
        self.keys: list[str] | None = None
        self._file: TextIO | None = None
        self._writer: csv.DictWriter | None = None
        self._write_header = True

    def on_train_begin(self, logs: Logs | None = None) -> None:
        has_rows = self.filename.exists() and self.filename.stat().st_size > 0
        self._write_header = not (self.append and has_rows)
        self._file = open(self.filename, "a" if self.append else "w", newline="",
                          encoding="utf-8")
        self.keys, self._writer = None, None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self._file is None:
            self.on_train_begin()
        if self._writer is None:
            self.keys = sorted(logs)
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch", *self.keys],
                                          delimiter=self.separator, lineterminator="\n",
                                          restval="NA", extrasaction="ignore")
            if self._write_header:
                self._writer.writeheader()
        self._writer.writerow({**logs, "epoch": epoch})
        self._file.flush()

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self._file is not None:
            self._file.close()
        self._file, self._writer = None, None


# -- factories: tf.callbacks.* ------------------------------------------------------------------
class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of every epoch (Keras callback; TF.js
    has none): ``schedule(epoch, learning_rate) -> new learning rate``, epoch 0-based.

    >>> scheduler = LearningRateScheduler(lambda epoch, lr: lr * 0.9 if epoch > 2 else lr)
    """

    def __init__(self, schedule: Callable[[int, float], float], verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError("LearningRateScheduler: the optimizer has no learning_rate")
        rate = float(self.schedule(epoch, float(optimizer.learning_rate)))
        optimizer.learning_rate = rate
        if self.verbose:
            print(f"Epoch {epoch + 1}: learning rate {rate:.6g}")


def early_stopping(config: dict[str, Any] | None = None, **kwargs: Any) -> EarlyStopping:
    """``tf.callbacks.earlyStopping({'monitor': 'val_acc', 'patience': 2})``, or keywords."""
    return EarlyStopping(**merge_config(config, kwargs, "early_stopping"))


def model_checkpoint(config: dict[str, Any] | str | None = None,
                     **kwargs: Any) -> ModelCheckpoint:
    """A ``ModelCheckpoint`` from a file path, a config dict
    (``{'filepath': ..., 'saveBestOnly': True}``) or keywords."""
    if isinstance(config, (str, Path)):
        config, kwargs = None, {"filepath": config, **kwargs}
    return ModelCheckpoint(**merge_config(config, kwargs, "model_checkpoint"))


def terminate_on_nan() -> TerminateOnNaN:
    """A ``TerminateOnNaN`` callback."""
    return TerminateOnNaN()


def csv_logger(config: dict[str, Any] | str | None = None, **kwargs: Any) -> CSVLogger:
    """A ``CSVLogger`` from a file name, a config dict (``{'filename': 'log.csv', 'append': True}``)
    or keywords."""
    if isinstance(config, (str, Path)):
        config, kwargs = None, {"filename": config, **kwargs}
    return CSVLogger(**merge_config(config, kwargs, "csv_logger"))


def learning_rate_scheduler(schedule: Callable[[int, float], float],
                            verbose: int = 0) -> LearningRateScheduler:
    """Factory for :class:`LearningRateScheduler`."""
    return LearningRateScheduler(schedule, verbose)
