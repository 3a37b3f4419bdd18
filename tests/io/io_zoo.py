"""Small models for the saving tests: one per registered layer type, and a few composite ones.

Used by the tests in this folder and by tests/fixtures/tfjs/saved/make_minitf_models.py, which
saves them for real TF.js to load. Weights and inputs come from fixed formulas.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

import minitf as tf
from minitf.serialization import _registry

L = tf.layers

# class name -> (factory, keyword arguments, input shapes without the batch)
RECIPES: dict[str, tuple[str, dict[str, Any], list[tuple[int, ...]]]] = {
    "Activation": ("activation", {"activation": "tanh"}, [(5,)]),
    "Add": ("add", {}, [(4,), (4,)]),
    "Average": ("average", {}, [(4,), (4,)]),
    "Maximum": ("maximum", {}, [(4,), (4,)]),
    "Minimum": ("minimum", {}, [(4,), (4,)]),
    "Multiply": ("multiply", {}, [(4,), (4,)]),
    "Concatenate": ("concatenate", {}, [(4,), (3,)]),
    "Dot": ("dot", {"axes": 1, "normalize": True}, [(4,), (4,)]),
    "AlphaDropout": ("alpha_dropout", {"rate": 0.2}, [(5,)]),
    "GaussianDropout": ("gaussian_dropout", {"rate": 0.2}, [(5,)]),
    "GaussianNoise": ("gaussian_noise", {"stddev": 0.1}, [(5,)]),
    "Dropout": ("dropout", {"rate": 0.3}, [(5,)]),
    "SpatialDropout1D": ("spatial_dropout1d", {"rate": 0.3}, [(3, 4)]),
    "SpatialDropout2D": ("spatial_dropout2d", {"rate": 0.3}, [(3, 3, 2)]),
    "AveragePooling1D": ("average_pooling1d", {"pool_size": 2}, [(6, 3)]),
    "MaxPooling1D": ("max_pooling1d", {"pool_size": 2, "strides": 1}, [(6, 3)]),
    "AveragePooling2D": ("average_pooling2d", {"pool_size": 2, "padding": "same"}, [(5, 5, 2)]),
    "MaxPooling2D": ("max_pooling2d", {"pool_size": 2}, [(4, 4, 2)]),
    "GlobalAveragePooling1D": ("global_average_pooling1d", {}, [(6, 3)]),
    "GlobalMaxPooling1D": ("global_max_pooling1d", {}, [(6, 3)]),
    "GlobalAveragePooling2D": ("global_average_pooling2d", {}, [(4, 4, 2)]),
    "GlobalMaxPooling2D": ("global_max_pooling2d", {}, [(4, 4, 2)]),
    "BatchNormalization": ("batch_normalization", {"momentum": 0.9}, [(4,)]),
    "LayerNormalization": ("layer_normalization", {}, [(3, 4)]),
    "Conv1D": ("conv1d", {"filters": 2, "kernel_size": 3, "activation": "relu"}, [(6, 3)]),
    "Conv2D": ("conv2d", {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"},
               [(5, 5, 2)]),
    "Conv2DTranspose": ("conv2d_transpose", {"filters": 2, "kernel_size": 3, "strides": 2},
                        [(4, 4, 2)]),
    "DepthwiseConv2D": ("depthwise_conv2d", {"kernel_size": 3, "depth_multiplier": 2},
                        [(5, 5, 2)]),
    "SeparableConv2D": ("separable_conv2d", {"filters": 3, "kernel_size": 3}, [(5, 5, 2)]),
    "Cropping2D": ("cropping2d", {"cropping": [[1, 0], [0, 1]]}, [(5, 5, 2)]),
    "ZeroPadding2D": ("zero_padding2d", {"padding": 1}, [(3, 3, 2)]),
    "UpSampling2D": ("up_sampling2d", {"size": 2}, [(3, 3, 2)]),
    "Dense": ("dense", {"units": 3, "activation": "sigmoid", "kernel_regularizer": "l2"}, [(5,)]),
    "ELU": ("elu", {}, [(5,)]),
    "LeakyReLU": ("leaky_re_lu", {"alpha": 0.2}, [(5,)]),
    "PReLU": ("prelu", {}, [(5,)]),
    "ReLU": ("re_lu", {"max_value": 0.5}, [(5,)]),
    "Softmax": ("softmax", {}, [(5,)]),
    "ThresholdedReLU": ("thresholded_re_lu", {"theta": 0.1}, [(5,)]),
    "Embedding": ("embedding", {"input_dim": 10, "output_dim": 3}, [(4,)]),
    "Flatten": ("flatten", {}, [(3, 2)]),
    "Permute": ("permute", {"dims": [2, 1]}, [(3, 2)]),
    "RepeatVector": ("repeat_vector", {"n": 3}, [(4,)]),
    "Reshape": ("reshape", {"target_shape": [2, 3]}, [(6,)]),
    "GRU": ("gru", {"units": 3, "return_sequences": True}, [(4, 2)]),
    "LSTM": ("lstm", {"units": 3, "go_backwards": True}, [(4, 2)]),
    "SimpleRNN": ("simple_rnn", {"units": 3}, [(4, 2)]),
    "Masking": ("masking", {"mask_value": 0.5}, [(4, 2)]),
}
# Cells and the generic RNN are saved inside an RNN layer.
CELL_RECIPES: dict[str, Callable[[], Any]] = {  # layers made of layers
    "RNN": lambda: L.rnn(cell=L.simple_rnn_cell(units=3), return_sequences=True),
    "GRUCell": lambda: L.rnn(cell=L.gru_cell(units=3)),
    "LSTMCell": lambda: L.rnn(cell=L.lstm_cell(units=3)),
    "SimpleRNNCell": lambda: L.rnn(cell=L.simple_rnn_cell(units=2, activation="relu")),
    "StackedRNNCells": lambda: L.rnn(cell=[L.lstm_cell(units=2), L.gru_cell(units=3)]),
    "TimeDistributed": lambda: L.time_distributed(layer=L.dense(units=3, activation="tanh")),
    "Bidirectional": lambda: L.bidirectional(layer=L.lstm(units=2, return_sequences=True),
                                             merge_mode="ave"),
}
MODEL_CLASSES = {"InputLayer", "Model", "Sequential"}  # covered by every model


def layer_types() -> list[str]:
    """Every registered layer class that is not a model or an input."""
    return sorted(set(_registry["layers"]) - MODEL_CLASSES)


def make_layer(class_name: str) -> tuple[Any, list[tuple[int, ...]]]:
    """A fresh layer of ``class_name`` and its input shapes."""
    if class_name in CELL_RECIPES:
        return CELL_RECIPES[class_name](), [(4, 2)]
    factory, kwargs, shapes = RECIPES[class_name]
    return getattr(L, factory)(**kwargs), shapes


def layer_model(class_name: str, sequential: bool) -> Any:
    """One layer in a model: ``Sequential`` with an input shape, or functional from tf.input."""
    layer, shapes = make_layer(class_name)
    dtype = "int32" if class_name == "Embedding" else "float32"
    if sequential:
        model = tf.sequential(layers=[tf.layers.input_layer(input_shape=shapes[0], dtype=dtype),
                                      layer])
    else:
        ins = [tf.input(shape=list(s), dtype=dtype) for s in shapes]
        model = tf.model(inputs=ins if len(ins) > 1 else ins[0],
                         outputs=layer.apply(ins if len(ins) > 1 else ins[0]))
    set_weights(model)
    return model


def set_weights(model: Any, phase: float = 0.0) -> None:
    """Deterministic weights (sin formulas); variances and scales stay positive."""
    for j, w in enumerate(model.weights):
        n = int(np.prod(w.shape))
        i = np.arange(n)
        if any(key in w.original_name for key in ("moving_variance", "gamma")):
            values = 0.6 + 0.3 * np.abs(np.sin(0.9 * i + j + phase))
        else:
            values = 0.45 * np.sin(0.7 * i + 0.3 + 1.3 * j + phase)
        w.assign(values.reshape(w.shape).astype(w.dtype))


def inputs_for(model: Any, batch: int = 3, seed: int = 0) -> list[np.ndarray]:
    """Fixed inputs for every model input: token ids for int32 inputs and Embedding models."""
    out = []
    for k, sym in enumerate(model.inputs):
        shape = (batch, *sym.shape[1:])
        n = int(np.prod(shape))
        i = np.arange(n)
        if sym.dtype == "int32" or _starts_with_embedding(model):
            limit = _embedding_input_dim(model)
            out.append(((7 * i + 3 * (k + seed)) % limit).reshape(shape).astype(sym.dtype))
        else:
            values = 1.3 * np.sin(0.37 * i + 0.11 + 0.9 * (k + seed))
            out.append(values.reshape(shape).astype(np.float32))
    return out


def _starts_with_embedding(model: Any) -> bool:
    return any(layer.class_name == "Embedding" for layer in model.layers[:2])


def _embedding_input_dim(model: Any) -> int:
    dims = [layer.input_dim for layer in _all_layers(model) if layer.class_name == "Embedding"]
    return min(dims) if dims else 10


def _all_layers(model: Any) -> list[Any]:
    out = []
    for layer in model.layers:
        out.append(layer)
        if hasattr(layer, "layers"):
            out.extend(_all_layers(layer))
    return out


def predict(model: Any, xs: list[np.ndarray]) -> list[np.ndarray]:
    """The model's outputs for ``xs`` as a list of arrays (one per output)."""
    out = model.predict(xs if len(xs) > 1 else xs[0])
    outs = out if isinstance(out, list) else [out]
    arrays = [o.numpy() for o in outs]
    tf.dispose(outs)
    return arrays


# -- composite models ----------------------------------------------------------------------
def mlp() -> Any:
    """Sequential: Dense, BatchNormalization, Dropout, Dense (softmax)."""
    return tf.sequential(layers=[L.dense(units=8, activation="relu", input_shape=[6]),
                                 L.batch_normalization(), L.dropout(rate=0.3),
                                 L.dense(units=3, activation="softmax")])


def convnet() -> Any:
    """Sequential convnet: Conv2D, pooling, SeparableConv2D, BatchNormalization, Dense."""
    return tf.sequential(layers=[
        L.conv2d(filters=4, kernel_size=3, activation="relu", input_shape=[8, 8, 2]),
        L.max_pooling2d(pool_size=2), L.separable_conv2d(filters=3, kernel_size=3,
                                                        padding="same"),
        L.batch_normalization(), L.depthwise_conv2d(kernel_size=2),
        L.global_average_pooling2d(), L.dense(units=4, activation="softmax")])


def rnn() -> Any:
    """Sequential: Embedding, LSTM (sequences), GRU, Dense."""
    return tf.sequential(layers=[L.embedding(input_dim=20, output_dim=4, input_length=5),
                                 L.lstm(units=6, return_sequences=True), L.gru(units=3),
                                 L.dense(units=2, activation="softmax")])


def conv1d() -> Any:
    """Sequential: Conv1D and 1-D pooling."""
    return tf.sequential(layers=[
        L.conv1d(filters=4, kernel_size=3, activation="relu", input_shape=[10, 2]),
        L.max_pooling1d(pool_size=2), L.conv1d(filters=3, kernel_size=2, padding="same"),
        L.average_pooling1d(pool_size=2), L.global_max_pooling1d(), L.dense(units=1)])


def wrappers() -> Any:
    """Sequential: TimeDistributed(Dense), Bidirectional(LSTM, sequences), Bidirectional(GRU,
    sum). Sigmoid recurrent activations: Keras 3's hard_sigmoid is another function."""
    return tf.sequential(layers=[
        L.time_distributed(layer=L.dense(units=3, activation="tanh"), input_shape=[4, 2]),
        L.bidirectional(layer=L.lstm(units=2, return_sequences=True,
                                     recurrent_activation="sigmoid")),
        L.bidirectional(layer=L.gru(units=2, recurrent_activation="sigmoid"), merge_mode="sum"),
        L.dense(units=1)])


def multi_io() -> Any:
    """Functional: two inputs, two outputs, a concatenation and a shared Dense layer."""
    a = tf.input(shape=[4], name="input_a")
    b = tf.input(shape=[4], name="input_b")
    shared = L.dense(units=5, activation="relu", name="shared")
    merged = L.concatenate().apply([shared.apply(a), shared.apply(b)])
    out1 = L.dense(units=2, activation="softmax", name="class_out").apply(merged)
    out2 = L.dense(units=1, name="value_out").apply(L.add().apply([shared.apply(a),
                                                                   shared.apply(b)]))
    return tf.model(inputs=[a, b], outputs=[out1, out2])


def nested() -> Any:
    """A Sequential inside a functional model, itself inside a Sequential."""
    inner = tf.sequential(layers=[L.dense(units=4, activation="relu", input_shape=[3]),
                                  L.dense(units=3)])
    x = tf.input(shape=[3])
    middle = tf.model(inputs=x, outputs=L.dense(units=2, activation="tanh").apply(
        inner.apply(x)))
    return tf.sequential(layers=[middle, L.dense(units=1, activation="sigmoid")])


def nested_output() -> Any:
    """A functional model whose output comes straight from a nested model."""
    inner = tf.sequential(layers=[L.dense(units=2, input_shape=[3])])
    x = tf.input(shape=[3])
    return tf.model(inputs=x, outputs=[inner.apply(x), L.dense(units=1).apply(x)])


ZOO: dict[str, Callable[[], Any]] = {"mlp": mlp, "convnet": convnet, "rnn": rnn,
                                     "conv1d": conv1d, "multi_io": multi_io, "nested": nested,
                                     "nested_output": nested_output, "wrappers": wrappers}


def zoo_model(name: str) -> Any:
    """A composite model with deterministic weights."""
    model = ZOO[name]()
    set_weights(model)
    return model
