"""The one reader of ``os.environ``: which backend to start on, debug mode, the default seed.

Every other module asks this one, so a learner finds every environment switch of minitf here.

- ``MINITF_BACKEND``  backend to start on (``numpy`` today; ``cpu`` and ``cuda`` come later).
- ``MINITF_DEBUG``    ``1`` logs the first fallback of each kernel to the numpy backend.
- ``MINITF_SEED``     seed of the global random generator used when an op gets no ``seed``.
- ``MINITF_DATA``     a folder holding data set files (MNIST's IDX files...), looked at first.
- ``XDG_CACHE_HOME``  where the cache folder ``minitf/`` goes (default ``~/.cache``).
"""
from __future__ import annotations

import os
from pathlib import Path


def backend_name() -> str | None:
    """The backend requested through ``MINITF_BACKEND``, or None to take the default."""
    name = os.environ.get("MINITF_BACKEND", "").strip().lower()
    return name or None


def debug() -> bool:
    """True when ``MINITF_DEBUG`` is set to something other than ``0``/empty."""
    return os.environ.get("MINITF_DEBUG", "0").strip() not in ("", "0", "false", "False")


def default_seed() -> int | None:
    """The seed from ``MINITF_SEED``, or None for a fresh, unpredictable global generator."""
    raw = os.environ.get("MINITF_SEED", "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"MINITF_SEED must be an integer, got {raw!r}") from None


def data_dir() -> Path | None:
    """The folder named by ``MINITF_DATA``, or None when unset or empty."""
    raw = os.environ.get("MINITF_DATA", "").strip()
    return Path(raw).expanduser() if raw else None


def cache_dir() -> Path:
    """minitf's cache folder: ``$XDG_CACHE_HOME/minitf``, or ``~/.cache/minitf``."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base).expanduser() if base else Path.home() / ".cache") / "minitf"
