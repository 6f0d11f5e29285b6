"""`inkwell doctor`: one line per check, OK or FAIL and why, a non-zero exit on any
failure; it reaches every service, sends no mail and leaves no probe behind."""

from pathlib import Path

from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo

from fixtures.services import free_port
from inkwell.platform.wsgi import cli

CHECKS = ["configuration", "database", "schema", "redis", "broker", "smtp", "storage mirror"]


def doctor(make_app) -> Result:
    return CliRunner().invoke(cli, ["doctor"], obj=ScriptInfo(create_app=make_app))


def verdicts(result: Result) -> dict[str, str]:
    """{check: "OK" or "FAIL"} of the doctor's lines ("FAIL  storage media  why")."""
    found = {}
    for line in result.output.splitlines():
        verdict, rest = line.split(maxsplit=1)
        name = next(check for check in [*CHECKS, "storage media"] if rest.startswith(check))
        found[name] = verdict
    return found


def test_a_working_installation_is_all_ok(app, another_app, smtp_server, tmp_path) -> None:
    working = another_app(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MIRROR_URL=str(tmp_path / "m")
    )
    result = doctor(lambda: working)
    assert result.exit_code == 0, result.output
    assert set(verdicts(result).values()) == {"OK"}
    assert len(result.output.splitlines()) == len(CHECKS) + 1
    assert "127.0.0.1:" in result.output and "answers EHLO" in result.output
    assert smtp_server.messages() == []  # connected and greeted, nothing sent
    assert list((tmp_path / "m").iterdir()) == []  # the probe and its folder are gone


def test_each_unreachable_service_is_named(app, another_app, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("a file where a folder should be")
    broken = another_app(
        DATABASE_URL=f"sqlite:///{tmp_path / 'never-migrated.db'}",
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/1",
        CELERY_BROKER_TIMEOUT=0.5,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=free_port(),
        MEDIA_URL=str(not_a_folder),
    )
    result = doctor(lambda: broken)
    assert result.exit_code == 1
    assert verdicts(result) == {
        "configuration": "OK",
        "database": "OK",
        "schema": "FAIL",
        "redis": "FAIL",
        "broker": "FAIL",
        "smtp": "FAIL",
        "storage mirror": "OK",
        "storage media": "FAIL",
    }
    assert "at no schema, the code needs" in result.output
    assert "run `inkwell db upgrade`" in result.output
    assert "Connection refused" in result.output


def test_a_configuration_that_cannot_load_is_its_first_finding(app_factory) -> None:
    def make() -> Flask:
        return app_factory(ENV="prod", MIRROR_URL="file://tmp/x")

    result = doctor(make)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "FAIL  configuration   INKWELL_ENV: 'prod' is not one of development, production",
        "FAIL  configuration   MIRROR_URL: 'file://tmp/x' names host 'tmp'; "
        "a folder is file:///abs/path",
    ]


def test_s3_stores_are_written_read_and_emptied(app, s3, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "MEDIA_URL", "s3://inkwell-no-such-bucket/media")
    result = doctor(lambda: app)
    found = verdicts(result)
    assert found["storage mirror"] == "OK"
    assert "s3://inkwell-mirrors/blogs written, read and deleted" in result.output
    assert s3.list_objects_v2(Bucket="inkwell-mirrors").get("KeyCount") == 0
    assert found["storage media"] == "FAIL" and "NoSuchBucket" in result.output
    assert result.exit_code == 1
