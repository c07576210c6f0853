"""judges

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 18:41:07.666033
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "judge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("for_points", sa.Integer(), nullable=True),
        sa.Column("against_points", sa.Integer(), nullable=True),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["debate_id"], ["debate.id"], name=op.f("fk_judge_debate_id_debate"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judge")),
        sa.UniqueConstraint("debate_id", "user_id", name=op.f("uq_judge_debate_id_user_id")),
    )


def downgrade() -> None:
    op.drop_table("judge")
