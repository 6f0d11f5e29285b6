"""Imports from other platforms run in the background (issue #23, point 2): the
dashboard's upload becomes a job, its page shows the progress and then the report;
a job whose worker died goes on from its last commit, importing nothing twice;
a real Celery worker runs it from the `imports` queue; `inkwell import wordpress`
does the same from a shell, printing its progress."""

import io
import time
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import func, select, update

from fixtures.accounts import AuthActions
from fixtures.app import csrf_token, platform_browser
from fixtures.browsers import open_page
from fixtures.images import jpeg_bytes, png_bytes
from fixtures.jobs import running_worker
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import ImportJob, Post, Tenant, User
from inkwell.platform.core.portability import foreign_import, import_jobs
from inkwell.platform.core.types import utcnow
from inkwell.workers import imports

EXPORT = Path(__file__).parent / "fixtures" / "exports" / "wordpress.xml"
GHOST = Path(__file__).parent / "fixtures" / "foreign" / "ghost-export.json"
FORM = "/blogs/alice/import/"
TITLES = {"Hello world, with a view", "رحلة إلى الجبال", "Half-written thoughts", "Coming soon",
          "About me"}  # fmt: skip


@pytest.fixture
def ana(make_tenant):
    return make_tenant("alice", "ana@example.com")


def upload(client, data: bytes, format: str = "wordpress", name: str = "old-words.xml", **more):
    form = {"csrf_token": csrf_token(client, FORM), "format": format,
            "bundle": (io.BytesIO(data), name), **more}  # fmt: skip
    return client.post(FORM, data=form, content_type="multipart/form-data")


def titles(app, blog) -> list[str]:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        return list(db.session.scalars(select(Post.title)))


def the_job(app, blog) -> ImportJob:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        job = db.session.scalars(select(ImportJob)).one()
        db.session.expunge(job)
        return job


def start_job(app, blog, relayed: bool = True) -> int:
    """A job as the dashboard starts it; the relay hands it on as the context ends
    (unless not `relayed`: its task never runs, as if the broker lost it)."""
    with app.app_context():
        tenant = db.session.get_one(Tenant, blog.id)
        owner = db.session.scalar(select(User.id).where(User.email == blog.owner_email))
        with tenancy.tenant_scope(blog.id):
            job = import_jobs.start(
                tenant,
                owner,
                "wordpress",
                EXPORT.name,
                lambda to: to.write_bytes(EXPORT.read_bytes()),
            )
            db.session.commit()
            job_id = job.id
        if not relayed:
            g.pop("inkwell_outbox_committed", None)
        return job_id


def test_an_upload_becomes_a_job_whose_page_reports_what_it_did(app, client, auth, ana):
    auth.login(ana.owner_email)
    form = client.get(FORM).text
    assert 'value="wordpress"' in form and "WordPress export (.xml)" in form

    answer = upload(client, EXPORT.read_bytes())

    assert answer.status_code == 303
    job = the_job(app, ana)
    assert answer.location.endswith(f"/blogs/alice/import/jobs/{job.id}")
    page = client.get(answer.location).text  # no broker: it ran right after the upload
    assert "Done." in page and "data-refresh" not in page and "import_job.js" not in page
    assert "<dt>Imported</dt><dd>5</dd>" in page
    assert "<dt>Skipped: comments (not imported)</dt><dd>2</dd>" in page
    assert "<dt>Images not fetched</dt><dd>2</dd>" in page
    assert "lake.jpg" in page  # the note on the image that could not be fetched
    assert set(titles(app, ana)) >= TITLES
    assert not (import_jobs_folder(app, ana) / job.upload).exists()  # kept until done
    assert "old-words.xml" in client.get(FORM).text  # among the recent imports


def import_jobs_folder(app, blog) -> Path:
    with app.app_context():
        return import_jobs.uploads_folder(db.session.get_one(Tenant, blog.id))


@pytest.mark.usefixtures("allow_local")
def test_a_ghost_export_brings_its_images_from_the_old_site(
    app, client, auth, ana, image_server, site_client
):
    image_server.files["/content/images/2024/07/pool.png"] = ("image/png", png_bytes(640, 400))
    image_server.files["/content/images/2024/07/cover.jpg"] = ("image/jpeg", jpeg_bytes(800, 600))
    auth.login("ana@example.com")
    refused = upload(client, GHOST.read_bytes(), "ghost", GHOST.name, site_url="not an address")
    assert refused.status_code == 400 and "starting with https://" in refused.text
    assert titles(app, ana) == []

    answer = upload(client, GHOST.read_bytes(), "ghost", GHOST.name, site_url=image_server.url)

    assert answer.status_code == 303
    page = client.get(answer.location).text
    assert "Done." in page and "<dt>Images not fetched</dt><dd>0</dd>" in page
    with app.app_context(), tenancy.tenant_scope(ana.id):
        tide = db.session.scalars(select(Post).where(Post.slug == "tide-pools-at-dawn")).one()
        assert "![A pool full of anemones](media:" in tide.body_md and "__GHOST_URL__" not in (
            tide.body_md
        )
        assert tide.cover_media_id is not None
    assert image_server.hits["/content/images/2024/07/cover.jpg"] == 1
    reader = site_client(ana).get("/tide-pools-at-dawn/")
    assert reader.status_code == 200 and "/media/" in reader.text


def running_job(app, blog, file_name: str, total: int, done: int) -> int:
    """A job some worker is running, `done` of `total` entries in; its id."""
    with app.app_context(), tenancy.tenant_scope(blog.id):
        job = ImportJob(tenant_id=blog.id, format="wordpress", file_name=file_name, upload="x",
                        status="running", total=total, done=done)  # fmt: skip
        db.session.add(job)
        db.session.commit()
        return job.id


def test_a_running_job_shows_its_progress_and_follows_it(app, client, auth, ana):
    url = f"/blogs/alice/import/jobs/{running_job(app, ana, 'big.xml', 40, 10)}"
    auth.login(ana.owner_email)

    page = client.get(url).text

    assert "Importing: 10 of 40 entries (25%)." in page
    assert '<progress max="100" value="25"' in page
    assert 'data-refresh="2"' in page and "import_job.js" in page  # it follows the job


def test_a_broken_file_fails_its_job_with_the_reason(app, client, auth, ana, make_tenant):
    auth.login(ana.owner_email)

    answer = upload(client, b"<?xml version='1.0'?><rss><channel><item>", name="cut.xml")

    page = client.get(answer.location).text
    assert "Not imported: the file could not be read." in page and "not readable XML" in page
    assert the_job(app, ana).status == "failed"
    bob, bobs_browser = make_tenant("bobs"), platform_browser(app)
    AuthActions(bobs_browser).login(bob.owner_email)  # under his own blog: not his job
    assert bobs_browser.get(answer.location.replace("/alice/", "/bobs/")).status_code == 404


class WorkerDied(Exception):
    """Stands for the kill: what the worker did since its last commit is lost."""


def test_a_job_whose_worker_died_goes_on_from_its_last_commit(app, ana, monkeypatch):
    monkeypatch.setattr(foreign_import, "BATCH_SIZE", 2)
    seen = []

    def dies_at_the_third_post(post):
        seen.append(post.title)
        if len(seen) == 3:
            raise WorkerDied
        return post, []

    job_id = start_job(app, ana, relayed=False)
    with app.app_context(), pytest.raises(WorkerDied):  # the worker that took it dies
        import_jobs.run(ana.id, job_id, localize=dies_at_the_third_post)
    died = the_job(app, ana)
    assert died.finished_at is None and died.total == 10
    assert died.done == 4  # two comments and the attachment after the first post
    assert titles_imported(app, ana) == {"Hello world, with a view"}  # the rest rolled back

    with app.app_context():
        assert imports.resume_imports() == 0  # its lease still holds
        with tenancy.tenant_scope(ana.id):
            db.session.execute(update(ImportJob).values(active_until=utcnow()))
            db.session.commit()
        assert imports.resume_imports() == 1  # inline without a broker

    done = the_job(app, ana)
    assert done.status == "done" and done.done == 10
    assert done.report["created"] == 5 and done.report["unchanged"] == 0
    assert titles_imported(app, ana) == TITLES
    with app.app_context(), tenancy.tenant_scope(ana.id):
        assert db.session.scalar(select(func.count(Post.id)).where(Post.title.in_(TITLES))) == 5


def titles_imported(app, blog) -> set[str]:
    return set(titles(app, blog)) & TITLES


def test_a_celery_worker_runs_the_job_from_the_imports_queue(jobs_app, broker, ana):
    app = jobs_app(broker, 1)
    with running_worker(app) as worker:
        start_job(app, ana)  # the relay publishes it as the app context ends
        deadline = time.monotonic() + 30
        while the_job(app, ana).finished_at is None and time.monotonic() < deadline:
            time.sleep(0.1)
        worker.wait_idle()
    job = the_job(app, ana)
    assert job.status == "done" and job.report["created"] == 5
    assert titles_imported(app, ana) == TITLES


def test_the_cli_imports_a_wordpress_export_printing_progress(app, ana, tmp_path):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["import", "wordpress", str(EXPORT), "--blog", "alice"])
    again = runner.invoke(args=["import", "wordpress", str(EXPORT), "--blog", "alice"])

    assert first.exit_code == 0, first.output
    assert "wordpress.xml: 10 entries" in first.output and "10/10 (100%)" in first.output
    assert "created 5, updated 0, unchanged 0" in first.output
    assert "1 attachment, 2 comment, 1 menu item, 1 post" in first.output
    assert "created 0, updated 0, unchanged 5" in again.output
    assert titles_imported(app, ana) == TITLES
    broken = tmp_path / "broken.xml"
    broken.write_text("<rss><channel>")
    refused = runner.invoke(args=["import", "wordpress", str(broken), "--blog", "alice"])
    assert refused.exit_code == 1 and "not readable XML" in refused.output


def test_another_platforms_export_may_be_larger_than_a_previewed_zip(
    app, client, auth, ana, monkeypatch
):
    auth.login(ana.owner_email)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", len(EXPORT.read_bytes()) // 2)

    as_zip = upload(client, EXPORT.read_bytes(), format="inkwell", name="old-words.zip")
    as_wordpress = upload(client, EXPORT.read_bytes())

    assert as_zip.status_code == 413 and "inkwell import markdown" in as_zip.text
    assert as_wordpress.status_code == 303
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", len(EXPORT.read_bytes()) // 2)
    assert upload(client, EXPORT.read_bytes()).status_code == 413


def test_a_running_jobs_page_follows_it_to_its_report_in_a_browser(app, ana, live_server, chromium):
    job_id = running_job(app, ana, "كلمات.xml", 10, 4)
    tab = open_page(chromium, live_server, ana.owner_email)
    tab.goto(f"{live_server}/blogs/alice/import/jobs/{job_id}")
    assert "4 of 10 entries (40%)" in tab.inner_text("#import-state")

    with app.app_context(), tenancy.tenant_scope(ana.id):
        finished = {"status": "done", "done": 10, "finished_at": utcnow(), "report": {"created": 7}}
        db.session.execute(update(ImportJob).values(**finished))
        db.session.commit()

    tab.wait_for_selector("#import-state:has-text('Done.')")  # no reload of its own
    assert "Imported\n7" in tab.inner_text("dl.import-counts")
