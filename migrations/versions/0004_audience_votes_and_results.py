"""audience votes and results

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 18:34:12.652466
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "poll",
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=4), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["debate_id"], ["debate.id"], name=op.f("fk_poll_debate_id_debate"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("debate_id", "phase", name=op.f("pk_poll")),
    )
    op.create_table(
        "result",
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=10), nullable=False),
        sa.Column("winner", sa.String(length=8), nullable=True),
        sa.Column("margin", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("tallies", sa.JSON(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["debate_id"],
            ["debate.id"],
            name=op.f("fk_result_debate_id_debate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("debate_id", name=op.f("pk_result")),
    )
    op.create_table(
        "vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=4), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("choice", sa.String(length=10), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["debate_id"], ["debate.id"], name=op.f("fk_vote_debate_id_debate"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote")),
        sa.UniqueConstraint(
            "debate_id", "phase", "user_id", name=op.f("uq_vote_debate_id_phase_user_id")
        ),
    )
    op.create_table(
        "vote_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=4), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("choice", sa.String(length=10), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["debate_id"],
            ["debate.id"],
            name=op.f("fk_vote_change_debate_id_debate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_change")),
    )
    with op.batch_alter_table("vote_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_change_debate_id"), ["debate_id"], unique=False)

    with op.batch_alter_table("guild_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("debaters_may_vote", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("voter_role_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("voter_min_days", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("voters_in_voice", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("guild_settings", schema=None) as batch_op:
        batch_op.drop_column("voters_in_voice")
        batch_op.drop_column("voter_min_days")
        batch_op.drop_column("voter_role_id")
        batch_op.drop_column("debaters_may_vote")

    with op.batch_alter_table("vote_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_change_debate_id"))

    op.drop_table("vote_change")
    op.drop_table("vote")
    op.drop_table("result")
    op.drop_table("poll")
