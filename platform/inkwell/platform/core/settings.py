"""Every configuration key, with its embedded default and why it is there.

Layers, last wins (see `configure`): these defaults, then `instance/config.py`,
then `INKWELL_*` environment variables (JSON-parsed, so `INKWELL_PROXY_FIX__X_FOR=1`
sets a nested int), then the conventional `DATABASE_URL` / `REDIS_URL`, then the
overrides a caller passes (tests).
"""

# "development" or "production". Production refuses to start without SECRET_KEY.
ENV = "development"

# Signs sessions and CSRF tokens. In development it is generated once into the
# instance folder (file `secret_key`) so restarts keep sessions.
SECRET_KEY = None

# The host of the platform app (signup, login, dashboard, admin). A port is
# part of the URLs built from it but is ignored when matching requests.
APP_HOST = "localhost:5000"

# Blogs live on `<subdomain>.BLOG_DOMAIN`. The default makes `alice.localhost:5000`,
# which browsers resolve to 127.0.0.1. In production use a registrable domain
# separate from APP_HOST (as github.io is from github.com).
BLOG_DOMAIN = "localhost:5000"

# Authority of the `tag:` URIs that identify feeds and entries (RFC 4151). Empty:
# the BLOG_DOMAIN host. Set it once and never change it, or feed readers will
# see every entry as new.
FEED_ID_AUTHORITY = ""

# Scheme of every absolute URL we build. "https" also turns on Secure,
# `__Host-`-prefixed cookies.
PREFERRED_URL_SCHEME = "http"

# Database. Empty means SQLite in the instance folder. `DATABASE_URL` sets it.
DATABASE_URL = ""

# Redis for the cache (and, later, limiter and broker). Empty means in-process.
REDIS_URL = ""

# Seconds a cached page lives when nothing invalidates it first. Publishing
# invalidates a blog at once (its content_version is in every key), so this only
# bounds memory.
CACHE_DEFAULT_TIMEOUT = 3600

# Redis answers within this many seconds or counts as down: a hung Redis must
# make pages slower, never make them fail.
REDIS_SOCKET_TIMEOUT = 0.25

# After this many Redis errors in a row the cache is skipped for
# CACHE_BREAKER_COOLDOWN seconds (and that is logged once).
CACHE_BREAKER_FAILURES = 3
CACHE_BREAKER_COOLDOWN = 15.0

# Cache-Control of public pages and feeds: browsers revalidate after max-age
# (cheap: a 304), shared caches (a CDN) keep pages s-maxage seconds.
PUBLIC_MAX_AGE = 60
PUBLIC_S_MAXAGE = 300

# Arguments to werkzeug's ProxyFix: how many proxies to trust per header, e.g.
# {"x_for": 1, "x_proto": 1} behind one nginx. Empty: trust no proxy header.
PROXY_FIX: dict[str, int] = {}

# Largest request body accepted (bytes), and largest single form field kept in
# memory. Field limits below are what users see; these stop abuse earlier.
MAX_CONTENT_LENGTH = 4 * 1024 * 1024
MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024

# Passwords longer than this are refused before hashing (KDF cost is per byte).
PASSWORD_MAX_LENGTH = 1024
PASSWORD_MIN_LENGTH = 8

# Session cookies are host-only (no Domain attribute), HttpOnly and SameSite=Lax.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"

# CSRF tokens do not expire while the session lives: a blogger who leaves the
# editor open for hours must still be able to save.
WTF_CSRF_TIME_LIMIT = None
