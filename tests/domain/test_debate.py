"""The debate lifecycle and lobby rules, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import debate as rules
from bot.domain.debate import (
    MOTION_MAX_CHARS,
    TRANSITIONS,
    Actor,
    Debate,
    DebateEvent,
    DebateState,
    JoinOutcome,
    Lobby,
    Preference,
)
from bot.domain.errors import (
    AlreadyJoined,
    DebateClosed,
    EmptyMotion,
    IllegalTransition,
    LobbyFull,
    MotionTooLong,
    NotJoined,
)

T0 = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)


def make_debate(state: DebateState = DebateState.LOBBY) -> Debate:
    return Debate(
        id=7,
        guild_id=1,
        channel_id=2,
        creator_id=100,
        motion="This House would ban homework",
        format_key="oxford",
        state=state,
        created_at=T0,
    )


def open_lobby(max_debaters: int = 4) -> Lobby:
    return Lobby(debate_id=7, state=DebateState.LOBBY, max_debaters=max_debaters)


@pytest.mark.parametrize("state", list(DebateState))
@pytest.mark.parametrize("event", list(DebateEvent))
def test_every_pair_is_either_in_the_table_or_refused(
    state: DebateState, event: DebateEvent
) -> None:
    debate = make_debate(state)
    if (state, event) in TRANSITIONS:
        after = rules.apply(debate, event, T0 + timedelta(minutes=5))
        assert after.state is TRANSITIONS[(state, event)]
        assert (after.closed_at is None) == after.state.is_active
    else:
        with pytest.raises(IllegalTransition):
            rules.apply(debate, event, T0)
        assert debate.state is state, "a refused move leaves the debate unchanged"


def test_ended_debates_accept_no_event() -> None:
    for state in (DebateState.FINISHED, DebateState.CANCELLED):
        assert not any(s is state for s, _ in TRANSITIONS)
        assert not state.is_active


def test_cancel_records_when() -> None:
    moment = T0 + timedelta(hours=1)
    assert rules.apply(make_debate(), DebateEvent.CANCEL, moment).closed_at == moment


def test_motion_whitespace_is_folded() -> None:
    assert rules.clean_motion("  This House\n would   ban homework \t") == (
        "This House would ban homework"
    )


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_motion_is_refused(text: str) -> None:
    with pytest.raises(EmptyMotion):
        rules.clean_motion(text)


def test_motion_at_the_limit_passes_and_one_more_is_refused() -> None:
    assert len(rules.clean_motion("x" * MOTION_MAX_CHARS)) == MOTION_MAX_CHARS
    with pytest.raises(MotionTooLong) as caught:
        rules.clean_motion("x" * (MOTION_MAX_CHARS + 1))
    assert caught.value.length == MOTION_MAX_CHARS + 1
    assert caught.value.limit == MOTION_MAX_CHARS


@given(st.text(max_size=400))
def test_clean_motion_is_idempotent_or_refuses(text: str) -> None:
    try:
        once = rules.clean_motion(text)
    except (EmptyMotion, MotionTooLong):
        return
    assert rules.clean_motion(once) == once
    assert 0 < len(once) <= MOTION_MAX_CHARS


def test_join_then_switch_keeps_the_time_of_joining() -> None:
    joined = rules.join(open_lobby(), 1, Preference.FOR, T0)
    assert joined.outcome is JoinOutcome.JOINED
    later = T0 + timedelta(minutes=3)
    switched = rules.join(joined.lobby, 1, Preference.AGAINST, later)
    assert switched.outcome is JoinOutcome.SWITCHED
    assert switched.previous is Preference.FOR
    signup = switched.lobby.signup_of(1)
    assert signup is not None
    assert signup.preference is Preference.AGAINST
    assert signup.joined_at == T0


def test_joining_twice_with_the_same_preference_is_refused_and_changes_nothing() -> None:
    lobby = rules.join(open_lobby(), 1, Preference.EITHER, T0).lobby
    with pytest.raises(AlreadyJoined) as caught:
        rules.join(lobby, 1, Preference.EITHER, T0)
    assert caught.value.preference == "either"
    assert lobby.signups == (lobby.signups[0],)


def test_full_lobby_refuses_newcomers_but_lets_members_switch() -> None:
    lobby = open_lobby(max_debaters=2)
    lobby = rules.join(lobby, 1, Preference.FOR, T0).lobby
    lobby = rules.join(lobby, 2, Preference.AGAINST, T0).lobby
    with pytest.raises(LobbyFull):
        rules.join(lobby, 3, Preference.FOR, T0)
    assert rules.join(lobby, 1, Preference.EITHER, T0).outcome is JoinOutcome.SWITCHED


def test_leave_removes_only_that_member() -> None:
    lobby = rules.join(open_lobby(), 1, Preference.FOR, T0).lobby
    lobby = rules.join(lobby, 2, Preference.FOR, T0).lobby
    after, removed = rules.leave(lobby, 1)
    assert removed.user_id == 1
    assert [s.user_id for s in after.signups] == [2]


def test_leaving_without_joining_is_refused() -> None:
    with pytest.raises(NotJoined):
        rules.leave(open_lobby(), 1)


@pytest.mark.parametrize("state", [s for s in DebateState if s is not DebateState.LOBBY])
def test_a_closed_lobby_refuses_joins_and_leaves(state: DebateState) -> None:
    lobby = Lobby(7, state, 4, rules.join(open_lobby(), 1, Preference.FOR, T0).lobby.signups)
    with pytest.raises(DebateClosed) as caught:
        rules.join(lobby, 2, Preference.FOR, T0)
    assert caught.value.state == state.value
    with pytest.raises(DebateClosed):
        rules.leave(lobby, 1)


def test_preferences_are_listed_in_order_of_joining() -> None:
    lobby = open_lobby(max_debaters=6)
    for user, preference in [(5, Preference.FOR), (3, Preference.AGAINST), (4, Preference.FOR)]:
        lobby = rules.join(lobby, user, preference, T0).lobby
    assert [s.user_id for s in lobby.with_preference(Preference.FOR)] == [5, 4]


def test_moderators_are_the_creator_and_server_managers() -> None:
    debate = make_debate()
    assert rules.may_moderate(debate, Actor(100))
    assert rules.may_moderate(debate, Actor(5, manages_server=True))
    assert not rules.may_moderate(debate, Actor(5))
