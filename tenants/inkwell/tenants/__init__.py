"""The site app: what readers see on a blog's host. No sessions, no login, no
CSRF state: public pages are the same for everyone, so they cache and freeze.

The app has no secret key (Flask's null session: nothing here can set a cookie)
and only GET routes. Each request finds its blog by host (`hosts`: an unknown or
unverified host is a 404 "No such blog", a suspended or deleted blog a 410) and
reads it through `content`: `Live` queries per request (the served site),
`Preloaded` reads the public blog once into memory (a freeze renders every page).
Both read posts only through `content.posts.public_posts()`, so drafts and
scheduled posts are nowhere; a post page is one joined query for the post, its
tags and the blog's recent posts (kept on its row at write time), without the Markdown.

URLs are paths, never query strings, so a static mirror can hold every page: `/`,
`/page/2/`, `/tags/<tag>/` and its pages, `/<slug>/` (pages: `/about/`), `/snippets/`,
`/assets/<name>.<hash>.css` (`assets`: content-hashed, cached a year as
immutable), `/media/<hash>-<width>.<ext>` (`media`: the blog's images, immutable
too), `/latest.atom`, `/rss.xml`, `/feed.json` and the same under `/tags/<tag>/`
(`feeds`: the 15 newest in Atom, RSS 2.0 and JSON Feed 1.1 from one model,
`feed_model`: `tag:` ids from the post's UUID, links made absolute: `links`;
`/feed/` and other guessed addresses 301 to them), `/sitemap.xml`
and `/robots.txt`; `/search/?q=` (`search`), whose mirror copy searches
`/search/posts.js` in the browser. A view sees only the query parameters it declares
(`page_cache.reads_query`: only search, `q` and `page`), so a query string never
makes another page, nor another cache entry (search stores a bounded number).
Every page has a canonical URL, its feed link and OpenGraph tags; Disqus and
Discourse embeds are keyed by the canonical URL, so the same thread shows on the
blog and on its mirror. An old address of a post or tag (and a tag's pages and
feed) answers a 301 to where it is now; 301s
are never cached, and the version bump of the move drops the old 200s. A mirror
holds a page that redirects there instead (meta refresh, canonical link), since
static files cannot send a 301 (nginx serves them as they are; see `blog.moved`).

The served app only reads, so its engine runs in autocommit (no BEGIN and ROLLBACK
round trips around a page's queries; each sees its own snapshot, as under
PostgreSQL's READ COMMITTED anyway) and pings a pooled connection only when it sat
unused for 10 s (`database.ping_when_idle`), not at every checkout: a database
restart while the site was quiet costs no reader a page; one during traffic fails
one page per process, after which the pool replaces its older connections. While
the database cannot answer, pages are 503s with Retry-After (`core.outages`, also
in the fast path), which nginx answers from the blog's mirror. A `pinned` app, for a
freeze, serves the one blog `hosts.pin` names whatever the host (none until then; a
publish re-pins a warm one, `mirror.warm_apps`) and keeps `pool_pre_ping`,
transactions and a cache of its own.

Cache hits and conditional GETs are answered before Flask runs (`fast_path`,
`page_cache`); every answer of the served app, those included, carries the blog's
security headers (`security`: nosniff, a referrer policy, a CSP that allows the
comment provider the blog chose and nothing else). Freezing a blog into a static
mirror is `mirror` (its pages' links relative, those in post bodies too).

Pages use static/site.css: one serif for text and headings, tokens, a dark variant;
user text carries dir="auto", and so does each block of a post body (rendering).
"""

from typing import Any

from flask import Flask

from inkwell.platform.core import database
from inkwell.platform.core.app import create_base_app
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_url
from inkwell.tenants import (
    appearance,
    assets,
    blog,
    covers,
    fast_path,
    feeds,
    hosts,
    links,
    media,
    page_cache,
    search,
    security,
    snippets,
)

# The served site only reads, a page in two or three queries: in autocommit they
# need no BEGIN and ROLLBACK round trips around them (each statement sees its own
# snapshot, as in PostgreSQL's default READ COMMITTED anyway), and no ping before
# them but after a quiet spell (`database.ping_when_idle`).
SERVED_ENGINE_OPTIONS = {"isolation_level": "AUTOCOMMIT", "pool_pre_ping": False}
PING_AFTER_IDLE_SECONDS = 10.0


def create_site_app(overrides: dict[str, Any] | None = None, pinned: bool = False) -> Flask:
    """The site app for every blog host; or, `pinned`, an app that serves only the
    blog `hosts.pin` names whatever the host, as a static mirror's freeze needs
    (no page cache there: frozen pages carry relative links, served pages do not)."""
    served = not pinned
    options = SERVED_ENGINE_OPTIONS if served else None
    if not served:  # its own in-process cache: never the served pages' Redis (nor its options)
        overrides = {**(overrides or {}), "CACHE_TYPE": "SimpleCache", "CACHE_OPTIONS": {}}
    app = create_base_app(__name__, overrides, static_folder=None, engine_options=options)
    # Without a secret key Flask uses a null session: nothing can set a cookie here.
    app.config["SECRET_KEY"] = None
    app.request_class = page_cache.SiteRequest
    hosts.init_app(app, pinned)
    if served:
        with app.app_context():
            database.ping_when_idle(db.engine, PING_AFTER_IDLE_SECONDS)
        page_cache.init_app(app)
        served_wsgi = fast_path.FastPath(app, app.wsgi_app)
        platform = f"{app.config['PREFERRED_URL_SCHEME']}://{app.config['APP_HOST']}"
        app.wsgi_app = security.SecurityHeaders(served_wsgi, platform)  # type: ignore[method-assign]
    app.add_template_global(blog_url)
    assets.init_app(app)
    appearance.init_app(app)
    covers.init_app(app)
    links.init_app(app)
    security.init_app(app)
    app.register_blueprint(blog.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(snippets.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(media.bp)
    return app
