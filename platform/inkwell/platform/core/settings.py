"""Every configuration key, with its embedded default and why it is there.

Layers, last wins (see `configure`): these defaults, then `instance/config.py`,
then `INKWELL_*` environment variables (JSON-parsed, so `INKWELL_PROXY_FIX__X_FOR=1`
sets a nested int), then the conventional `DATABASE_URL` / `REDIS_URL` / `CELERY_BROKER_URL` /
`MIRROR_URL` / `MIRROR_ENDPOINT_URL` / `MEDIA_URL`, then the overrides a caller passes (tests).
"""

# "development" or "production" (any case; anything else, "prod" too, stops the
# start). Production refuses to start without a SECRET_KEY of 32 characters or more.
ENV = "development"

# Signs sessions, remember-me cookies and forms, and derives mailed links and the
# keyed hashes of recovery codes. In development it is generated once into the
# instance folder (file `secret_key`) so restarts keep sessions.
SECRET_KEY = None
# Previous secret keys, newest first (a JSON list; one string is one key): what
# they signed still works, while SECRET_KEY signs everything new. Rotating: see
# the README ("Rotating the secret key"); drop an old key once its links and
# cookies may go (recovery codes made before the rotation need it as long as they
# are to work).
SECRET_KEY_FALLBACKS: list[str] = []

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

# WebSub (https://www.w3.org/TR/websub/): the hub's URL, e.g.
# "https://pubsubhubbub.appspot.com/". Set, every feed (Atom, RSS, JSON Feed) names
# it as its hub beside its own URL, and each change readers of a blog's feeds
# would see POSTs `hub.mode=publish` and the blog's feed URLs to it (through the
# outbox), so subscribed readers update within seconds instead of polling.
# Empty: no hub links, no pings. Quarantined and suspended blogs send none.
WEBSUB_HUB_URL = ""
# Seconds a ping waits for the hub. A failed ping (refused, timed out, a 5xx or
# 429 reply) is retried after WEBSUB_RETRY_BACKOFF * 2**n seconds with jitter,
# capped at WEBSUB_RETRY_BACKOFF_MAX, at most WEBSUB_MAX_RETRIES times; then the
# outbox sweeper tries again later. Other 4xx replies are not retried.
WEBSUB_TIMEOUT = 10
WEBSUB_RETRY_BACKOFF = 10.0
WEBSUB_RETRY_BACKOFF_MAX = 600.0
WEBSUB_MAX_RETRIES = 6

# Scheme of every absolute URL we build, "http" or "https" (any case). "https"
# also turns on Secure, `__Host-`-prefixed cookies.
PREFERRED_URL_SCHEME = "http"

# Database. Empty means SQLite in the instance folder. `DATABASE_URL` sets it.
# Relative paths, here and in every folder setting (MIRROR_URL, MEDIA_URL,
# MAIL_OUTBOX_DIR), are in the instance folder, never the working directory.
DATABASE_URL = ""

# Redis for the cache and the rate limits' counters. Empty means in-process.
REDIS_URL = ""

# Background jobs (see `inkwell.workers`). The Celery broker, e.g.
# redis://127.0.0.1:6379/1; `CELERY_BROKER_URL` sets it. Empty (the embedded
# default) runs every task inline in the web process, right after the commit
# that asked for it: no worker to start, mail is sent before the response.
CELERY_BROKER_URL = ""

# Seconds a task may run: the soft limit raises inside the task (which then
# retries), the hard limit kills the worker process. The broker redelivers an
# unacknowledged task after the visibility timeout, so it must exceed the
# longest task plus the longest retry delay.
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_VISIBILITY_TIMEOUT = 3600

# Seconds to wait for the broker when publishing; a broker that does not answer
# leaves the work in the outbox for the sweeper instead of hanging a request.
CELERY_BROKER_TIMEOUT = 3

# Outbox rows not done this many seconds after they were last published are
# published again by `inkwell outbox sweep` (and the beat schedule): how late
# work the broker lost (a password reset mail) arrives, plus OUTBOX_SWEEP_INTERVAL.
# Only rows nobody holds are swept: a running task holds its row for its hard
# time limit and a task waiting to retry until its retry is due, so a shorter
# value never runs work twice, it only recovers lost work sooner.
OUTBOX_RETRY_AFTER = 120
OUTBOX_SWEEP_INTERVAL = 60

# Seconds between checks for scheduled posts whose time has come (celery beat,
# or `inkwell scheduler` where no beat runs, as with `make run`).
SCHEDULE_INTERVAL = 30

# Blogs an admin deletes (see core.administration.lifecycle): restorable for this many days,
# then purged (rows, cached pages, mirror objects) by the scheduler, which looks
# for due purges every TENANT_PURGE_INTERVAL seconds (celery beat; `inkwell
# scheduler` looks every round). A purged blog's subdomain stays reserved for
# TENANT_HOLD_DAYS, so its old links and feeds never reach a new owner.
# A deleted post's revisions are kept as long (an owner can bring it back meanwhile),
# and revisions are pruned on the same TENANT_PURGE_INTERVAL (content.revision_retention).
TENANT_DELETE_GRACE_DAYS = 30
TENANT_HOLD_DAYS = 90
TENANT_PURGE_INTERVAL = 3600

# Abuse basics (administration.risk, administration.lifecycle): a blog made at signup starts
# quarantined (served, but `noindex`, no sitemap, no feed discovery) until an
# admin lifts it; operators' blogs (`inkwell blogs create`, the demo) do not.
# The console flags a blog when this many were signed up from its network.
QUARANTINE_NEW_BLOGS = True
SIGNUP_RISK_SAME_NETWORK = 3

# Static mirrors: every blog published as static files (see inkwell.workers.publish).
# Where: "s3://bucket/prefix" (boto3; credentials from the usual AWS variables),
# or a local folder (a path or a file:///abs/path URL). Empty: `mirror/` in the
# instance folder. Keys are <prefix>/<blog uuid>/<path>. `MIRROR_URL` sets it. The
# bucket's name is checked at start, access to it by `inkwell doctor`.
MIRROR_URL = ""
# Where readers reach mirrors (an S3 website or a CDN), shown in the dashboard as
# <MIRROR_PUBLIC_URL>/<blog uuid>/. Empty: the dashboard shows where files go.
MIRROR_PUBLIC_URL = ""
# An S3-compatible endpoint instead of AWS (MinIO, R2, moto). `MIRROR_ENDPOINT_URL` sets it.
MIRROR_ENDPOINT_URL = ""
# Publish a blog's mirror by itself once its public content changed and then
# stayed unchanged for MIRROR_DEBOUNCE seconds (a burst of edits: one publish).
# With the dispatch interval and a small blog's publish, a mirror is about 2 s
# behind a save (bench/RESULTS.md, freshness).
MIRROR_AUTO_PUBLISH = True
MIRROR_DEBOUNCE = 1.0
# After a failed publish, the next automatic one waits this long (a manual one does not).
MIRROR_RETRY_AFTER = 300.0
# Seconds between looks for publishes to start (celery beat, or `inkwell scheduler`):
# each look is two small queries, and at most this long is added to every publish's wait.
MIRROR_DISPATCH_INTERVAL = 0.5
# Cache-Control max-age of mirrored pages and feeds; assets have hashed names and keep a year.
MIRROR_PAGE_MAX_AGE = 60
# Stale keys are not deleted when a build holds fewer than this share of the keys
# the mirror has (a broken build must not empty a blog), unless the publish is forced.
# Pages of posts, tags and snippets the blog withdrew never count: they always go.
MIRROR_MIN_KEEP = 0.5
# Processes that render a full build of a big blog at once (forked, sharing the
# blog read into memory). 0: one per CPU.
MIRROR_BUILD_PROCESSES = 0
# Parallel uploads, and attempts per S3 request (throttling and 5xx are retried
# with exponential backoff and jitter: botocore's "standard" mode).
MIRROR_UPLOAD_THREADS = 8
MIRROR_S3_ATTEMPTS = 5
# Seconds a publish may run (soft limit: it stops and reports; hard: the worker
# process is killed).
MIRROR_SOFT_TIME_LIMIT = 1800
MIRROR_TIME_LIMIT = 1860
# Seconds a blog's publish lock lasts unless renewed. The running publish renews
# it every third of this, so when its worker dies (killed, out of memory, past
# the hard limit) the next publish can start this long after, and repairs what
# the dead one left half done. A publish that cannot renew it in time stops.
MIRROR_LEASE = 45.0

# Images in posts (core.media). Where their files go: "s3://bucket/prefix" (the
# S3 settings of mirrors apply: MIRROR_ENDPOINT_URL, MIRROR_S3_ATTEMPTS) or a
# folder; empty: `media/` in the instance folder. Keys are <prefix>/<blog uuid>/<file>.
# `MEDIA_URL` sets it.
MEDIA_URL = ""
# Where readers fetch them straight from the store (a CloudFront origin on the
# bucket): pages then link <MEDIA_PUBLIC_URL>/<blog uuid>/<file>. Empty: the blog's
# host serves them at /media/<file>. Posts store the links: after changing it, run
# `inkwell posts rerender --force`.
MEDIA_PUBLIC_URL = ""
# Largest image file accepted (bytes), and most pixels (width x height, per frame):
# a small file can decode to gigabytes (a "decompression bomb"), so the size in
# the header is checked before any decoding.
MEDIA_MAX_BYTES = 10_000_000
MEDIA_MAX_PIXELS = 50_000_000
# Animated GIFs are kept animated up to this many frames x pixels in all.
MEDIA_MAX_ANIMATION_PIXELS = 100_000_000

# Images an import from another platform names by URL are fetched into the blog's
# library (`core.portability.remote_images`): http(s) only, at most MEDIA_MAX_BYTES,
# IMPORT_FETCH_TIMEOUT seconds each (redirects included), and only from public
# addresses: never loopback, private, link-local, multicast or reserved ones,
# unless the URL's host is one of IMPORT_FETCH_ALLOWED_HOSTS (a JSON list of names
# or addresses, e.g. ["127.0.0.1"] for tests; empty in production).
IMPORT_FETCH_TIMEOUT = 10.0
IMPORT_FETCH_ALLOWED_HOSTS: list[str] = []

# Mail. MAIL_SERVER empty (the embedded default) writes each message as an
# .eml file into MAIL_OUTBOX_DIR (default: `outbox/` in the instance folder)
# and logs it; otherwise SMTP, with MAIL_PORT, MAIL_USE_TLS, MAIL_USE_SSL,
# MAIL_USERNAME and MAIL_PASSWORD as Flask-Mail reads them.
MAIL_SERVER = ""
MAIL_PORT = 25
# Encryption, one or neither: MAIL_USE_TLS (STARTTLS, usually on port 587) or
# MAIL_USE_SSL (TLS from the first byte, port 465). `inkwell doctor` tries both
# with the login, if MAIL_USERNAME is set, and sends nothing.
MAIL_USE_TLS = False
MAIL_USE_SSL = False
MAIL_OUTBOX_DIR = ""
MAIL_DEFAULT_SENDER = "Inkwell <no-reply@localhost>"
# Seconds smtplib waits for the SMTP server (Flask-Mail sets no timeout, so a
# server that accepts and never answers would hold a worker forever).
MAIL_TIMEOUT = 10
# Transient SMTP failures (refused connection, timeout, 4xx reply) are retried
# after MAIL_RETRY_BACKOFF * 2**n seconds with full jitter, capped at
# MAIL_RETRY_BACKOFF_MAX, at most MAIL_MAX_RETRIES times; then the sweeper
# tries again later. Permanent ones (5xx, bad headers) are not retried.
MAIL_RETRY_BACKOFF = 10.0
MAIL_RETRY_BACKOFF_MAX = 300.0
MAIL_MAX_RETRIES = 6

# Newsletters (`core.newsletter`, `inkwell.workers.newsletter`): each post that
# goes live with "email this post" is mailed to the blog's confirmed subscribers
# on the Celery queue `newsletter` (run a worker on it; account mail has its own
# `mail` queue, so a big send never delays a password reset), through the same
# SMTP settings as above. Batches of NEWSLETTER_BATCH_SIZE mails each go back to
# the end of the queue, so blogs' sends take turns. A delivery is claimed for
# NEWSLETTER_CLAIM_SECONDS (longer than a batch can run: a killed worker's
# claims come free after it; a mail starts only while MAIL_TIMEOUT of it is
# left); a 4xx is retried with the MAIL_RETRY_BACKOFF delays, at most
# NEWSLETTER_MAX_ATTEMPTS tries; NEWSLETTER_BOUNCE_LIMIT permanent (5xx)
# refusals in a row mark an address bounced. A send whose batches stopped for
# NEWSLETTER_STALL_SECONDS is restarted by the sweeper (every
# NEWSLETTER_SWEEP_INTERVAL seconds). A confirmation mail goes to an address at
# most once per NEWSLETTER_CONFIRM_RESEND_SECONDS per blog, whatever the
# requests.
NEWSLETTER_BATCH_SIZE = 50
NEWSLETTER_CLAIM_SECONDS = 600
NEWSLETTER_MAX_ATTEMPTS = 8
NEWSLETTER_BOUNCE_LIMIT = 3
NEWSLETTER_STALL_SECONDS = 900
NEWSLETTER_SWEEP_INTERVAL = 60
NEWSLETTER_CONFIRM_RESEND_SECONDS = 3600
NEWSLETTER_IMPORT_MAX_ROWS = 50_000

# Imports from other platforms (`core.portability.import_jobs`) run on the
# `imports` queue. A running import renews its job's lease at every commit; one
# whose lease lapsed (its worker killed) is started again from its last commit by
# the sweeper, every IMPORT_SWEEP_INTERVAL seconds. IMPORT_TIME_LIMIT: seconds
# one import task may run (a 10,000-post WordPress export takes minutes).
# IMPORT_MAX_BYTES: the largest upload the dashboard's Import takes for them
# (the request body; nginx's client_max_body_size for that path must match).
IMPORT_MAX_BYTES = 128 * 1024 * 1024
IMPORT_LEASE_SECONDS = 120
IMPORT_SWEEP_INTERVAL = 60
IMPORT_TIME_LIMIT = 3600
# The cross-site subscribe form, per client address, and per email address it
# names whatever the blog (on top of NEWSLETTER_CONFIRM_RESEND_SECONDS per blog).
RATE_LIMIT_SUBSCRIBE = "5 per minute; 30 per hour"
RATE_LIMIT_SUBSCRIBE_ADDRESS = "3 per minute; 10 per hour"

# Account mail links: hours a verification link and a password reset link work.
EMAIL_VERIFY_HOURS = 48
PASSWORD_RESET_HOURS = 1
# A reset request takes at least this long whether or not the account exists,
# so response time does not tell them apart.
ACCOUNT_MAIL_MIN_SECONDS = 0.25

# Invitations to a blog: hours the mailed link works, and how many a blog may
# have open at once (inviting an address again replaces its open invitation and
# does not count twice), so a blog cannot be used to mail many strangers.
INVITATION_HOURS = 7 * 24
INVITATIONS_MAX_PENDING = 20

# Quotas: what each blog may hold and do, unless its own row in `quotas` (set with
# `inkwell quotas set` or the admin console) says otherwise. Checked before the
# work: a save, import, publish or invitation over a limit is refused with a
# message and leaves nothing behind. Storage counts the Markdown and rendered
# HTML of posts and the code and highlighted HTML of snippets. Publishes count
# every run of the blog's mirror (automatic ones wait for the hour to allow
# them; `inkwell publish` is not limited); mails count the invitations a blog
# sends, its newsletters and their confirmation mails (account mails belong to
# the user, not to a blog): a send past the quota waits for the next day's room.
QUOTA_POSTS = 10_000
QUOTA_SNIPPETS = 1_000
QUOTA_STORAGE_BYTES = 200_000_000
QUOTA_PUBLISHES_PER_HOUR = 30
QUOTA_MAILS_PER_DAY = 200

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

# Seconds each web process remembers what a host serves: a blog's row (its
# content_version), so cache hits need no database query, or that the host has no
# blog, so unknown hosts cost one query per TTL. A publish reaches readers, and a
# new blog or domain answers, within this time.
TENANT_LOOKUP_TTL = 1.0

# Bytes of hot blog pages each web process keeps in memory in front of Redis
# (`tenants.hot_pages`, least recently used dropped first): a hit there costs no
# round trip, and is served while Redis is down. Its keys carry content_version,
# so a copy is never stale. 0 turns it off.
PAGE_MEMORY_CACHE_BYTES = 32 * 1024 * 1024

# Custom domains (`core.domains`). Owners point a domain at CUSTOM_DOMAIN_CNAME
# (empty: the APP_HOST name) or, for a domain without subdomain, at the addresses
# in CUSTOM_DOMAIN_ADDRESSES (IPv4/IPv6; empty: the instructions offer the CNAME
# only). DNS_RESOLVER: the "host:port" that answers the verification's TXT
# queries (empty: the system's resolvers), within DNS_TIMEOUT seconds.
CUSTOM_DOMAIN_CNAME = ""
CUSTOM_DOMAIN_ADDRESSES = []
CUSTOM_DOMAINS_MAX = 10
# Days an added domain may wait for its verification: an older unverified claim is
# removed by the periodic job (`core.domains.expiry`), audited.
DOMAIN_CLAIM_DAYS = 7
DNS_RESOLVER = ""
DNS_TIMEOUT = 5.0

# A blog's own CSS (Settings → CSS): at most this many bytes as the owner types it.
CUSTOM_CSS_MAX_BYTES = 50_000

# The on-demand TLS ask (/.well-known/inkwell/tls-allowed) says yes to verified
# custom domains of active blogs; to the platform's own hosts (APP_HOST, blogs'
# subdomains) only when this is true. Off by default: a wildcard certificate
# covers those, and one certificate per subdomain meets the CA's rate limits.
TLS_ASK_PLATFORM_HOSTS = False

# Cache-Control of public pages and feeds: browsers revalidate after max-age
# (cheap: a 304), shared caches keep pages s-maxage seconds. nginx's micro-cache
# (infra/nginx) is such a cache and revalidates after it by ETag, so an edit,
# a deletion or a suspension reaches readers within about s-maxage plus
# TENANT_LOOKUP_TTL; keep the sum at or under 2 s.
PUBLIC_MAX_AGE = 60
PUBLIC_S_MAXAGE = 1

# How many pages of search results (`/search/?q=`) one blog keeps in the page cache
# until its next change: readers choose the queries, so a flood of random ones must
# not fill the cache. Past it, results are served uncached.
SEARCH_CACHED_PAGES = 200

# Arguments to werkzeug's ProxyFix: how many proxies to trust per header, e.g.
# {"x_for": 1, "x_proto": 1} behind one nginx. Empty: trust no proxy header.
PROXY_FIX: dict[str, int] = {}

# Largest request body accepted (bytes), largest single form field (bytes) and
# most fields in one form, for urlencoded, multipart and JSON bodies alike
# (`core.bodies`); past any of them the answer is 413 with these limits in words,
# whatever a proxy in front allows. The field limits of the forms are what users
# see; these stop abuse earlier, and must admit the largest text a form takes: a
# post's 1,000,000 characters are up to 4 MB in UTF-8 (emoji, and CJK at 3 bytes).
# The editor sends multipart (bytes as they are), not urlencoded (each byte of
# non-Latin text tripled as %XX).
MAX_CONTENT_LENGTH = 5 * 1024 * 1024
MAX_FORM_MEMORY_SIZE = 4 * 1024 * 1024
MAX_FORM_PARTS = 1000

# Rate limits of the account forms (POSTs, per client address; Flask-Limiter's
# syntax). Past a limit the answer is 429 with Retry-After. Counters live in
# Redis when REDIS_URL is set, in memory otherwise or while Redis is down.
RATE_LIMITS_ENABLED = True
RATE_LIMIT_LOGIN = "10 per minute; 100 per hour"
RATE_LIMIT_SIGNUP = "5 per minute; 20 per hour"
RATE_LIMIT_RESET_REQUEST = "5 per minute; 20 per hour"
RATE_LIMIT_RESET_REDEEM = "10 per minute"
RATE_LIMIT_RESEND = "2 per minute; 10 per hour"
RATE_LIMIT_INVITE = "10 per minute; 50 per hour"

# The per-account login throttle (web.login_throttle), beside the per-address limits:
# wrong passwords for one email address, from any client address, make its next
# attempt wait. LOGIN_THROTTLE_FREE_FAILURES in a row cost nothing; each one after
# doubles the wait from LOGIN_THROTTLE_BASE_SECONDS, up to LOGIN_THROTTLE_MAX_SECONDS
# (so a guesser gets about 100 tries a day per account, and the owner is never locked
# out). A successful login or a password reset forgets the failures, and so does
# LOGIN_THROTTLE_FORGET_SECONDS without one. RATE_LIMITS_ENABLED switches it too.
LOGIN_THROTTLE_FREE_FAILURES = 5
LOGIN_THROTTLE_BASE_SECONDS = 1.0
LOGIN_THROTTLE_MAX_SECONDS = 15 * 60
LOGIN_THROTTLE_FORGET_SECONDS = 24 * 3600

# Passwords longer than this are refused before hashing (KDF cost is per byte).
PASSWORD_MAX_LENGTH = 1024
PASSWORD_MIN_LENGTH = 8

# Cost of password hashes (Argon2id): the name of a parameter set in argon2-cffi's
# `argon2.profiles`. RFC_9106_LOW_MEMORY (3 passes over 64 MiB in 4 lanes) is what
# every stored hash was made with; each hash records its parameters, so hashes
# made under an earlier profile still verify. The test suite sets CHEAPEST, which
# makes hashes trivial to crack: production refuses it.
PASSWORD_HASH_PROFILE = "RFC_9106_LOW_MEMORY"  # noqa: S105 - a cost profile, not a secret

# Session cookies are host-only (no Domain attribute), HttpOnly and SameSite=Lax.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"

# CSRF tokens do not expire while the session lives: a blogger who leaves the
# editor open for hours must still be able to save.
WTF_CSRF_TIME_LIMIT = None

# The account page (web.accounts.account). Hours a link confirming a new email
# address works; the change takes effect only when it is opened.
EMAIL_CHANGE_HOURS = 24
# Each login is a row of `login_sessions`, listed on the account page; its "last
# seen" is written at most once in this many seconds, not at every request.
LOGIN_SESSION_TOUCH_SECONDS = 60

# Two-factor sign-in (TOTP, accounts.two_factor): the name authenticator apps show,
# and the seconds a browser has between the right password and the code.
TOTP_ISSUER = "Inkwell"
LOGIN_CODE_SECONDS = 300
# Platform admins without two-factor sign-in are sent to turn it on before /admin/
# answers them. None: on when ENV is "production", off otherwise (development, tests).
ADMIN_REQUIRE_2FA = None

# Prometheus figures at /metrics on APP_HOST (web.metrics). Empty: no such page
# (404). Set: a scrape sends `Authorization: Bearer <METRICS_TOKEN>`; a long
# random string, as for SECRET_KEY. Across gunicorn's workers only when the
# PROMETHEUS_MULTIPROC_DIR environment variable names a folder (infra/systemd).
METRICS_TOKEN = ""

# nginx's mirror fallback map (infra/nginx, core.domains.nginx_map): with a path
# (on the host nginx runs on, e.g. /srv/inkwell/nginx/inkwell-mirror-hosts.map),
# the worker rewrites it after each publish and beat every NGINX_MAP_INTERVAL
# seconds, when it changed; infra/systemd reloads nginx then. Empty: not written;
# a relative path is in the instance folder.
NGINX_MAP_PATH = ""
NGINX_MAP_INTERVAL = 60
