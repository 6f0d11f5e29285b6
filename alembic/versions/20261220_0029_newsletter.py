"""email subscriptions: subscribers, a send per post, a delivery per post and
subscriber (`core.newsletter`), and the editor's "email this post"

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-20 09:00:00

Posts already live (or drafts) when newsletters arrive are never mailed: their
`email_subscribers` starts off, so editing an old post sends nothing. Scheduled
posts keep it on and are mailed when they go live. The new tables are tenant
content, so they get the row-level security policy of migration 0010.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inkwell.platform.core.types import UTCDateTime

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("subscribers", "newsletter_sends", "deliveries")


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"],
        ["tenants.id"],
        name=op.f(f"fk_{table}_tenant_id_tenants"),
        ondelete="CASCADE",
    )


def _email_subscribers() -> None:
    """The column, off for every post but the scheduled ones, without rewriting
    `posts`: on PostgreSQL it is added with the default off (no rewrite), the few
    scheduled posts turned on, then new rows default on. On SQLite, ALTER TABLE,
    not a batch: a batch rebuilds `posts`, which drops its FTS5 triggers (0028)."""
    if op.get_bind().dialect.name != "postgresql":
        column = sa.Column(
            "email_subscribers", sa.Boolean(), nullable=False, server_default=sa.text("true")
        )
        op.add_column("posts", column)
        op.execute("UPDATE posts SET email_subscribers = false WHERE status <> 'scheduled'")
        return
    column = sa.Column(
        "email_subscribers", sa.Boolean(), nullable=False, server_default=sa.text("false")
    )
    op.add_column("posts", column)
    op.execute("UPDATE posts SET email_subscribers = true WHERE status = 'scheduled'")
    op.execute("ALTER TABLE posts ALTER COLUMN email_subscribers SET DEFAULT true")


def upgrade() -> None:
    _email_subscribers()
    _subscribers()
    _sends()
    _deliveries()
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:  # as migration 0010 does for the other tenant tables
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY tenant_scope ON {table}"
                " USING (inkwell_in_tenant_scope(tenant_id))"
                " WITH CHECK (inkwell_in_tenant_scope(tenant_id))"
            )


def _subscribers() -> None:
    op.create_table(
        "subscribers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirm_sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("bounces", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'unsubscribed', 'bounced')",
            name=op.f("ck_subscribers_status_allowed"),
        ),
        _tenant_fk("subscribers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscribers")),
        sa.UniqueConstraint("tenant_id", "email", name=op.f("uq_subscribers_tenant_id_email")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_subscribers_tenant_id_id")),
        sa.UniqueConstraint("token", name=op.f("uq_subscribers_token")),
    )
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subscribers_tenant_id_status_id"), ["tenant_id", "status", "id"]
        )


def _sends() -> None:
    op.create_table(
        "newsletter_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("planned_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("ticket", sa.String(length=32), nullable=False),
        sa.Column("active_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "post_id"],
            ["posts.tenant_id", "posts.id"],
            name=op.f("fk_newsletter_sends_tenant_id_posts"),
            ondelete="CASCADE",
        ),
        _tenant_fk("newsletter_sends"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletter_sends")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_newsletter_sends_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id", "post_id", name=op.f("uq_newsletter_sends_tenant_id_post_id")
        ),
    )


def _deliveries() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("send_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claim", sa.String(length=32), nullable=True),
        sa.Column("claimed_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_try_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'sent', 'failed')", name=op.f("ck_deliveries_status_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "send_id"],
            ["newsletter_sends.tenant_id", "newsletter_sends.id"],
            name=op.f("fk_deliveries_tenant_id_newsletter_sends"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "subscriber_id"],
            ["subscribers.tenant_id", "subscribers.id"],
            name=op.f("fk_deliveries_tenant_id_subscribers"),
            ondelete="CASCADE",
        ),
        _tenant_fk("deliveries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "tenant_id",
            "send_id",
            "subscriber_id",
            name=op.f("uq_deliveries_tenant_id_send_id_subscriber_id"),
        ),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deliveries_tenant_id_send_id_status_id"),
            ["tenant_id", "send_id", "status", "id"],
        )
        batch_op.create_index(
            batch_op.f("ix_deliveries_tenant_id_sent_at"), ["tenant_id", "sent_at"]
        )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)  # its policy goes with it
    # In place on SQLite too (3.35+): a batch rebuild would drop posts' FTS5 triggers.
    op.execute("ALTER TABLE posts DROP COLUMN email_subscribers")
