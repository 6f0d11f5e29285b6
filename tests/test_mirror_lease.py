"""The publish lock is a lease that ends with its holder.

Against real processes: a Celery worker (prefork, its own process group) that
publishes to moto's S3 server, its publishing process killed with SIGKILL in the
middle of an upload, as the kernel's out-of-memory killer would. Once the lease
lapses (2 s here) the next round of the dispatcher sends the blog again; the
publish that runs marks the killed run interrupted and repairs the mirror: it
ends at the blog's current version, holding exactly the manifest's keys with
the manifest's bytes, the same as a build made now. And in this process: a
publish keeps its lock past the lease while it runs, and one that lost it stops."""

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from flask import Flask
from sqlalchemy import select, update

from fixtures.mirrors import edit_post, post_id, publish, read_folder
from fixtures.services import free_port
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Mirror, PublishRun, Tenant
from inkwell.platform.core.types import utcnow

BUCKET, PREFIX = "inkwell-lease", "blogs"
LEASE = 2.0


class GatedS3:
    """moto's S3 server on a loopback port, behind a gate that can hold the
    upload of one key until released: a stalled upload, on cue."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        self.moto = DomainDispatcherApplication(create_backend_app)
        self.held_path = ""
        self.holding, self.opened = threading.Event(), threading.Event()
        self.server = make_server("127.0.0.1", free_port(), self, threaded=True,
                                  request_handler=MotoRequestHandler)  # fmt: skip
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ["REQUEST_METHOD"] == "PUT" and environ["PATH_INFO"] == self.held_path:
            self.holding.set()
            self.opened.wait(30)
        return self.moto(environ, start_response)

    def hold(self, key: str) -> None:
        self.held_path = f"/{BUCKET}/{key}"

    def release(self) -> None:
        self.held_path = ""
        self.opened.set()

    def stop(self) -> None:
        self.release()
        self.server.shutdown()
        self.thread.join()


@pytest.fixture
def s3(monkeypatch) -> Iterator[GatedS3]:
    for name, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):  # fmt: skip
        monkeypatch.setenv(name, value)  # for this process and the worker's
    server = GatedS3()
    boto3.client("s3", endpoint_url=server.url).create_bucket(Bucket=BUCKET)
    yield server
    server.stop()


@pytest.fixture
def lease_app(broker, app: Flask, app_factory, s3: GatedS3) -> Flask:
    """An app on the test database that publishes to the gated S3 and sends
    publish tasks to this branch's own broker, with a lease of LEASE seconds."""
    return app_factory(
        CELERY_BROKER_URL=broker,
        MIRROR_URL=f"s3://{BUCKET}/{PREFIX}",
        MIRROR_ENDPOINT_URL=s3.url,
        MIRROR_LEASE=LEASE,
        MIRROR_AUTO_PUBLISH=False,  # publishes here are asked for, one by one
    )


class Worker:
    """`celery worker -Q publish -c 1` (prefork) in a process group of its own."""

    def __init__(self, app: Flask, log: Path) -> None:
        config = app.config
        env = {
            **os.environ,
            "DATABASE_URL": config["DATABASE_URL"],
            "CELERY_BROKER_URL": config["CELERY_BROKER_URL"],
            "MIRROR_URL": config["MIRROR_URL"],
            "MIRROR_ENDPOINT_URL": config["MIRROR_ENDPOINT_URL"],
            "INKWELL_MIRROR_LEASE": str(config["MIRROR_LEASE"]),
            "INKWELL_APP_HOST": config["APP_HOST"],
            "INKWELL_BLOG_DOMAIN": config["BLOG_DOMAIN"],
            "INKWELL_SECRET_KEY": config["SECRET_KEY"],
        }
        command = [sys.executable, "-m", "celery", "-A", "inkwell.workers.worker", "worker",
                   "-Q", "publish", "-c", "1", "-P", "prefork", "--without-gossip",
                   "--without-mingle", "--without-heartbeat", "-l", "info"]  # fmt: skip
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def pool_processes(self) -> list[int]:
        """The worker's children: with -c 1, the one process that runs tasks."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


@contextmanager
def celery_worker(app: Flask, log: Path) -> Iterator[Worker]:
    worker = Worker(app, log)
    try:
        yield worker
    finally:
        worker.stop()


def blog_prefix(app: Flask, blog_id: int) -> str:
    with app.app_context():
        return f"{PREFIX}/{db.session.get_one(Tenant, blog_id).uuid}/"


def stored(endpoint: str, prefix: str) -> dict[str, list[str]]:
    """Every object under the blog's prefix as a manifest entry: key -> [sha256 of
    its bytes, its Content-Type]."""
    client = boto3.client("s3", endpoint_url=endpoint)
    objects = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        for item in page.get("Contents", []):
            answer = client.get_object(Bucket=BUCKET, Key=item["Key"])
            digest = hashlib.sha256(answer["Body"].read()).hexdigest()
            objects[item["Key"].removeprefix(prefix)] = [digest, answer["ContentType"]]
    return objects


def built_now(app: Flask, blog_id: int, folder: Path) -> dict[str, list[str]]:
    """The blog built in full as it is now, as manifest entries."""
    from inkwell.tenants.mirror.freeze import BlogFreezer

    with BlogFreezer(blog_id, folder, dict(app.config)) as freezer:
        plan = freezer.plan(None, full=True)
        files = list(freezer.build(plan.urls))
    entries = {}
    for file in files:
        body = (folder / file.path).read_bytes()
        entries[file.path] = [hashlib.sha256(body).hexdigest(), file.content_type]
    return entries


def runs(app: Flask, blog_id: int) -> list[PublishRun]:
    with app.app_context(), tenancy.tenant_scope(blog_id):
        found = list(db.session.scalars(select(PublishRun).order_by(PublishRun.id)))
        db.session.expunge_all()
        return found


def locked(app: Flask, blog_id: int) -> bool:
    """Whether a publish (live or dead) holds the blog's lock."""
    with app.app_context():
        return db.session.get_one(Mirror, blog_id).locked_until is not None


def delete_post_by_slug(app: Flask, blog_id: int, slug: str) -> None:
    from inkwell.platform.core.content.posts import delete_post
    from inkwell.platform.core.content.revisions import Actor
    from inkwell.platform.core.models import Post

    with app.app_context(), tenancy.tenant_scope(blog_id):
        post = db.session.get_one(Post, post_id(app, blog_id, slug))
        delete_post(post, db.session.get_one(Tenant, blog_id), actor=Actor("editor"))
        db.session.commit()


@pytest.fixture
def blog(make_tenant, make_post):
    blog = make_tenant("alice")
    for n in range(12):
        make_post(blog, f"Post {n}", f"Body {n}", tags=["python"])
    return blog


def test_a_publish_killed_mid_upload_is_repaired_within_the_lease(
    lease_app, s3, blog, make_post, tmp_path
) -> None:
    from inkwell.platform.core.publishing import mirrors
    from inkwell.workers import publish as jobs

    app, prefix = lease_app, blog_prefix(lease_app, blog.id)
    [first] = publish(app, blog.id)
    assert first.status == "succeeded"
    # The next publish: an edited post and a new one.
    edit_post(app, blog.id, post_id(app, blog.id, "post-3"), title="Post 3, edited")
    make_post(blog, "Doomed", "published, then deleted", tags=["python"])
    s3.hold(prefix + "index.html")  # the home page goes last: everything else is up by then

    with celery_worker(app, tmp_path / "worker.log") as worker:
        with app.app_context():
            mirrors.request_publish(blog.id)
            db.session.commit()
            assert jobs.dispatch(jobs.send) == 1
        assert s3.holding.wait(60), (tmp_path / "worker.log").read_text()
        dying = runs(app, blog.id)[-1]
        assert (dying.status, dying.phase) == ("running", "uploading")
        assert "doomed/index.html" in stored(s3.url, prefix)  # uploaded, in no manifest
        # While it hangs, the blog changes again: the edit undone, the new post deleted.
        edit_post(app, blog.id, post_id(app, blog.id, "post-3"), title="Post 3")
        delete_post_by_slug(app, blog.id, "doomed")
        [process] = worker.pool_processes()
        os.kill(process, signal.SIGKILL)
        killed = time.time()
        s3.release()  # the stalled upload lands after its sender died

        # Beat's round, every 0.2 s, until a publish after the killed one finished
        # and let go of the blog.
        deadline, sent = killed + 30, None
        while (latest := runs(app, blog.id)[-1]).id == dying.id or locked(app, blog.id):
            assert time.time() < deadline, "no publish repaired the blog 30 s after the kill"
            with app.app_context():
                if jobs.dispatch(jobs.send) and sent is None:
                    sent = time.time() - killed
            time.sleep(0.2)

    assert sent is not None
    to_start = seconds_after(killed, latest.started_at)
    to_right = seconds_after(killed, latest.finished_at)
    print(f"\nkill -> publish sent again {sent:.2f} s, started {to_start:.2f} s, "
          f"mirror right {to_right:.2f} s")  # fmt: skip
    assert sent < LEASE + 1  # the lease lapsed, and a round of beat sent the blog again
    # Then the worker's main process notices its killed pool process (up to a few
    # seconds later) and forks another, which runs the publish sent meanwhile.
    assert to_start < LEASE + 6
    interrupted = runs(app, blog.id)[-2]
    assert interrupted.id == dying.id and interrupted.status == "failed"
    assert interrupted.error.startswith("interrupted")
    assert latest.status == "succeeded" and latest.full, latest.error
    with app.app_context():
        mirror = db.session.get_one(Mirror, blog.id)
        tenant = db.session.get_one(Tenant, blog.id)
        assert mirror.published_version == tenant.content_version
        assert (mirror.locked_until, mirror.holder) == (None, None)
        manifest = mirror.manifest
    assert stored(s3.url, prefix) == manifest == built_now(app, blog.id, tmp_path / "now")
    assert "doomed/index.html" not in manifest


def seconds_after(start: float, moment: datetime | None) -> float:
    assert moment is not None
    return moment.timestamp() - start


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
