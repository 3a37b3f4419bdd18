"""tf.data.csv: typing, labels, column configs, headers, delimiters, quoting, errors that name
file, line and column, streaming from files and over http://."""
from __future__ import annotations

import http.server
import importlib
import threading
from pathlib import Path

import pytest

import minitf as tf
import minitf.data  # noqa: F401  (tf.data until the namespace imports it)

csv_module = importlib.import_module("minitf.data.csv")  # tf.data.csv is the function


def write(tmp_path: Path, text: str, name: str = "data.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_values_are_typed_per_field_as_tfjs_does(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,c,d\n1,x,2.5,\n-3e2,true, 7 ,nan\n")
    ds = tf.data.csv(path)
    assert ds.size is None and ds.column_names() == ["a", "b", "c", "d"]
    first, second = ds.to_array()
    assert first == {"a": 1.0, "b": "x", "c": 2.5, "d": None}  # empty -> None
    assert second["a"] == -300.0 and second["b"] == "true" and second["c"] == 7.0
    assert isinstance(first["a"], float) and second["d"] != second["d"]  # nan
    again = ds.to_array()  # re-iterable: the file is read again
    assert len(again) == 2 and again[0] == first


def test_label_columns_split_elements_into_xs_and_ys(tmp_path: Path) -> None:
    path = write(tmp_path, "sex,length,rings\nM,0.455,15\nF,0.53,7\n")
    ds = tf.data.csv(path, column_configs={"rings": {"is_label": True}})
    assert ds.to_array()[0] == {"xs": {"sex": "M", "length": 0.455}, "ys": {"rings": 15.0}}
    camel = tf.data.csv(path, {"hasHeader": True, "columnConfigs": {"rings": {"isLabel": True},
                                                                      "sex": {"isLabel": True}}})
    assert camel.to_array()[1] == {"xs": {"length": 0.53}, "ys": {"sex": "F", "rings": 7.0}}
    with pytest.raises(TypeError, match="unknown option"):
        tf.data.csv(path, {"hasHeaders": True})


def test_column_config_dtypes_defaults_and_configured_columns_only(tmp_path: Path) -> None:
    path = write(tmp_path, "i,f,b,s,o\n2.7,1,TRUE,007,x\n,2,no,8,y\n")
    configs = {"i": {"dtype": "int32", "default": -1}, "f": {"dtype": "float32"},
               "b": {"dtype": "bool"}, "s": {"dtype": "string"}}
    rows = tf.data.csv(path, column_configs=configs).to_array()
    assert rows[0] == {"i": 2, "f": 1.0, "b": True, "s": "007", "o": "x"}
    assert rows[1] == {"i": -1, "f": 2.0, "b": False, "s": "8", "o": "y"}
    assert isinstance(rows[0]["i"], int)
    only = tf.data.csv(path, column_configs={"s": {}, "f": {}}, configured_columns_only=True)
    assert only.column_names() == ["s", "f"]
    assert only.to_array()[0] == {"f": 1.0, "s": 7.0}
    (batch,) = tf.data.csv(path, column_configs=configs).map(
        lambda r: {"i": r["i"], "b": r["b"], "f": r["f"]}).batch(2).to_array()
    assert (batch["i"].dtype, batch["b"].dtype, batch["f"].dtype) == ("int32", "bool", "float32")
    tf.dispose(batch)


def test_headers_and_given_column_names(tmp_path: Path) -> None:
    headerless = write(tmp_path, "1,2\n3,4\n", "h.csv")
    ds = tf.data.csv(headerless, has_header=False, column_names=["x", "y"])
    assert ds.to_array() == [{"x": 1.0, "y": 2.0}, {"x": 3.0, "y": 4.0}]
    with pytest.raises(ValueError, match="column_names must be given"):
        tf.data.csv(headerless, has_header=False)
    renamed = tf.data.csv(write(tmp_path, "a,b\n1,2\n"), column_names=["p", "q"])
    assert renamed.to_array() == [{"p": 1.0, "q": 2.0}]  # the header line is skipped
    with pytest.raises(ValueError, match="3 column_names were given but the header line"):
        tf.data.csv(write(tmp_path, "a,b\n1,2\n"), column_names=["p", "q", "r"]).column_names()
    with pytest.raises(ValueError, match=r"duplicate column names \['a'\]"):
        tf.data.csv(write(tmp_path, "a,a\n1,2\n")).to_array()
    with pytest.raises(ValueError, match="column_configs key 'z' matches no column"):
        tf.data.csv(write(tmp_path, "a,b\n1,2\n"), column_configs={"z": {}}).to_array()
    with pytest.raises(ValueError, match="no data was found"):
        tf.data.csv(write(tmp_path, "", "empty.csv")).to_array()
    assert tf.data.csv(write(tmp_path, "\ufeffa,b\n1,2\n\n3,4\n")).to_array() == \
        [{"a": 1.0, "b": 2.0}, {"a": 3.0, "b": 4.0}]  # BOM dropped, blank line skipped


def test_delimiters_and_quoted_fields(tmp_path: Path) -> None:
    semi = write(tmp_path, 'a;b\n1;"x;y"\n')
    assert tf.data.csv(semi, delimiter=";").to_array() == [{"a": 1.0, "b": "x;y"}]
    spaced = write(tmp_path, "a  b   c\n  1 2    3  \n")
    assert tf.data.csv(spaced, delim_whitespace=True).to_array() == [{"a": 1.0, "b": 2.0,
                                                                       "c": 3.0}]
    quoted = write(tmp_path, 'name,note,v\n"Smith, J","said ""hi""\nthen left",3\nb,c,4\n')
    rows = tf.data.csv(quoted).to_array()
    assert rows[0] == {"name": "Smith, J", "note": 'said "hi"\nthen left', "v": 3.0}
    assert rows[1]["v"] == 4.0
    with pytest.raises(ValueError, match="not both"):
        tf.data.csv(semi, delimiter=";", delim_whitespace=True)
    with pytest.raises(ValueError, match="one character"):
        tf.data.csv(semi, delimiter="::")


def test_errors_name_the_file_the_line_and_the_column(tmp_path: Path) -> None:
    path = write(tmp_path, 'a,b,y\n1,2,3\n"multi\nline",2,3\n4,5\n')
    with pytest.raises(ValueError, match=r"data.csv line 5: expected 3 fields but got 2; "
                                         r"no value for column 'y'"):
        tf.data.csv(path).to_array()
    extra = write(tmp_path, "a,b\n1,2,3\n", "extra.csv")
    with pytest.raises(ValueError, match=r"extra.csv line 2: .* extra field\(s\) after column "
                                         r"'b'"):
        tf.data.csv(extra).to_array()
    missing = write(tmp_path, "a,b\n1,2\n3,\n", "missing.csv")
    with pytest.raises(ValueError, match=r"missing.csv line 3, column 'b': the value is required"):
        tf.data.csv(missing, column_configs={"b": {"required": True}}).to_array()
    with pytest.raises(ValueError, match=r"missing.csv line 3, column 'b'"):
        tf.data.csv(missing, column_configs={"b": {"is_label": True}}).to_array()
    text = write(tmp_path, "a,b\n1,2\n3,abc\n", "text.csv")
    with pytest.raises(ValueError, match=r"text.csv line 3, column 'b': 'abc' is not a number "
                                         r"\(the column is float32\)"):
        tf.data.csv(text, column_configs={"b": {"dtype": "float32"}}).to_array()
    with pytest.raises(ValueError, match="dtype must be one of"):
        tf.data.csv(text, column_configs={"b": {"dtype": "float64"}})
    with pytest.raises(ValueError, match="unknown key"):
        tf.data.csv(text, column_configs={"b": {"label": True}})
    with pytest.raises(ValueError, match="unsupported URL scheme 'ftp'"):
        tf.data.csv("ftp://example.com/x.csv").to_array()


def test_file_urls_and_nothing_opened_before_iteration(tmp_path: Path, monkeypatch) -> None:
    path = write(tmp_path, "a\n1\n")
    assert tf.data.csv("file://" + path).to_array() == [{"a": 1.0}]
    monkeypatch.chdir(tmp_path)
    assert tf.data.csv("file://./data.csv").to_array() == [{"a": 1.0}]  # TF.js node style
    ds = tf.data.csv(str(tmp_path / "not_there.csv")).map(lambda r: r).batch(2)  # lazy
    with pytest.raises(FileNotFoundError):
        ds.to_array()


class CountingLines:
    """Wraps an open file and counts the lines handed out."""

    def __init__(self, f) -> None:
        self.f, self.count = f, 0

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.f.close()

    def __iter__(self):
        return self

    def __next__(self) -> str:
        self.count += 1
        return next(self.f)


def test_a_large_file_is_read_row_by_row(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "big.csv"
    with open(path, "w") as f:
        f.write("x,y\n")
        f.writelines(f"{i},{i % 7}\n" for i in range(200_000))
    opened: list[CountingLines] = []

    def counting_open(*args, **kwargs):
        opened.append(CountingLines(open(*args, **kwargs)))
        return opened[-1]

    monkeypatch.setattr(csv_module, "open", counting_open, raising=False)
    ds = tf.data.csv(str(path), column_configs={"y": {"is_label": True}})
    assert ds.take(3).to_array()[2] == {"xs": {"x": 2.0}, "ys": {"y": 2.0}}
    assert opened[-1].count == 4 and opened[-1].f.closed  # header + 3 rows, then closed
    (batch,) = ds.skip(1000).map(lambda e: e["xs"]["x"]).batch(5).take(1).to_array()
    assert batch.numpy().tolist() == [1000, 1001, 1002, 1003, 1004]
    assert opened[-1].count == 1006
    tf.dispose(batch)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/data.csv":
            body = b"a,label\n1,0\n2,1\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/endless.csv":
            self.send_response(200)
            self.end_headers()
            try:
                self.wfile.write(b"i,sq\n")
                for i in range(10_000_000):  # far more than anyone should load
                    self.wfile.write(f"{i},{i * i}\n".encode())
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading: that is the point
        else:
            self.send_error(404)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_http_sources_are_streamed(server: str) -> None:
    ds = tf.data.csv(server + "/data.csv", column_configs={"label": {"is_label": True}})
    assert ds.column_names() == ["a", "label"]
    assert ds.to_array() == [{"xs": {"a": 1.0}, "ys": {"label": 0.0}},
                             {"xs": {"a": 2.0}, "ys": {"label": 1.0}}]
    endless = tf.data.csv(server + "/endless.csv")
    assert endless.take(3).to_array() == [{"i": 0.0, "sq": 0.0}, {"i": 1.0, "sq": 1.0},
                                          {"i": 2.0, "sq": 4.0}]
    assert endless.skip(500).take(1).to_array() == [{"i": 500.0, "sq": 250000.0}]
    with pytest.raises(OSError, match="cannot read .*/missing.csv"):
        tf.data.csv(server + "/missing.csv").to_array()
