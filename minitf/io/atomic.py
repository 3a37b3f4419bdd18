"""Crash-safe writes and path safety for model folders.

A save must never leave a broken model where a good one was, and a model file must never make
the loader read outside the model's folder. Two tools give that:

- ``write_bytes_atomic`` writes a temporary file in the destination's folder, flushes and
  fsyncs it, then renames it over the destination with ``os.replace`` (atomic on POSIX and
  Windows). A reader sees the old file or the new one, never half of one.
- ``save_model_folder`` writes the two files of a TF.js folder (``model.json`` naming
  ``weights.bin``). Two renames cannot be one atomic step, so model.json is the single commit
  point and it always names a complete weights file:

  1. the new weights go to a staged file ``weights.bin.<token>.staged`` (fsynced);
  2. model.json is replaced by one whose manifest names the staged file; from here the new
     model is complete and loadable (by minitf and by TF.js);
  3. weights.bin is replaced by the new weights (a hard link to the staged file, or a copy);
     nothing names the old weights.bin any more, so this cannot break anything;
  4. model.json is replaced by the final one naming ``weights.bin``, as tfjs-node writes it;
  5. the staged file and temporaries left by earlier crashed saves are removed.

  A crash before step 2 leaves the old model untouched; a crash after it leaves the new model,
  complete, and perhaps a stray staged file. Saving assumes one writer per folder at a time.

``safe_join`` resolves a manifest path inside the model folder and refuses absolute paths,
``..`` components and symbolic links that lead outside it.
"""
from __future__ import annotations

import os
import re
import secrets
from typing import Callable

MODEL_JSON = "model.json"
WEIGHTS_BIN = "weights.bin"
_STAGED = re.compile(r"^weights\.bin\.[0-9a-f]+\.staged$")
_TEMP = re.compile(r"^\.(model\.json|weights\.bin)\.[0-9a-f]+\.tmp$")


class UnsafePathError(ValueError):
    """A path in a model file that is absolute or leads outside the model folder."""


def check_relative_path(path: object) -> str:
    """Return ``path`` if it is a plain relative path that stays inside its folder.

    Refused: non-strings, empty strings, NUL bytes, absolute paths (``/x``, ``\\\\x``, ``C:x``,
    ``file:`` or ``http:`` URLs) and any ``..`` component. Backslashes count as separators, so
    ``..\\\\x`` is refused on every platform.

    >>> check_relative_path("group1-shard1of2.bin")
    'group1-shard1of2.bin'
    >>> check_relative_path("../secret")
    Traceback (most recent call last):
    ...
    minitf.io.atomic.UnsafePathError: '../secret' leads outside the model folder ('..')
    """
    if not isinstance(path, str):
        raise UnsafePathError(f"expected a relative path (a string), got {type(path).__name__}")
    if not path or "\x00" in path:
        raise UnsafePathError(f"{path!r} is not a usable file name")
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", path):
        raise UnsafePathError(f"{path!r} is absolute; manifest paths must be relative to the "
                              "model folder")
    if ".." in re.split(r"[/\\]", path):
        raise UnsafePathError(f"{path!r} leads outside the model folder ('..')")
    return path


def safe_join(folder: str, path: object) -> str:
    """``folder/path`` after ``check_relative_path``, refusing symlinks that leave ``folder``."""
    relative = check_relative_path(path)
    root = os.path.realpath(folder)
    full = os.path.realpath(os.path.join(root, *re.split(r"[/\\]", relative)))
    if os.path.commonpath([root, full]) != root:
        raise UnsafePathError(f"{relative!r} resolves to {full}, outside the model folder {root}")
    return full


def write_bytes_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old content or the new, never a mix."""
    folder, name = os.path.split(os.path.abspath(path))
    temp = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
    try:
        _write_synced(temp, data)
        os.replace(temp, path)
    except BaseException:
        _remove_quietly(temp)
        raise
    _sync_folder(folder)


def save_model_folder(folder: str, model_json: Callable[[str], bytes], weight_data: bytes
                      ) -> None:
    """Write ``folder/model.json`` and ``folder/weights.bin`` crash-safely (see the module doc).

    ``model_json(weights_path)`` returns the model.json bytes whose manifest names
    ``weights_path``; it is called for the staged name, then for ``weights.bin``.
    """
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise FileExistsError(f"Path {folder} exists as a file. The path must be nonexistent "
                              "or point to a directory.")
    os.makedirs(folder, exist_ok=True)
    staged = f"{WEIGHTS_BIN}.{secrets.token_hex(6)}.staged"
    staged_path = os.path.join(folder, staged)
    try:
        _write_synced(staged_path, weight_data)
        _sync_folder(folder)
    except BaseException:
        _remove_quietly(staged_path)
        raise
    try:
        write_bytes_atomic(os.path.join(folder, MODEL_JSON), model_json(staged))  # commit point
    except BaseException:
        if not _names(os.path.join(folder, MODEL_JSON), staged):
            _remove_quietly(staged_path)
        raise
    _replace_with_link_or_copy(staged_path, os.path.join(folder, WEIGHTS_BIN), weight_data)
    write_bytes_atomic(os.path.join(folder, MODEL_JSON), model_json(WEIGHTS_BIN))
    _remove_leftovers(folder)


def _replace_with_link_or_copy(source: str, destination: str, data: bytes) -> None:
    folder, name = os.path.split(destination)
    link = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
    try:
        os.link(source, link)
    except OSError:  # no hard links on this file system: write the bytes again
        write_bytes_atomic(destination, data)
        return
    try:
        os.replace(link, destination)
    except BaseException:
        _remove_quietly(link)
        raise
    _sync_folder(folder)


def _remove_leftovers(folder: str) -> None:
    for name in os.listdir(folder):
        if _STAGED.match(name) or _TEMP.match(name):
            _remove_quietly(os.path.join(folder, name))


def _names(model_json_path: str, file_name: str) -> bool:
    """Whether the model.json at ``model_json_path`` mentions ``file_name``."""
    try:
        with open(model_json_path, "rb") as f:
            return file_name.encode() in f.read()
    except OSError:
        return False


def _write_synced(path: str, data: bytes) -> None:
    with open(path, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _sync_folder(folder: str) -> None:
    """Make the renames in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
