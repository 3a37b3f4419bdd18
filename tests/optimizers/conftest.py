"""Optimizer tests create variables with fixed names; this disposes whatever a test left."""
from __future__ import annotations

from typing import Iterator

import pytest

import minitf as tf
from minitf.tensor import live_variables


@pytest.fixture(autouse=True)
def dispose_new_variables() -> Iterator[None]:
    before = {id(v) for v in live_variables()}
    yield
    for v in live_variables():
        if id(v) not in before:
            v.dispose()


@pytest.fixture
def flat_memory() -> Iterator[None]:
    """Fail if the test leaves more live tensors than it found (variables included)."""
    before = tf.memory().num_tensors
    yield
    assert tf.memory().num_tensors == before
