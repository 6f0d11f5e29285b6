"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 21:39:10.250761
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import inkwell.platform.core.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("subdomain", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("content_version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "status IN ('active', 'suspended', 'deleted')", name=op.f("ck_tenants_status_allowed")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("subdomain", name=op.f("uq_tenants_subdomain")),
        sa.UniqueConstraint("uuid", name=op.f("uq_tenants_uuid")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column(
            "email_verified_at",
            inkwell.platform.core.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "created_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "domains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column(
            "verified_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "created_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_domains_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domains")),
        sa.UniqueConstraint("host", name=op.f("uq_domains_host")),
    )
    with op.batch_alter_table("domains", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_domains_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "uq_domains_primary",
            ["tenant_id"],
            unique=True,
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        )

    op.create_table(
        "memberships",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "role IN ('owner', 'editor', 'author')", name=op.f("ck_memberships_role_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_memberships_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "user_id", name=op.f("pk_memberships")),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_memberships_user_id"), ["user_id"], unique=False)

    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body_md", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("renderer_version", sa.Integer(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column(
            "published_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'scheduled', 'published')", name=op.f("ck_posts_status_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_posts_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_posts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_posts_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "slug", name=op.f("uq_posts_tenant_id_slug")),
        sa.UniqueConstraint("tenant_id", "uuid", name=op.f("uq_posts_tenant_id_uuid")),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_posts_tenant_id_status_published_at"),
            ["tenant_id", "status", "published_at"],
            unique=False,
        )

    op.create_table(
        "snippets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("language", sa.String(length=100), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_snippets_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snippets")),
        sa.UniqueConstraint("tenant_id", "slug", name=op.f("uq_snippets_tenant_id_slug")),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_tags_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_tags_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "slug", name=op.f("uq_tags_tenant_id_slug")),
    )
    op.create_table(
        "post_tags",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "post_id"],
            ["posts.tenant_id", "posts.id"],
            name=op.f("fk_post_tags_tenant_id_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "tag_id"],
            ["tags.tenant_id", "tags.id"],
            name=op.f("fk_post_tags_tenant_id_tag_id_tags"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_post_tags_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "post_id", "tag_id", name=op.f("pk_post_tags")),
    )
    with op.batch_alter_table("post_tags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_post_tags_tenant_id_tag_id_post_id"),
            ["tenant_id", "tag_id", "post_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("post_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_tags_tenant_id_tag_id_post_id"))

    op.drop_table("post_tags")
    op.drop_table("tags")
    op.drop_table("snippets")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posts_tenant_id_status_published_at"))

    op.drop_table("posts")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_user_id"))

    op.drop_table("memberships")
    with op.batch_alter_table("domains", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_domains_primary",
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        )
        batch_op.drop_index(batch_op.f("ix_domains_tenant_id"))

    op.drop_table("domains")
    op.drop_table("users")
    op.drop_table("tenants")
