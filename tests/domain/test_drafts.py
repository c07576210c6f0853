"""Motion drafts: choose, use, cancel; only their moderator, only while open."""

from __future__ import annotations

import pytest

from bot.domain import drafts
from bot.domain.drafts import Draft, DraftClosed, DraftState, NoSuchCandidate
from bot.domain.errors import EmptyMotion, NotModerator
from bot.domain.thesis import Candidate

MODERATOR = 42


def make_draft() -> Draft:
    candidates = tuple(
        Candidate(f"This House would do thing {n}", f"We should do thing {n}.", 1.0 - n / 10)
        for n in range(3)
    )
    return Draft(
        id=1,
        guild_id=2,
        channel_id=3,
        moderator_id=MODERATOR,
        article_id=4,
        format_key="oxford",
        candidates=candidates,
    )


def test_choose_then_use_the_chosen_motion() -> None:
    chosen = drafts.choose(make_draft(), MODERATOR, 2)
    used, motion = drafts.use(chosen, MODERATOR)
    assert motion == "This House would do thing 2"
    assert used.state is DraftState.USED


def test_an_edited_motion_is_cleaned_and_checked() -> None:
    _, motion = drafts.use(make_draft(), MODERATOR, "  This House   would edit \n it ")
    assert motion == "This House would edit it"
    with pytest.raises(EmptyMotion):
        drafts.use(make_draft(), MODERATOR, "   ")


@pytest.mark.parametrize("index", [-1, 3, 99])
def test_choosing_outside_the_list_is_refused(index: int) -> None:
    with pytest.raises(NoSuchCandidate):
        drafts.choose(make_draft(), MODERATOR, index)


def test_only_the_moderator_may_act() -> None:
    draft = make_draft()
    with pytest.raises(NotModerator):
        drafts.choose(draft, MODERATOR + 1, 1)
    with pytest.raises(NotModerator):
        drafts.use(draft, MODERATOR + 1)
    with pytest.raises(NotModerator):
        drafts.cancel(draft, MODERATOR + 1)


@pytest.mark.parametrize("closing", ["use", "cancel"])
def test_a_closed_draft_refuses_everything_and_stays_as_it_was(closing: str) -> None:
    draft = make_draft()
    closed = (
        drafts.use(draft, MODERATOR)[0] if closing == "use" else drafts.cancel(draft, MODERATOR)
    )
    for act in (
        lambda: drafts.choose(closed, MODERATOR, 1),
        lambda: drafts.use(closed, MODERATOR),
        lambda: drafts.cancel(closed, MODERATOR),
    ):
        with pytest.raises(DraftClosed):
            act()
    assert closed.chosen == 0
    assert draft.state is DraftState.OPEN
