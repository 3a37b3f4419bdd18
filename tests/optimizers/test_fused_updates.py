"""The fused update kernels (ApplyAdam... in minitf/backends/*/optimizers.py), bit for bit.

1. The numpy kernel against the rule as the optimizers composed it in minitf ops before the
   kernels existed, replayed here one float32 NumPy op at a time (Python numbers cast to
   float32 first, ``x + step * -lr`` as written then).
2. Each cpu Numba loop against the numpy kernel, on Hypothesis shapes: ``MIN_SIZE`` is lowered
   so that Numba runs on small arrays too.
The optimizers' own behaviour is covered by test_rules.py, test_tfjs_parity.py and
tests/models/test_tfjs_training.py.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitf as tf
from minitf import train
from minitf.engine import registry
from minitf.engine.backend import backend_names, get_backend_instance
from strategies import arrays, shapes

f = np.float32
X, G, ANY = (-3.0, 3.0), (-3.0, 3.0), (-3.0, 3.0)
POSITIVE = (0.0, 3.0)


# -- the rules as minitf ops computed them, one float32 op at a time ----------------------------
def sgd_ops(x, g, *, lr):
    return [x + g * f(-lr)]


def momentum_ops(x, g, a, *, lr, mu, use_nesterov):
    a = a * f(mu) + g
    step = g + a * f(mu) if use_nesterov else a
    return [x + step * f(-lr), a]


def rmsprop_ops(x, g, rms, mom, mg=None, *, lr, rho, mu, epsilon, centered):
    s = rms * f(rho) + np.square(g) * f(1 - rho)
    if centered:
        mg = mg * f(rho) + g * f(1 - rho)
        denominator = np.sqrt(s - (np.square(mg) + f(epsilon)))
    else:
        denominator = np.sqrt(s + f(epsilon))
    mom = mom * f(mu) + g * f(lr) / denominator
    return [x - mom, s, mom] + ([mg] if centered else [])


def adam_ops(x, g, m, v, *, lr, beta1, beta2, epsilon, beta1_power, beta2_power):
    m = m * f(beta1) + g * f(1 - beta1)
    v = v * f(beta2) + np.square(g) * f(1 - beta2)
    m_hat = m / f(1 - beta1_power)
    v_hat = v / f(1 - beta2_power)
    return [x + m_hat / (np.sqrt(v_hat) + f(epsilon)) * f(-lr), m, v]


def adamax_ops(x, g, m, v, *, lr, beta1, beta2, epsilon, beta1_power):
    """``lr`` is lr_t: the optimizer's f(-lr) / (f(t - 1) * f(decay) + f(1)), negated back."""
    lr_t = f(-lr)
    m = m * f(beta1) + g * f(1 - beta1)
    u = np.maximum(v * f(beta2), np.abs(g))
    return [x + lr_t / f(1 - beta1_power) * (m / (u + f(epsilon))), m, u]


def adagrad_ops(x, g, acc, *, lr, epsilon):
    acc = acc + np.square(g)
    return [x + g / np.sqrt(acc + f(epsilon)) * f(-lr), acc]


def adadelta_ops(x, g, acc, u, *, lr, rho, epsilon):
    delta = np.sqrt(u + f(epsilon)) / np.sqrt(acc + f(epsilon)) * g
    new_acc = acc * f(rho) + np.square(g) * f(1 - rho)
    new_u = u * f(rho) + np.square(delta) * f(1 - rho)
    return [x + delta * f(-lr), new_acc, new_u]


# -- what each kernel draws: value ranges of its slots, its hyper-parameters --------------------
RATE = st.floats(1e-4, 2.0)
DECAY = st.floats(0.0, 0.999)
EPSILON = st.sampled_from([1e-7, 1e-6, 1e-3])
BETA = st.floats(0.5, 0.9999)
HYPER = dict(lr=RATE, epsilon=EPSILON)
ADAM = dict(lr=RATE, beta1=BETA, beta2=BETA, epsilon=EPSILON, beta1_power=st.floats(0.0, 0.99))

# kernel -> (slot value ranges, hyper-parameter strategies, composed rule)
CASES: dict[str, tuple[tuple, dict[str, st.SearchStrategy], Callable]] = {
    "ApplyGradientDescent": ((), dict(lr=RATE), sgd_ops),
    "ApplyMomentum": ((ANY,), dict(lr=RATE, mu=DECAY, use_nesterov=st.booleans()), momentum_ops),
    "ApplyRMSProp": ((POSITIVE, ANY, ANY), dict(HYPER, rho=DECAY, mu=DECAY,
                                                centered=st.booleans()), rmsprop_ops),
    "ApplyAdam": ((ANY, POSITIVE), dict(ADAM, beta2_power=st.floats(0.0, 0.999)), adam_ops),
    "ApplyAdamax": ((ANY, POSITIVE), ADAM, adamax_ops),
    "ApplyAdagrad": ((POSITIVE,), HYPER, adagrad_ops),
    "ApplyAdadelta": ((POSITIVE, POSITIVE), dict(HYPER, rho=DECAY), adadelta_ops),
}


@st.composite
def updates(draw: st.DrawFn, kernel: str, max_side: int = 4) -> tuple[list[np.ndarray], dict]:
    """([x, g, *slots] as float32, hyper-parameters) for one call of ``kernel``."""
    slot_ranges, hyper, _ = CASES[kernel]
    attrs = draw(st.fixed_dictionaries(hyper))
    if kernel == "ApplyRMSProp" and not attrs["centered"]:
        slot_ranges = slot_ranges[:2]  # no mean-gradient slot
    shape = draw(shapes(0, 3, 1, max_side))
    values = [draw(arrays(shape, lo, hi)).astype(np.float32) for lo, hi in (X, G, *slot_ranges)]
    if draw(st.booleans()):  # exact zeros in g: centered RMSProp's sqrt(-ε) gives NaN there
        values[1][draw(arrays(shape)) > 1] = 0
    return values, attrs


def kernel_of(name: str, backend: str) -> Callable[..., Any]:
    fn, owner = registry.find_kernel(name, get_backend_instance(backend))
    assert owner == backend, f"{name} has no {backend} kernel"
    return fn


def assert_same(got: Any, want: list[np.ndarray]) -> None:
    assert isinstance(got, tuple) and len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        a = np.asarray(a)
        assert a.dtype == b.dtype and a.shape == b.shape, f"output {i}: {a.dtype}{a.shape}"
        np.testing.assert_array_equal(a, b, err_msg=f"output {i}")  # NaN equals NaN here


@pytest.mark.filterwarnings("ignore:invalid value encountered", "ignore:divide by zero")
@pytest.mark.parametrize("kernel", list(CASES))
def test_numpy_kernel_matches_the_composed_rule(kernel: str) -> None:
    numpy_kernel, composed = kernel_of(kernel, "numpy"), CASES[kernel][2]

    @given(updates(kernel))
    def check(case: tuple[list[np.ndarray], dict]) -> None:
        values, attrs = case
        assert_same(numpy_kernel(*values, **attrs), composed(*values, **attrs))

    check()


def test_float64_variables_keep_float64() -> None:
    x, g, m, v = (np.linspace(-1, 1, 6).reshape(2, 3) for _ in range(4))
    new = kernel_of("ApplyAdam", "numpy")(x, g, m, np.abs(v), lr=0.1, beta1=0.9, beta2=0.999,
                                          epsilon=1e-7, beta1_power=0.9, beta2_power=0.999)
    assert [a.dtype for a in new] == [np.float64] * 3


def test_adamax_learning_rate_decays_in_float32() -> None:
    """AdamaxOptimizer hands the kernel lr_t as TF.js computes it, with float32 scalars."""
    opt = train.adamax(0.3, decay=0.7)
    w = tf.variable(np.ones(3, np.float32), name="fused_adamax_w")
    g = tf.tensor(np.full(3, 0.5, np.float32))
    x0 = np.ones(3, np.float32)
    slots = [np.zeros(3, np.float32)] * 2
    for step in range(3):
        lr_t = f(0.3) / (f(step) * f(0.7) + f(1))
        want, *slots = adamax_ops(x0, g.numpy(), *slots, lr=float(lr_t), beta1=0.9, beta2=0.999,
                                  epsilon=1e-7, beta1_power=opt._beta1_power)
        opt.apply_gradients({w.name: g})
        np.testing.assert_array_equal(w.numpy(), want)
        x0 = want
    opt.dispose()
    g.dispose()


def test_update_inside_a_gradient_scope_is_harmless() -> None:
    """The fused kernels have no gradient; run inside ``tf.grad`` their tape node stays off
    every path from x to y, so the gradient is computed as usual."""
    v = tf.variable(np.array([1.0, 2.0], np.float32), name="fused_scope_v")
    opt = train.adam(0.1)
    before = tf.memory().num_tensors

    def f_of(w: tf.Tensor) -> tf.Tensor:
        opt.apply_gradients({v.name: w * 2})  # the gradient depends on w
        return tf.sum(w * v)

    w = tf.tensor([3.0, 4.0])
    dw = tf.grad(f_of)(w)
    np.testing.assert_array_equal(dw.numpy(), v.numpy())  # v after the update
    assert not np.array_equal(v.numpy(), [1.0, 2.0])
    tf.dispose([w, dw])
    opt.dispose()
    assert tf.memory().num_tensors == before


# -- cpu: the Numba loops against the numpy kernels ---------------------------------------------
needs_cpu = pytest.mark.skipif("cpu" not in backend_names(), reason="the cpu backend needs numba")


@needs_cpu
@pytest.mark.filterwarnings("ignore:invalid value encountered", "ignore:divide by zero")
@pytest.mark.parametrize("kernel", list(CASES))
def test_cpu_kernel_matches_numpy_bit_for_bit(kernel: str, monkeypatch) -> None:
    from minitf.backends.cpu import optimizers as cpu_optimizers

    monkeypatch.setattr(cpu_optimizers, "MIN_SIZE", 0)  # Numba on every shape drawn
    cpu_kernel, numpy_kernel = kernel_of(kernel, "cpu"), kernel_of(kernel, "numpy")

    @given(updates(kernel, max_side=40))
    def check(case: tuple[list[np.ndarray], dict]) -> None:
        values, attrs = case
        want = numpy_kernel(*values, **attrs)
        assert_same(cpu_kernel(*values, **attrs), list(want))

    check()


@needs_cpu
@pytest.mark.parametrize("dtype, size", [(np.float64, 40_000), (np.float32, 10)])
def test_cpu_runs_the_numpy_kernel_for_float64_and_small_variables(dtype, size,
                                                                   monkeypatch) -> None:
    from minitf.backends.cpu import optimizers as cpu_optimizers

    def loop_must_not_run(*args: Any) -> None:
        raise AssertionError("the Numba loop ran")

    monkeypatch.setattr(cpu_optimizers, "_adam", loop_must_not_run)
    x, g, m, v = (np.linspace(0, 1, size, dtype=dtype) for _ in range(4))
    attrs = dict(lr=0.1, beta1=0.9, beta2=0.999, epsilon=1e-7, beta1_power=0.9,
                 beta2_power=0.999)
    assert_same(kernel_of("ApplyAdam", "cpu")(x, g, m, v, **attrs),
                list(kernel_of("ApplyAdam", "numpy")(x, g, m, v, **attrs)))
