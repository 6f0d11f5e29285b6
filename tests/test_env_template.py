"""infra/inkwell.env.example lists every setting, is what the generator writes,
and gives each key's default in a form the app reads back as that default."""

import json
import re
from pathlib import Path

from inkwell.platform.core import env_template, settings

SHIPPED = Path(__file__).resolve().parents[1] / "infra" / "inkwell.env.example"
LINE = re.compile(r"^(# )?INKWELL_([A-Z0-9_]+)=(.*)$")


def lines() -> dict[str, tuple[bool, str]]:
    """INKWELL_ key -> (set, value as written)."""
    found = {}
    for line in SHIPPED.read_text().splitlines():
        if match := LINE.match(line):
            found[match[2]] = (match[1] is None, match[3])
    return found


def read_back(text: str) -> object:
    """As systemd passes it (quotes removed) and Flask's from_prefixed_env parses it."""
    if len(text) > 1 and text[0] == text[-1] == "'":
        text = text[1:-1]
    try:
        return json.loads(text)
    except ValueError:
        return text


def test_the_shipped_template_is_the_generated_one() -> None:
    assert SHIPPED.read_text() == env_template.render(), (
        "run: python -m inkwell.platform.core.env_template > infra/inkwell.env.example"
    )


def test_every_setting_is_listed() -> None:
    written = lines()
    for key in (name for name in vars(settings) if name.isupper()):
        if isinstance(getattr(settings, key), dict):
            assert f"{key}__X_FOR" in written, key
        else:
            assert key in written, f"INKWELL_{key} is missing from {SHIPPED.name}"


def test_each_commented_default_reads_back_as_the_default() -> None:
    for key, (active, text) in lines().items():
        if not active and hasattr(settings, key):
            default = getattr(settings, key)
            as_json = default if isinstance(default, str) else json.loads(json.dumps(default))
            assert read_back(text) == as_json, key  # a tuple reads back as a list


def test_production_keys_are_set() -> None:
    written = lines()
    for key in ("ENV", "SECRET_KEY", "APP_HOST", "BLOG_DOMAIN", "PREFERRED_URL_SCHEME"):
        assert written[key][0], key
    assert read_back(written["ENV"][1]) == "production"
    assert read_back(written["PROXY_FIX__X_PROTO"][1]) == 1
