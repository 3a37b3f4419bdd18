"""compile / fit / evaluate / predict: TF.js semantics, Keras where TF.js is wrong, no leaks."""
from __future__ import annotations

import numpy as np
import pytest

import minitf as tf


def _data(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    labels = (x[:, 0] + x[:, 1] > 0).astype(int) + (x[:, 2] > 0.8)
    return x, np.eye(3, dtype=np.float32)[labels]


def _mlp(**compile_args) -> tf.Sequential:
    model = tf.sequential()
    model.add(tf.layers.dense(units=8, activation="relu", input_shape=[4]))
    model.add(tf.layers.dense(units=3, activation="softmax"))
    model.compile(**{"optimizer": "adam", "loss": "categoricalCrossentropy",
                     "metrics": ["accuracy"], **compile_args})
    return model


def test_fit_learns_and_history_uses_tfjs_keys() -> None:
    x, y = _data(120)
    model = _mlp()
    history = model.fit(x, y, epochs=8, batch_size=16, validation_split=0.25, verbose=0)
    assert sorted(history.history) == ["acc", "loss", "val_acc", "val_loss"]
    assert history.epoch == list(range(8))
    assert history.history["loss"][-1] < history.history["loss"][0]
    model.dispose()


def test_fit_leaks_nothing_but_weights_and_slots() -> None:
    x, y = _data()
    model = _mlp()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)  # creates the optimizer's slots
    before = tf.memory().num_tensors
    model.fit(x, y, epochs=3, batch_size=16, validation_split=0.2, verbose=0)
    model.evaluate(x, y)  # returns tensors: dispose them
    assert tf.memory().num_tensors == before + 2
    tf.dispose(model.evaluate(x, y))
    tf.dispose(model.predict(x))
    model.train_on_batch(x[:8], y[:8])
    assert tf.memory().num_tensors == before + 2


def test_model_dispose_releases_weights_and_optimizer_state() -> None:
    before = tf.memory().num_tensors
    model = _mlp()
    x, y = _data()
    model.fit(x, y, epochs=1, verbose=0)
    assert tf.memory().num_tensors > before
    model.dispose()
    assert tf.memory().num_tensors == before


def test_validation_split_takes_the_last_fraction_before_shuffling() -> None:
    x, y = _data(40)
    model = _mlp(metrics=[])
    seen = []
    model.fit(x, y, epochs=1, batch_size=40, validation_split=0.25, verbose=0,
              callbacks={"onBatchEnd": lambda batch, logs: seen.append(logs["size"])})
    assert seen == [30]
    val_losses = []
    model.fit(x, y, epochs=1, batch_size=40, validation_split=0.25, verbose=0,
              callbacks={"onEpochEnd": lambda epoch, logs: val_losses.append(logs["val_loss"])})
    np.testing.assert_allclose(val_losses[0], float(model.evaluate(x[30:], y[30:])), rtol=1e-6)


def test_evaluate_returns_scalars_and_predict_batches() -> None:
    x, y = _data(50)
    model = _mlp()
    loss, acc = model.evaluate(x, y, batch_size=7)
    assert loss.rank == 0 and 0 <= float(acc) <= 1
    full = model.predict(x, batch_size=7).numpy()
    one = model.predict_on_batch(x).numpy()
    np.testing.assert_allclose(full, one, rtol=1e-6, atol=1e-6)
    model_loss = tf.tidy(lambda: tf.mean(tf.metrics.categorical_crossentropy(
        tf.tensor(y), model.predict(x))))
    np.testing.assert_allclose(float(loss), float(model_loss), rtol=1e-5)


def test_tfjs_style_dicts_for_compile_and_fit() -> None:
    x, y = _data(30)
    model = tf.sequential({"layers": [tf.layers.dense({"units": 3, "inputShape": [4],
                                                       "activation": "softmax"})]})
    model.compile({"optimizer": tf.train.sgd(0.1), "loss": "categoricalCrossentropy",
                   "metrics": ["acc"]})
    epochs = []
    model.fit(x, y, {"epochs": 2, "batchSize": 10, "verbose": 0,
                     "callbacks": {"onEpochEnd": lambda epoch, logs: epochs.append(epoch)}})
    assert epochs == [0, 1]


def test_freezing_keeps_weights_and_summary_counts_them() -> None:
    x, y = _data()
    model = _mlp()
    first = model.layers[0]
    first.trainable = False
    frozen = [w.copy() for w in first.get_weights()]
    model.compile(optimizer="sgd", loss="categoricalCrossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    for before, after in zip(frozen, first.get_weights()):
        np.testing.assert_array_equal(before, after)
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    assert "Trainable params: 27" in lines and "Non-trainable params: 40" in lines
    model.trainable = False
    assert model.trainable_weights == []


def test_constraints_hold_after_every_step() -> None:
    x, y = _data()
    model = tf.sequential()
    model.add(tf.layers.dense(units=3, input_shape=[4], activation="softmax",
                              kernel_constraint="nonNeg"))
    model.compile(optimizer=tf.train.sgd(1.0), loss="categoricalCrossentropy")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert (model.layers[0].get_weights()[0] >= 0).all()


def test_regularizer_adds_to_the_loss() -> None:
    x, y = _data()
    plain = _mlp()
    reg = tf.sequential([tf.layers.dense(units=3, input_shape=[4], kernel_regularizer="l2",
                                         activation="softmax")])
    reg.compile(optimizer="sgd", loss="categoricalCrossentropy")
    reg.layers[0].set_weights([np.ones((4, 3)), np.zeros(3)])
    data_loss = float(tf.tidy(lambda: tf.mean(tf.metrics.categorical_crossentropy(
        tf.tensor(y), reg.predict(x)))))
    total = reg.train_on_batch(x, y)
    np.testing.assert_allclose(total, data_loss + 0.01 * 12, rtol=1e-5)
    plain.dispose()


def test_functional_multi_output_with_loss_weights() -> None:
    x, y = _data(80)
    regression = x[:, :1] * 2 + 1
    inp = tf.input(shape=[4])
    trunk = tf.layers.dense(units=16, activation="relu").apply(inp)
    cls = tf.layers.dense(units=3, activation="softmax", name="species").apply(trunk)
    reg = tf.layers.dense(units=1, name="width")(trunk)
    model = tf.model(inputs=inp, outputs=[cls, reg])
    model.compile(optimizer="adam", loss=["categoricalCrossentropy", "meanSquaredError"],
                  metrics={"species": ["accuracy"]}, loss_weights=[1.0, 0.5])
    history = model.fit(x, [y, regression], epochs=3, batch_size=16, verbose=0,
                        validation_split=0.25)
    assert set(history.history) == {"loss", "species_loss", "width_loss", "species_acc",
                                    "val_loss", "val_species_loss", "val_width_loss",
                                    "val_species_acc"}
    h = history.history
    weighted = np.array(h["val_species_loss"]) + 0.5 * np.array(h["val_width_loss"])
    np.testing.assert_allclose(np.array(h["val_loss"]), weighted, rtol=1e-5)
    results = model.evaluate(x, {"species": y, "width": regression})
    assert len(results) == 4  # loss, species_loss, width_loss, species_acc


def test_callbacks_can_stop_training() -> None:
    x, y = _data()
    model = _mlp()

    def stop(epoch: int, logs: dict) -> None:
        model.stop_training = True

    history = model.fit(x, y, epochs=10, verbose=0, callbacks={"on_epoch_end": stop})
    assert history.epoch == [0]


def test_fit_dataset_over_batches() -> None:
    x, y = _data(64)
    batches = [{"xs": x[i:i + 16], "ys": y[i:i + 16]} for i in range(0, 64, 16)]
    model = _mlp()
    before = None
    history = model.fit_dataset(batches, epochs=2, verbose=0,
                                validation_data=(x[:16], y[:16]))
    assert len(history.history["loss"]) == 2 and "val_acc" in history.history
    before = tf.memory().num_tensors
    model.fit_dataset([(x[:16], y[:16])] * 3, epochs=1, verbose=0)
    tf.dispose(model.evaluate_dataset(batches))
    assert tf.memory().num_tensors == before


def test_errors_name_the_problem() -> None:
    model = _mlp()
    x, y = _data()
    with pytest.raises(ValueError, match=r"expected input 'dense_Dense\d+_input' to have shape "
                                         r"\[null,4\] but got a tensor of shape \[60,5\]"):
        model.predict(np.zeros((60, 5), np.float32))
    with pytest.raises(ValueError, match="same number of samples"):
        model.fit(x, y[:10], verbose=0)
    with pytest.raises(ValueError, match=r"expected dense_Dense\d+ to have shape \[null,3\]"):
        model.fit(x, np.zeros((60, 4), np.float32), verbose=0)
    with pytest.raises(RuntimeError, match="must be compiled"):
        tf.sequential([tf.layers.dense(units=1, input_shape=[2])]).fit(np.zeros((2, 2)),
                                                                        np.zeros((2, 1)))
    with pytest.raises(ValueError, match="(?i)unknown optimizer .nope."):
        model.compile(optimizer="nope", loss="categoricalCrossentropy")


def test_sequential_without_input_shape_builds_on_first_data() -> None:
    model = tf.sequential()
    model.add(tf.layers.dense(units=2))
    model.compile(optimizer="sgd", loss="meanSquaredError")
    model.fit(np.zeros((4, 3), np.float32), np.zeros((4, 2), np.float32), verbose=0)
    assert model.layers[0].kernel.shape == (3, 2)


def test_get_layer_and_weights() -> None:
    model = _mlp()
    assert model.get_layer(index=1) is model.layers[1]
    assert model.get_layer(model.layers[0].name) is model.layers[0]
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        model.get_layer("nope")
    weights = model.get_weights()
    model.set_weights([w * 0 for w in weights])
    assert all((w == 0).all() for w in model.get_weights())
    assert model.count_params() == 4 * 8 + 8 + 8 * 3 + 3


def test_fit_dataset_leaves_the_datasets_tensors_alone() -> None:
    x, y = _data(32)
    tx, ty = tf.tensor(x), tf.tensor(y)
    model = _mlp()
    model.fit_dataset([{"xs": tx, "ys": ty}], epochs=2, verbose=0, validation_data=(tx, ty))
    tf.dispose(model.evaluate_dataset([(tx, ty)]))
    assert not tx.is_disposed and not ty.is_disposed


def test_activity_regularizer_adds_the_output_penalty_while_training() -> None:
    x, y = _data(8)
    model = tf.sequential([tf.layers.dense(units=3, input_shape=[4], activation="softmax",
                                           activity_regularizer=tf.regularizers.l1(l1=0.5))])
    model.compile(optimizer=tf.train.sgd(0.0), loss="categoricalCrossentropy")
    probabilities = model.predict(x).numpy()
    data_loss = float(tf.tidy(lambda: tf.mean(tf.metrics.categorical_crossentropy(
        tf.tensor(y), tf.tensor(probabilities)))))
    total = model.train_on_batch(x, y)
    np.testing.assert_allclose(total, data_loss + 0.5 * np.abs(probabilities).sum(), rtol=1e-5)
    assert float(model.evaluate(x, y)) == pytest.approx(data_loss, rel=1e-5)
    model.fit(x, y, epochs=1, verbose=0)
    before = tf.memory().num_tensors
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    with tf.tidy():  # a training call outside fit
        model(tf.tensor(x), training=True)
    model.fit(x, y, epochs=1, verbose=0)
    assert tf.memory().num_tensors == before


def test_class_weight_scales_each_samples_loss() -> None:
    x, y = _data(12)
    model = _mlp(metrics=[])
    model.compile(optimizer=tf.train.sgd(0.0), loss="categoricalCrossentropy")
    per_sample = tf.tidy(lambda: tf.metrics.categorical_crossentropy(
        tf.tensor(y), model.predict(x)).numpy())
    weights = {0: 2.0, 1: 0.5, 2: 1.0}
    expected = np.mean(per_sample * np.array([weights[c] for c in y.argmax(1)]))
    np.testing.assert_allclose(model.train_on_batch(x, y, class_weight=weights), expected,
                               rtol=1e-5)


def test_initial_epoch_and_steps_per_epoch() -> None:
    x, y = _data(40)
    model = _mlp()
    epochs, batches = [], []
    model.fit(x, y, epochs=5, initial_epoch=3, batch_size=8, steps_per_epoch=2, verbose=0,
              callbacks={"onEpochBegin": lambda e, logs: epochs.append(e),
                         "onBatchEnd": lambda b, logs: batches.append(b)})
    assert epochs == [3, 4] and batches == [0, 1, 0, 1]


def test_concurrent_fit_is_refused() -> None:
    x, y = _data(16)
    model = _mlp()

    def nested_fit(epoch: int, logs: dict) -> None:
        with pytest.raises(RuntimeError, match="another fit\\(\\) call is ongoing"):
            model.fit(x, y, verbose=0)

    model.fit(x, y, epochs=1, verbose=0, callbacks={"onEpochEnd": nested_fit})


def test_verbose_one_prints_the_tfjs_node_progress_lines(capsys) -> None:
    x, y = _data(16)
    model = _mlp()
    model.fit(x, y, epochs=2, batch_size=8, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1 / 2" in out and "Epoch 2 / 2" in out
    assert out.count("us/step - acc=") == 2
