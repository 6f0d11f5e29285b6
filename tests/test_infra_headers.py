"""A static mirror reaches readers with the headers the app's blog answers carry:
from nginx's fallback (a real nginx) and from CloudFront's response headers policy
(S3 objects cannot carry such headers themselves)."""

import json
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

from test_infra import NGINX, ROOT, FailingApp, get, nginx_in_front_of, unavailable

from inkwell.tenants.security import READER_HEADERS

UUID = "0b6f3c2e-8d1a-4f7e-9a51-2c4d6e8f0a1b"


def test_nginx_serves_the_mirror_with_the_reader_headers(tmp_path: Path) -> None:
    if NGINX is None:
        unavailable("nginx is not installed (.ci/run installs it)")
    blog = tmp_path / "mirror" / UUID
    (blog / "post-1").mkdir(parents=True)
    (blog / "post-1" / "index.html").write_text("mirror post")
    (blog / "assets").mkdir()
    (blog / "assets" / "comments.0123abcd.js").write_text("// script")
    app = ThreadingHTTPServer(("127.0.0.1", 0), FailingApp)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    try:
        with nginx_in_front_of(app.server_address[1], tmp_path, UUID) as port:
            # The app's own answers pass as they are: the app sets its headers itself.
            status, _, headers = get(port, "alice.blogs.test", "/nope/")
            assert status == 404 and "X-Content-Type-Options" not in headers
            answers = [
                get(port, "alice.blogs.test", "/post-1/"),  # the app failed: the mirror
                get(port, "alice.blogs.test", "/assets/comments.0123abcd.js"),
                get(port, "alice.blogs.test", "/gone/"),  # not in the mirror either
                get(port, "mallory.blogs.test", "/"),  # no mirror for this host: 503
            ]
    finally:
        app.shutdown()
        app.server_close()
    assert [status for status, _, _ in answers] == [200, 200, 404, 503]
    for _, _, headers in answers:
        assert {name: headers.get(name) for name in READER_HEADERS} == READER_HEADERS
    script_type = answers[1][2]["Content-Type"]
    if Path("/etc/nginx/mime.types").exists():  # nosniff needs the right type for scripts
        assert script_type.split(";")[0] in ("application/javascript", "text/javascript")


def test_cloudfront_adds_the_reader_headers_to_mirror_objects() -> None:
    policy = json.loads(
        (ROOT / "infra" / "s3" / "cloudfront-response-headers-policy.json").read_text()
    )
    security = policy["SecurityHeadersConfig"]
    assert READER_HEADERS["X-Content-Type-Options"] == "nosniff"
    assert security["ContentTypeOptions"] == {"Override": True}  # CloudFront sends "nosniff"
    assert security["ReferrerPolicy"] == {
        "ReferrerPolicy": READER_HEADERS["Referrer-Policy"],
        "Override": True,
    }
