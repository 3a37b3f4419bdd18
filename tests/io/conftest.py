"""Fixtures for the saving tests: this folder on sys.path (io_zoo) and a real HTTP server.

The server runs ``http.server`` on 127.0.0.1 in a thread. It serves files from a temporary
folder and stores multipart uploads there, and it answers 401 to any request without the
header ``Authorization: Bearer let-me-in``.
"""
from __future__ import annotations

import email.parser
import email.policy
import http.server
import os
import sys
import threading
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Iterator

import pytest

sys.path.insert(0, os.path.dirname(__file__))

TOKEN = "Bearer let-me-in"


@dataclass
class Server:
    """A running test server: its base URL, the folder it serves and what it was asked."""

    url: str
    root: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    # path -> (declared Content-Length, body): answers that lie about their length
    lies: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)


def _handler(server: Server) -> type:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep the test output clean
            pass

        def _authorized(self) -> bool:
            server.requests.append({"method": self.command, "path": self.path,
                                    "headers": dict(self.headers.items())})
            if self.headers.get("Authorization") == TOKEN:
                return True
            self._reply(401, b"unauthorized")
            return False

        def _reply(self, status: int, body: bytes, length: int | None = None,
                   headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if not self._authorized():
                return
            path = urllib.parse.urlsplit(self.path).path
            if path in server.redirects:
                self._reply(302, b"", headers={"Location": server.redirects[path]})
                return
            if path in server.lies:
                length, body = server.lies[path]
                self._reply(200, body, length=length)
                self.close_connection = True
                return
            local = os.path.join(server.root, *path.strip("/").split("/"))
            if not os.path.isfile(local):
                self._reply(404, b"not found")
                return
            with open(local, "rb") as f:
                self._reply(200, f.read())

        def do_POST(self) -> None:
            if not self._authorized():
                return
            body = self.rfile.read(int(self.headers["Content-Length"]))
            head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
            folder = os.path.join(server.root, *self.path.strip("/").split("/"))
            os.makedirs(folder, exist_ok=True)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                with open(os.path.join(folder, name), "wb") as f:
                    f.write(part.get_payload(decode=True))
            server.requests[-1]["fields"] = [
                (p.get_param("name", header="content-disposition"), p.get_filename(),
                 p.get_content_type()) for p in message.iter_parts()]
            self._reply(200, b"saved")

    return Handler


@pytest.fixture
def http_server(tmp_path: Any) -> Iterator[Server]:
    """A live server on 127.0.0.1 that requires ``Authorization: Bearer let-me-in``."""
    state = Server(url="", root=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def auth() -> dict[str, Any]:
    """The request_init that the test server accepts."""
    return {"headers": {"Authorization": TOKEN}}
