"""Image processing on a real Celery worker, its `media` queue on Redis: the upload
answers at once ("processing"), the worker makes the files, a redelivered task
does nothing twice."""

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from fixtures.accounts import AuthActions
from fixtures.app import platform_browser
from fixtures.blogs import Blog
from fixtures.images import jpeg_bytes, srcset_urls, upload
from fixtures.jobs import running_worker
from fixtures.services import free_port
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Media, Outbox
from inkwell.workers import relay
from inkwell.workers.celery_app import QUEUES


def media_state(app: Flask, blog: Blog) -> tuple[str, int]:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        media = db.session.scalars(select(Media)).one()
        return media.state, media.stored_bytes


def test_the_worker_makes_the_files_of_an_upload(
    jobs_app, broker, make_tenant, make_post, site_client, tmp_path: Path
) -> None:
    assert "media" in QUEUES
    app = jobs_app(broker, free_port(), MEDIA_URL=str(tmp_path / "media"))
    alice = make_tenant("alice")
    browser = platform_browser(app)
    AuthActions(browser).login(alice.owner_email)
    data = jpeg_bytes(1400, 900)
    with running_worker(app) as worker:
        answer = upload(browser, alice, data, "harbour.jpg", alt="The harbour")
        assert answer.status_code == 201, answer.text
        assert answer.get_json()["state"] in ("processing", "ready")
        worker.wait_idle()
    state, stored = media_state(app, alice)
    assert state == "ready"
    assert stored > len(data)  # the original and ten variants
    make_post(alice, "Harbour", answer.get_json()["markdown"])
    reader = site_client(alice)
    reader.application = app  # this test's app, whose MEDIA_URL holds the files
    for url in srcset_urls(reader.get("/harbour/").text):
        assert reader.get(url).status_code == 200, url


def test_a_task_delivered_twice_processes_the_image_once(
    jobs_app, broker, make_tenant, tmp_path: Path
) -> None:
    app = jobs_app(broker, free_port(), MEDIA_URL=str(tmp_path / "media"))
    alice = make_tenant("alice")
    browser = platform_browser(app)
    AuthActions(browser).login(alice.owner_email)
    with running_worker(app) as worker:
        upload(browser, alice, jpeg_bytes(800, 600))
        worker.wait_idle()
        with app.app_context():
            rows = list(db.session.scalars(select(Outbox)))
            relay.publish(rows)  # the same task again, as a broker redelivers it
        worker.wait_idle()
    with app.app_context():
        [row] = db.session.scalars(select(Outbox)).all()
        assert row.done_at is not None
        assert row.attempts == 1
    assert media_state(app, alice)[0] == "ready"
