"""Use case: export a debate's record (``bot.domain.export`` says what it holds and hides).

One read transaction (on PostgreSQL a repeatable-read snapshot, so a debate that is still
running is exported as it stood at one instant). A debate that never started has nothing to
export (``NotExportable``); a running one is exported with what exists so far, marked as in
progress.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import export_queries as queries
from bot.db import repository as repo
from bot.db.database import Database
from bot.domain import export as record
from bot.domain.debate import Debate
from bot.domain.export import (
    DebateExport,
    Edit,
    ExportNotFound,
    JudgeScore,
    NotExportable,
    PollSummary,
    Seat,
    Source,
    Speech,
    Timings,
)
from bot.domain.votes import VotePhase, VoteState
from bot.services.formats import FormatCatalog

Now = Callable[[], datetime]


class ExportService:
    """A debate's record for members to download."""

    def __init__(self, db: Database, formats: FormatCatalog, now: Now) -> None:
        self._db = db
        self._formats = formats
        self._now = now

    async def export(self, *, guild_id: int, debate_id: int) -> DebateExport:
        """The record of a debate of this server that has started (running, over or cancelled)."""
        async with self._db.read() as session:
            if not self._db.is_sqlite:
                await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            debate = await repo.get_debate(session, guild_id=guild_id, debate_id=debate_id)
            if debate is None:
                raise ExportNotFound(debate_id)
            return await self._record(session, debate)

    async def _record(self, session: AsyncSession, debate: Debate) -> DebateExport:
        clock = await repo.get_clock(session, debate_id=debate.id)
        if clock is None:
            raise NotExportable(debate.id, debate.state)
        fmt = await self._formats.resolve(session, debate.guild_id, debate.format_key)
        article = (
            await repo.get_article(session, article_id=debate.article_id)
            if debate.article_id is not None
            else None
        )
        lineup = await repo.lineup_of(session, debate_id=debate.id)
        assignments = await repo.debaters_of(session, debate_id=debate.id)
        speeches = await repo.transcript_of(session, debate_id=debate.id)
        polls = [await repo.get_poll(session, debate_id=debate.id, phase=p) for p in VotePhase]
        tallies = await queries.tallies_of(session, debate_id=debate.id)
        flows = await queries.flows_of(session, debate_id=debate.id)
        named, ballots = await repo.judges_of(session, debate_id=debate.id)
        decision = await queries.decision_of(session, debate_id=debate.id)

        scored = {b.judge_id: b for b in ballots}
        judges = [
            JudgeScore(
                judge,
                round(scored[judge].for_points) if judge in scored else None,
                round(scored[judge].against_points) if judge in scored else None,
            )
            for judge in named
        ]
        summaries = [
            PollSummary(
                phase=poll.phase,
                state=poll.state,
                voters=tallies[poll.phase].total if poll.phase in tallies else 0,
                opened_at=poll.opened_at,
                closed_at=poll.closed_at,
            )
            for poll in polls
            if poll is not None and poll.state is not VoteState.CLOSED_NOT_OPENED
        ]
        source = None
        if article is not None:
            source = Source(
                title=article.article.title,
                url=article.article.url or None,
                filename=article.filename,
                sha256=article.content_hash,
                author=article.article.author,
                site=article.article.site,
            )
        seats = tuple(
            Seat(
                a.user_id,
                a.side,
                lineup.team(a.side).index(a.user_id) if a.side is not None else -1,
                a.reason,
            )
            for a in assignments
        )
        return DebateExport(
            debate_id=debate.id,
            guild_id=debate.guild_id,
            channel_id=debate.channel_id,
            creator_id=debate.creator_id,
            motion=debate.motion,
            format_key=fmt.key,
            format_name=fmt.name,
            vote_rule=fmt.vote_rule,
            state=debate.state,
            created_at=debate.created_at,
            exported_at=self._now(),
            seed=clock.seed,
            source=source,
            seats=seats,
            timings=Timings(
                phases=record.plan_of(fmt),
                started_at=clock.started_at,
                ended_at=debate.closed_at,
                clock_state=clock.clock.state,
                phase_index=clock.clock.phase_index,
            ),
            transcript=tuple(
                Speech(
                    message_id=s.message_id,
                    author_id=s.author_id,
                    side=s.side,
                    phase_index=s.phase_index,
                    posted_at=s.posted_at,
                    text=s.text,
                    edits=tuple(Edit(_parse(at), text) for at, text in s.edits),
                )
                for s in speeches
            ),
            votes=record.vote_summary(
                summaries, tallies, flows, judges, decided=decision is not None
            ),
            decision=decision,
        )


def _parse(moment: str) -> datetime:
    """An edit's time as stored (ISO 8601, written from a UTC time)."""
    parsed = datetime.fromisoformat(moment)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
