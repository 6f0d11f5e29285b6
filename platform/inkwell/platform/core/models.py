"""The data model: shared tables, every blog's rows told apart by `tenant_id`.

Platform tables are read before any blog is current, or across blogs: `tenants`
(UUID, subdomain, title, time zone, status, `content_version`, the admin's state), `domains`
(every host a blog answers on, its platform subdomain included, with a primary flag
and `verified_at`), `users` (normalized unique email, Argon2id hash, `session_epoch`,
TOTP state), `login_sessions` and `recovery_codes` (`accounts`), `memberships` (user,
blog, role owner/editor/author: the authority for dashboard access), `invitations`
and `account_tokens` (`SecretLink`s), `outbox`, `mirrors`, `audit_log`, `quotas` and
`subdomain_holds`.

Tenant content subclasses `TenantScoped` (posts, tags, post_tags, post_aliases,
tag_aliases, snippets, publish_runs, post_revisions, editor_presence, media); `tenancy` keeps
every query and flush inside the current blog.
Every index on those tables leads with `tenant_id`, so each blog's rows are one
range of the index and no query reads another's; the one exception is on purpose,
the scheduler's small partial index of scheduled posts (`ix_posts_due`). `post_tags`
reaches posts and tags through composite `(tenant_id, id)` foreign keys, so a row
cannot link across blogs even in raw SQL.

Posts keep their Markdown and the sanitized HTML rendered at save time with its
renderer version, a stable UUID (feed ids), a status and `published_at`, and a
`revision` that every change adds one to (blogs' settings: `settings_revision`). Any
change to what readers see bumps `tenants.content_version` in the same transaction,
and only `content.changes.content_changed` does it: cache keys and ETags carry it.

The schema is built by the migrations in the repository's `alembic/` (batch mode,
so SQLite can alter tables): `inkwell db upgrade` makes it from empty, and a test
checks that the result equals these models on SQLite and on PostgreSQL. A change
here needs its migration.
"""

from datetime import datetime
from typing import ClassVar
from uuid import UUID, uuid4

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import JSON

from inkwell.platform.core.extensions import db
from inkwell.platform.core.types import SEARCH_CONFIG, UTCDateTime, utcnow

ROLES = ("owner", "editor", "author")
POST_STATUSES = ("draft", "scheduled", "published")
TENANT_STATUSES = ("active", "suspended", "deleted")
COMMENT_PROVIDERS = ("none", "disqus", "discourse")
TOKEN_PURPOSES = ("verify_email", "reset_password", "change_email")
PUBLISH_STATUSES = ("running", "succeeded", "failed", "refused")
# What made a post revision (see content.revisions); "baseline" is a post's stored
# state from before it had history, recorded on its first change.
MEDIA_FORMATS = ("jpeg", "png", "gif", "webp")
MEDIA_STATES = ("processing", "ready", "failed")
SUBSCRIBER_STATUSES = ("pending", "confirmed", "unsubscribed", "bounced")
DELIVERY_STATUSES = ("queued", "sent", "failed")
REVISION_KINDS = (
    "save", "autosave", "publish", "restore", "import", "scheduler", "admin", "delete", "baseline"
)  # fmt: skip


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_allowed")


def _partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index of only the rows matching `where` (the same on SQLite and PostgreSQL)."""
    return Index(
        name, *columns, unique=unique, sqlite_where=text(where), postgresql_where=text(where)
    )


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Tenant(Timestamps, db.Model):
    __tablename__ = "tenants"
    __table_args__ = (
        _one_of("status", TENANT_STATUSES),
        _one_of("comments_provider", COMMENT_PROVIDERS),
        # Risk signals count the blogs signed up from one network.
        Index(None, "signup_network"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[UUID] = mapped_column(Uuid, unique=True, default=uuid4)
    subdomain: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    # Pygments style of code blocks; the site serves one stylesheet per style.
    # "theme": the theme's own pair, light and dark (`content.themes.THEME_CODE`).
    code_style: Mapped[str] = mapped_column(String(40), default="theme")
    # Comments under posts: a Disqus shortname or a Discourse base URL.
    comments_provider: Mapped[str] = mapped_column(String(16), default="none")
    comments_target: Mapped[str] = mapped_column(String(200), default="")
    # Bumped in the same transaction as any change to public content, so every
    # cache key that carries it goes stale at once (see DESIGN §5).
    content_version: Mapped[int] = mapped_column(default=1)
    # Why an admin suspended or deleted the blog (its owners see it), and since when.
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A deleted blog can be restored until then; a purge removes it after.
    purge_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What a restore of a deleted blog returns to: a suspended blog deleted by
    # mistake must not come back online when the delete is undone.
    before_delete_status: Mapped[str] = mapped_column(String(16), default="")
    before_delete_reason: Mapped[str] = mapped_column(Text, default="")
    # New or suspicious blogs: served, but kept out of search engines and discovery.
    quarantined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where the signup came from (an IPv4 address or an IPv6 /64; see core.administration.risk),
    # for admins' risk signals; empty for blogs made by operators.
    signup_network: Mapped[str] = mapped_column(String(64), default="")
    # +1 at every settings save, which must start from the stored one (content.conflicts).
    # Not a mapper version counter: content_version changes the row at every post saved.
    settings_revision: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    # The IANA zone its pages show times in and its editor takes them (core.time_zones).
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # The owner's CSS as typed, and what the blog serves of it (core.content.custom_css).
    custom_css_source: Mapped[str] = mapped_column(Text, default="", server_default="")
    custom_css: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Its reader theme (`content.themes`) and language, a BCP 47 tag (`content.languages`).
    theme: Mapped[str] = mapped_column(String(20), default="classic", server_default="classic")
    language: Mapped[str] = mapped_column(String(35), default="en", server_default="en")
    # Its favicon: an image of its own library (`content.blog_icons`). use_alter: media
    # rows point back at tenants, and the cycle needs one side added after both tables.
    icon_media_id: Mapped[int | None] = mapped_column(
        ForeignKey("media.id", ondelete="SET NULL", use_alter=True)
    )
    # The header's links as the owners ordered them (`core.content.navigation`); None
    # until they first save it: the default (About, Snippets, Feed) follows the content.
    navigation: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    # [slug, title] of the newest listed posts, kept at write time so a cold post
    # page reads them with the post (`core.content.recent_posts`).
    recent_posts: Mapped[list[list[str]]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )

    domains: Mapped[list["Domain"]] = relationship(back_populates="tenant")


class Domain(db.Model):
    """A host a blog answers on: its platform subdomain or a custom domain, which
    serves once verified (`core.domains`). Hosts are ASCII (IDNs as punycode).

    Platform routing data, not tenant content: it is read before any tenant is known.
    Blogs may claim the same host while unverified; only one can hold it verified,
    so a claim never blocks the blog that proves it owns the name.
    """

    __tablename__ = "domains"
    __table_args__ = (
        UniqueConstraint("tenant_id", "host"),
        # At most one primary host per blog.
        _partial_index("uq_domains_primary", "tenant_id", where="is_primary", unique=True),
        # One blog per served host; also the index of every request's host lookup.
        _partial_index(
            "uq_domains_verified_host", "host", where="verified_at IS NOT NULL", unique=True
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    host: Mapped[str] = mapped_column(String(253))
    is_primary: Mapped[bool] = mapped_column(default=False)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the owner puts in the TXT record that proves the name is theirs.
    verify_token: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tenant: Mapped[Tenant] = relationship(back_populates="domains")


class User(UserMixin, Timestamps, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored normalized (see validation.normalize_email), so unique means unique.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    is_admin: Mapped[bool] = mapped_column(default=False)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the login id (see get_id): bumping it ends every session and
    # remember-me cookie of the user, as a password reset must.
    session_epoch: Mapped[int] = mapped_column(default=0)
    # A disabled account cannot log in; disabling also ends its sessions (epoch).
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor sign-in (accounts.two_factor): the TOTP secret (base32), when it was
    # confirmed (on from then), and the last time step a code was accepted for, so
    # no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    # The key of the login session (LoginSession) this object was loaded or logged in
    # for; not a column. Part of the login id, so a signed-out session stops loading.
    session_key: str = ""

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}:{self.session_key}"

    @property
    def two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def is_active(self) -> bool:
        # Flask-Login's login_user() refuses inactive users: no way in for a disabled account.
        return self.disabled_at is None


class SecretLink:
    """Columns of a single-use, expiring link mailed to someone (see `tokens`).

    Only a SHA-256 hash of the token is stored; the token itself is derived
    from `nonce` and the secret key when the mail is written.
    """

    nonce: Mapped[bytes] = mapped_column(LargeBinary(32))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccountToken(SecretLink, db.Model):
    """A link mailed to a user: verify the address, reset the password."""

    __tablename__ = "account_tokens"
    __table_args__ = (_one_of("purpose", TOKEN_PURPOSES), Index(None, "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))
    # change_email: the new address, which becomes the account's once the link is opened.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")

    user: Mapped[User] = relationship()


class LoginSession(db.Model):
    """One login of a user (a browser), listed on the account page; deleting the row
    signs that browser out (see `accounts.login_sessions`)."""

    __tablename__ = "login_sessions"
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # SHA-256 of the random key that the browser's login id carries.
    key_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    # The client address, truncated (an IPv4 /24, an IPv6 /48): enough to recognise, no more.
    address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Updated at most once a minute (LOGIN_SESSION_TOUCH_SECONDS).
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecoveryCode(db.Model):
    """A one-time code that stands in for a TOTP code (`accounts.two_factor`); only its
    keyed hash is stored, and using it sets `used_at`."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Outbox(db.Model):
    """Work for the task queue, written in the same transaction as the change
    that needs it, so it is never lost (see `outbox` and `inkwell.workers`)."""

    __tablename__ = "outbox"
    __table_args__ = (Index(None, "done_at", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(200))
    args: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    # One row per intended effect: enqueueing the same key twice is refused.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the task that claims the row; another delivery meanwhile skips it.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")


class Membership(db.Model):
    """Who may work on which blog, and as what. The authority for dashboard access."""

    __tablename__ = "memberships"
    __table_args__ = (_one_of("role", ROLES), Index(None, "user_id"))

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tenant: Mapped[Tenant] = relationship()
    user: Mapped[User] = relationship()


class Invitation(SecretLink, db.Model):
    """An owner's invitation of an email address to work on one blog with a role.

    Like `Membership`, platform data rather than tenant content: the invitee
    opens it before any blog is current. Pending: `used_at` empty and not
    expired. Accepting, revoking and replacing by a newer invitation all set
    `used_at`; the last two also set `revoked_at`.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        _one_of("role", ROLES),
        # Open means used_at IS NULL, so a revoked invitation must be used up too.
        CheckConstraint("revoked_at IS NULL OR used_at IS NOT NULL", name="revoked_is_used"),
        # One open invitation per address and blog: inviting again replaces it.
        _partial_index(
            "uq_invitations_open", "tenant_id", "email", where="used_at IS NULL", unique=True
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    # Normalized like users.email, so it matches the account it is for.
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tenant: Mapped[Tenant] = relationship()
    invited_by: Mapped[User | None] = relationship()

    @property
    def inviter_name(self) -> str:
        """Who invited, as the invitee sees it."""
        inviter = self.invited_by
        return (inviter.display_name or inviter.email) if inviter else "An owner"


class TenantScoped:
    """Mixin for tenant content: filtered and flush-checked by `tenancy`."""

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))


class Post(TenantScoped, Timestamps, db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "slug"),
        UniqueConstraint("tenant_id", "uuid"),
        # Target of composite foreign keys, so a row can only point at its own tenant's posts.
        UniqueConstraint("tenant_id", "id"),
        # The index page query: published posts of one blog, newest first, `id` breaking
        # ties so pages are stable; the index yields that order, so no Sort is needed.
        Index(None, "tenant_id", "status", "published_at", "id"),
        # The scheduler's query across all blogs: only scheduled posts, so it stays tiny.
        _partial_index("ix_posts_due", "published_at", where="status = 'scheduled'"),
        # The posts an image is the cover of (the media library, deleting an image).
        Index(None, "tenant_id", "cover_media_id"),
        _one_of("status", POST_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable identity for Atom entry ids, unchanged by slug or title edits.
    uuid: Mapped[UUID] = mapped_column(Uuid, default=uuid4)
    slug: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    body_md: Mapped[str] = mapped_column(Text, default="")
    # Rendered and sanitized at save time, never per request.
    body_html: Mapped[str] = mapped_column(Text, default="")
    renderer_version: Mapped[int] = mapped_column(default=0)
    excerpt: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Who wrote it when that is no member of the blog (an import's author): shown
    # instead of the member's name on its page, in feeds and in exports.
    byline: Mapped[str | None] = mapped_column(String(200))
    # When readers see it: set on first publish, or the time chosen for a scheduled post.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Last change of what readers see (title, body, excerpt, tags): Atom's <updated>.
    content_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The mapper's version counter: every UPDATE of the row adds one and takes the
    # row only if it still has the revision read, so no save overwrites another
    # unseen (content.conflicts).
    revision: Mapped[int] = mapped_column(server_default=text("1"))
    # Its cover image (og:image, feeds; `content.covers`), an image of the blog's library.
    cover_media_id: Mapped[int | None] = mapped_column(ForeignKey("media.id", ondelete="SET NULL"))
    # A page (`/now/`): at its address, in the sitemap and the mirror, but not on the
    # index, tag pages, feeds or "recent posts" (`content.posts.listed_posts`).
    is_page: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The text-search configuration its words are indexed with, from the blog's
    # language at save time (`content.search_config`). The index itself is not
    # mapped: `search_vector` (kept by a trigger) on PostgreSQL, the FTS5 table `posts_fts`
    # on SQLite (migration 0028; `content.search`).
    search_config: Mapped[str] = mapped_column(
        SEARCH_CONFIG, default="simple", server_default="simple"
    )

    # "Email this post" in the editor: mailed to the blog's subscribers when it goes
    # live, once (`core.newsletter.sends`); posts live before newsletters existed: no.
    email_subscribers: Mapped[bool] = mapped_column(default=True, server_default=text("true"))

    __mapper_args__: ClassVar[dict[str, object]] = {"version_id_col": revision}

    author: Mapped[User | None] = relationship()

    @property
    def author_name(self) -> str:
        """Who readers are told wrote it: its byline, else its member's name, else ""."""
        return self.byline or (self.author.display_name if self.author else "")

    # Only ever an image of the post's own blog, whatever the id says.
    cover: Mapped["Media | None"] = relationship(
        primaryjoin="and_(Media.tenant_id == Post.tenant_id,"
        " Media.id == foreign(Post.cover_media_id))",
        viewonly=True,
    )
    tags: Mapped[list["Tag"]] = relationship(
        secondary="post_tags",
        primaryjoin="and_(Post.tenant_id == PostTag.tenant_id, Post.id == PostTag.post_id)",
        secondaryjoin="and_(Tag.tenant_id == PostTag.tenant_id, Tag.id == PostTag.tag_id)",
        order_by="Tag.slug",
        viewonly=True,
    )


class Tag(TenantScoped, db.Model):
    """A tag is its name, compared by `key` (see `content.tags.tag_key`: NFC, spaces
    collapsed, case folded); the slug is only its address, made unique per blog when
    the tag is made and changed only by a rename that asks for it."""

    __tablename__ = "tags"
    __table_args__ = (
        UniqueConstraint("tenant_id", "slug"),
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    # Case folding can lengthen a name (ß is ss), so more room than the name has.
    key: Mapped[str] = mapped_column(String(300))


class PostTag(TenantScoped, db.Model):
    __tablename__ = "post_tags"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "post_id"], ["posts.tenant_id", "posts.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "tag_id"], ["tags.tenant_id", "tags.id"], ondelete="CASCADE"
        ),
        # Tag pages: the posts of one tag of one blog.
        Index(None, "tenant_id", "tag_id", "post_id"),
    )

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(primary_key=True)
    tag_id: Mapped[int] = mapped_column(primary_key=True)


class PostRevision(TenantScoped, db.Model):
    """A post as it was after one change, with who made it and how (`content.revisions`).

    No foreign key to posts: a deleted post's revisions outlive it until
    `expires_at`. SQLite may give a new post the id of a deleted one, so a
    post's history is its `post_id` and its `post_uuid` together.
    """

    __tablename__ = "post_revisions"
    __table_args__ = (
        # A post's history, newest first, and its latest revision.
        Index(None, "tenant_id", "post_id", "id"),
        # The periodic expiry across blogs: only deleted posts' revisions, so it stays small.
        _partial_index("ix_post_revisions_expiring", "expires_at", where="expires_at IS NOT NULL"),
        _one_of("kind", REVISION_KINDS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column()
    post_uuid: Mapped[UUID] = mapped_column(Uuid)
    title: Mapped[str] = mapped_column(String(300))
    body_md: Mapped[str] = mapped_column(Text, default="")
    # Tag names, as the editor shows them.
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    excerpt: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The post's author, so a deleted post comes back as theirs.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Who made the change, kept as text too: an email, "import", "scheduler", "admin:<email>".
    actor: Mapped[str] = mapped_column(String(300))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # UTF-8 bytes of its texts; counted toward the blog's storage.
    size: Mapped[int] = mapped_column(default=0)
    # Set when its post is deleted: the periodic job removes it after this.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EditorPresence(TenantScoped, db.Model):
    """A browser tab with a post open in the editor, kept fresh by its heartbeat
    (`content.presence`); rows older than a minute mean nothing."""

    __tablename__ = "editor_presence"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "post_id"], ["posts.tenant_id", "posts.id"], ondelete="CASCADE"
        ),
    )

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # A random name the tab gave itself: one person may have the post open twice.
    tab: Mapped[str] = mapped_column(String(32), primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class PostAlias(TenantScoped, db.Model):
    """An address a post had before its slug changed: the site answers it with a
    301 to the post, the mirror with a redirect page, and no other post may take
    it until it is removed (see `content.aliases`)."""

    __tablename__ = "post_aliases"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "post_id"], ["posts.tenant_id", "posts.id"], ondelete="CASCADE"
        ),
        # The editor's list of one post's old addresses.
        Index(None, "tenant_id", "post_id"),
    )

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    post_id: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TagAlias(TenantScoped, db.Model):
    """An address a tag had before a rename moved it, answered like a post's."""

    __tablename__ = "tag_aliases"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "tag_id"], ["tags.tenant_id", "tags.id"], ondelete="CASCADE"
        ),
        Index(None, "tenant_id", "tag_id"),
    )

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    tag_id: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Snippet(TenantScoped, Timestamps, db.Model):
    __tablename__ = "snippets"
    __table_args__ = (UniqueConstraint("tenant_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(100), default="")
    code: Mapped[str] = mapped_column(Text, default="")
    # Highlighted at save time, like post bodies.
    html: Mapped[str] = mapped_column(Text, default="")


class Media(TenantScoped, db.Model):
    """An image uploaded to a blog (`core.media`): its original and resized variants
    live in the storage area `media` under the blog's UUID, each file named
    `<content_hash>-<width>.<ext>` (`file_name`). The names are known when the upload
    is accepted, so a post renders its `<img srcset>` once, before processing ends.
    Posts refer to it as `![alt](media:<id>)`."""

    __tablename__ = "media"
    __table_args__ = (
        # The library, newest first.
        Index(None, "tenant_id", "id"),
        # One row per image a blog holds: the same file uploaded again is the same Media.
        UniqueConstraint("tenant_id", "content_hash"),
        _one_of("format", MEDIA_FORMATS),
        _one_of("state", MEDIA_STATES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 (hex) of the uploaded file; every file made from it is named after it.
    content_hash: Mapped[str] = mapped_column(String(64))
    # The uploader's file name, cleaned (no folders, no control characters).
    name: Mapped[str] = mapped_column(String(200))
    alt: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[str] = mapped_column(String(8))
    # As displayed: after the EXIF orientation is applied.
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    # Widths of the resized variants (each in WebP and the original format); the
    # original itself is `file_name(width, ext)`.
    widths: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Stored bytes of the original and every variant, for the storage quota
    # (the upload's size until processing has measured them).
    stored_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[str] = mapped_column(String(16), default="processing")
    # Why processing failed, for the blogger.
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship()

    @property
    def extension(self) -> str:
        return "jpg" if self.format == "jpeg" else self.format

    def file_name(self, width: int, ext: str) -> str:
        """The key of one file of this image: `<hash>-<width>.<ext>`."""
        return f"{self.content_hash}-{width}.{ext}"


class Mirror(db.Model):
    """A blog's static mirror: what was last published there, and the queue of
    publish requests (see `mirrors`). Platform state, read across blogs by the
    dispatcher, so not TenantScoped."""

    __tablename__ = "mirrors"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    # Each request bumps requested_seq; a publish that started at seq N sets
    # done_seq = N, so requests that arrive while it runs leave one follow-up.
    requested_seq: Mapped[int] = mapped_column(default=0)
    done_seq: Mapped[int] = mapped_column(default=0)
    request_full: Mapped[bool] = mapped_column(default=False)
    request_force: Mapped[bool] = mapped_column(default=False)
    # A publish task was sent and has not started yet (its claim clears this).
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last change readers would see: a publish waits until the blog is quiet.
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The lock of the one publish running for this blog: a lease (MIRROR_LEASE)
    # its publish keeps renewing, and that publish's token, which every write of
    # a publish checks, so one that lost the lock cannot undo a newer one's work.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    holder: Mapped[str | None] = mapped_column(String(32))
    # The blog's content_version the published mirror was built from.
    published_version: Mapped[int] = mapped_column(default=0)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Every key in the target, relative to the blog's prefix: [sha256, content type];
    # ["", ""] for a key whose content is not known (a publish was changing it).
    manifest: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    # What the published pages were built from (`inkwell.tenants.mirror.pages`).
    snapshot: Mapped[dict[str, object] | None] = mapped_column(JSON)


class PublishRun(TenantScoped, db.Model):
    """One publish of a blog's mirror: its progress while it runs, its history after."""

    __tablename__ = "publish_runs"
    __table_args__ = (
        Index(None, "tenant_id", "id"),
        _one_of("status", PUBLISH_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="running")
    # A full publish: asked for, the first, or one repairing an interrupted publish;
    # else it rebuilt the pages a change touched (maybe all) and uploaded what changed.
    full: Mapped[bool] = mapped_column(default=False)
    phase: Mapped[str] = mapped_column(String(16), default="planning")
    pages_total: Mapped[int] = mapped_column(default=0)
    pages_built: Mapped[int] = mapped_column(default=0)
    uploads_total: Mapped[int] = mapped_column(default=0)
    uploaded: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    deleted: Mapped[int] = mapped_column(default=0)
    bytes_uploaded: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(db.Model):
    """Who did what to which blog or user, when and from where. Written by every
    admin action (console or CLI) and never changed: see `audit`."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "target_type", "target_id"), Index(None, "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The acting user (kept as text too: users can be deleted) or "cli:<os user>".
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(16))
    # No foreign key: the entry outlives a purged blog or a deleted user.
    target_id: Mapped[int | None] = mapped_column()
    target_label: Mapped[str] = mapped_column(String(254), default="")
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    # The client address for the console, "cli" for a command.
    source: Mapped[str] = mapped_column(String(64), default="")


class SubdomainHold(db.Model):
    """A purged blog's address, kept from new owners until `until`, so its old
    links and feeds never reach someone else's blog."""

    __tablename__ = "subdomain_holds"

    subdomain: Mapped[str] = mapped_column(String(30), primary_key=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime)


class Quota(db.Model):
    """A blog's own limits; a column left empty means the platform default
    (settings QUOTA_*)."""

    __tablename__ = "quotas"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    posts: Mapped[int | None] = mapped_column()
    snippets: Mapped[int | None] = mapped_column()
    storage_bytes: Mapped[int | None] = mapped_column(BigInteger)
    publishes_per_hour: Mapped[int | None] = mapped_column()
    mails_per_day: Mapped[int | None] = mapped_column()


class Subscriber(TenantScoped, db.Model):
    """An address following a blog by email (`core.newsletter`): pending until its
    confirmation link is opened (or an owner imported it saying it consented),
    then mailed each post that goes live, until it unsubscribes or bounces."""

    __tablename__ = "subscribers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email"),
        UniqueConstraint("tenant_id", "id"),
        # A send's recipients: the blog's confirmed addresses.
        Index(None, "tenant_id", "status", "id"),
        _one_of("status", SUBSCRIBER_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # The secret of its confirmation and unsubscribe links (with the blog's uuid).
    token: Mapped[str] = mapped_column(String(64), unique=True)
    # "form" (double opt-in) or "import" (an owner said it consented).
    source: Mapped[str] = mapped_column(String(16), default="form")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last confirmation mail: one pending mail per address and blog at a time.
    confirm_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Permanent (5xx) refusals in a row; NEWSLETTER_BOUNCE_LIMIT of them: "bounced".
    bounces: Mapped[int] = mapped_column(default=0)


class NewsletterSend(TenantScoped, db.Model):
    """One post mailed to the blog's subscribers: at most one per post, ever."""

    __tablename__ = "newsletter_sends"
    __table_args__ = (
        UniqueConstraint("tenant_id", "post_id"),
        UniqueConstraint("tenant_id", "id"),
        ForeignKeyConstraint(
            ["tenant_id", "post_id"], ["posts.tenant_id", "posts.id"], ondelete="CASCADE"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Its deliveries exist (the confirmed subscribers of that moment); then finished.
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The one chain of batch tasks allowed to work on it (a stale duplicate exits),
    # and when that chain counts as lost, so the sweeper starts a new one.
    ticket: Mapped[str] = mapped_column(String(32), default="")
    active_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Delivery(TenantScoped, db.Model):
    """One post to one subscriber: the unique key that makes a resumed send mail
    nobody twice. A batch claims rows (`claim`, `claimed_until`), marks each sent
    once the SMTP server accepted it; a 4xx waits until `next_try_at`."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("tenant_id", "send_id", "subscriber_id"),
        Index(None, "tenant_id", "send_id", "status", "id"),
        # The mail quota: a blog's mails of the last 24 hours.
        Index(None, "tenant_id", "sent_at"),
        ForeignKeyConstraint(
            ["tenant_id", "send_id"],
            ["newsletter_sends.tenant_id", "newsletter_sends.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "subscriber_id"],
            ["subscribers.tenant_id", "subscribers.id"],
            ondelete="CASCADE",
        ),
        _one_of("status", DELIVERY_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    send_id: Mapped[int] = mapped_column()
    subscriber_id: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="queued")
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")


IMPORT_JOB_STATUSES = ("queued", "running", "done", "failed")


class ImportJob(TenantScoped, db.Model):
    """An import of another platform's export into a blog, run in the background
    (`core.portability.import_jobs`): its upload, its progress and its report.
    `done` entries of the file are imported and committed with it, so a resumed
    job goes on from there; `active_until` is the running task's lease."""

    __tablename__ = "import_jobs"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        Index(None, "tenant_id", "created_at"),
        # The sweeper's query across all blogs: only unfinished jobs, so it stays tiny.
        _partial_index("ix_import_jobs_unfinished", "active_until", where="finished_at IS NULL"),
        _one_of("status", IMPORT_JOB_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    format: Mapped[str] = mapped_column(String(16))
    # The old site's address, for exports that name their own pages and images
    # relative to it (Ghost's __GHOST_URL__); "" when not given.
    site_url: Mapped[str] = mapped_column(String(300), default="", server_default="")
    file_name: Mapped[str] = mapped_column(String(255), default="")
    upload: Mapped[str] = mapped_column(String(64))  # the kept file's name
    status: Mapped[str] = mapped_column(String(16), default="queued")
    total: Mapped[int | None] = mapped_column()  # entries of the file, once counted
    done: Mapped[int] = mapped_column(default=0)
    report: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
