"""Freeze one blog into static files with Frozen-Flask.

Each freeze uses a site app of its own, pinned to the blog (so nothing depends
on a shared app's configuration or on the Host header), kept warm between
publishes (`warm_apps`: its templates and SQL compiled once), with relative links, so
the files work opened from disk and under any prefix: the templates' links, and
the links a writer put in a post as `/other-post/` (`relative_body_links`). Each file keeps the
Content-Type its response had: a web server cannot guess it for feeds or for
`index.html` files from the name alone.
"""

import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from flask import Flask, Response, current_app, g, request, url_for
from flask_frozen import Freezer, MissingURLGeneratorWarning
from sqlalchemy.orm import selectinload

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_url
from inkwell.platform.core.models import Tenant
from inkwell.tenants import content, create_site_app, hosts
from inkwell.tenants.assets import CUSTOM_PREFIX
from inkwell.tenants.links import rewrite_links
from inkwell.tenants.mirror import images
from inkwell.tenants.mirror import pages as mirror_pages
from inkwell.tenants.mirror.forking import in_processes
from inkwell.tenants.mirror.warm_apps import WarmApps

# From this many pages, reading the whole blog once costs less than each page's
# queries (measured on a 30-post and a 500-post blog, issue 22).
PRELOAD_FROM_PAGES = 30
FREEZING = "inkwell.freezing"  # in a freezing app's extensions: the BlogFreezer using it
# Its Frozen-Flask Freezer: one per app, since each adds a url_for hook to the app.
FREEZER = "inkwell.freezer"


@dataclass(frozen=True)
class Built:
    path: str  # relative to the build folder, as in the mirror: "index.html", "latest.atom"
    content_type: str
    redirect: str = ""  # a redirect page's target URL (`blog.moved`), for S3's redirect header


@dataclass(frozen=True)
class Plan:
    snapshot: mirror_pages.Snapshot
    expected: frozenset[str]  # every file the mirror should hold afterwards, images too
    images: frozenset[str]  # the library's files public posts show (`images.keys`)
    urls: list[str]  # the pages to build now
    full: bool
    version: int  # the blog's content_version the snapshot was read at
    withdrawn: frozenset[str]  # files of content that left the blog: expected deletes
    missing: frozenset[str]  # files that should exist and `expected` lacks: a broken build


class BlogFreezer:
    """Freezes one blog; use as a context manager (the app goes back to the warm
    apps at its end, pinned to no blog)."""

    def __init__(self, tenant_id: int, destination: Path, config: dict[str, Any]) -> None:
        self.tenant_id, self.config = tenant_id, config
        self.blog: UUID | None = None  # the blog's uuid, once planned
        self.app = WARM.take(config)
        hosts.pin(self.app, tenant_id)
        self.app.config.update(FREEZER_DESTINATION=str(destination), FREEZER_BASE_URL=None)
        self.app.extensions[FREEZING] = self
        self.freezer: Freezer = self.app.extensions[FREEZER]
        self.types: dict[str, tuple[str, str]] = {}  # path -> Content-Type, redirect
        self._paths: dict[tuple[str, tuple[tuple[str, Any], ...]], str] = {}

    def __enter__(self) -> "BlogFreezer":
        return self

    def __exit__(self, *_exc: object) -> None:
        hosts.pin(self.app, None)
        del self.app.extensions[FREEZING]
        WARM.give_back(self.config, self.app)

    def plan(self, previous: mirror_pages.Snapshot | None, full: bool) -> Plan:
        """What to build, given the snapshot of the last publish (None: never published),
        all of it if `full`. A build of PRELOAD_FROM_PAGES pages or more reads the whole
        blog into memory; fewer read the database."""
        with self.app.app_context(), tenancy.tenant_scope(self.tenant_id):
            tenant = db.session.get_one(
                Tenant, self.tenant_id, options=[selectinload(Tenant.domains)]
            )
            self.app.config["FREEZER_BASE_URL"] = blog_url(tenant)
            self.blog, changed = tenant.uuid, None
            if not full and previous is not None:
                posts: Sequence[Any] = mirror_pages.outline()
                snap = mirror_pages.snapshot(tenant, posts, content.Live().snippets())
                with self.app.test_request_context():
                    changed = mirror_pages.affected_pages(previous, snap)
            if changed is None:
                blog = self._preload(tenant)
                posts = blog.posts
                snap = mirror_pages.snapshot(tenant, posts, blog.snippets())
            elif len(changed) >= PRELOAD_FROM_PAGES:
                # One read of the whole blog costs less than each page's queries. The
                # snapshot stays the one `changed` came from: a later edit the pages
                # may show is only built again by the next publish, never missed.
                self._preload(tenant)
            entries = snap["posts"] + snap["pages"]
            found = images.by_post(posts, entries, previous, tenant.uuid)
            snap["images"] = images.with_stylesheet(found, tenant.custom_css)
            snap["images"] |= images.blog_icon(tenant)
            with self.app.test_request_context():
                every = mirror_pages.all_pages(snap, tenant)
                shrink = mirror_pages.shrink(previous, snap, every, tenant)
        urls = sorted(every if changed is None else changed & every)
        shown = images.keys(snap["images"])
        return Plan(
            snap,
            self._files(every) | shown,
            shown,
            urls,
            changed is None,
            tenant.content_version,
            withdrawn=self._files(shrink.withdrawn),
            missing=self._files(shrink.missing),
        )

    def _preload(self, tenant: Tenant) -> content.Preloaded:
        blog = self.app.extensions[content.EXTENSION] = content.Preloaded(tenant)
        return blog

    def _files(self, urls: Iterable[str]) -> frozenset[str]:
        return frozenset(self.freezer.urlpath_to_filepath(url) for url in urls)

    def build(self, urls: Iterable[str], processes: int = 1) -> Iterator[Built]:
        """Render `urls` into the destination, yielding each file as it is written.
        A blog read into memory (a full build) can be rendered by `processes`
        forked processes at once; a few pages read the database here."""
        urls = list(urls)
        if processes > 1 and content.EXTENSION in self.app.extensions:
            for path, content_type, redirect in in_processes(urls, processes, self._build_in_child):
                yield Built(path, content_type, redirect)
        else:
            yield from self._build(urls)

    def _build_in_child(self, urls: list[str]) -> Iterator[list[str]]:
        with self.app.app_context():  # never the parent's connections
            db.engine.dispose(close=False)
        for built in self._build(urls):
            yield [built.path, built.content_type, built.redirect]

    def _build(self, urls: list[str]) -> Iterator[Built]:
        self.freezer.url_generators = [lambda: iter(urls)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingURLGeneratorWarning)  # a partial build
            for page in self.freezer.freeze_yield():
                yield Built(page.path.as_posix(), *self.types[page.url])

    def relative_url_for(self, endpoint: str, **values: Any) -> str:
        # Frozen-Flask's FREEZER_RELATIVE_URLS, remembering each path: a blog's
        # pages link to the same few hundred URLs, thousands of times over.
        key = (endpoint, tuple(sorted(values.items())))
        path = self._paths.get(key)
        if path is None:
            path = self._paths[key] = url_for(endpoint, **values)
        return relative_link(path, request.path)

    def relative_stylesheet(self, response: Response) -> Response:
        # The blog's own CSS names its images as /media/<file>, which leaves the
        # mirror's folder from disk or under a prefix; its copy links them relatively.
        name = (request.view_args or {}).get("filename", "")
        custom = request.endpoint == "assets.asset" and name.startswith(CUSTOM_PREFIX)
        if custom and response.status_code == 200:
            css = response.get_data(as_text=True)
            response.set_data(images.stylesheet_links(css, self._relative))
        return response

    def _relative(self, path: str) -> str:
        return relative_link(path, request.path)

    def body_links(self, html: str) -> str:
        return relative_body_links(images.served_locally(html, self.blog), request.path)

    def record_type(self, response: Response) -> Response:
        self.types[request.path] = response.content_type, g.pop("moved_to", "")
        return response


def _freezing_app(config: dict[str, Any]) -> Flask:
    """A site app pinned to no blog yet, with the hooks every freeze needs; they
    ask the BlogFreezer using the app (`FREEZING`) for what is the blog's."""
    app = create_site_app(config, pinned=True)
    app.config.update(
        FREEZER_REMOVE_EXTRA_FILES=False,
        FREEZER_IGNORE_MIMETYPE_WARNINGS=True,  # the type travels with the file instead
        FREEZER_REDIRECT_POLICY="error",
        # Old addresses of posts and tags become pages that redirect (blog.moved).
        REDIRECT_PAGES=True,
        # No server to search: /search/ searches /search/posts.js in the browser.
        STATIC_SEARCH=True,
    )
    app.after_request(lambda response: _using().record_type(response))
    app.after_request(lambda response: _using().relative_stylesheet(response))
    app.jinja_env.globals["url_for"] = lambda endpoint, **values: _using().relative_url_for(
        endpoint, **values
    )
    app.jinja_env.filters["body_links"] = lambda html: _using().body_links(html)
    app.extensions[FREEZER] = Freezer(
        app, with_static_files=False, with_no_argument_rules=False, log_url_for=False
    )
    return app


def _using() -> BlogFreezer:
    freezer: BlogFreezer = current_app.extensions[FREEZING]
    return freezer


WARM = WarmApps(_freezing_app)


def relative_body_links(html: str, page: str) -> str:
    """A post body's root-relative links (`/other-post/`, `/tags/x/#top`) made
    relative to the page at path `page`; others (absolute, `//host`, `#x`) as written.
    A last segment without a dot names a page: `/other-post` is `other-post/index.html`."""

    def relative(link: str) -> str:
        if not link.startswith("/") or link.startswith("//"):
            return link
        cut = min((i for i in (link.find("?"), link.find("#")) if i >= 0), default=len(link))
        path, rest = link[:cut], link[cut:]
        if "." not in path.rsplit("/", 1)[-1] and not path.endswith("/"):
            path += "/"
        return relative_link(path, page) + rest

    return rewrite_links(html, relative)


def relative_link(target: str, page: str) -> str:
    """The link from the page at path `page` to the path `target`, with `index.html`
    spelled out, since a mirror opened from disk has no server to add it."""
    if not target.startswith("/"):
        return target  # absolute already
    if target.endswith("/"):
        target += "index.html"
    to, here = target.split("/"), page.split("/")[:-1]
    common = 0
    while common < min(len(to) - 1, len(here)) and to[common] == here[common]:
        common += 1
    return "../" * (len(here) - common) + "/".join(to[common:])
