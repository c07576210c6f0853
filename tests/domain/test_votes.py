"""Audience votes: the phase lifecycle, eligibility, verdicts and swings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import DomainError, IllegalTransition
from bot.domain.formats import VoteRule
from bot.domain.sides import Side
from bot.domain.votes import (
    TRANSITIONS,
    Ballot,
    Choice,
    DebatersCannotVote,
    IllegalVoteMove,
    JudgeBallot,
    MissingVoterRole,
    NotInVoiceChannel,
    Swing,
    Tally,
    TooNewToVote,
    VoteClosed,
    VoteEvent,
    VotePhase,
    Voter,
    VoteState,
    VotingRules,
    advance,
    cast,
    decide,
    eligibility,
    flows,
    paired_swing,
)

T0 = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
F, A, U = Choice.FOR, Choice.AGAINST, Choice.UNDECIDED

# --- lifecycle ---------------------------------------------------------------------------


def test_phases() -> None:
    assert [p.value for p in VotePhase] == ["pre", "post"]


@pytest.mark.parametrize(
    ("state", "event", "after"),
    [
        (VoteState.CLOSED_NOT_OPENED, VoteEvent.OPEN, VoteState.OPEN),
        (VoteState.OPEN, VoteEvent.CLOSE, VoteState.CLOSED),
    ],
)
def test_legal_moves(state: VoteState, event: VoteEvent, after: VoteState) -> None:
    assert advance(state, event) is after


ILLEGAL = [(s, e) for s in VoteState for e in VoteEvent if (s, e) not in TRANSITIONS]


def test_the_table_is_the_whole_lifecycle() -> None:
    assert len(TRANSITIONS) + len(ILLEGAL) == len(VoteState) * len(VoteEvent)
    assert set(ILLEGAL) == {
        (VoteState.CLOSED_NOT_OPENED, VoteEvent.CLOSE),
        (VoteState.OPEN, VoteEvent.OPEN),
        (VoteState.CLOSED, VoteEvent.OPEN),
        (VoteState.CLOSED, VoteEvent.CLOSE),
    }


@pytest.mark.parametrize(("state", "event"), ILLEGAL)
def test_illegal_move_raises_and_changes_nothing(state: VoteState, event: VoteEvent) -> None:
    current = state
    with pytest.raises(IllegalVoteMove) as caught:
        current = advance(current, event)
    assert current is state
    assert isinstance(caught.value, IllegalTransition)
    assert (caught.value.vote_state, caught.value.vote_event) == (state, event)
    sentence = caught.value.explain()
    assert sentence.endswith(".")
    assert "\n" not in sentence


# --- casting ------------------------------------------------------------------------------


def test_cast_while_open() -> None:
    ballot = cast(None, 7, F, T0, VoteState.OPEN)
    assert ballot == Ballot(7, F, T0)


def test_last_ballot_counts() -> None:
    first = cast(None, 7, F, T0, VoteState.OPEN)
    later = T0 + timedelta(minutes=5)
    second = cast(first, 7, A, later, VoteState.OPEN)
    assert second == Ballot(7, A, later)
    assert first == Ballot(7, F, T0)  # the caller keeps the change


def test_same_choice_again_keeps_the_ballot() -> None:
    first = cast(None, 7, F, T0, VoteState.OPEN)
    assert cast(first, 7, F, T0 + timedelta(minutes=1), VoteState.OPEN) is first


def test_cast_with_another_members_ballot_is_a_bug() -> None:
    with pytest.raises(ValueError, match="user 8"):
        cast(Ballot(7, F, T0), 8, A, T0, VoteState.OPEN)


@pytest.mark.parametrize(
    ("state", "opening"),
    [
        (VoteState.CLOSED_NOT_OPENED, "Voting has not opened yet"),
        (VoteState.CLOSED, "Voting has closed"),
    ],
)
def test_cast_refused_unless_open(state: VoteState, opening: str) -> None:
    current = Ballot(7, F, T0)
    with pytest.raises(VoteClosed) as caught:
        cast(current, 7, A, T0, state)
    assert caught.value.state is state
    assert caught.value.explain().startswith(opening)
    assert current == Ballot(7, F, T0)


# --- eligibility --------------------------------------------------------------------------

MEMBER = Voter(
    user_id=7,
    is_debater=False,
    role_ids=frozenset({100}),
    joined_at=T0 - timedelta(days=30),
    in_voice_channel_id=500,
)


def test_default_rules_let_a_member_vote() -> None:
    assert eligibility(MEMBER, VotingRules(), T0) is None


def test_debaters_refused_by_default() -> None:
    debater = replace(MEMBER, is_debater=True)
    refusal = eligibility(debater, VotingRules(), T0)
    assert isinstance(refusal, DebatersCannotVote)
    assert isinstance(refusal, DomainError)
    assert refusal.explain() == "Debaters can't vote in their own debate."
    assert eligibility(debater, VotingRules(debaters_may_vote=True), T0) is None


def test_required_role() -> None:
    rules = VotingRules(required_role_id=200)
    refusal = eligibility(MEMBER, rules, T0)
    assert isinstance(refusal, MissingVoterRole)
    assert refusal.explain() == "Voting in this server needs the <@&200> role."
    assert eligibility(replace(MEMBER, role_ids=frozenset({100, 200})), rules, T0) is None


@pytest.mark.parametrize(
    ("age", "refused", "sentence"),
    [
        (timedelta(days=7), False, None),
        (timedelta(days=8, hours=3), False, None),
        (
            timedelta(days=6, hours=23),
            True,
            "Members can vote after 7 days in the server; you joined 6 days ago.",
        ),
        (
            timedelta(days=1),
            True,
            "Members can vote after 7 days in the server; you joined 1 day ago.",
        ),
        (
            timedelta(hours=2),
            True,
            "Members can vote after 7 days in the server; you joined today.",
        ),
    ],
)
def test_min_days_in_server(age: timedelta, refused: bool, sentence: str | None) -> None:
    voter = replace(MEMBER, joined_at=T0 - age)
    refusal = eligibility(voter, VotingRules(min_days_in_server=7), T0)
    if not refused:
        assert refusal is None
        return
    assert isinstance(refusal, TooNewToVote)
    assert refusal.explain() == sentence


def test_voice_channel() -> None:
    rules = VotingRules(voice_channel_id=600)
    refusal = eligibility(MEMBER, rules, T0)
    assert isinstance(refusal, NotInVoiceChannel)
    assert refusal.explain() == "Join the debate's voice channel <#600> to vote."
    assert isinstance(
        eligibility(replace(MEMBER, in_voice_channel_id=None), rules, T0), type(refusal)
    )
    assert eligibility(replace(MEMBER, in_voice_channel_id=600), rules, T0) is None


def test_first_refusal_is_reported() -> None:
    strict = VotingRules(required_role_id=200, min_days_in_server=90, voice_channel_id=600)
    assert isinstance(eligibility(replace(MEMBER, is_debater=True), strict, T0), DebatersCannotVote)
    assert isinstance(eligibility(MEMBER, strict, T0), MissingVoterRole)


# --- tallies ------------------------------------------------------------------------------


def test_tally() -> None:
    tally = Tally.of([F, F, A, U])
    assert tally == Tally(2, 1, 1)
    assert tally.total == 4
    assert tally.share(F) == 50.0
    assert tally.share(A) == 25.0
    assert tally.share(U) == 25.0


def test_empty_tally_shares_are_zero() -> None:
    assert [Tally().share(c) for c in Choice] == [0.0, 0.0, 0.0]


def test_negative_count_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        Tally(-1, 0, 0)


tallies = st.builds(Tally, st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 10_000))


@given(tallies)
def test_shares_sum_to_100_when_not_empty(tally: Tally) -> None:
    total = sum(tally.share(c) for c in Choice)
    assert total == pytest.approx(100.0) if tally.total else total == 0.0


# --- verdicts: oxford ---------------------------------------------------------------------


def test_oxford_bigger_gain_wins_even_without_a_majority() -> None:
    # For 30% -> 40% (+10), Against 50% -> 55% (+5): For wins, though Against has more votes.
    verdict = decide(VoteRule.OXFORD, Tally(30, 50, 20), Tally(40, 55, 5))
    assert verdict.winner is Side.FOR
    assert verdict.rule is VoteRule.OXFORD
    assert verdict.margin == pytest.approx(5.0)
    assert verdict.reason == (
        "For wins by gaining more of the vote: "
        "For 30% → 40% (+10 points), Against 50% → 55% (+5 points)."
    )


def test_oxford_against_wins_when_for_loses_ground() -> None:
    verdict = decide(VoteRule.OXFORD, Tally(60, 20, 20), Tally(50, 40, 10))
    assert verdict.winner is Side.AGAINST
    assert verdict.margin == pytest.approx(30.0)
    assert "For 60% → 50% (-10 points)" in verdict.reason
    assert "Against 20% → 40% (+20 points)" in verdict.reason


def test_oxford_equal_gains_tie_exactly() -> None:
    # Thirds do not add up exactly as floats; the verdict compares exact fractions.
    verdict = decide(VoteRule.OXFORD, Tally(1, 1, 1), Tally(4, 4, 1))
    assert verdict.winner is None
    assert verdict.margin == 0.0
    assert verdict.reason.startswith("It's a tie, as both sides moved by the same amount: ")


@pytest.mark.parametrize(
    ("pre", "post", "missing"),
    [
        (Tally(), Tally(3, 1, 0), "before"),
        (Tally(3, 1, 0), Tally(), "after"),
        (Tally(), Tally(), "before or after"),
    ],
)
def test_oxford_empty_phase_has_no_winner(pre: Tally, post: Tally, missing: str) -> None:
    verdict = decide(VoteRule.OXFORD, pre, post)
    assert verdict.winner is None
    assert verdict.margin == 0.0
    assert f"nobody voted {missing} the debate" in verdict.reason


def _swapped(t: Tally) -> Tally:
    return Tally(t.against, t.for_, t.undecided)


@given(tallies, tallies)
def test_oxford_is_symmetric(pre: Tally, post: Tally) -> None:
    verdict = decide(VoteRule.OXFORD, pre, post)
    mirrored = decide(VoteRule.OXFORD, _swapped(pre), _swapped(post))
    assert mirrored.winner == (verdict.winner.other if verdict.winner else None)
    assert mirrored.margin == verdict.margin


# --- verdicts: majority -------------------------------------------------------------------


def test_majority_ignores_the_pre_vote() -> None:
    verdict = decide(VoteRule.MAJORITY, Tally(90, 0, 0), Tally(9, 12, 30))
    assert verdict.winner is Side.AGAINST
    assert verdict.margin == 3.0
    assert verdict.reason == "Against wins 12 votes to 9."


@pytest.mark.parametrize(
    ("post", "reason"),
    [
        (Tally(10, 10, 4), "It's a tie: 10 votes each."),
        (Tally(1, 1, 0), "It's a tie: 1 vote each."),
        (Tally(), "No winner: nobody voted after the debate."),
        (Tally(0, 0, 5), "No winner: nobody voted For or Against after the debate."),
    ],
)
def test_majority_without_a_winner(post: Tally, reason: str) -> None:
    verdict = decide(VoteRule.MAJORITY, Tally(), post)
    assert verdict.winner is None
    assert verdict.margin == 0.0
    assert verdict.reason == reason


@given(tallies)
def test_majority_is_symmetric(post: Tally) -> None:
    verdict = decide(VoteRule.MAJORITY, Tally(), post)
    mirrored = decide(VoteRule.MAJORITY, Tally(), _swapped(post))
    assert mirrored.winner == (verdict.winner.other if verdict.winner else None)


# --- verdicts: judges ---------------------------------------------------------------------


def test_judges_majority_of_judges_wins() -> None:
    ballots = [JudgeBallot(1, 80, 70), JudgeBallot(2, 60, 75), JudgeBallot(3, 90, 85)]
    verdict = decide(VoteRule.JUDGES, Tally(), Tally(), ballots)
    assert verdict.winner is Side.FOR
    assert verdict.margin == 1.0
    assert verdict.reason == "For wins 2 judges to 1."


def test_a_judges_tie_counts_for_no_one() -> None:
    ballots = [JudgeBallot(1, 70, 75), JudgeBallot(2, 80, 80), JudgeBallot(3, 71, 70.5)]
    verdict = decide(VoteRule.JUDGES, Tally(), Tally(), ballots)
    assert verdict.winner is None
    assert verdict.reason == "It's a tie: 1 judge each (1 judge scored a tie)."


def test_judges_win_with_a_drawn_ballot() -> None:
    ballots = [JudgeBallot(1, 70, 75), JudgeBallot(2, 80, 80)]
    verdict = decide(VoteRule.JUDGES, Tally(), Tally(), ballots)
    assert verdict.winner is Side.AGAINST
    assert verdict.reason == "Against wins 1 judge to 0 (1 judge scored a tie)."


def test_a_judge_who_scored_twice_counts_once() -> None:
    ballots = [JudgeBallot(1, 90, 10), JudgeBallot(1, 10, 90), JudgeBallot(2, 10, 90)]
    verdict = decide(VoteRule.JUDGES, Tally(), Tally(), ballots)
    assert verdict.winner is Side.AGAINST
    assert verdict.margin == 2.0


def test_no_judges_no_winner() -> None:
    verdict = decide(VoteRule.JUDGES, Tally(5, 0, 0), Tally(5, 0, 0))
    assert verdict.winner is None
    assert verdict.reason == "No winner: no judge has scored the debate."


# --- swing and flows ----------------------------------------------------------------------

PRE = {1: F, 2: F, 3: A, 4: U, 5: U, 6: A, 7: F, 8: A}
POST = {1: A, 2: F, 3: F, 4: F, 5: A, 6: U, 7: U, 9: F}  # 8 left, 9 came late


def test_paired_swing() -> None:
    swing = paired_swing(PRE, POST)
    assert swing == Swing(
        for_to_against=1,
        against_to_for=1,
        undecided_to_for=1,
        undecided_to_against=1,
        for_to_undecided=1,
        against_to_undecided=1,
        stayed=1,
    )
    assert swing.voters == 7
    # For won 2 (from against, from undecided) and lost 2 (to against, to undecided).
    assert swing.toward(Side.FOR) == 0
    assert swing.toward(Side.AGAINST) == 0


def test_swing_toward_one_side() -> None:
    swing = paired_swing({1: U, 2: A, 3: F}, {1: F, 2: F, 3: F})
    assert swing.toward(Side.FOR) == 2
    assert swing.toward(Side.AGAINST) == -1
    assert swing.stayed == 1


def test_swing_of_nobody() -> None:
    assert paired_swing({1: F}, {2: A}) == Swing()


def test_flows_cover_all_nine_pairs() -> None:
    counts = flows(PRE, POST)
    assert len(counts) == 9
    assert sum(counts.values()) == 7
    assert counts[(F, A)] == 1
    assert counts[(F, F)] == 1
    assert counts[(A, A)] == 0


choices = st.sampled_from(list(Choice))
votes = st.dictionaries(st.integers(1, 30), choices, max_size=30)


@given(votes, votes)
def test_swing_matches_the_change_of_paired_totals(
    pre: dict[int, Choice], post: dict[int, Choice]
) -> None:
    both = pre.keys() & post.keys()
    before = Tally.of(pre[u] for u in both)
    after = Tally.of(post[u] for u in both)
    swing = paired_swing(pre, post)
    assert swing.voters == len(both)
    assert swing.toward(Side.FOR) == after.for_ - before.for_
    assert swing.toward(Side.AGAINST) == after.against - before.against
