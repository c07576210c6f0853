"""ratings and seasons

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 20:15:42.118204
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BOARD_COLUMNS = ("ordinal", "wins", "win_rate", "persuasion", "participation")


def upgrade() -> None:
    with op.batch_alter_table("debate", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rated", sa.Boolean(), server_default=sa.true(), nullable=False)
        )

    op.create_table(
        "season",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("started_by", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_season")),
        sa.UniqueConstraint("guild_id", "name", name=op.f("uq_season_guild_id_name")),
    )
    with op.batch_alter_table("season", schema=None) as batch_op:
        batch_op.create_index(
            "uq_season_running_guild",
            ["guild_id"],
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )

    op.create_table(
        "rating",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("season", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("mu", sa.Float(), nullable=False),
        sa.Column("sigma", sa.Float(), nullable=False),
        sa.Column("ordinal", sa.Float(), nullable=True),
        sa.Column("games", sa.Integer(), nullable=False),
        sa.Column("wins", sa.Integer(), nullable=True),
        sa.Column("losses", sa.Integer(), nullable=False),
        sa.Column("ties", sa.Integer(), nullable=False),
        sa.Column("win_rate", sa.Float(), nullable=True),
        sa.Column("swing_sum", sa.Float(), nullable=False),
        sa.Column("swing_games", sa.Integer(), nullable=False),
        sa.Column("persuasion", sa.Float(), nullable=True),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("participation", sa.Integer(), nullable=False),
        sa.Column("last_played", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("guild_id", "season", "user_id", name=op.f("pk_rating")),
    )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        for name in BOARD_COLUMNS:
            batch_op.create_index(
                f"ix_rating_board_{name}", ["guild_id", "season", name, "user_id"], unique=False
            )

    op.create_table(
        "rating_board",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("season", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "season", "metric", name=op.f("pk_rating_board")),
    )
    op.create_table(
        "rating_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("season", sa.Integer(), nullable=False),
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=4), nullable=False),
        sa.Column("mu_before", sa.Float(), nullable=False),
        sa.Column("sigma_before", sa.Float(), nullable=False),
        sa.Column("mu", sa.Float(), nullable=False),
        sa.Column("sigma", sa.Float(), nullable=False),
        sa.Column("gain", sa.Float(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["debate_id"],
            ["debate.id"],
            name=op.f("fk_rating_change_debate_id_debate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_change")),
    )
    with op.batch_alter_table("rating_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_change_debate_id"), ["debate_id"], unique=False)
        batch_op.create_index(
            "ix_rating_change_guild_id_season_user_id",
            ["guild_id", "season", "user_id", "decided_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("rating_change", schema=None) as batch_op:
        batch_op.drop_index("ix_rating_change_guild_id_season_user_id")
        batch_op.drop_index(batch_op.f("ix_rating_change_debate_id"))
    op.drop_table("rating_change")
    op.drop_table("rating_board")

    with op.batch_alter_table("rating", schema=None) as batch_op:
        for name in reversed(BOARD_COLUMNS):
            batch_op.drop_index(f"ix_rating_board_{name}")
    op.drop_table("rating")

    with op.batch_alter_table("season", schema=None) as batch_op:
        batch_op.drop_index("uq_season_running_guild")
    op.drop_table("season")

    with op.batch_alter_table("debate", schema=None) as batch_op:
        batch_op.drop_column("rated")
