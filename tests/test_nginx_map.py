"""nginx's mirror host map is written by the publish job and beat, so a blog
created since the last edit is served from its mirror while the app is stopped."""

import re
from pathlib import Path

from test_infra import NGINX, get, nginx_in_front_of

from fixtures.mirrors import blog_uuid, publish
from fixtures.services import free_port, unavailable
from inkwell.workers import schedule


def test_a_new_blog_is_served_from_its_mirror_with_the_app_stopped(
    app, make_tenant, make_post, mirror_root: Path, tmp_path: Path, monkeypatch
) -> None:
    if NGINX is None:
        unavailable("nginx is not installed (.ci/run installs it)")
    hosts_map = tmp_path / "nginx" / "inkwell-mirror-hosts.map"
    hosts_map.parent.mkdir()
    monkeypatch.setitem(app.config, "NGINX_MAP_PATH", str(hosts_map))
    blog = make_tenant("newcomer")
    make_post(blog, "First words", "Written the day the blog began.")
    assert not hosts_map.exists()
    [run] = publish(app, blog.id)  # the worker's job: its first mirror, and the map
    assert run.status == "succeeded"
    uuid = blog_uuid(app, blog)
    assert f"newcomer.blogs.test {uuid};" in hosts_map.read_text()
    stopped = free_port()  # nothing listens: gunicorn is down
    with nginx_in_front_of(stopped, tmp_path, uuid, hosts=f"include {hosts_map};") as port:
        status, body, headers = get(port, "newcomer.blogs.test", "/first-words/")
        assert (status, headers["X-Inkwell-Mirror"]) == (200, "1")
        assert "Written the day the blog began." in body
        assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])  # as in the access log
        assert get(port, "stranger.blogs.test")[0] == 503  # no line, no mirror


def test_beat_rewrites_the_map_only_when_it_changed(
    app, make_tenant, tmp_path: Path, monkeypatch
) -> None:
    hosts_map = tmp_path / "hosts.map"
    monkeypatch.setitem(app.config, "NGINX_MAP_PATH", str(hosts_map))
    make_tenant("alice")
    # run(): the task's body in this app's context (calling the task enters the
    # app Celery was last bound to, another test's maybe).
    with app.app_context():
        assert schedule.write_nginx_map.run() is True
        assert schedule.write_nginx_map.run() is False  # unchanged: nginx is not reloaded
    make_tenant("bob")
    with app.app_context():
        assert schedule.write_nginx_map.run() is True
    assert "bob.blogs.test " in hosts_map.read_text()


def test_an_unwritable_map_does_not_fail_the_publish(
    app, make_tenant, make_post, mirror_root: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "NGINX_MAP_PATH", str(tmp_path / "no" / "such" / "x.map"))
    blog = make_tenant("alice")
    make_post(blog, "Hello", "body")
    assert [run.status for run in publish(app, blog.id)] == ["succeeded"]
