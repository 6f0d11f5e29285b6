"""Yardsticks under the same gunicorn as Inkwell, no database or template.

`app` is issue 4's ("a minimal Flask view at 0.06x nginx"): what Flask costs.
`page` answers every request with the bytes of the file named by BENCH_PAGE, a
bare WSGI callable: the most any Python answer of that page can reach under
this gunicorn, so a cache hit's distance to it is the cost of the cache read.
"""

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from flask import Flask

app = Flask(__name__)


@app.get("/")
@app.get("/<slug>/")
def view(slug: str = "") -> str:
    return "ok"


_BODY = Path(os.environ["BENCH_PAGE"]).read_bytes() if "BENCH_PAGE" in os.environ else b""
_HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(_BODY)))]


def page(environ: dict, start_response: Callable) -> Iterable[bytes]:
    start_response("200 OK", _HEADERS)
    return [_BODY]
