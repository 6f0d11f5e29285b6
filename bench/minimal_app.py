"""The yardstick of issue 4 ("a minimal Flask view at 0.06x nginx"): what Flask
under the same gunicorn costs with no database, cache or template at all."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
@app.get("/<slug>/")
def page(slug: str = "") -> str:
    return "ok"
