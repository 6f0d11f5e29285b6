"""blogs have a reader theme, a language and a favicon from their library
(`content.themes`, `content.languages`, `content.blog_icons`)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-19 09:00:00

Existing blogs get the classic theme (today's look), English and no icon (the
inline SVG stays). Their code colours "default" become the theme's own pair,
whose light half is that same style: light pages look as before, dark ones get
dark code instead of a light box.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("theme", sa.String(length=20), nullable=False, server_default="classic")
        )
        batch_op.add_column(
            sa.Column("language", sa.String(length=35), nullable=False, server_default="en")
        )
        batch_op.add_column(sa.Column("icon_media_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_tenants_icon_media_id_media"),
            "media",
            ["icon_media_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute("UPDATE tenants SET code_style = 'theme' WHERE code_style = 'default'")


def downgrade() -> None:
    op.execute("UPDATE tenants SET code_style = 'default' WHERE code_style = 'theme'")
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tenants_icon_media_id_media"), type_="foreignkey")
        batch_op.drop_column("icon_media_id")
        batch_op.drop_column("language")
        batch_op.drop_column("theme")
