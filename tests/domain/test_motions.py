"""The motion bank: near-duplicates, the lifecycle, the cooldown, upvotes and the ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import motions as bank
from bot.domain.errors import DomainError, EmptyMotion, IllegalTransition, MotionTooLong
from bot.domain.motions import (
    DEFAULT_COOLDOWN_DAYS,
    SIMILAR_THRESHOLD,
    TRANSITIONS,
    AlreadyUpvoted,
    IllegalMotionMove,
    Match,
    Motion,
    MotionCoolingDown,
    MotionEvent,
    MotionNotVotable,
    MotionState,
    NotUpvoted,
    OwnMotion,
)

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
AUTHOR = 100


def motion(
    id: int = 1,
    state: MotionState = MotionState.APPROVED,
    voters: tuple[int, ...] = (),
    at: datetime = T0,
    debated_at: datetime | None = None,
) -> Motion:
    return Motion(
        id,
        1,
        AUTHOR,
        f"This House would do thing {id}",
        at,
        state,
        frozenset(voters),
        debated_at,
    )


def debated(days_ago: float, now: datetime = T0) -> Motion:
    return motion(state=MotionState.DEBATED, debated_at=now - timedelta(days=days_ago))


# --- near-duplicates --------------------------------------------------------------------------

REWORDINGS = [
    ("This House would ban homework", "THW ban homework."),
    ("This House would ban homework", "this house would ban all homework in schools"),
    ("This House would lower the voting age to 16", "THBT the voting age should be lowered to 16"),
    ("This House would ban zoos", "This House would ban zoos and circuses"),
    (
        "This House believes that social media does more harm than good",
        "THBT social media has done more harm than good",
    ),
    ("This House would legalise cannabis", "This House would legalize cannabis"),
    (
        "THW ban private cars from city centres",
        "This House would ban private cars from city centers",
    ),
    ("This House would abolish the monarchy", "This House would abolish the British monarchy"),
    ("This House regrets the rise of fast fashion", "THR the rise of \u2018fast fashion\u2019"),
]

SAME_TOPIC = [
    ("This House would ban zoos", "This House would ban smoking"),
    ("This House would ban homework", "This House would ban school uniforms"),
    ("This House would ban private schools", "This House would ban school uniforms"),
    (
        "This House believes that social media does more harm than good",
        "This House would make social media companies liable for their users' posts",
    ),
    ("This House would lower the voting age to 16", "This House would make voting compulsory"),
    ("This House would legalise cannabis", "This House would legalise all drugs"),
    ("This House would abolish the monarchy", "This House would abolish the House of Lords"),
    (
        "This House would introduce a universal basic income",
        "This House would introduce a wealth tax",
    ),
    ("This House would tax meat", "This House would tax sugar"),
    ("This House would ban nuclear weapons", "This House would ban nuclear power"),
]


@pytest.mark.parametrize(("new", "old"), REWORDINGS)
def test_rewordings_are_flagged(new: str, old: str) -> None:
    matches = bank.similar(new, [(12, old), (13, "This House would fund space exploration")])
    assert [m.motion_id for m in matches] == [12]
    assert matches[0].score >= SIMILAR_THRESHOLD
    assert matches[0].explain() == f"Similar to #12: “{old}”"


@pytest.mark.parametrize(("new", "old"), SAME_TOPIC)
def test_motions_that_only_share_a_topic_are_not_flagged(new: str, old: str) -> None:
    assert bank.similar(new, [(12, old)]) == []
    assert bank.similarity(new, old) < SIMILAR_THRESHOLD


def test_synonyms_are_beyond_string_matching() -> None:
    # A documented limit: a reworded verb alone does not reach the threshold.
    assert bank.similarity("THW make voting compulsory", "THW make voting mandatory") < 85


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("This House would ban homework.", "ban homework"),
        ("THW  Ban HOMEWORK!!", "ban homework"),
        ("This House believes that the zoos should close", "zoo close"),
        ("THBT: women’s sport deserves equal pay", "women sport deserve equal pay"),
        ("This house regrets the rise of the class system", "rise class system"),
        ("This House would", ""),
    ],
)
def test_normalise(text: str, key: str) -> None:
    assert bank.normalise(text) == key


def test_similar_orders_closest_first_and_limits() -> None:
    existing = [
        (5, "This House would ban homework in schools"),
        (3, "This House would ban homework"),
        (4, "THW ban homework"),
        (9, "This House would ban homework for children"),
        (8, "This House would tax sugar"),
    ]
    matches = bank.similar("This House would ban homework", existing)
    assert [m.motion_id for m in matches] == [3, 4, 5]  # ties by id; at most three
    assert all(isinstance(m, Match) for m in matches)
    assert bank.similar("This House would", existing) == []


# --- submitting -------------------------------------------------------------------------------


def test_submit_cleans_the_text_and_starts_pending() -> None:
    m = bank.submit(id=1, guild_id=1, author_id=AUTHOR, text="  THW   ban homework ", now=T0)
    assert (m.text, m.state, m.votes) == ("THW ban homework", MotionState.PENDING, 0)


@pytest.mark.parametrize(("text", "error"), [("   ", EmptyMotion), ("x" * 301, MotionTooLong)])
def test_submit_refuses_empty_and_long(text: str, error: type[DomainError]) -> None:
    with pytest.raises(error):
        bank.submit(id=1, guild_id=1, author_id=AUTHOR, text=text, now=T0)


# --- the lifecycle ----------------------------------------------------------------------------


def make_in(state: MotionState) -> Motion:
    if state is MotionState.DEBATED:
        return debated(DEFAULT_COOLDOWN_DAYS + 1)
    return motion(state=state, voters=(1, 2))


@pytest.mark.parametrize("state", list(MotionState))
@pytest.mark.parametrize("event", list(MotionEvent))
def test_every_pair_is_either_in_the_table_or_refused(
    state: MotionState, event: MotionEvent
) -> None:
    before = make_in(state)
    if (state, event) in TRANSITIONS:
        after = bank.apply(before, event, T0)
        assert after.state is TRANSITIONS[(state, event)]
    else:
        with pytest.raises(IllegalMotionMove) as refused:
            bank.apply(before, event, T0)
        assert isinstance(refused.value, IllegalTransition)
        assert str(refused.value) == refused.value.explain()
        assert refused.value.explain().startswith(f"Motion #1 is {state.value}, so you can't")
        assert before == make_in(state)


def test_illegal_moves_explain_the_way_out() -> None:
    with pytest.raises(IllegalMotionMove) as refused:
        bank.apply(motion(state=MotionState.PENDING), MotionEvent.DEBATE, T0)
    assert refused.value.explain() == (
        "Motion #1 is pending, so you can't debate it. A moderator has to approve it first."
    )


def test_debating_clears_the_upvotes_and_starts_the_cooldown() -> None:
    m = bank.apply(motion(voters=(1, 2, 3)), MotionEvent.DEBATE, T0)
    assert (m.state, m.votes, m.debated_at, m.times_debated) == (MotionState.DEBATED, 0, T0, 1)
    assert bank.cooldown_ends(T0, 28) == T0 + timedelta(days=28)


# --- the cooldown -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_ago", "resting"),
    [(0, True), (1, True), (27.99, True), (28, False), (40, False)],
)
def test_cooldown_is_enforced_for_ranking_votes_and_debate(days_ago: float, resting: bool) -> None:
    m = debated(days_ago)
    assert bank.is_available(m, T0, 28) is not resting
    assert (bank.rank([m], T0, 28) == []) is resting
    if resting:
        with pytest.raises(MotionCoolingDown) as refused:
            bank.apply(m, MotionEvent.DEBATE, T0, 28)
        assert refused.value.until == bank.cooldown_ends(m.debated_at or T0, 28)
        assert "rests until" in refused.value.explain()
        with pytest.raises(MotionCoolingDown):
            bank.upvote(m, 7, T0, 28)
    else:
        again = bank.apply(m, MotionEvent.DEBATE, T0, 28)
        assert (again.times_debated, again.debated_at) == (1, T0)
        assert bank.upvote(m, 7, T0, 28).votes == 1


def test_cooldown_message() -> None:
    refused = MotionCoolingDown(12, datetime(2026, 2, 2, tzinfo=UTC))
    assert str(refused) == (
        "Motion #12 was debated recently and rests until 02 Feb 2026. "
        "Pick another motion, or try again after that date."
    )


# --- upvotes ----------------------------------------------------------------------------------


def test_votes_count_once_per_member() -> None:
    m = motion()
    m = bank.upvote(m, 1, T0)
    m = bank.upvote(m, 2, T0)
    with pytest.raises(AlreadyUpvoted) as refused:
        bank.upvote(m, 1, T0)
    assert "counts once" in refused.value.explain()
    assert m.votes == 2


def test_the_author_cannot_upvote_their_own_motion() -> None:
    with pytest.raises(OwnMotion) as refused:
        bank.upvote(motion(), AUTHOR, T0)
    assert "is yours" in refused.value.explain()


def test_rejected_motions_take_no_upvotes_but_pending_ones_do() -> None:
    with pytest.raises(MotionNotVotable):
        bank.upvote(motion(state=MotionState.REJECTED), 1, T0)
    assert bank.upvote(motion(state=MotionState.PENDING), 1, T0).votes == 1


def test_withdraw_an_upvote() -> None:
    m = bank.upvote(motion(), 1, T0)
    assert bank.withdraw_upvote(m, 1).votes == 0
    with pytest.raises(NotUpvoted):
        bank.withdraw_upvote(m, 2)


# --- ranking ----------------------------------------------------------------------------------


def test_rank_orders_by_votes_then_age_and_drops_the_unavailable() -> None:
    old = motion(1, voters=(1, 2), at=T0 - timedelta(days=3))
    young = motion(2, voters=(3, 4), at=T0 - timedelta(days=1))
    popular = motion(3, voters=(1, 2, 3), at=T0)
    pending = motion(4, MotionState.PENDING, voters=(1, 2, 3, 4, 5))
    rejected = motion(5, MotionState.REJECTED, voters=(1, 2, 3, 4, 5))
    resting = motion(6, MotionState.DEBATED, debated_at=T0 - timedelta(days=1))
    rested = motion(7, MotionState.DEBATED, voters=(9,), debated_at=T0 - timedelta(days=60))
    ranked = bank.rank([young, pending, rested, old, rejected, resting, popular], T0)
    assert [m.id for m in ranked] == [3, 1, 2, 7]
    assert bank.top([young, popular], T0) == popular
    assert bank.top([pending, rejected, resting], T0) is None


# --- properties -------------------------------------------------------------------------------

ops = st.lists(
    st.tuples(
        st.sampled_from(["approve", "reject", "debate", "upvote", "withdraw"]),
        st.integers(99, 104),  # member ids; 100 is the author
        st.integers(0, 40),  # days that pass
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(ops=ops)
def test_any_history_keeps_the_bank_honest(ops: list[tuple[str, int, int]]) -> None:
    m = bank.submit(id=1, guild_id=1, author_id=AUTHOR, text="THW ban homework", now=T0)
    now = T0
    upvoters: set[int] = set()
    for op, member, days in ops:
        now += timedelta(days=days)
        before = m
        try:
            if op == "upvote":
                m = bank.upvote(m, member, now)
                upvoters.add(member)
            elif op == "withdraw":
                m = bank.withdraw_upvote(m, member)
                upvoters.discard(member)
            else:
                m = bank.apply(m, MotionEvent(op), now)
                if op == "debate":
                    upvoters.clear()
        except DomainError:
            assert m is before
            continue
        assert m.voters == upvoters
        assert AUTHOR not in m.voters
        if m.state is MotionState.DEBATED:
            assert m.debated_at is not None
        assert bank.is_available(m, now) == (m in bank.rank([m], now))
