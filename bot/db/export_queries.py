"""Read-only queries of a debate's export: the votes in aggregate, and the stored result.

The votes are counted in the database, so no voter's id or choice leaves it through here.
Keyword-only functions that take the session, like ``bot.db.repository``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import and_, func
from sqlalchemy import select as core_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import ResultRow, VoteRow
from bot.domain.export import Decision
from bot.domain.formats import VoteRule
from bot.domain.sides import Side
from bot.domain.votes import Choice, Tally, VotePhase


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def tallies_of(session: AsyncSession, *, debate_id: int) -> dict[VotePhase, Tally]:
    """Each phase's tally of the current votes (phases nobody voted in are left out)."""
    rows = await session.exec(
        select(VoteRow.phase, VoteRow.choice, func.count())
        .where(VoteRow.debate_id == debate_id)
        .group_by(col(VoteRow.phase), col(VoteRow.choice))
    )
    counts: dict[VotePhase, dict[Choice, int]] = {}
    for phase, choice, count in rows:
        counts.setdefault(VotePhase(phase), dict.fromkeys(Choice, 0))[Choice(choice)] = count
    return {
        phase: Tally(by[Choice.FOR], by[Choice.AGAINST], by[Choice.UNDECIDED])
        for phase, by in counts.items()
    }


async def flows_of(session: AsyncSession, *, debate_id: int) -> dict[tuple[Choice, Choice], int]:
    """Members per (vote before, vote after) among those who voted both times; all nine pairs."""
    before, after = aliased(VoteRow), aliased(VoteRow)
    query = (
        core_select(col(before.choice), col(after.choice), func.count())
        .select_from(before)
        .join(
            after,
            and_(
                col(after.debate_id) == col(before.debate_id),
                col(after.user_id) == col(before.user_id),
                col(after.phase) == VotePhase.POST.value,
            ),
        )
        .where(col(before.debate_id) == debate_id, col(before.phase) == VotePhase.PRE.value)
        .group_by(col(before.choice), col(after.choice))
    )
    flows = {(a, b): 0 for a in Choice for b in Choice}
    # sqlmodel types ``exec`` for its own selects; the statement itself is plain Core.
    for pre, post, count in await session.exec(cast(Any, query)):
        flows[(Choice(pre), Choice(post))] = count
    return flows


async def decision_of(session: AsyncSession, *, debate_id: int) -> Decision | None:
    """The debate's verdict as stored, or None before the result."""
    row = await session.get(ResultRow, debate_id)
    if row is None:
        return None
    return Decision(
        rule=VoteRule(row.rule),
        winner=Side(row.winner) if row.winner else None,
        margin=row.margin,
        reason=row.reason,
        decided_at=_utc(row.decided_at),
    )
