"""motion bank: motions and their upvotes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 20:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "motion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("debated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("times_debated", sa.Integer(), server_default="0", nullable=False),
        sa.Column("source_url", sa.String(length=2048), nullable=True),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_by", sa.BigInteger(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_motion_article_id_article")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_motion")),
    )
    with op.batch_alter_table("motion", schema=None) as batch_op:
        batch_op.create_index("ix_motion_guild_id_state", ["guild_id", "state"], unique=False)

    op.create_table(
        "motion_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("motion_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["motion_id"],
            ["motion.id"],
            name=op.f("fk_motion_vote_motion_id_motion"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_motion_vote")),
        sa.UniqueConstraint("motion_id", "user_id", name=op.f("uq_motion_vote_motion_id_user_id")),
    )


def downgrade() -> None:
    op.drop_table("motion_vote")
    with op.batch_alter_table("motion", schema=None) as batch_op:
        batch_op.drop_index("ix_motion_guild_id_state")
    op.drop_table("motion")
