"""The `inkwell` command: clear one-line errors, non-zero exits, no tracebacks."""

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Tenant, User
from inkwell.platform.web.cli import demo

INKWELL = str(Path(sys.executable).with_name("inkwell"))


def run(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_users_create_prompts_for_password(app) -> None:
    result = run(app, "users", "create", "Op@Example.com", "--admin", input="long enough\n" * 2)
    assert result.exit_code == 0, result.output
    assert "Created admin user op@example.com" in result.output
    with app.app_context():
        assert db.session.scalar(select(User.is_admin).where(User.email == "op@example.com"))


def test_users_create_twice_is_one_clear_error(app) -> None:
    run(app, "users", "create", "op@example.com", "--password", "long enough")
    result = run(app, "users", "create", "OP@example.com", "--password", "long enough")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: An account with this email already exists."


def test_blogs_create(app) -> None:
    run(app, "users", "create", "op@example.com", "--password", "long enough")
    result = run(app, "blogs", "create", "Ops", "--owner", "op@example.com", "--title", "Ops log")
    assert result.exit_code == 0, result.output
    assert "http://ops.blogs.test/" in result.output
    for args, message in [
        (("blogs", "create", "ops", "--owner", "op@example.com"), "taken"),
        (("blogs", "create", "www", "--owner", "op@example.com"), "reserved"),
        (("blogs", "create", "new-one", "--owner", "ghost@example.com"), "no user"),
    ]:
        result = run(app, *args)
        assert result.exit_code == 1
        assert message in result.output and "Traceback" not in result.output


def test_demo_is_idempotent_and_prints_the_login(app, site_client) -> None:
    first = run(app, "demo")
    assert first.exit_code == 0, first.output
    assert f"{demo.DEMO_EMAIL} / {demo.DEMO_PASSWORD}" in first.output
    assert "http://demo.blogs.test/" in first.output
    assert run(app, "demo").exit_code == 0
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.subdomain == "demo"))
        with tenancy.tenant_scope(tenant.id):
            # Its posts and its About page, made once.
            assert db.session.scalar(select(func.count()).select_from(Post)) == len(demo.POSTS) + 1
    page = site_client("demo").get("/highlighted-code/")
    assert page.status_code == 200
    assert '<div class="highlight">' in page.text
    assert '<a href="/about/" dir="auto">About</a>' in page.text
    assert "/about/" not in site_client("demo").get("/").text.split("</header>")[1]  # a page


@pytest.mark.parametrize(
    ("extra_env", "message"),
    [
        ({}, "Error: database: no such table: users"),  # never migrated
        ({"INKWELL_ENV": "production"}, "Error: configuration: INKWELL_SECRET_KEY must be set"),
    ],
)
def test_console_script_errors_are_one_line(tmp_path: Path, extra_env, message: str) -> None:
    env = {"INKWELL_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin", **extra_env}
    result = subprocess.run(
        [INKWELL, "users", "create", "a@example.com", "--password", "long enough"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_console_script_lists_flask_commands(tmp_path: Path) -> None:
    env = {"INKWELL_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [INKWELL, "--help"], capture_output=True, text=True, env=env, check=False
    )
    for command in ("run", "shell", "routes", "db", "users", "blogs", "demo"):
        assert f"  {command} " in result.stdout, command


def test_commands_start_without_the_s3_client(tmp_path: Path) -> None:
    """boto3 and botocore cost every command a tenth of a second at start; only a
    store on S3 loads them, on first use (`core.storage`)."""
    script = (
        "import sys\n"
        "from inkwell.platform.wsgi import cli, create_app\n"
        "create_app()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))\n"
    )
    env = {"INKWELL_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    python = Path(INKWELL).with_name("python")
    result = subprocess.run(
        [python, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == "[]"
