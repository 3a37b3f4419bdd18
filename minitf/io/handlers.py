"""IO handlers: where saved artifacts go and where they come from (TF.js ``tf.io``).

A handler is any object with ``save(artifacts) -> SaveResult`` and/or ``load() -> artifacts``
(TF.js ``IOHandler``; artifacts are described in tfjs_format.py). URL-like strings are turned
into handlers by *routers*, as TF.js's ``IORouterRegistry`` does: each router looks at the
string and returns a handler or None. Built in:

- ``file://`` and plain paths -> ``FileSystemHandler`` (tfjs-node's ``file://``): saving writes
  ``<folder>/model.json`` + ``<folder>/weights.bin``; loading takes the model.json path or,
  unlike TF.js, the folder itself;
- ``http://`` and ``https://`` -> ``HTTPHandler`` (``tf.io.http``): loading GETs model.json and
  its weight files, saving POSTs a multipart form, as TF.js does; standard library only;
- ``from_memory`` / ``with_save_handler`` build handlers around Python objects.
"""
from __future__ import annotations

import datetime
import os
import posixpath
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import Any, Callable, Mapping, Sequence

from ..serialization import merge_config, to_snake_keys
from .atomic import MODEL_JSON, UnsafePathError, safe_join, save_model_folder
from .tfjs_format import (ModelLoadError, check_data_size, dumps, model_json, read_model_json,
                          weight_bytes)

DEFAULT_MAX_BYTES = 1 << 30  # the most an HTTP load reads: model.json and weights together
Router = Callable[[str, dict], Any]
_save_routers: list[Router] = []
_load_routers: list[Router] = []


class ModelSaveError(OSError):
    """A save that the destination refused (an HTTP error status, for example)."""


# -- results -----------------------------------------------------------------------------------
class _TFJSKeys:
    """TF.js item access: ``result["modelArtifactsInfo"]`` is ``result.model_artifacts_info``."""

    def __getitem__(self, key: str) -> Any:
        return getattr(self, re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), key))


@dataclass
class ModelArtifactsInfo(_TFJSKeys):
    """Sizes of what was saved (TF.js ``ModelArtifactsInfo``)."""

    date_saved: datetime.datetime
    model_topology_type: str
    model_topology_bytes: int
    weight_specs_bytes: int
    weight_data_bytes: int


@dataclass
class SaveResult(_TFJSKeys):
    """What ``model.save`` returns (TF.js ``SaveResult``); ``responses`` for HTTP saves."""

    model_artifacts_info: ModelArtifactsInfo
    responses: list[Any] | None = None
    errors: list[Any] | None = None


def artifacts_info(artifacts: dict[str, Any]) -> ModelArtifactsInfo:
    """Byte counts as TF.js's ``getModelArtifactsInfoForJSON`` computes them."""
    topology, specs = artifacts.get("model_topology"), artifacts.get("weight_specs")
    return ModelArtifactsInfo(
        date_saved=datetime.datetime.now(), model_topology_type="JSON",
        model_topology_bytes=0 if topology is None else len(dumps(topology)),
        weight_specs_bytes=0 if specs is None else len(dumps(specs)),
        weight_data_bytes=len(artifacts.get("weight_data") or b""))


# -- handlers ----------------------------------------------------------------------------------
class IOHandler:
    """Base of minitf's handlers; ``where`` names the source or destination in messages."""

    where = "IO handler"

    def save(self, artifacts: dict[str, Any]) -> Any:
        raise ValueError(f"{self.where}: this handler cannot save")

    def load(self) -> dict[str, Any]:
        raise ModelLoadError(f"{self.where}: this handler cannot load")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.where}>"


class FileSystemHandler(IOHandler):
    """A model folder on disk (tfjs-node ``tf.io.fileSystem``, scheme ``file://``)."""

    def __init__(self, path: str) -> None:
        if not path:
            raise ValueError("file://: the path of a model folder (or of model.json) is missing")
        self.path = os.path.abspath(os.path.expanduser(path))
        self.where = self.path

    def save(self, artifacts: dict[str, Any]) -> SaveResult:
        """Write ``model.json`` and ``weights.bin`` into the folder, crash-safely (atomic.py)."""
        if self.path.endswith(".json"):
            raise ValueError(f"{self.path}: save to a folder; minitf writes model.json and "
                             "weights.bin inside it (as tfjs-node does)")
        save_model_folder(self.path, lambda weights: dumps(model_json(artifacts, [weights])),
                          bytes(artifacts["weight_data"]))
        return SaveResult(artifacts_info(artifacts))

    def load(self) -> dict[str, Any]:
        """Read model.json (the path, or ``<folder>/model.json``) and its weight files."""
        path = os.path.join(self.path, MODEL_JSON) if os.path.isdir(self.path) else self.path
        self.where = path
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise ModelLoadError(f"{path}: cannot read the model: {e.strerror or e}") from None
        artifacts, paths = read_model_json(data, path)
        if artifacts.get("weight_specs") is None:
            return artifacts
        folder = os.path.dirname(path)
        files = []
        for i, relative in enumerate(paths):
            try:
                files.append(safe_join(folder, relative))
            except UnsafePathError as e:
                raise ModelLoadError(f"{path}: weight path {i}: {e}") from None
        try:
            check_data_size(artifacts["weight_specs"], sum(os.path.getsize(f) for f in files),
                            path)  # before reading: a huge file is refused unread
            chunks = []
            for name in files:
                with open(name, "rb") as f:
                    chunks.append(f.read())
        except OSError as e:
            raise ModelLoadError(f"{path}: Weight file {e.filename} cannot be read: "
                                 f"{e.strerror or e}") from None
        artifacts["weight_data"] = b"".join(chunks)
        check_data_size(artifacts["weight_specs"], len(artifacts["weight_data"]), path)
        return artifacts


@dataclass
class HTTPResponse:
    """What a ``fetch_func`` returns: the status, the headers and the whole body."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def ok(self) -> bool:
        """True for a 2xx status (the Fetch API's ``response.ok``)."""
        return 200 <= self.status < 300


class HTTPHandler(IOHandler):
    """Load from and save to a URL (TF.js ``tf.io.http`` / ``browserHTTPRequest``).

    Loading GETs model.json with ``request_init`` (e.g. ``{'headers': {'Authorization': ...}}``),
    then every weight file at ``weight_path_prefix`` (default: model.json's folder URL) + path
    + model.json's query string, as TF.js does. Responses larger than ``max_bytes`` in total, or
    whose Content-Length differs from the body, are refused. Saving POSTs (or
    ``request_init['method']``) a multipart/form-data body with the fields ``model.json`` and
    ``model.weights.bin``. ``fetch_func(url, init) -> HTTPResponse`` replaces urllib, like
    TF.js's ``fetchFunc``; ``init`` has 'method', 'headers' and, for saves, 'body'.
    """

    def __init__(self, path: str, request_init: Mapping[str, Any] | None = None,
                 weight_path_prefix: str | None = None, fetch_func: Callable | None = None,
                 timeout: float = 30.0, max_bytes: int = DEFAULT_MAX_BYTES,
                 weight_url_converter: Callable[[str], str] | None = None) -> None:
        if not isinstance(path, str) or not re.match(r"^https?://", path, re.IGNORECASE):
            raise ValueError(f"tf.io.http: expected an http:// or https:// URL, got {path!r}")
        init = dict(request_init or {})
        if init.get("body") is not None:
            raise ValueError("requestInit is expected to have no pre-existing body, but has one.")
        if fetch_func is not None and not callable(fetch_func):
            raise TypeError("tf.io.http: fetch_func must be a function (url, init) -> response")
        self.path = self.where = path
        self.request_init = init
        self.weight_path_prefix = weight_path_prefix
        self.fetch_func = fetch_func
        self.timeout = timeout
        self.max_bytes = int(max_bytes)
        self.weight_url_converter = weight_url_converter

    # -- load --
    def load(self) -> dict[str, Any]:
        """GET model.json, check it, then GET the weight files in manifest order."""
        response = self._fetch(self.path, {"method": "GET"}, self.max_bytes)
        if not response.ok:
            hint = " The server wants credentials: pass them in request_init['headers'] (for " \
                "example an Authorization header)." \
                if response.status in (401, 403) else ""
            raise ModelLoadError(f"Request to {self.path} failed with status code "
                                 f"{response.status}. Please verify this URL points to the "
                                 f"model JSON of the model to load.{hint}")
        artifacts, paths = read_model_json(response.body, self.path)
        if artifacts.get("weight_specs") is None:
            return artifacts
        need = weight_bytes(artifacts["weight_specs"])
        if need > self.max_bytes - len(response.body):
            raise ModelLoadError(f"{self.path}: the manifest needs {need} bytes of weights, more "
                                 f"than max_bytes={self.max_bytes} allows")
        chunks, total = [], 0
        for url in self.weight_urls(paths):
            part = self._fetch(url, {"method": "GET"}, need - total)
            if not part.ok:
                raise ModelLoadError(f"{self.path}: Request to {url} failed with status code "
                                     f"{part.status}.")
            chunks.append(part.body)
            total += len(part.body)
        artifacts["weight_data"] = b"".join(chunks)
        check_data_size(artifacts["weight_specs"], total, self.path)
        return artifacts

    def weight_urls(self, paths: Sequence[str]) -> list[str]:
        """The URL of each weight file: prefix + path + model.json's query (TF.js rule)."""
        parts = urllib.parse.urlsplit(self.path)
        folder = parts.path[:parts.path.rfind("/") + 1]
        prefix = self.weight_path_prefix or urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, folder, "", ""))
        suffix = f"?{parts.query}" if parts.query else ""
        if self.weight_url_converter is not None:
            return [self.weight_url_converter(p) for p in paths]
        # './model.weights.bin' -> 'model.weights.bin': fetch() drops dot segments, urllib does not
        return [prefix + urllib.parse.quote(posixpath.normpath(p), safe="/%-._~") + suffix
                for p in paths]

    # -- save --
    def save(self, artifacts: dict[str, Any]) -> SaveResult:
        """POST model.json and model.weights.bin as multipart/form-data (TF.js's field names)."""
        text = dumps(model_json(artifacts, ["./model.weights.bin"]))
        body, content_type = multipart_form([
            ("model.json", "model.json", "application/json", text),
            ("model.weights.bin", "model.weights.bin", "application/octet-stream",
             bytes(artifacts["weight_data"]))])
        init = {"method": self.request_init.get("method", "POST"), "body": body,
                "headers": {"Content-Type": content_type}}
        try:
            response = self._fetch(self.path, init, self.max_bytes)
        except ModelLoadError as e:
            raise ModelSaveError(str(e)) from None
        if not response.ok:
            raise ModelSaveError(f"BrowserHTTPRequest.save() failed due to HTTP response status "
                                 f"{response.status}.")
        return SaveResult(artifacts_info(artifacts), responses=[response])

    # -- transport --
    def _fetch(self, url: str, init: dict[str, Any], max_bytes: int) -> HTTPResponse:
        headers = {**_headers(self.request_init.get("headers")), **init.pop("headers", {})}
        full = {**self.request_init, **init, "headers": headers}
        try:
            if self.fetch_func is None:
                response = urllib_fetch(url, full, self.timeout, max_bytes)
            else:
                response = self.fetch_func(url, full)
                if isinstance(response, tuple):
                    response = HTTPResponse(*response)
        except ModelLoadError:
            raise
        except (OSError, ValueError, HTTPException) as e:
            raise ModelLoadError(f"Request to {url} failed: {type(e).__name__}: {e}") from None
        _check_body(url, response, max_bytes)
        return response


def urllib_fetch(url: str, init: Mapping[str, Any], timeout: float, max_bytes: int
                 ) -> HTTPResponse:
    """One request with urllib; never reads more than ``max_bytes + 1`` bytes of the body and
    never follows a redirect to another origin (credentials must not leak there)."""
    request = urllib.request.Request(url, data=init.get("body"),
                                     headers=dict(init.get("headers") or {}),
                                     method=init.get("method", "GET"))
    opener = urllib.request.build_opener(_SameOriginRedirects)
    try:
        with opener.open(request, timeout=timeout) as reply:
            declared = reply.headers.get("Content-Length")
            if declared is not None and declared.isdigit() and int(declared) > max_bytes:
                raise ModelLoadError(f"{url}: the response is {declared} bytes, more than the "
                                     f"{max_bytes} allowed (max_bytes)")
            return HTTPResponse(reply.status, dict(reply.headers.items()),
                                reply.read(max_bytes + 1))
    except urllib.error.HTTPError as e:
        e.close()
        return HTTPResponse(e.code, dict(e.headers.items()) if e.headers else {}, b"")


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Any:
        old, new = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(newurl)
        if (old.scheme, old.netloc) != (new.scheme, new.netloc):
            raise ModelLoadError(f"{req.full_url}: redirect to another origin ({newurl}) refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _check_body(url: str, response: Any, max_bytes: int) -> None:
    if not isinstance(getattr(response, "status", None), int) or not isinstance(
            getattr(response, "body", None), (bytes, bytearray)):
        raise ModelLoadError(f"{url}: fetch_func must return an HTTPResponse(status, headers, "
                             f"body bytes), got {type(response).__name__}")
    if len(response.body) > max_bytes:
        raise ModelLoadError(f"{url}: the response is larger than the {max_bytes} bytes allowed "
                             "(max_bytes, or the size the manifest announces)")
    declared = {k.lower(): v for k, v in dict(response.headers or {}).items()}.get(
        "content-length")
    if response.ok and declared is not None and str(declared).strip() != str(len(response.body)):
        raise ModelLoadError(f"{url}: Content-Length says {declared} bytes but the body has "
                             f"{len(response.body)} (a cut or padded response)")


def _headers(headers: Any) -> dict[str, str]:
    if headers is None:
        return {}
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {str(k): str(v) for k, v in items}


def multipart_form(fields: Sequence[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    """``(body, content type)`` of a multipart/form-data body of (name, filename, type, data)
    fields, like the browser's FormData."""
    while True:
        boundary = f"minitf-{secrets.token_hex(16)}"
        if not any(boundary.encode() in data for *_, data in fields):
            break
    parts = []
    for name, filename, content_type, data in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                     + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class MemoryHandler(IOHandler):
    """Artifacts kept in a Python object: ``load`` returns them, ``save`` replaces them.

    TF.js splits this into ``fromMemory`` (a loader) and ``withSaveHandler``; one object that
    does both makes ``model.save(h)`` then ``tf.load_layers_model(h)`` a round trip.
    """

    where = "memory (tf.io.from_memory)"

    def __init__(self, artifacts: dict[str, Any] | None = None) -> None:
        self.artifacts = artifacts

    def save(self, artifacts: dict[str, Any]) -> SaveResult:
        self.artifacts = dict(artifacts)
        return SaveResult(artifacts_info(artifacts))

    def load(self) -> dict[str, Any]:
        if self.artifacts is None:
            raise ModelLoadError(f"{self.where}: nothing has been saved here yet")
        return dict(self.artifacts)


class SaveHandler(IOHandler):
    """Calls ``fn(artifacts)`` to save (TF.js ``tf.io.withSaveHandler``)."""

    where = "tf.io.with_save_handler"

    def __init__(self, fn: Callable[[dict[str, Any]], Any]) -> None:
        if not callable(fn):
            raise TypeError("tf.io.with_save_handler: expected a function of the artifacts")
        self.fn = fn

    def save(self, artifacts: dict[str, Any]) -> Any:
        """``fn``'s result, or a SaveResult when it returns None."""
        result = self.fn(artifacts)
        return SaveResult(artifacts_info(artifacts)) if result is None else result


def http(path: str, options: Mapping[str, Any] | None = None, **kwargs: Any) -> HTTPHandler:
    """An HTTP(S) handler (TF.js ``tf.io.http(path, loadOptions)``); options as keywords or a
    TF.js dict: ``tf.io.http(url, {'requestInit': {'headers': {...}}})``."""
    return HTTPHandler(path, **merge_config(options, kwargs, "tf.io.http"))


browser_http_request = http  # TF.js's deprecated name


def from_memory(model_topology_or_artifacts: Any, weight_specs: list | None = None,
                weight_data: Any = None, training_config: dict | None = None) -> MemoryHandler:
    """A handler that loads artifacts held in memory (TF.js ``tf.io.fromMemory``).

    Give the artifacts dict (``model_topology``, ``weight_specs``, ``weight_data``...; TF.js's
    camelCase keys work too) or, as TF.js's older form, the topology and the weights apart.
    """
    given = model_topology_or_artifacts
    if given is None and weight_specs is None and weight_data is None:
        return MemoryHandler(None)  # empty: a place for model.save to put artifacts
    if isinstance(given, dict) and ("model_topology" in given or "modelTopology" in given):
        artifacts = to_snake_keys(given)
    else:
        artifacts = {"model_topology": given, "weight_specs": weight_specs,
                     "weight_data": weight_data, "training_config": training_config}
    data = artifacts.get("weight_data")
    if data is not None and not isinstance(data, (bytes, bytearray)):
        try:
            artifacts["weight_data"] = bytes(memoryview(data))
        except TypeError:
            pass  # reported as a load error, naming the field
    return MemoryHandler(artifacts)


def with_save_handler(fn: Callable[[dict[str, Any]], Any]) -> SaveHandler:
    """A handler that saves by calling ``fn(artifacts)`` (TF.js ``tf.io.withSaveHandler``)."""
    return SaveHandler(fn)


# -- routers -----------------------------------------------------------------------------------
def register_save_router(router: Router) -> None:
    """Add ``router(url, options) -> handler | None`` for ``model.save(url)``."""
    _save_routers.append(router)


def register_load_router(router: Router) -> None:
    """Add ``router(url, options) -> handler | None`` for ``tf.load_layers_model(url)``."""
    _load_routers.append(router)


def _http_router(url: str, options: dict) -> HTTPHandler | None:
    return HTTPHandler(url, **options) if re.match(r"^https?://", url, re.IGNORECASE) else None


def _file_router(url: str, options: dict) -> FileSystemHandler | None:
    if url.startswith("file://"):
        url = url[len("file://"):]
    elif re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", url):
        return None
    if options:
        raise TypeError(f"{url}: option(s) {sorted(options)} apply to http(s):// URLs only")
    return FileSystemHandler(url)


register_save_router(_http_router)
register_save_router(_file_router)
register_load_router(_http_router)
register_load_router(_file_router)


def route(url: Any, action: str, options: dict | None = None) -> Any:
    """The one handler the ``action`` ('save' or 'load') routers give for ``url`` (TF.js
    ``getSaveHandlers`` / ``getLoadHandlers``)."""
    url = os.fspath(url) if isinstance(url, os.PathLike) else url
    if not isinstance(url, str) or not url:
        raise ValueError(f"{action}: expected a URL, a path or an IO handler, got {url!r}")
    routers = _save_routers if action == "save" else _load_routers
    found = [h for h in (router(url, dict(options or {})) for router in routers)
             if h is not None]
    if not found:
        raise ValueError(f"Cannot find any {action} handlers for URL '{url}' (minitf knows "
                         "file://, http(s):// and plain paths)")
    if len(found) > 1:
        raise ValueError(f"Found more than one ({len(found)}) {action} handlers for URL '{url}'")
    return found[0]
