"""debate clock, sides, transcript, server settings and custom formats

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 17:49:59.596521
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "custom_format",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_format")),
        sa.UniqueConstraint("guild_id", "key", name=op.f("uq_custom_format_guild_id_key")),
    )
    op.create_table(
        "guild_settings",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("moderator_role_id", sa.BigInteger(), nullable=True),
        sa.Column("turns", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_guild_settings")),
    )
    op.create_table(
        "clock",
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("phase_index", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remaining_ms", sa.Integer(), nullable=True),
        sa.Column("warnings_sent", sa.JSON(), nullable=False),
        sa.Column("extended_seconds", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("companion_id", sa.BigInteger(), nullable=True),
        sa.Column("stage_id", sa.BigInteger(), nullable=True),
        sa.Column("phase_message_id", sa.BigInteger(), nullable=True),
        sa.Column("shown_version", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["debate_id"], ["debate.id"], name=op.f("fk_clock_debate_id_debate"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("debate_id", name=op.f("pk_clock")),
    )
    with op.batch_alter_table("clock", schema=None) as batch_op:
        batch_op.create_index("ix_clock_state", ["state"], unique=False)

    op.create_table(
        "debater",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=True),
        sa.Column("speaker_order", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["debate_id"],
            ["debate.id"],
            name=op.f("fk_debater_debate_id_debate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_debater")),
        sa.UniqueConstraint("debate_id", "user_id", name=op.f("uq_debater_debate_id_user_id")),
    )
    with op.batch_alter_table("debater", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_debater_debate_id"), ["debate_id"], unique=False)
        batch_op.create_index("ix_debater_guild_id_user_id", ["guild_id", "user_id"], unique=False)

    op.create_table(
        "speech",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=True),
        sa.Column("phase_index", sa.Integer(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("edits", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["debate_id"],
            ["debate.id"],
            name=op.f("fk_speech_debate_id_debate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speech")),
        sa.UniqueConstraint("message_id", name=op.f("uq_speech_message_id")),
    )
    with op.batch_alter_table("speech", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speech_debate_id"), ["debate_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("speech", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speech_debate_id"))

    op.drop_table("speech")
    with op.batch_alter_table("debater", schema=None) as batch_op:
        batch_op.drop_index("ix_debater_guild_id_user_id")
        batch_op.drop_index(batch_op.f("ix_debater_debate_id"))

    op.drop_table("debater")
    with op.batch_alter_table("clock", schema=None) as batch_op:
        batch_op.drop_index("ix_clock_state")

    op.drop_table("clock")
    op.drop_table("guild_settings")
    op.drop_table("custom_format")
