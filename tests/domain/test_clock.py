"""The debate clock, played with an injected time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import clock as rules
from bot.domain.clock import (
    MAX_EXTEND_SECONDS,
    MAX_EXTENSION_PER_PHASE,
    TRANSITIONS,
    Cause,
    Clock,
    ClockEvent,
    ClockState,
    Extended,
    ExtensionRefused,
    Finished,
    IllegalClockMove,
    Paused,
    PhaseStarted,
    Resumed,
    StaleClock,
    TimeWarning,
)
from bot.domain.errors import DomainError, IllegalTransition
from bot.domain.formats import DebateFormat, Phase, Speaker, parse_format
from bot.formats import builtin_formats

T0 = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)


def s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def make_format(*phases: tuple[int, list[int]]) -> DebateFormat:
    return parse_format(
        "test",
        {
            "name": "Test",
            "description": "A format for tests.",
            "vote": "majority",
            "debaters_per_side": {"min": 1, "max": 1},
            "phase": [
                {"name": f"P{i}", "speaker": "for", "seconds": sec, "warnings": marks}
                for i, (sec, marks) in enumerate(phases)
            ],
        },
    )


QUICK = make_format((90, [30]), (90, [30]), (60, [30, 15]))


def running(fmt: DebateFormat = QUICK) -> Clock:
    return rules.start(fmt, T0)[0]


def paused(fmt: DebateFormat = QUICK) -> Clock:
    return rules.apply(running(fmt), fmt, ClockEvent.PAUSE, T0 + s(10))[0]


def finished(fmt: DebateFormat = QUICK) -> Clock:
    return rules.apply(running(fmt), fmt, ClockEvent.END, T0 + s(10))[0]


def serve(clock: Clock, fmt: DebateFormat) -> list[tuple[datetime, object]]:
    """Run the dispatcher loop on time alone until the clock finishes."""
    log: list[tuple[datetime, object]] = []
    while (due := rules.next_due(clock, fmt)) is not None:
        clock, happenings = rules.on_due(clock, fmt, due)
        assert happenings, "a due moment must have something to announce"
        log.extend((due, h) for h in happenings)
    assert clock.state is ClockState.FINISHED
    return log


def test_start_runs_the_first_phase() -> None:
    clock, happenings = rules.start(QUICK, T0)
    assert clock == Clock(0, ClockState.RUNNING, T0 + s(90), None, (), 0, 0)
    assert happenings == [PhaseStarted(0, Cause.START)]
    assert rules.phase_of(clock, QUICK).name == "P0"


def test_a_whole_debate_plays_on_time_alone() -> None:
    clock, _ = rules.start(QUICK, T0)
    assert serve(clock, QUICK) == [
        (T0 + s(60), TimeWarning(0, 30)),
        (T0 + s(90), PhaseStarted(1, Cause.DEADLINE)),
        (T0 + s(150), TimeWarning(1, 30)),
        (T0 + s(180), PhaseStarted(2, Cause.DEADLINE)),
        (T0 + s(210), TimeWarning(2, 30)),
        (T0 + s(225), TimeWarning(2, 15)),
        (T0 + s(240), Finished(Cause.DEADLINE)),
    ]


def test_the_quick_format_finishes_after_its_total_time() -> None:
    quick = builtin_formats()["quick"]
    log = serve(rules.start(quick, T0)[0], quick)
    assert log[-1] == (T0 + s(quick.total_seconds), Finished(Cause.DEADLINE))
    started = [h.phase_index for _, h in log if isinstance(h, PhaseStarted)]
    assert started == list(range(1, len(quick.phases)))


def test_on_due_before_anything_is_due_changes_nothing() -> None:
    clock = running()
    assert rules.on_due(clock, QUICK, T0 + s(59)) == (clock, [])
    assert rules.on_due(paused(), QUICK, T0 + s(1000)) == (paused(), [])
    assert rules.on_due(finished(), QUICK, T0 + s(1000)) == (finished(), [])
    assert rules.next_due(paused(), QUICK) is None
    assert rules.next_due(finished(), QUICK) is None


def test_a_warning_is_announced_once() -> None:
    clock, happenings = rules.on_due(running(), QUICK, T0 + s(61))
    assert happenings == [TimeWarning(0, 30)]
    assert clock.warnings_sent == (30,)
    assert rules.next_due(clock, QUICK) == T0 + s(90)
    assert rules.on_due(clock, QUICK, T0 + s(62)) == (clock, [])


def test_pause_and_resume_keep_the_remaining_time_exactly() -> None:
    clock = running()
    at_pause = T0 + s(12.345678)
    clock, happenings = rules.apply(clock, QUICK, ClockEvent.PAUSE, at_pause)
    left = T0 + s(90) - at_pause
    assert clock.state is ClockState.PAUSED
    assert (clock.deadline, clock.remaining) == (None, left)
    assert happenings == [Paused(0, left)]
    at_resume = at_pause + timedelta(hours=3)
    clock, happenings = rules.apply(clock, QUICK, ClockEvent.RESUME, at_resume)
    assert clock.state is ClockState.RUNNING
    assert (clock.deadline, clock.remaining) == (at_resume + left, None)
    assert happenings == [Resumed(0, at_resume + left)]
    assert clock.version == 2


def test_pausing_after_the_deadline_keeps_zero() -> None:
    clock, _ = rules.apply(running(), QUICK, ClockEvent.PAUSE, T0 + s(100))
    assert clock.remaining == timedelta(0)
    clock, _ = rules.apply(clock, QUICK, ClockEvent.RESUME, T0 + s(200))
    assert rules.next_due(clock, QUICK) == T0 + s(170)  # the unsent warning: act at once
    clock, happenings = rules.on_due(clock, QUICK, T0 + s(200))
    assert happenings == [PhaseStarted(1, Cause.DEADLINE)]


def test_extend_moves_the_deadline_and_rearms_warnings() -> None:
    clock, _ = rules.on_due(running(), QUICK, T0 + s(60))
    assert clock.warnings_sent == (30,)
    clock, happenings = rules.apply(clock, QUICK, ClockEvent.EXTEND, T0 + s(70), extra_seconds=60)
    assert clock.deadline == T0 + s(150)
    assert happenings == [Extended(0, 60)]
    assert clock.warnings_sent == ()
    assert rules.next_due(clock, QUICK) == T0 + s(120)


def test_extend_when_paused_adds_to_the_remaining_time() -> None:
    clock, _ = rules.apply(paused(), QUICK, ClockEvent.EXTEND, T0 + s(500), extra_seconds=30)
    assert (clock.state, clock.remaining, clock.deadline) == (ClockState.PAUSED, s(110), None)


def test_extend_after_the_deadline_counts_from_now() -> None:
    clock, _ = rules.apply(running(), QUICK, ClockEvent.EXTEND, T0 + s(100), extra_seconds=20)
    assert clock.deadline == T0 + s(120)


@pytest.mark.parametrize("extra", [0, -5, MAX_EXTEND_SECONDS + 1])
def test_extend_refuses_out_of_range(extra: int) -> None:
    clock = running()
    with pytest.raises(ExtensionRefused) as refused:
        rules.apply(clock, QUICK, ClockEvent.EXTEND, T0, extra_seconds=extra)
    assert refused.value.allowed == MAX_EXTEND_SECONDS
    assert "1 to 600 seconds" in refused.value.explain()
    assert clock == running()


def test_extensions_of_one_phase_are_capped() -> None:
    clock = running()
    for _ in range(MAX_EXTENSION_PER_PHASE // MAX_EXTEND_SECONDS):
        clock, _ = rules.apply(
            clock, QUICK, ClockEvent.EXTEND, T0, extra_seconds=MAX_EXTEND_SECONDS
        )
    with pytest.raises(ExtensionRefused) as refused:
        rules.apply(clock, QUICK, ClockEvent.EXTEND, T0, extra_seconds=1)
    assert refused.value.allowed == 0
    assert "as far as it can be" in refused.value.explain()
    clock, _ = rules.apply(clock, QUICK, ClockEvent.SKIP, T0)
    assert clock.extended_seconds == 0  # the next phase has its own allowance


@pytest.mark.parametrize(
    ("event", "cause"), [(ClockEvent.YIELD, Cause.YIELD), (ClockEvent.SKIP, Cause.SKIP)]
)
def test_yield_and_skip_start_the_next_phase_now(event: ClockEvent, cause: Cause) -> None:
    now = T0 + s(40)
    clock, happenings = rules.apply(running(), QUICK, event, now)
    assert clock == Clock(1, ClockState.RUNNING, now + s(90), None, (), 0, 1)
    assert happenings == [PhaseStarted(1, cause)]


def test_yield_in_the_last_phase_finishes() -> None:
    clock = running()
    for _ in QUICK.phases[:-1]:
        clock, _ = rules.apply(clock, QUICK, ClockEvent.YIELD, T0)
    clock, happenings = rules.apply(clock, QUICK, ClockEvent.YIELD, T0 + s(5))
    assert clock.state is ClockState.FINISHED
    assert (clock.deadline, clock.remaining) == (None, None)
    assert happenings == [Finished(Cause.YIELD)]


def test_skip_while_paused_stays_paused_with_the_next_phase_in_full() -> None:
    clock, happenings = rules.apply(paused(), QUICK, ClockEvent.SKIP, T0 + s(300))
    assert clock == Clock(1, ClockState.PAUSED, None, s(90), (), 0, 2)
    assert happenings == [PhaseStarted(1, Cause.SKIP)]


@pytest.mark.parametrize("make", [running, paused])
def test_end_finishes_from_any_live_state(make: Callable[[], Clock]) -> None:
    clock, happenings = rules.apply(make(), QUICK, ClockEvent.END, T0 + s(50))
    assert clock.state is ClockState.FINISHED
    assert happenings == [Finished(Cause.END)]
    assert rules.on_due(clock, QUICK, T0 + timedelta(days=1)) == (clock, [])


MAKERS = {ClockState.RUNNING: running, ClockState.PAUSED: paused, ClockState.FINISHED: finished}


@pytest.mark.parametrize("state", list(ClockState))
@pytest.mark.parametrize("event", list(ClockEvent))
def test_every_pair_is_either_in_the_table_or_refused(state: ClockState, event: ClockEvent) -> None:
    clock = MAKERS[state]()
    now = T0 + s(20)
    if (state, event) in TRANSITIONS:
        after, happenings = rules.apply(clock, QUICK, event, now, extra_seconds=30)
        assert after.state is TRANSITIONS[(state, event)]
        assert after.version == clock.version + 1
        assert happenings
    else:
        with pytest.raises(IllegalClockMove) as refused:
            rules.apply(clock, QUICK, event, now, extra_seconds=30)
        assert isinstance(refused.value, IllegalTransition)
        assert refused.value.explain().endswith(".")
        assert clock == MAKERS[state]()


def test_illegal_moves_explain_themselves() -> None:
    assert IllegalClockMove(ClockState.PAUSED, ClockEvent.PAUSE).explain() == (
        "You can't pause the clock while the clock is paused."
    )
    assert IllegalClockMove(ClockState.FINISHED, ClockEvent.END).explain() == (
        "The debate's clock has finished, so you can't end the debate."
    )


def test_a_stale_version_is_refused_so_two_presses_make_one_transition() -> None:
    clock = running()
    seen = clock.version
    first, _ = rules.apply(clock, QUICK, ClockEvent.SKIP, T0 + s(5), expected_version=seen)
    with pytest.raises(StaleClock) as stale:
        rules.apply(first, QUICK, ClockEvent.SKIP, T0 + s(5), expected_version=seen)
    assert (stale.value.expected, stale.value.actual) == (0, 1)
    assert isinstance(stale.value, DomainError)
    assert "try again" in stale.value.explain()
    assert first.phase_index == 1


def test_stale_is_checked_before_legality() -> None:
    with pytest.raises(StaleClock):
        rules.apply(finished(), QUICK, ClockEvent.PAUSE, T0, expected_version=0)


def test_a_restart_after_a_long_downtime_announces_the_current_phase_late() -> None:
    clock, _ = rules.on_due(running(), QUICK, T0 + s(60))
    back = T0 + timedelta(hours=2)
    clock, happenings = rules.on_due(clock, QUICK, back)
    assert happenings == [PhaseStarted(1, Cause.DEADLINE, late_by=back - (T0 + s(90)))]
    assert clock.deadline == back + s(90)
    assert clock.warnings_sent == ()
    assert rules.on_due(clock, QUICK, back) == (clock, [])


def test_a_restart_in_the_last_phase_finishes_late() -> None:
    clock = running()
    for _ in QUICK.phases[:-1]:
        clock, _ = rules.apply(clock, QUICK, ClockEvent.SKIP, T0)
    clock, happenings = rules.on_due(clock, QUICK, T0 + s(100))
    assert happenings == [Finished(Cause.DEADLINE, late_by=s(40))]


def test_a_restart_within_a_phase_announces_only_the_latest_warning() -> None:
    clock = running(QUICK)
    for _ in QUICK.phases[:-1]:
        clock, _ = rules.apply(clock, QUICK, ClockEvent.SKIP, T0)
    clock, happenings = rules.on_due(clock, QUICK, T0 + s(50))
    assert happenings == [TimeWarning(2, 15)]
    assert clock.warnings_sent == (30, 15)
    assert rules.next_due(clock, QUICK) == T0 + s(60)


def test_a_paused_clock_survives_a_restart_with_its_remaining_time() -> None:
    clock = paused()
    assert rules.on_due(clock, QUICK, T0 + timedelta(days=3)) == (clock, [])
    assert clock.remaining == s(80)


def test_a_warning_not_ahead_of_a_phase_is_never_announced() -> None:
    odd = Phase("odd", Speaker.FOR, 10, (30, 5))
    fmt = DebateFormat("x", "X", "x", 1, 1, QUICK.vote_rule, (odd,))
    clock, _ = rules.start(fmt, T0)
    assert clock.warnings_sent == (30,)
    assert [h for _, h in serve(clock, fmt)] == [TimeWarning(0, 5), Finished(Cause.DEADLINE)]


# --- properties -------------------------------------------------------------------------------

formats = st.lists(
    st.tuples(
        st.integers(2, 300),
        st.lists(st.integers(1, 299), max_size=3),
    ).map(lambda p: (p[0], [m for m in p[1] if m < p[0]])),
    min_size=1,
    max_size=4,
).map(lambda phases: make_format(*phases))

steps = st.lists(
    st.tuples(
        st.sampled_from([None, *ClockEvent]),  # None: the dispatcher's on_due
        st.floats(0, 400, allow_nan=False),
        st.integers(-5, MAX_EXTEND_SECONDS + 5),
        st.integers(0, 4).map(lambda n: n == 0),  # now and then a stale press
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(fmt=formats, steps=steps)
def test_any_history_keeps_the_clock_honest(
    fmt: DebateFormat, steps: list[tuple[ClockEvent | None, float, int, bool]]
) -> None:
    clock, _ = rules.start(fmt, T0)
    now = T0
    for event, wait, extra, stale in steps:
        now += s(wait)
        before = clock
        try:
            if event is None:
                clock, happenings = rules.on_due(clock, fmt, now)
            else:
                expected = clock.version - 1 if stale else clock.version
                clock, happenings = rules.apply(
                    clock, fmt, event, now, expected_version=expected, extra_seconds=extra
                )
        except DomainError:
            assert clock is before
            continue
        changed = clock != before
        warned = bool(happenings) and all(isinstance(h, TimeWarning) for h in happenings)
        assert clock.version == before.version + (1 if changed and not warned else 0)
        assert bool(happenings) == changed
        assert clock.phase_index >= before.phase_index
        if clock.state is ClockState.RUNNING:
            assert clock.deadline is not None
            assert clock.remaining is None
            if clock.deadline != before.deadline:
                assert clock.deadline >= now
        elif clock.state is ClockState.PAUSED:
            assert clock.deadline is None
            assert clock.remaining is not None
            assert clock.remaining >= timedelta(0)
        else:
            assert clock.deadline is None
            assert clock.remaining is None
        assert set(clock.warnings_sent) <= set(rules.phase_of(clock, fmt).warnings)
        assert clock.phase_index < len(fmt.phases)


@settings(max_examples=200, deadline=None)
@given(fmt=formats, late=st.floats(0, 10_000, allow_nan=False))
def test_a_dispatcher_that_wakes_late_still_announces_every_phase(
    fmt: DebateFormat, late: float
) -> None:
    clock, _ = rules.start(fmt, T0)
    started = [0]
    while (due := rules.next_due(clock, fmt)) is not None:
        clock, happenings = rules.on_due(clock, fmt, due + s(late))
        assert happenings
        started += [h.phase_index for h in happenings if isinstance(h, PhaseStarted)]
    assert started == list(range(len(fmt.phases)))
