"""The environment file template (infra/inkwell.env.example), generated from
`settings`: every key, with its comment and its default, as `INKWELL_<KEY>=`.

    python -m inkwell.platform.core.env_template > infra/inkwell.env.example

Keys a production host must set (PRODUCTION) are written active, with a value
to replace; every other key is written commented out with its default, so the
file documents what can be changed without being a second place defaults live.
tests/test_env_template.py checks the shipped file is this output.
"""

import ast
import inspect
import json
from typing import Any

from inkwell.platform.core import settings

# What a production host sets, with a placeholder or the value a production
# install wants (README "Production"). The keys without INKWELL_ are read as
# they are (core.config; PROMETHEUS_MULTIPROC_DIR is set by the systemd unit).
PRODUCTION = {
    "ENV": "production",
    "SECRET_KEY": "CHANGE-ME",
    "APP_HOST": "app.example.com",
    "BLOG_DOMAIN": "example.page",
    "PREFERRED_URL_SCHEME": "https",
    "PROXY_FIX__X_FOR": 1,
    "PROXY_FIX__X_PROTO": 1,
    "MAIL_SERVER": "smtp.example.com",
    "MAIL_PORT": 587,
    "MAIL_USE_TLS": True,
    "MAIL_DEFAULT_SENDER": "Inkwell <no-reply@example.com>",
    "MIRROR_URL": "file:///srv/inkwell/mirror",
    "METRICS_TOKEN": "CHANGE-ME",
    "NGINX_MAP_PATH": "/srv/inkwell/nginx/inkwell-mirror-hosts.map",
}
PLAIN = {
    "INKWELL_INSTANCE_PATH": (
        "/srv/inkwell/instance",
        "The data directory, outside the checkout: SQLite (unused with PostgreSQL), outputs.",
    ),
    "DATABASE_URL": (
        "postgresql://inkwell:CHANGE-ME@127.0.0.1:5432/inkwell",
        "PostgreSQL as the app's role (not a superuser).",
    ),
    "REDIS_URL": ("redis://127.0.0.1:6379/0", "Redis for the cache and rate limits."),
    "MEDIA_URL": ("file:///srv/inkwell/media", "Images in posts: a folder, or s3://bucket/prefix."),
    "CELERY_BROKER_URL": (
        "redis://127.0.0.1:6379/1",
        "The Celery broker (another Redis database).",
    ),
}
# Read by Flask-Mail, not in settings: the SMTP login.
FLASK_MAIL = {"MAIL_USERNAME": "", "MAIL_PASSWORD": ""}


def documented_keys() -> list[tuple[str, str]]:
    """(key, the comment above it) for every key of `settings`, in file order."""
    source = inspect.getsource(settings)
    lines, found, comment = source.splitlines(), [], []
    names = {
        target.id
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name) and target.id.isupper()
    }
    for line in lines:
        name = line.split(":")[0].split("=")[0].strip()
        if line.startswith("#"):
            comment.append(line)
        elif name in names and not line.startswith(" "):
            found.append((name, "\n".join(comment)))
            comment = []
        elif not line.strip():
            comment = []
    return found


def value(default: Any) -> str:
    """As `from_prefixed_env` reads it back (JSON, else the text), quoted for
    systemd's EnvironmentFile when it holds quotes or spaces."""
    text = default if isinstance(default, str) else json.dumps(default)
    return f"'{text}'" if any(c in text for c in "\"' ;#") else text


def render() -> str:
    out = [
        "# Inkwell's environment: /etc/inkwell/inkwell.env, read by every process",
        "# (infra/systemd units' EnvironmentFile=; `set -a; . FILE` for a shell).",
        "# Generated from core/settings.py: python -m inkwell.platform.core.env_template",
        "# Active lines: set them. Commented lines: the default, for reference.",
        "# Replace each CHANGE-ME; for a secret:",
        "#   python3 -c 'import secrets; print(secrets.token_urlsafe(48))'",
        "",
    ]
    for key, (example, why) in PLAIN.items():
        out += [f"# {why}", f"{key}={value(example)}"]
    for key, comment in documented_keys():
        default = getattr(settings, key)
        if comment:  # a group of keys starts: a blank line, then why
            out += ["", comment]
        if isinstance(default, dict):
            for sub in ("X_FOR", "X_PROTO", "X_HOST", "X_PORT", "X_PREFIX"):
                setting = f"{key}__{sub}"
                out.append(_line(setting, PRODUCTION.get(setting, 0), setting in PRODUCTION))
        else:
            out.append(_line(key, PRODUCTION.get(key, default), key in PRODUCTION))
    out += ["", "# Flask-Mail's SMTP login (see MAIL_SERVER)."]
    out += [f"INKWELL_{key}={value(text)}" for key, text in FLASK_MAIL.items()]
    return "\n".join(out) + "\n"


def _line(key: str, setting: Any, active: bool) -> str:
    return f"{'' if active else '# '}INKWELL_{key}={value(setting)}"


if __name__ == "__main__":
    print(render(), end="")
