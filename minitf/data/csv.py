"""``tf.data.csv``: a dataset of CSV rows, read one at a time from a file or a URL.

The source is opened only when iteration starts and is read line by line (the standard
``csv`` module over a text stream), so a file larger than memory works and ``take(3)`` reads
three rows. Each row becomes a dict ``{column: value}``; with label columns it becomes
``{'xs': {features}, 'ys': {labels}}``, as TF.js's CSVDataset does.

Typing a value follows TF.js: an empty field is the column's ``default`` (or None); a field
that parses as a number becomes a float, anything else stays a string. A column config can
ask for ``int32`` (the number floored), ``float32``, ``bool`` (``'1'``/``'true'`` is True, any
other value False) or ``string`` (kept as written). Unlike TF.js, a non-number in an
``int32``/``float32`` column is an error, and every error names the source, line and column.
"""
from __future__ import annotations

import csv as _csv
import io
import math
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from ..serialization import merge_config, to_snake_case
from .dataset import Dataset

_DTYPES = ("float32", "int32", "bool", "string")
_NO_DEFAULT = object()


@dataclass(frozen=True)
class ColumnConfig:
    """How to read one column (TF.js ``ColumnConfig``)."""

    is_label: bool = False
    dtype: str | None = None
    default: Any = _NO_DEFAULT
    required: bool = False

    @classmethod
    def parse(cls, name: str, config: Any) -> "ColumnConfig":
        """From ``{'is_label': True, 'dtype': 'int32', ...}``; camelCase keys work too."""
        if not isinstance(config, dict):
            raise TypeError(f"tf.data.csv: column_configs[{name!r}] must be a dict, got "
                            f"{type(config).__name__}")
        options = {to_snake_case(key): value for key, value in config.items()}
        unknown = sorted(set(options) - {"is_label", "dtype", "default", "required"})
        if unknown:
            raise ValueError(f"tf.data.csv: column_configs[{name!r}] has unknown key(s) "
                             f"{unknown}; expected is_label, dtype, default, required")
        if options.get("dtype") not in (None, *_DTYPES):
            raise ValueError(f"tf.data.csv: column_configs[{name!r}] dtype must be one of "
                             f"{list(_DTYPES)}, got {options['dtype']!r}")
        return cls(is_label=bool(options.get("is_label", False)), dtype=options.get("dtype"),
                   default=options.get("default", _NO_DEFAULT),
                   required=bool(options.get("required", False)))


def csv(source: str, has_header: Any = True, column_names: list[str] | None = None,
        column_configs: dict[str, Any] | None = None, configured_columns_only: bool = False,
        delimiter: str = ",", delim_whitespace: bool = False) -> "CSVDataset":
    """A dataset of the rows of a CSV file or URL (TF.js ``tf.data.csv``).

    ``source`` is a path, a ``file://`` URL (``file://./data.csv`` is relative) or an
    ``http(s)://`` URL, read as UTF-8 and streamed. ``has_header`` takes the column names
    from the first line; ``column_names`` gives or overrides them. ``column_configs`` maps a
    column to ``{'is_label', 'dtype', 'default', 'required'}``; ``configured_columns_only``
    drops the other columns. ``delim_whitespace`` splits on runs of spaces. A TF.js config
    dict works as the second argument too: ``csv(url, {'columnConfigs': {...}})``.

    >>> import minitf as tf, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "d.csv")
    >>> _ = open(path, "w").write("a,b,label\\n1,x,0\\n2,y,1\\n")
    >>> ds = tf.data.csv(path, column_configs={"label": {"is_label": True}})
    >>> ds.column_names(), ds.to_array()[0]
    (['a', 'b', 'label'], {'xs': {'a': 1.0, 'b': 'x'}, 'ys': {'label': 0.0}})
    """
    if isinstance(has_header, dict):
        options = merge_config(has_header, {}, "tf.data.csv")
        unknown = sorted(set(options) - {"has_header", "column_names", "column_configs",
                                         "configured_columns_only", "delimiter",
                                         "delim_whitespace"})
        if unknown:
            raise TypeError(f"tf.data.csv: unknown option(s) {unknown}")
        return csv(source, **options)
    return CSVDataset(source, has_header=has_header, column_names=column_names,
                      column_configs=column_configs,
                      configured_columns_only=configured_columns_only, delimiter=delimiter,
                      delim_whitespace=delim_whitespace)


class CSVDataset(Dataset):
    """The dataset ``tf.data.csv`` returns: a Dataset plus ``column_names()``.

    Construction only checks the arguments; the source is opened when iteration starts (and
    by ``column_names()``, which reads the header line).
    """

    def __init__(self, source: str, *, has_header: bool, column_names: list[str] | None,
                 column_configs: dict[str, Any] | None, configured_columns_only: bool,
                 delimiter: str, delim_whitespace: bool) -> None:
        super().__init__(self._rows, None)
        if not isinstance(source, str):
            raise TypeError(f"tf.data.csv: source must be a path or URL string, got "
                            f"{type(source).__name__}")
        if delim_whitespace and delimiter != ",":
            raise ValueError("tf.data.csv: give either delimiter or delim_whitespace, not both")
        if len(delimiter) != 1:
            raise ValueError(f"tf.data.csv: delimiter must be one character, got {delimiter!r}")
        if not has_header and not column_names:
            raise ValueError("tf.data.csv: column_names must be given when has_header is False")
        if configured_columns_only and not column_configs:
            raise ValueError("tf.data.csv: configured_columns_only needs column_configs")
        self.source = source
        self.has_header = bool(has_header)
        self.configs = {name: ColumnConfig.parse(name, config)
                        for name, config in (column_configs or {}).items()}
        self.configured_columns_only = configured_columns_only
        self.delimiter = " " if delim_whitespace else delimiter
        self.delim_whitespace = delim_whitespace
        self._given_names = list(column_names) if column_names else None
        self._names: list[str] | None = None  # set once validated against the header

    def column_names(self) -> list[str]:
        """The column names: the header's (or ``column_names``), or only the configured columns
        with ``configured_columns_only`` (TF.js ``csvDataset.columnNames()``)."""
        if self._names is None:
            header = None
            if self.has_header:
                with _open_lines(self.source) as lines:
                    header = next(self._reader(lines), None)
            self._set_names(header)
        assert self._names is not None
        return list(self.configs) if self.configured_columns_only else list(self._names)

    def _set_names(self, header: list[str] | None) -> list[str]:
        if self.has_header and header is None:
            raise ValueError(f"tf.data.csv: no data was found in {self.source} (no header line)")
        names = self._given_names or header
        assert names is not None
        if self._given_names and header is not None and len(header) != len(names):
            raise ValueError(f"tf.data.csv: {len(names)} column_names were given but the header "
                             f"line of {self.source} has {len(header)} columns")
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"tf.data.csv: duplicate column names {duplicates} in {self.source}")
        for key in self.configs:
            if key not in names:
                raise ValueError(f"tf.data.csv: column_configs key {key!r} matches no column of "
                                 f"{self.source} ({names})")
        self._names = list(names)
        return self._names

    def _reader(self, lines: Iterable[str]) -> Any:
        if self.delim_whitespace:
            lines = (_strip_spaces(line) for line in lines)
        return _csv.reader(lines, delimiter=self.delimiter,
                           skipinitialspace=self.delim_whitespace)

    def _rows(self) -> Iterator[dict[str, Any]]:
        with _open_lines(self.source) as lines:
            reader = self._reader(lines)
            names = self._set_names(next(reader, None) if self.has_header else None)
            start = reader.line_num + 1
            for fields in reader:
                if fields:  # blank lines are skipped
                    yield self._element(fields, names, start)
                start = reader.line_num + 1

    def _element(self, fields: list[str], names: list[str], line: int) -> dict[str, Any]:
        if len(fields) != len(names):
            if len(fields) < len(names):
                problem = f"no value for column {names[len(fields)]!r}"
            else:
                problem = f"extra field(s) after column {names[-1]!r}"
            raise ValueError(f"tf.data.csv: {self.source} line {line}: expected {len(names)} "
                             f"fields but got {len(fields)}; {problem}")
        features: dict[str, Any] = {}
        labels: dict[str, Any] = {}
        for name, text in zip(names, fields):
            config = self.configs.get(name)
            if config is None and self.configured_columns_only:
                continue
            value = self._parse(text, config or ColumnConfig(), line, name)
            (labels if config is not None and config.is_label else features)[name] = value
        return {"xs": features, "ys": labels} if labels else features

    def _parse(self, text: str, config: ColumnConfig, line: int, name: str) -> Any:
        if not text.strip():
            if config.default is not _NO_DEFAULT:
                return config.default
            if config.required or config.is_label:
                raise ValueError(f"tf.data.csv: {self.source} line {line}, column {name!r}: "
                                 "the value is required but the field is empty")
            return None
        if config.dtype == "string":
            return text
        if config.dtype == "bool":
            return text.strip().lower() in ("1", "true")
        number = _number(text)
        if number is None:
            if config.dtype in ("float32", "int32"):
                raise ValueError(f"tf.data.csv: {self.source} line {line}, column {name!r}: "
                                 f"{text!r} is not a number (the column is {config.dtype})")
            return text
        if config.dtype == "int32":
            if not math.isfinite(number):
                raise ValueError(f"tf.data.csv: {self.source} line {line}, column {name!r}: "
                                 f"{text!r} is not a finite number (the column is int32)")
            return math.floor(number)
        return number


def _number(text: str) -> float | None:
    """``float(text)``, or None when it is not a number (Python's ``1_000`` is not one)."""
    if "_" in text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _strip_spaces(line: str) -> str:
    body = line.rstrip("\r\n")
    return body.strip(" ") + line[len(body):]


@contextmanager
def _open_lines(source: str) -> Iterator[Iterable[str]]:
    """The source as a stream of text lines, closed when the block ends."""
    scheme = urllib.parse.urlsplit(source).scheme.lower()
    if scheme in ("http", "https"):
        try:
            response = urllib.request.urlopen(source)
        except urllib.error.URLError as err:
            raise OSError(f"tf.data.csv: cannot read {source}: {err}") from err
        with response:
            # decode incrementally: the body is read in chunks, never all at once
            yield io.TextIOWrapper(response, encoding="utf-8-sig", newline="")
        return
    path = source
    if scheme == "file":
        path = urllib.parse.unquote(source[len("file://"):])
        if path.startswith("localhost/"):
            path = path[len("localhost"):]
    elif scheme and len(scheme) > 1:  # one letter is a Windows drive, not a scheme
        raise ValueError(f"tf.data.csv: unsupported URL scheme {scheme!r} in {source}; "
                         "expected a path, file://, http:// or https://")
    with open(path, encoding="utf-8-sig", newline="") as lines:
        yield lines

