"""The Optimizer API shared by every optimizer: minimize, apply_gradients' input forms, state
(get_weights / set_weights), config round trips, ``optimizers.get`` and memory."""
from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

import minitf as tf
from minitf import optimizers, train
from minitf.optimizers import Optimizer
from minitf.serialization import deserialize, serialize, to_camel_case

# One configuration of every optimizer, non-default where TF.js has a choice to make.
FACTORIES: dict[str, Callable[[], Optimizer]] = {
    "sgd": lambda: train.sgd(0.1),
    "momentum": lambda: train.momentum(0.1, 0.9),
    "momentum_nesterov": lambda: train.momentum(0.1, 0.9, use_nesterov=True),
    "rmsprop": lambda: train.rmsprop(0.01, momentum=0.5),
    "rmsprop_centered": lambda: train.rmsprop(0.01, 0.9, 0.5, None, centered=True),
    "adam": lambda: train.adam(0.05),
    "adamax": lambda: train.adamax(0.05, decay=0.1),
    "adagrad": lambda: train.adagrad(0.1),
    "adadelta": lambda: train.adadelta(0.1, 0.9),
}
SLOTS = {"sgd": [], "momentum": ["momentum"], "momentum_nesterov": ["momentum"],
         "rmsprop": ["rms", "momentum"], "rmsprop_centered": ["rms", "momentum", "mg"],
         "adam": ["m", "v"], "adamax": ["m", "v"], "adagrad": ["accumulator"],
         "adadelta": ["accum_grad", "accum_var"]}


class Problem:
    """Two variables and a loss using both: sum((w - 1)^2) + sum(b * w[:2])^2."""

    def __init__(self) -> None:
        self.w = tf.variable([0.5, -1.0, 2.0], name="api_w")
        self.b = tf.variable([0.3, -0.7], name="api_b")

    def loss(self) -> tf.Tensor:
        return tf.sum(tf.square(self.w - 1)) + tf.square(tf.sum(self.b * self.w[:2]))

    def values(self) -> np.ndarray:
        return np.concatenate([self.w.numpy(), self.b.numpy()])


# -- minimize and compute_gradients ----------------------------------------------------------
def test_minimize_returns_the_cost_before_the_step_only_when_asked() -> None:
    p = Problem()
    opt = train.sgd(0.1)
    expected = p.loss()
    cost = opt.minimize(p.loss, return_cost=True)
    assert isinstance(cost, tf.Tensor) and cost.shape == ()
    assert cost.item() == pytest.approx(expected.item())
    assert opt.minimize(p.loss) is None
    assert opt.iterations == 2
    tf.dispose([cost, expected])


def test_minimize_without_var_list_updates_the_trainable_variables_f_uses() -> None:
    p = Problem()
    frozen = tf.variable([1.0], trainable=False, name="api_frozen")
    unused = tf.variable([5.0], name="api_unused")
    before = p.values()
    opt = train.adam(0.1)
    opt.minimize(lambda: p.loss() + tf.sum(frozen))
    assert np.all(p.values() != before)
    assert frozen.item() == 1.0 and unused.item() == 5.0
    assert [e["name"] for e in opt.get_weights()[1:]] == ["api_w/m", "api_b/m", "api_w/v",
                                                          "api_b/v"]


def test_var_list_limits_the_update_and_skips_non_trainable_variables() -> None:
    p = Problem()
    frozen = tf.variable([1.0], trainable=False, name="api_frozen")
    b_before = p.b.numpy()
    opt = train.momentum(0.1, 0.9)
    opt.minimize(lambda: p.loss() + tf.sum(frozen), var_list=[p.w, frozen])
    np.testing.assert_array_equal(p.b.numpy(), b_before)
    assert frozen.item() == 1.0
    value, grads = opt.compute_gradients(p.loss, [p.w, frozen])
    assert list(grads) == ["api_w", "api_frozen"] and grads["api_frozen"] is None
    tf.dispose([value, grads])
    with pytest.raises(ValueError, match="none of the 1 variables in var_list is trainable"):
        opt.minimize(p.loss, var_list=[frozen])


# -- apply_gradients ---------------------------------------------------------------------------
def _forms(p: Problem, gw: tf.Tensor, gb: tf.Tensor) -> dict[str, object]:
    return {"dict": {p.w.name: gw, p.b.name: gb},
            "named list": [{"name": p.w.name, "tensor": gw}, {"name": p.b.name, "tensor": gb}],
            "variable pairs": [(p.w, gw), (p.b, gb)],
            "name pairs": [(p.w.name, gw), (p.b.name, gb)]}


@pytest.mark.parametrize("form", ["dict", "named list", "variable pairs", "name pairs"])
def test_apply_gradients_accepts_each_form(form: str) -> None:
    p = Problem()
    gw, gb = tf.tensor([1.0, 2.0, -1.0]), tf.tensor([0.5, -0.5])
    opt = train.adam(0.1)
    opt.apply_gradients(_forms(p, gw, gb)[form])
    opt.apply_gradients(_forms(p, gw, gb)[form])
    reference = Problem.__new__(Problem)
    reference.w = tf.variable([0.5, -1.0, 2.0], name="api_w_ref")
    reference.b = tf.variable([0.3, -0.7], name="api_b_ref")
    ref_opt = train.adam(0.1)
    for _ in range(2):
        ref_opt.apply_gradients({"api_w_ref": gw, "api_b_ref": gb})
    np.testing.assert_array_equal(p.values(), reference.values())
    tf.dispose([gw, gb])


def test_a_none_gradient_skips_its_variable_but_creates_its_slots() -> None:
    p = Problem()
    gw = tf.tensor([1.0, 1.0, 1.0])
    b_before = p.b.numpy()
    opt = train.momentum(0.1, 0.5)
    opt.apply_gradients({p.w.name: gw, p.b.name: None})
    np.testing.assert_array_equal(p.b.numpy(), b_before)
    np.testing.assert_allclose(p.w.numpy(), [0.4, -1.1, 1.9], rtol=1e-6)
    assert [e["name"] for e in opt.get_weights()] == ["iter", "api_w/momentum", "api_b/momentum"]
    gw.dispose()


def test_apply_gradients_errors_name_the_variable() -> None:
    p = Problem()
    opt = train.sgd(0.1)
    g = tf.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="no live variable named 'nope'"):
        opt.apply_gradients({"nope": g})
    with pytest.raises(ValueError, match=r"gradient of 'api_w' must be a Tensor of shape \[3\]"):
        opt.apply_gradients({p.w.name: g})
    with pytest.raises(TypeError, match="expected a dict"):
        opt.apply_gradients(g)  # type: ignore[arg-type]
    g.dispose()


# -- state -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(FACTORIES))
def test_get_weights_names_in_tfjs_order(name: str) -> None:
    p = Problem()
    opt = FACTORIES[name]()
    opt.minimize(p.loss, var_list=[p.w, p.b])
    weights = opt.get_weights()
    expected = ["iter"] + [f"{v}/{slot}" for slot in SLOTS[name] for v in ("api_w", "api_b")]
    assert [e["name"] for e in weights] == expected
    assert weights[0]["tensor"].dtype == "int32" and weights[0]["tensor"].item() == 1
    assert all(not e["tensor"].trainable for e in weights[1:])
    weights[0]["tensor"].dispose()


@pytest.mark.parametrize("name", list(FACTORIES))
def test_set_weights_resumes_training_where_it_stopped(name: str) -> None:
    p = Problem()
    opt = FACTORIES[name]()
    for _ in range(2):
        opt.minimize(p.loss, var_list=[p.w, p.b])
    saved = [{"name": e["name"], "tensor": tf.tensor(e["tensor"].numpy(), dtype=e["tensor"].dtype)}
             for e in opt.get_weights()]
    at_step_2 = p.values()
    uninterrupted = []
    for _ in range(3):
        opt.minimize(p.loss, var_list=[p.w, p.b])
        uninterrupted.append(p.values())

    p.w.assign(tf.tensor(at_step_2[:3]))
    p.b.assign(tf.tensor(at_step_2[3:]))
    restored = type(opt).from_config(opt.get_config())
    restored.set_weights(saved)
    assert restored.iterations == 2
    for expected in uninterrupted:
        restored.minimize(p.loss, var_list=[p.w, p.b])
        np.testing.assert_array_equal(p.values(), expected)  # bit for bit
    tf.dispose([e["tensor"] for e in saved])


def test_set_weights_accepts_its_own_get_weights_and_replaces_the_slots() -> None:
    p = Problem()
    opt = train.adam(0.1)
    opt.minimize(p.loss)
    weights = opt.get_weights()
    values = [e["tensor"].numpy() for e in weights]
    opt.set_weights(weights)  # the slot variables are copied before the old ones are disposed
    assert all(e["tensor"].is_disposed for e in weights[1:])
    for e, value in zip(opt.get_weights(), values):
        np.testing.assert_array_equal(e["tensor"].numpy(), value)


def test_set_weights_errors() -> None:
    opt = train.adam()
    it = tf.scalar(3, "int32")
    m = tf.zeros([2])
    with pytest.raises(ValueError, match="first weight must be 'iter'"):
        opt.set_weights([{"name": "x/m", "tensor": m}])
    with pytest.raises(ValueError, match=r"2 slot\(s\) per variable \['m', 'v'\], got 1"):
        opt.set_weights([{"name": "iter", "tensor": it}, {"name": "x/m", "tensor": m}])
    live = tf.memory().num_tensors
    with pytest.raises(ValueError, match="'x/v'; expected a '<variable>/m' slot here"):
        opt.set_weights([{"name": "iter", "tensor": it}, {"name": "x/v", "tensor": m},
                         {"name": "x/m", "tensor": m}])
    with pytest.raises(ValueError, match="'y/m'; expected a '<variable>/v' slot here"):
        opt.set_weights([{"name": "iter", "tensor": it}, {"name": "x/m", "tensor": m},
                         {"name": "y/m", "tensor": m}])
    assert tf.memory().num_tensors == live  # nothing was created before the error
    with pytest.raises(ValueError, match="got 1 more weights"):
        train.sgd(0.1).set_weights([{"name": "iter", "tensor": it}, {"name": "x/m", "tensor": m}])
    train.sgd(0.1).set_weights([{"name": "iter", "tensor": it}])
    tf.dispose([it, m])


def test_a_restored_slot_of_the_wrong_shape_is_reported() -> None:
    p = Problem()
    opt = train.momentum(0.1, 0.9)
    it, m = tf.scalar(1, "int32"), tf.zeros([5])
    opt.set_weights([{"name": "iter", "tensor": it}, {"name": "api_w/momentum", "tensor": m}])
    with pytest.raises(ValueError, match=r"slot 'api_w/momentum' has shape \[5\]"):
        opt.minimize(p.loss, var_list=[p.w])
    tf.dispose([it, m])


# -- config ------------------------------------------------------------------------------------
CONFIGS = {
    "sgd": ("SGD", {"learning_rate": 0.1}),
    "momentum_nesterov": ("Momentum", {"learning_rate": 0.1, "momentum": 0.9,
                                       "use_nesterov": True}),
    "rmsprop_centered": ("RMSProp", {"learning_rate": 0.01, "decay": 0.9, "momentum": 0.5,
                                     "epsilon": 1e-7, "centered": True}),
    "adam": ("Adam", {"learning_rate": 0.05, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7}),
    "adamax": ("Adamax", {"learning_rate": 0.05, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7,
                          "decay": 0.1}),
    "adagrad": ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.1}),
    "adadelta": ("Adadelta", {"learning_rate": 0.1, "rho": 0.9, "epsilon": 1e-7}),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_config_round_trip(name: str) -> None:
    class_name, config = CONFIGS[name]
    opt = FACTORIES[name]()
    assert opt.class_name == opt.get_class_name() == class_name
    assert opt.get_config() == config
    again = deserialize(serialize(opt), "optimizers")
    assert type(again) is type(opt) and again.get_config() == config
    camel = {"class_name": class_name,
             "config": {to_camel_case(k): v for k, v in config.items()}}
    assert optimizers.get(camel).get_config() == config


def test_factories_follow_tfjs_defaults() -> None:
    assert train.adam().get_config() == {"learning_rate": 0.001, "beta1": 0.9, "beta2": 0.999,
                                         "epsilon": 1e-7}
    assert train.adamax().get_config() == {"learning_rate": 0.002, "beta1": 0.9, "beta2": 0.999,
                                           "epsilon": 1e-7, "decay": 0.0}
    assert train.adadelta().get_config() == {"learning_rate": 0.001, "rho": 0.95,
                                             "epsilon": 1e-7}
    assert train.rmsprop(0.1).get_config() == {"learning_rate": 0.1, "decay": 0.9,
                                               "momentum": 0.0, "epsilon": 1e-7,
                                               "centered": False}
    assert train.momentum(0.1, 0.9).use_nesterov is False
    assert train.adagrad(0.1).initial_accumulator_value == 0.1
    for required in (train.sgd, train.rmsprop, train.adagrad):
        with pytest.raises(ValueError, match="learning_rate must be given"):
            required(None)  # type: ignore[arg-type]


# -- optimizers.get ---------------------------------------------------------------------------
@pytest.mark.parametrize("names, cls, learning_rate", [
    (("sgd", "SGD"), optimizers.SGDOptimizer, 0.01),
    (("rmsprop", "RMSProp"), optimizers.RMSPropOptimizer, 0.001),
    (("adam", "Adam"), optimizers.AdamOptimizer, 0.001),
    (("adamax", "Adamax"), optimizers.AdamaxOptimizer, 0.002),
    (("adagrad", "Adagrad"), optimizers.AdagradOptimizer, 0.01),
    (("adadelta", "Adadelta"), optimizers.AdadeltaOptimizer, 1.0),
])
def test_get_by_compile_string_uses_tfjs_learning_rates(names: tuple[str, str], cls: type,
                                                       learning_rate: float) -> None:
    for name in names:
        opt = optimizers.get(name)
        assert type(opt) is cls and opt.learning_rate == learning_rate
    assert optimizers.get("adadelta").get_config()["rho"] == 0.95
    assert optimizers.get("rmsprop").get_config()["epsilon"] == 1e-7


def test_get_passes_an_optimizer_through_and_rejects_unknown_names() -> None:
    opt = train.sgd(0.5)
    assert optimizers.get(opt) is opt
    for bad in ("momentum", "ADAM", "nadam"):
        with pytest.raises(ValueError, match=r"Unknown optimizer .*known names: Adadelta, "
                                             r"Adagrad, Adam, Adamax, RMSProp, SGD, adadelta"):
            optimizers.get(bad)
    with pytest.raises(ValueError, match="unknown optimizers class 'Nadam'"):
        optimizers.get({"class_name": "Nadam", "config": {}})
    with pytest.raises(TypeError, match="expected an Optimizer"):
        optimizers.get(3)


# -- memory ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(FACTORIES))
def test_no_tensor_leaks_over_50_steps(name: str, flat_memory: None) -> None:
    p = Problem()
    opt = FACTORIES[name]()
    start = tf.memory().num_tensors
    opt.minimize(p.loss)
    after_first = tf.memory().num_tensors
    assert after_first - start == 2 * len(SLOTS[name])  # the slots of w and b, nothing else
    for _ in range(49):
        cost = opt.minimize(p.loss, return_cost=True)
        cost.dispose()
    assert tf.memory().num_tensors == after_first
    assert opt.iterations == 50
    opt.dispose()
    assert tf.memory().num_tensors == start
    tf.dispose([p.w, p.b])


def test_apply_gradients_inside_an_outer_tidy_leaves_only_the_slots(flat_memory: None) -> None:
    p = Problem()
    opt = train.rmsprop(0.01, centered=True)
    start = tf.memory().num_tensors
    tf.tidy(lambda: opt.apply_gradients({p.w.name: tf.ones([3]), p.b.name: tf.ones([2])}))
    assert tf.memory().num_tensors == start + 6
    opt.dispose()
    tf.dispose([p.w, p.b])
