"""Shared test set-up: Hypothesis profiles, the tests folder on sys.path, a leak checker."""
from __future__ import annotations

import os
import sys

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))

settings.register_profile("ci", max_examples=15, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("thorough", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: pass --run-slow to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def no_leaks():
    """Fail the test if it leaves more live tensors than it found."""
    import minitf as tf

    before = tf.memory().num_tensors
    yield
    after = tf.memory().num_tensors
    assert after == before, f"test leaked {after - before} tensors"


@pytest.fixture(autouse=True)
def _same_backend_for_every_test():
    """Each test starts on the suite's backend (``MINITF_BACKEND`` or the default), whatever the
    previous test switched to, so ``MINITF_BACKEND=numpy pytest`` really tests ``numpy``."""
    import minitf as tf
    from minitf import env
    from minitf.engine.backend import default_backend

    tf.set_backend(env.backend_name() or default_backend())
    yield
