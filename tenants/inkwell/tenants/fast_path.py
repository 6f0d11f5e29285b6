"""Answer cache hits and conditional GETs of blog pages before Flask runs.

Most reader traffic is hits. Through Flask, a hit paid a request context, an
ORM query for the blog and a pool checkout; here it pays one cache read and,
at most once per TENANT_LOOKUP_TTL seconds per host, one small query for the
blog's UUID and content_version. The version still comes from the database, so
a publish reaches readers within that TTL and a restarted Redis cannot bring
back a stale page. Anything else (misses, POSTs, unknown hosts) goes to the
site app unchanged.
"""

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from flask import Flask
from sqlalchemy import select
from werkzeug.wrappers import Request

from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import host_name
from inkwell.platform.core.models import Tenant
from inkwell.tenants.hosts import serving
from inkwell.tenants.page_cache import early_response

# Bounds the memory a flood of made-up Host headers can take.
MAX_REMEMBERED_HOSTS = 10_000

_VERSION = select(Tenant.uuid, Tenant.content_version, Tenant.updated_at)


@dataclass(frozen=True)
class BlogVersion:
    uuid: UUID
    content_version: int
    updated_at: datetime


class FastPath:
    def __init__(self, app: Flask, wsgi_app: Any) -> None:
        self.app, self.wsgi_app = app, wsgi_app
        self.ttl = app.config["TENANT_LOOKUP_TTL"]
        self.remembered: dict[str, tuple[float, BlogVersion]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            request = Request(environ)
            with self.app.app_context():
                blog = self._blog(host_name(request.host))
                response = early_response(blog, request) if blog else None
            if response is not None:
                return response(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def _blog(self, host: str) -> BlogVersion | None:
        now = time.monotonic()
        remembered = self.remembered.get(host)
        if remembered and now - remembered[0] < self.ttl:
            return remembered[1]
        row = db.session.execute(serving(_VERSION, host)).first()
        db.session.remove()  # give the connection back now, not at some teardown
        if row is None:
            return None
        if len(self.remembered) >= MAX_REMEMBERED_HOSTS:
            self.remembered.clear()
        blog = BlogVersion(*row)
        self.remembered[host] = (now, blog)
        return blog
