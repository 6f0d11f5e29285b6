"""The publish lock is a lease that ends with its holder: a publish keeps it
past the lease while it runs (a thread renews it), and one that lost it (a
process frozen past its lease while another publish took the blog over) stops
before changing the mirror, and leaves the newer publish's lock alone."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from mirror_helpers import edit_post, post_id, publish, read_folder
from sqlalchemy import update

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Mirror, PublishRun
from inkwell.platform.core.types import utcnow


@pytest.fixture
def blog(make_tenant, make_post):
    blog = make_tenant("alice")
    for n in range(12):
        make_post(blog, f"Post {n}", f"Body {n}", tags=["python"])
    return blog


@pytest.fixture
def folder_app(app: Flask, tmp_path, monkeypatch) -> Flask:
    monkeypatch.setitem(app.config, "MIRROR_URL", str(tmp_path / "mirror"))
    return app


def test_a_publish_keeps_its_lock_past_the_lease_while_it_runs(folder_app, blog, monkeypatch):
    from inkwell.platform.core.publishing import mirrors
    from inkwell.workers.publish import run_requested

    app = folder_app
    monkeypatch.setitem(app.config, "MIRROR_LEASE", 1.0)
    others = []

    def slow_step(run: PublishRun) -> None:
        if run.phase == "building" and not others:
            time.sleep(2.5)  # a step longer than the lease: a big page, a slow upload
            others.append(run_requested(blog.id))  # another worker, sent the same blog

    with app.app_context():
        mirrors.request_publish(blog.id)
        db.session.commit()
        [run] = run_requested(blog.id, slow_step)
    assert others == [[]]  # the lock was still held: nothing ran twice
    assert run.status == "succeeded", run.error


def test_a_publish_that_lost_its_lock_stops_and_leaves_the_newer_one_be(
    folder_app, blog, monkeypatch
) -> None:
    from inkwell.platform.core.publishing import mirrors
    from inkwell.workers.publish import run_requested

    app = folder_app
    monkeypatch.setitem(app.config, "MIRROR_LEASE", 0.5)
    publish(app, blog.id)
    mirror_folder = Path(app.config["MIRROR_URL"])
    before = read_folder(mirror_folder)
    edit_post(app, blog.id, post_id(app, blog.id, "post-3"), title="Post 3, edited")
    taken = []

    def taken_over(run: PublishRun) -> None:
        # As if this process froze past its lease and another publish claimed the blog.
        if run.phase == "building" and not taken:
            newer = {"holder": "newer", "locked_until": utcnow() + timedelta(minutes=1)}
            db.session.execute(update(Mirror).values(**newer))
            db.session.commit()
            taken.append(newer)
            time.sleep(0.5)  # its lease thread tries to renew meanwhile

    with app.app_context():
        mirrors.request_publish(blog.id)
        db.session.commit()
        [run] = run_requested(blog.id, taken_over)
        mirror = db.session.get_one(Mirror, blog.id)
        assert (mirror.holder, mirror.done_seq) == ("newer", 1)  # not released by the old one
    assert run.status == "failed" and "took the blog over" in run.error
    assert read_folder(mirror_folder) == before  # it uploaded nothing
