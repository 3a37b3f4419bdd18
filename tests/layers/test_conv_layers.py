"""Convolution, pooling and padding layers: shapes on Hypothesis-drawn configs (eager, symbolic
and compute_output_shape agree), values against plain NumPy loops, gradients against finite
differences, config round trips, clear errors, the mnist-node convnet, and TF.js golden outputs.
"""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitf as tf
from gradcheck import check_gradients
from minitf.serialization import deserialize, serialize, to_snake_case

L = tf.layers
FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tfjs", "layers",
                       "layers.json")
CLASSES = {"Conv1D", "Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D",
           "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
           "GlobalMaxPooling2D", "ZeroPadding2D", "Cropping2D", "UpSampling2D"}


# -- NumPy references (channels last; written from the TF definitions, not from minitf) --------
def same_pad(size, kernel, stride, dilation=1):
    """TF 'same' padding of one axis: (before, after), the odd cell after."""
    span = (kernel - 1) * dilation + 1
    total = max((-(-size // stride) - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def np_conv2d(x, w, strides=(1, 1), padding="valid", dilation=(1, 1), depthwise=False):
    """x [n, h, w, c]; w [kh, kw, c, out] (or [kh, kw, c, multiplier] when depthwise)."""
    kh, kw = w.shape[:2]
    pads = [same_pad(n, k, s, d) if padding == "same" else (0, 0)
            for n, k, s, d in zip(x.shape[1:3], (kh, kw), strides, dilation)]
    xp = np.pad(x, [(0, 0), *pads, (0, 0)])
    oh = (xp.shape[1] - (kh - 1) * dilation[0] - 1) // strides[0] + 1
    ow = (xp.shape[2] - (kw - 1) * dilation[1] - 1) // strides[1] + 1
    y = 0
    for i in range(kh):
        for j in range(kw):
            r, c = i * dilation[0], j * dilation[1]
            patch = xp[:, r:r + (oh - 1) * strides[0] + 1:strides[0],
                       c:c + (ow - 1) * strides[1] + 1:strides[1]]
            if depthwise:
                y = y + (patch[..., None] * w[i, j]).reshape(*patch.shape[:3], -1)
            else:
                y = y + patch @ w[i, j]
    return y


def np_conv2d_transpose(x, w, strides, padding):
    """Scatter every input pixel through the kernel w [kh, kw, out, in], then crop."""
    (n, h, wd, _), (kh, kw, cout, _) = x.shape, w.shape
    out = [size * s + (max(k - s, 0) if padding == "valid" else 0)
           for size, k, s in zip((h, wd), (kh, kw), strides)]
    before = [same_pad(o, k, s)[0] if padding == "same" else 0
              for o, k, s in zip(out, (kh, kw), strides)]
    full = np.zeros((n, max((h - 1) * strides[0] + kh, before[0] + out[0]),
                     max((wd - 1) * strides[1] + kw, before[1] + out[1]), cout))
    for a in range(h):
        for b in range(wd):
            full[:, a * strides[0]:a * strides[0] + kh, b * strides[1]:b * strides[1] + kw] += \
                np.einsum("nc,ijoc->nijo", x[:, a, b], w)
    return full[:, before[0]:before[0] + out[0], before[1]:before[1] + out[1]]


def np_pool(x, size, strides, padding, mode):
    """Max or mean of each window over its real cells (padding is NaN and ignored)."""
    pads = [same_pad(n, k, s) if padding == "same" else (0, 0)
            for n, k, s in zip(x.shape[1:3], size, strides)]
    xp = np.pad(x, [(0, 0), *pads, (0, 0)], constant_values=np.nan)
    oh = (xp.shape[1] - size[0]) // strides[0] + 1
    ow = (xp.shape[2] - size[1]) // strides[1] + 1
    y = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    reduce = np.nanmax if mode == "max" else np.nanmean
    for a in range(oh):
        for b in range(ow):
            window = xp[:, a * strides[0]:a * strides[0] + size[0],
                        b * strides[1]:b * strides[1] + size[1]]
            y[:, a, b] = reduce(window, axis=(1, 2))
    return y


def np_resize(x, out_h, out_w, bilinear):
    """TF.js's CPU resize kernels (align_corners and half_pixel_centers off), pixel by pixel."""
    n, h, w, c = x.shape
    y = np.zeros((n, out_h, out_w, c))
    for r in range(out_h):
        fr = r * (h / out_h)
        r0, r1 = int(np.floor(fr)), min(h - 1, int(np.ceil(fr)))
        for q in range(out_w):
            fq = q * (w / out_w)
            q0, q1 = int(np.floor(fq)), min(w - 1, int(np.ceil(fq)))
            if not bilinear:
                y[:, r, q] = x[:, r0, q0]
                continue
            top = x[:, r0, q0] + (x[:, r0, q1] - x[:, r0, q0]) * (fq - q0)
            bottom = x[:, r1, q0] + (x[:, r1, q1] - x[:, r1, q0]) * (fq - q0)
            y[:, r, q] = top + (bottom - top) * (fr - r0)
    return y


def last(x, channels_first):
    return np.moveaxis(x, 1, -1) if channels_first else x


def first(y, channels_first):
    return np.moveaxis(y, -1, 1) if channels_first else y


# -- helpers -----------------------------------------------------------------------------------
def random_weights(layer, seed=0):
    rng = np.random.default_rng(seed)
    values = [rng.uniform(-1, 1, size=w.shape).astype(np.float32) for w in layer.weights]
    layer.set_weights(values)
    return [v.astype(np.float64) for v in values]


def run(layer, x):
    return tf.tidy(lambda: layer(tf.tensor(x, dtype="float64")).numpy())


def check_shapes(layer, x, y):
    """Eager, compute_output_shape, symbolic (tf.input + tf.model) shapes and values agree."""
    assert tuple(layer.compute_output_shape(x.shape)) == y.shape
    inp = tf.input(shape=list(x.shape[1:]))
    out = layer(inp)
    assert out.shape == (None, *y.shape[1:])
    model = tf.model(inputs=inp, outputs=out)
    np.testing.assert_allclose(run(model, x), y, rtol=1e-12, atol=1e-12)


def xs(shape, seed=1):
    return np.random.default_rng(seed).uniform(-2, 2, size=shape)


# -- convolutions: Hypothesis configs, shapes and values against NumPy ------------------------
@st.composite
def conv_cases(draw):
    kind = draw(st.sampled_from(["conv1d", "conv2d", "conv2d_transpose", "depthwise_conv2d",
                                 "separable_conv2d"]))
    rank = 1 if kind == "conv1d" else 2
    ints = lambda lo, hi: [draw(st.integers(lo, hi)) for _ in range(rank)]  # noqa: E731
    strides = ints(1, 3)
    dilation = ints(1, 2) if max(strides) == 1 and kind != "conv2d_transpose" else [1] * rank
    config = {"kernelSize": ints(1, 3), "strides": strides, "dilationRate": dilation,
              "padding": draw(st.sampled_from(["valid", "same"]))}
    if kind != "depthwise_conv2d":
        config["filters"] = draw(st.integers(1, 3))
    if kind in ("depthwise_conv2d", "separable_conv2d"):
        config["depthMultiplier"] = draw(st.integers(1, 2))
    if kind == "conv2d_transpose":
        del config["dilationRate"]
    if rank == 2 and draw(st.booleans()):
        config["dataFormat"] = "channelsFirst"
    channels = draw(st.integers(1, 3))
    spatial = ints(1, 7)
    cf = config.get("dataFormat") == "channelsFirst"
    shape = [2, channels, *spatial] if cf else [2, *spatial, channels]
    return kind, config, shape


def np_conv_layer(kind, config, x, weights):
    cf = config.get("dataFormat") == "channelsFirst"
    x = last(x, cf)
    strides, padding = config["strides"], config["padding"]
    dilation = config.get("dilationRate", [1, 1])
    if kind == "conv1d":
        y = np_conv2d(x[:, None], weights[0][None], (1, *strides), padding,
                      (1, *dilation))[:, 0]
    elif kind == "conv2d":
        y = np_conv2d(x, weights[0], strides, padding, dilation)
    elif kind == "conv2d_transpose":
        y = np_conv2d_transpose(x, weights[0], strides, padding)
    else:
        y = np_conv2d(x, weights[0], strides, padding, dilation, depthwise=True)
        if kind == "separable_conv2d":
            y = y @ weights[1][0, 0]
    return first(y + weights[-1], cf)


@given(conv_cases())
def test_conv_shapes_and_values_match_numpy(case) -> None:
    kind, config, shape = case
    layer = getattr(L, kind)(config)
    x = xs(shape)
    cf = config.get("dataFormat") == "channelsFirst"
    spatial = shape[2:] if cf else shape[1:-1]
    spans = [(k - 1) * d + 1 for k, d in zip(config["kernelSize"],
                                             config.get("dilationRate", [1, 1]))]
    if config["padding"] == "valid" and kind != "conv2d_transpose" and any(
            span > n for span, n in zip(spans, spatial)):
        with pytest.raises(ValueError, match="larger than the input"):
            layer.compute_output_shape(shape)
        with pytest.raises(ValueError, match="larger than the input"):
            run(layer, x)
        return
    layer.maybe_build(tuple(shape))
    weights = random_weights(layer)
    y = run(layer, x)
    np.testing.assert_allclose(y, np_conv_layer(kind, config, x, weights), rtol=1e-10,
                               atol=1e-10)
    check_shapes(layer, x, y)


def test_unknown_spatial_sizes_stay_unknown() -> None:
    inp = tf.input(shape=[None, None, 3])
    assert L.conv2d(filters=4, kernel_size=3)(inp).shape == (None, None, None, 4)
    assert L.conv2d_transpose(filters=2, kernel_size=3)(inp).shape == (None, None, None, 2)
    assert L.max_pooling2d(pool_size=2)(inp).shape == (None, None, None, 3)
    assert L.up_sampling2d()(inp).shape == (None, None, None, 3)
    assert L.global_average_pooling2d()(inp).shape == (None, 3)


# -- pooling -----------------------------------------------------------------------------------
@st.composite
def pool_cases(draw):
    kind = draw(st.sampled_from(["max_pooling1d", "average_pooling1d", "max_pooling2d",
                                 "average_pooling2d"]))
    rank = int(kind[-2])
    ints = lambda lo, hi: [draw(st.integers(lo, hi)) for _ in range(rank)]  # noqa: E731
    config = {"poolSize": ints(1, 3), "padding": draw(st.sampled_from(["valid", "same"]))}
    if draw(st.booleans()):
        config["strides"] = ints(1, 3)
    if rank == 2 and draw(st.booleans()):
        config["dataFormat"] = "channelsFirst"
    channels, spatial = draw(st.integers(1, 3)), ints(1, 6)
    cf = config.get("dataFormat") == "channelsFirst"
    return kind, config, [2, channels, *spatial] if cf else [2, *spatial, channels]


@given(pool_cases())
def test_pool_shapes_and_values_match_numpy(case) -> None:
    kind, config, shape = case
    layer = getattr(L, kind)(config)
    x = xs(shape)
    cf = config.get("dataFormat") == "channelsFirst"
    spatial = shape[2:] if cf else shape[1:-1]
    if config["padding"] == "valid" and any(k > n for k, n in zip(config["poolSize"], spatial)):
        with pytest.raises(ValueError, match="larger than the input"):
            run(layer, x)
        return
    y = run(layer, x)
    size, strides = config["poolSize"], config.get("strides", config["poolSize"])
    mode = "max" if kind.startswith("max") else "avg"
    if kind.endswith("1d"):
        expected = np_pool(x[:, None], (1, *size), (1, *strides), config["padding"], mode)[:, 0]
    else:
        expected = first(np_pool(last(x, cf), size, strides, config["padding"], mode), cf)
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)
    check_shapes(layer, x, y)


@pytest.mark.parametrize("kind, shape, axes", [
    ("global_average_pooling1d", [2, 5, 3], (1,)), ("global_max_pooling1d", [2, 5, 3], (1,)),
    ("global_average_pooling2d", [2, 3, 4, 2], (1, 2)),
    ("global_max_pooling2d", [2, 3, 4, 2], (1, 2))])
def test_global_pooling_matches_numpy(kind, shape, axes) -> None:
    x = xs(shape)
    reduce = np.mean if "average" in kind else np.max
    layer = getattr(L, kind)()
    y = run(layer, x)
    np.testing.assert_allclose(y, reduce(x, axis=axes), rtol=1e-12)
    check_shapes(layer, x, y)
    if kind.endswith("2d"):  # channels first reduces the last two axes
        y = run(getattr(L, kind)(data_format="channelsFirst"), x)
        np.testing.assert_allclose(y, reduce(x, axis=(2, 3)), rtol=1e-12)


# -- padding, cropping, up-sampling -----------------------------------------------------------
sides = st.one_of(st.integers(0, 2), st.lists(st.integers(0, 2), min_size=2, max_size=2),
                  st.lists(st.lists(st.integers(0, 2), min_size=2, max_size=2), min_size=2,
                           max_size=2))


def full_sides(value):
    if isinstance(value, int):
        return [[value, value], [value, value]]
    if isinstance(value[0], int):
        return [[value[0], value[0]], [value[1], value[1]]]
    return value


@given(sides, st.booleans())
def test_zero_padding_matches_numpy(padding, channels_first) -> None:
    x = xs([2, 3, 4, 2])
    layer = L.zero_padding2d(padding=padding,
                             data_format="channelsFirst" if channels_first else None)
    pads = [(0, 0), (0, 0), *full_sides(padding)] if channels_first else \
        [(0, 0), *full_sides(padding), (0, 0)]
    y = run(layer, x)
    np.testing.assert_array_equal(y, np.pad(x, pads))
    check_shapes(layer, x, y)


@given(sides, st.booleans())
def test_cropping_matches_numpy(cropping, channels_first) -> None:
    x = xs([2, 5, 6, 5])
    layer = L.cropping2d(cropping=cropping,
                         data_format="channelsFirst" if channels_first else None)
    (t, b), (left, r) = full_sides(cropping)
    y = run(layer, x)
    if channels_first:
        expected = x[:, :, t:x.shape[2] - b, left:x.shape[3] - r]
    else:
        expected = x[:, t:x.shape[1] - b, left:x.shape[2] - r]
    np.testing.assert_array_equal(y, expected)
    check_shapes(layer, x, y)


@given(st.lists(st.integers(1, 3), min_size=2, max_size=2), st.booleans(),
       st.sampled_from(["nearest", "bilinear"]), st.integers(1, 4), st.integers(1, 4))
def test_up_sampling_matches_numpy(size, channels_first, interpolation, h, w) -> None:
    x = xs([2, h, w, 3])
    layer = L.up_sampling2d(size=size, interpolation=interpolation,
                            data_format="channelsFirst" if channels_first else None)
    y = run(layer, first(x, channels_first))
    expected = np_resize(x, h * size[0], w * size[1], interpolation == "bilinear")
    np.testing.assert_allclose(y, first(expected, channels_first), rtol=1e-12, atol=1e-12)
    check_shapes(layer, first(x, channels_first), y)


# -- gradients ---------------------------------------------------------------------------------
GRAD_CASES = [
    ("conv1d", {"filters": 2, "kernelSize": 2, "padding": "same", "activation": "tanh"},
     [2, 5, 2]),
    ("conv1d", {"filters": 2, "kernelSize": 2, "dilationRate": 2}, [1, 6, 2]),
    ("conv2d", {"filters": 2, "kernelSize": 3, "strides": 2, "padding": "same",
                "activation": "tanh"}, [1, 5, 5, 2]),
    ("conv2d", {"filters": 2, "kernelSize": 2, "dilationRate": 2,
                "dataFormat": "channelsFirst"}, [1, 2, 4, 4]),
    ("conv2d_transpose", {"filters": 2, "kernelSize": 3, "strides": 2, "padding": "same",
                          "activation": "tanh"}, [1, 3, 3, 2]),
    ("conv2d_transpose", {"filters": 1, "kernelSize": 2, "strides": 3}, [1, 2, 3, 2]),
    ("depthwise_conv2d", {"kernelSize": 2, "depthMultiplier": 2, "strides": 2,
                          "padding": "same", "activation": "tanh"}, [1, 4, 4, 2]),
    ("separable_conv2d", {"filters": 2, "kernelSize": 3, "depthMultiplier": 2,
                          "dilationRate": [1, 2]}, [1, 4, 6, 2]),
    ("max_pooling1d", {"poolSize": 3, "strides": 2, "padding": "same"}, [2, 5, 2]),
    ("average_pooling1d", {"poolSize": 2}, [2, 5, 2]),
    ("max_pooling2d", {"poolSize": 2, "strides": 1}, [1, 4, 4, 2]),
    ("average_pooling2d", {"poolSize": 3, "strides": 2, "padding": "same",
                           "dataFormat": "channelsFirst"}, [1, 2, 5, 5]),
    ("global_average_pooling1d", {}, [2, 4, 3]),
    ("global_max_pooling2d", {}, [2, 3, 3, 2]),
    ("zero_padding2d", {"padding": [[1, 0], [2, 1]]}, [1, 3, 3, 2]),
    ("cropping2d", {"cropping": [[1, 0], [0, 2]]}, [1, 4, 5, 2]),
    ("up_sampling2d", {"size": [2, 3]}, [1, 2, 2, 2]),
    ("up_sampling2d", {"size": [3, 2], "interpolation": "bilinear"}, [1, 2, 3, 2]),
]
GRAD_IDS = [f"{kind}-{i}" for i, (kind, _, _) in enumerate(GRAD_CASES)]


@pytest.mark.parametrize("kind, config, shape", GRAD_CASES, ids=GRAD_IDS)
def test_input_gradient_matches_finite_differences(kind, config, shape) -> None:
    layer = getattr(L, kind)(config)
    layer.maybe_build(tuple(shape))
    random_weights(layer)
    # Values spaced apart, so that no max-pooling window holds a near tie.
    x = np.random.default_rng(3).permutation(np.linspace(-2, 2, int(np.prod(shape))))
    check_gradients(layer, [x.reshape(shape)])


@pytest.mark.parametrize("kind, config, shape",
                         [c for c in GRAD_CASES if c[0].endswith(("conv1d", "conv2d",
                                                                  "transpose"))],
                         ids=[i for i, c in zip(GRAD_IDS, GRAD_CASES)
                              if c[0].endswith(("conv1d", "conv2d", "transpose"))])
def test_weight_gradients_match_a_directional_difference(kind, config, shape) -> None:
    # The weights are float32 variables, so the check is along one direction v with a large
    # step: with a linear activation the loss is at most quadratic in the weights, and the
    # central difference (L(w + v) - L(w - v)) / 2 equals <dL/dw, v> up to float32 rounding.
    layer = getattr(L, kind)({**config, "activation": None})
    layer.maybe_build(tuple(shape))
    weights = random_weights(layer)
    x = tf.tensor(xs(shape), dtype="float64")
    r = tf.tensor(xs(layer.compute_output_shape(shape), seed=5), dtype="float64")

    def loss(*_):
        return tf.sum(tf.mul(layer(x), r))

    grads = [g.numpy() for g in tf.grads(loss)(layer.weights)]
    v = [np.random.default_rng(7).uniform(-1, 1, size=w.shape) for w in weights]
    values = []
    for sign in (1, -1):
        layer.set_weights([(w + sign * d).astype(np.float32) for w, d in zip(weights, v)])
        values.append(tf.tidy(lambda: loss().numpy().item()))
    exact = sum(float(np.sum(g * d)) for g, d in zip(grads, v))
    np.testing.assert_allclose(exact, (values[0] - values[1]) / 2, rtol=1e-5)
    x.dispose()
    r.dispose()


def test_calls_leave_no_tensors_behind() -> None:
    layers = [L.conv2d(filters=2, kernel_size=3, activation="relu"),
              L.separable_conv2d(filters=2, kernel_size=2), L.max_pooling2d(),
              L.up_sampling2d(interpolation="bilinear"), L.cropping2d(cropping=1)]
    x = tf.ones([1, 6, 6, 2])
    for layer in layers:
        layer(x).dispose()  # builds the weights
    before = tf.memory().num_tensors
    for layer in layers:
        layer(x).dispose()
        tf.grad(lambda t: tf.sum(layer(t)))(x).dispose()
    assert tf.memory().num_tensors == before
    x.dispose()


# -- configs -----------------------------------------------------------------------------------
CONFIG_CASES = [
    ("conv1d", {"filters": 3, "kernelSize": 4, "strides": 2, "padding": "same",
                "activation": "relu", "kernelRegularizer": {"className": "L1L2",
                                                             "config": {"l1": 0.1, "l2": 0}},
                "biasInitializer": "ones"}),
    ("conv2d", {"filters": 5, "kernelSize": [3, 2], "dilationRate": 2, "useBias": False,
                "dataFormat": "channelsFirst", "kernelConstraint": "nonNeg",
                "inputShape": [3, 8, 8], "name": "my_conv"}),
    ("conv2d_transpose", {"filters": 2, "kernelSize": 3, "strides": [2, 1],
                          "kernelInitializer": "heNormal"}),
    ("depthwise_conv2d", {"kernelSize": 3, "depthMultiplier": 3, "padding": "same",
                          "depthwiseRegularizer": "l2", "depthwiseConstraint": "maxNorm"}),
    ("separable_conv2d", {"filters": 4, "kernelSize": 3, "depthMultiplier": 2,
                          "pointwiseInitializer": "zeros", "activation": "sigmoid"}),
    ("max_pooling1d", {"poolSize": 3, "strides": 1}),
    ("average_pooling1d", {"poolSize": [2], "padding": "same"}),
    ("max_pooling2d", {"poolSize": [3, 2], "padding": "same", "dataFormat": "channelsFirst"}),
    ("average_pooling2d", {"poolSize": 2, "strides": 1, "trainable": False}),
    ("global_average_pooling1d", {}),
    ("global_max_pooling1d", {}),
    ("global_average_pooling2d", {"dataFormat": "channelsFirst"}),
    ("global_max_pooling2d", {}),
    ("zero_padding2d", {"padding": [2, 1]}),
    ("cropping2d", {"cropping": [[1, 0], [2, 3]], "dataFormat": "channelsFirst"}),
    ("up_sampling2d", {"size": [1, 3], "interpolation": "bilinear"}),
]


@pytest.mark.parametrize("kind, config", CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES])
def test_config_round_trips(kind, config) -> None:
    layer = getattr(L, kind)(config)
    spec = json.loads(json.dumps(serialize(layer)))  # JSON-able, as saved in model.json
    assert spec["class_name"] in CLASSES
    again = deserialize(spec, "layers")
    assert type(again) is type(layer)
    assert again.get_config() == layer.get_config()
    for key, value in layer.get_config().items():  # snake_case keys and string values
        assert key == to_snake_case(key)
        assert not isinstance(value, str) or key == "name" or value == to_snake_case(value)


def test_defaults_follow_tfjs() -> None:
    conv = L.conv2d(filters=2, kernel_size=3).get_config()
    assert conv["strides"] == [1, 1] and conv["padding"] == "valid"
    assert conv["data_format"] == "channels_last" and conv["dilation_rate"] == [1, 1]
    assert conv["kernel_initializer"] == {"class_name": "VarianceScaling", "config": {
        "scale": 1, "mode": "fan_avg", "distribution": "normal", "seed": None}}
    assert conv["activation"] == "linear" and conv["use_bias"] is True
    assert "data_format" not in L.conv1d(filters=1, kernel_size=2).get_config()
    assert "dilation_rate" not in L.conv2d_transpose(filters=1, kernel_size=2).get_config()
    sep = L.separable_conv2d(filters=1, kernel_size=2).get_config()
    assert sep["depthwise_initializer"]["config"]["distribution"] == "uniform"
    pool = L.max_pooling2d().get_config()
    assert pool["pool_size"] == [2, 2] and pool["strides"] == [2, 2]
    assert L.max_pooling1d().get_config()["strides"] == [2]
    assert L.zero_padding2d().get_config()["padding"] == [[1, 1], [1, 1]]
    assert L.up_sampling2d().get_config()["size"] == [2, 2]
    assert L.max_pool2d is L.max_pooling2d and L.avg_pool2d is L.average_pooling2d
    assert L.avg_pooling1d is L.average_pooling1d and L.global_max_pool1d is \
        L.global_max_pooling1d
    layer = L.conv2d(filters=2, kernel_size=3)
    layer.maybe_build((None, 5, 5, 3))
    assert [w.name.split("/")[-1] for w in layer.weights] == ["kernel", "bias"]
    sep = L.separable_conv2d(filters=2, kernel_size=3)
    sep.maybe_build((None, 5, 5, 3))
    assert [w.name.split("/")[-1] for w in sep.weights] == ["depthwise_kernel",
                                                             "pointwise_kernel", "bias"]


# -- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, match", [
    (lambda: L.conv2d(filters=0, kernel_size=3), "filters must be an int > 0"),
    (lambda: L.conv2d(filters=-2, kernel_size=3), "filters must be an int > 0"),
    (lambda: L.conv2d(filters=2.5, kernel_size=3), "filters must be an int > 0"),
    (lambda: L.conv2d(filters=2, kernel_size=[3, 3, 3]), "kernel_size must be"),
    (lambda: L.conv2d(filters=2, kernel_size=3, padding="full"), "padding must be 'valid'"),
    (lambda: L.conv1d(filters=2, kernel_size=3, padding="causal"), "padding must be 'valid'"),
    (lambda: L.max_pooling2d(padding="SAME"), "padding must be 'valid'"),
    (lambda: L.conv2d(filters=2, kernel_size=3, data_format="NCHW"), "data_format must be"),
    (lambda: L.conv1d(filters=2, kernel_size=3, data_format="channelsFirst"), "channelsLast"),
    (lambda: L.max_pooling1d(data_format="channelsFirst"), "channelsLast"),
    (lambda: L.conv2d(filters=1, kernel_size=2, strides=2, dilation_rate=2), "cannot both"),
    (lambda: L.conv2d_transpose(filters=1, kernel_size=2, dilation_rate=2), "dilation_rate"),
    (lambda: L.depthwise_conv2d(kernel_size=2, depth_multiplier=0), "depth_multiplier"),
    (lambda: L.zero_padding2d(padding=[1, 2, 3]), "padding must be"),
    (lambda: L.cropping2d(cropping=-1), "cropping must be"),
    (lambda: L.up_sampling2d(interpolation="bicubic"), "interpolation must be"),
])
def test_bad_configs_are_named(make, match) -> None:
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_inputs_are_named() -> None:
    conv = L.conv2d(filters=2, kernel_size=5, name="c")
    with pytest.raises(ValueError, match=r"Conv2D 'c'.*larger than the input"):
        conv(tf.ones([1, 4, 8, 1]))
    with pytest.raises(ValueError, match=r"Conv2D 'c'.*larger than the input"):
        conv(tf.input(shape=[8, 4, 1]))
    with pytest.raises(ValueError, match=r"Conv2D 'c': expected inputs of rank 4"):
        conv(tf.ones([4, 8, 1]))
    with pytest.raises(ValueError, match="channel dimension"):
        L.conv2d(filters=1, kernel_size=1)(tf.input(shape=[3, 3, None]))
    with pytest.raises(ValueError, match="larger than the input"):
        L.max_pooling2d(pool_size=3)(tf.ones([1, 2, 5, 1]))
    with pytest.raises(ValueError, match="leaves nothing"):
        L.cropping2d(cropping=2)(tf.ones([1, 4, 5, 1]))
    with pytest.raises(ValueError, match="rank 3"):
        L.global_max_pooling1d()(tf.ones([1, 4, 5, 1]))


# -- the mnist-node convnet --------------------------------------------------------------------
def test_mnist_node_convnet_shapes_and_params() -> None:
    model = tf.sequential()
    model.add(L.conv2d({"inputShape": [28, 28, 1], "filters": 32, "kernelSize": 3,
                        "activation": "relu"}))
    model.add(L.conv2d({"filters": 32, "kernelSize": 3, "activation": "relu"}))
    model.add(L.max_pooling2d({"poolSize": [2, 2]}))
    model.add(L.conv2d({"filters": 64, "kernelSize": 3, "activation": "relu"}))
    model.add(L.conv2d({"filters": 64, "kernelSize": 3, "activation": "relu"}))
    model.add(L.max_pooling2d({"poolSize": [2, 2]}))
    shapes = [(None, 26, 26, 32), (None, 24, 24, 32), (None, 12, 12, 32), (None, 10, 10, 64),
              (None, 8, 8, 64), (None, 4, 4, 64)]
    params = [320, 9248, 0, 18496, 36928, 0]
    assert [layer.output_shape for layer in model.layers] == shapes
    assert [layer.count_params() for layer in model.layers] == params
    if hasattr(L, "flatten") and hasattr(L, "dropout"):
        model.add(L.flatten())
        model.add(L.dropout({"rate": 0.25}))
        model.add(L.dense({"units": 512, "activation": "relu"}))
        model.add(L.dropout({"rate": 0.5}))
        model.add(L.dense({"units": 10, "activation": "softmax"}))
    else:  # Flatten (reshaping.py) is not there yet: the dense head as plain arithmetic
        model.add(L.dense({"units": 10}))  # on [4, 4, 64]: a kernel [64, 10], 650 params
        assert model.count_params() == sum(params) + 650
        pytest.skip("layers.flatten/dropout missing: head not checked")
    assert model.count_params() == 594_922
    y = tf.tidy(lambda: model.predict(tf.ones([2, 28, 28, 1])).numpy())
    assert y.shape == (2, 10)
    np.testing.assert_allclose(y.sum(axis=1), 1, rtol=1e-5)


# -- TF.js golden outputs ----------------------------------------------------------------------
def _fixture():
    if not os.path.exists(FIXTURE):
        return {"cases": [], "error_cases": []}
    with open(FIXTURE) as f:
        return json.load(f)


GOLDEN = _fixture()
TFJS_CASES = [c for c in GOLDEN["cases"] if c["class_name"] in CLASSES]
TFJS_ERRORS = [c for c in GOLDEN.get("error_cases", [])
               if to_snake_case(c["factory"]) in {to_snake_case(n) for n in L.conv.__all__
                                                  + L.pooling.__all__ + L.padding.__all__}]


def array(record):
    return np.asarray(record["values"], dtype=record["dtype"]).reshape(record["shape"])


# Where TF.js's recorded gradient is wrong (its CPU backend, tfjs 4.22), minitf's is checked
# against finite differences instead.
TFJS_GRAD_BUGS = {
    "up_sampling2d": "ResizeNearestNeighborGrad reads dy at the image's batch offset, so every "
                     "batch entry after the first gets the wrong gradient",
    "average_pooling1d_same_stride2": "AvgPoolGrad divides by the whole window, where the "
                                      "forward divided by its real cells ('same' padding)",
    "average_pooling2d_3_stride2_same": "AvgPoolGrad divides by the whole window, as above",
}


@pytest.mark.skipif(not TFJS_CASES, reason="tests/fixtures/tfjs/layers/layers.json not found")
@pytest.mark.parametrize("case", TFJS_CASES, ids=[c["id"] for c in TFJS_CASES])
def test_matches_tfjs(case) -> None:
    layer = getattr(L, to_snake_case(case["factory"]))(case["config"])
    x = tf.tensor(array(case["inputs"][0]))
    layer.maybe_build(tuple(x.shape))
    assert [w.original_name.split("/")[-1] for w in layer.weights] == \
        [w["name"].split("/")[-1] for w in case["weights"]]
    layer.set_weights([array(w) for w in case["weights"]])
    y = tf.tidy(lambda: layer(x).numpy())
    np.testing.assert_allclose(y, array(case["outputs"]["inference"][0]), rtol=1e-5, atol=1e-5)
    assert list(layer.compute_output_shape(x.shape)) == case["compute_output_shape"]
    assert list(layer(tf.input(shape=list(x.shape[1:]))).shape) == case["output_shape"]

    # Config: TF.js's keys and values; minitf adds dtype always and SeparableConv2D's
    # depth_multiplier, which TF.js forgets to save (so its saved config reloads with 1).
    ours, theirs = layer.get_config(), case["serialized"]["config"]
    assert {k: ours[k] for k in theirs if k != "name"} == \
        {k: v for k, v in theirs.items() if k != "name"}
    assert set(ours) - set(theirs) <= {"dtype", "depth_multiplier"}
    loaded = deserialize({"class_name": case["class_name"], "config": theirs}, "layers")
    assert {k: loaded.get_config()[k] for k in theirs} == theirs

    for record in case["grads"]:
        if "error" in record:  # TF.js cannot differentiate it (dilated conv, bilinear resize)
            continue
        if case["id"] in TFJS_GRAD_BUGS:
            check_gradients(layer, [array(case["inputs"][0]).astype(np.float64)])
            continue
        r = tf.tensor(array(case["grad_output_weights"][0]))
        grads = tf.grads(lambda t, *_: tf.sum(tf.mul(layer(t), r)))([x, *layer.weights])
        expected = [array(g) for g in record["inputs"] + record.get("weights", [])]
        for got, want in zip(grads, expected):
            np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-5)
        tf.dispose([r, *grads])
    x.dispose()


@pytest.mark.skipif(not TFJS_ERRORS, reason="no TF.js error cases for these layers")
@pytest.mark.parametrize("case", TFJS_ERRORS, ids=[c["id"] for c in TFJS_ERRORS])
def test_tfjs_errors_are_errors_here_too(case) -> None:
    # minitf rejects these configs when the layer is made, TF.js when it is applied.
    assert case["error"] is not None
    with pytest.raises(ValueError):
        layer = getattr(L, to_snake_case(case["factory"]))(case["config"])
        layer(tf.ones(case["input_shape"]))
