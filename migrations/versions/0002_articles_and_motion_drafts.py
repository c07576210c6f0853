"""articles and motion drafts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 16:12:34.893823
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("subtitle", sa.String(length=1000), nullable=False),
        sa.Column("author", sa.String(length=300), nullable=False),
        sa.Column("site", sa.String(length=300), nullable=False),
        sa.Column("published", sa.String(length=40), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article")),
    )
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_guild_id"), ["guild_id"], unique=False)

    op.create_table(
        "motion_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("moderator_id", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("format_key", sa.String(length=40), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("chosen", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("debate_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_motion_draft_article_id_article")
        ),
        sa.ForeignKeyConstraint(
            ["debate_id"], ["debate.id"], name=op.f("fk_motion_draft_debate_id_debate")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_motion_draft")),
    )
    with op.batch_alter_table("motion_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_motion_draft_guild_id"), ["guild_id"], unique=False)

    with op.batch_alter_table("debate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("article_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_debate_article_id_article"), "article", ["article_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("debate", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_debate_article_id_article"), type_="foreignkey")
        batch_op.drop_column("article_id")

    with op.batch_alter_table("motion_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_motion_draft_guild_id"))

    op.drop_table("motion_draft")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_guild_id"))

    op.drop_table("article")
