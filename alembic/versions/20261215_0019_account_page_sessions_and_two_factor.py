"""the account page: login sessions, two-factor sign-in, email change links

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-15 09:00:00

`login_sessions` lists each login of a user (signing one out deletes its row);
`users` gains its TOTP state and `recovery_codes` its one-time codes; account
tokens gain the purpose `change_email` and the new address it confirms.
Existing logins carry no session key, so they end once: their owners log in again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import inkwell.platform.core.types

revision: str = "0019"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = inkwell.platform.core.types.UTCDateTime(timezone=True)
PURPOSES_BEFORE = "purpose IN ('verify_email', 'reset_password')"
PURPOSES_NOW = "purpose IN ('verify_email', 'reset_password', 'change_email')"


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_enabled_at", UTC, nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))

    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email", sa.String(length=254), server_default="", nullable=False)
        )
        batch_op.drop_constraint(op.f("ck_account_tokens_purpose_allowed"), type_="check")
        batch_op.create_check_constraint(op.f("ck_account_tokens_purpose_allowed"), PURPOSES_NOW)

    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_seen_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_login_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_login_sessions_key_hash")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "recovery_codes",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "code_hash", name=op.f("pk_recovery_codes")),
    )


def downgrade() -> None:
    op.drop_table("recovery_codes")
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_user_id"))
    op.drop_table("login_sessions")
    op.execute("DELETE FROM account_tokens WHERE purpose = 'change_email'")
    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_account_tokens_purpose_allowed"), type_="check")
        batch_op.create_check_constraint(op.f("ck_account_tokens_purpose_allowed"), PURPOSES_BEFORE)
        batch_op.drop_column("email")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_enabled_at")
        batch_op.drop_column("totp_secret")
