"""Debate nights: parsing, recurrence across clock changes, skips, edits and lateness."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import schedule as rules
from bot.domain.errors import DomainError
from bot.domain.schedule import (
    QUORUM_WAIT,
    EventKind,
    InvalidReminders,
    InvalidSetting,
    InvalidTime,
    InvalidWeekday,
    LateAction,
    QuorumVerdict,
    Schedule,
    ScheduleCancelled,
    UnknownTimezone,
)

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # a Monday


def make(
    tz: str = "Europe/London",
    weekday: int = 3,
    at: time = time(20, 0),
    every_weeks: int = 1,
    now: datetime = NOW,
    **kw: object,
) -> Schedule:
    return rules.new_schedule(
        id=7,
        guild_id=1,
        name="Thursday nights",
        weekday=weekday,
        local_time=at,
        tz_name=tz,
        now=now,
        every_weeks=every_weeks,
        **kw,  # type: ignore[arg-type]
    )


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "weekday"),
    [
        ("Thursday", 3),
        ("thu", 3),
        ("Thurs", 3),
        ("MON", 0),
        ("su", 6),
        ("sa", 5),
        ("Fri.", 4),
        ("th", 3),
    ],
)
def test_parse_weekday(text: str, weekday: int) -> None:
    assert rules.parse_weekday(text) == weekday


@pytest.mark.parametrize("text", ["", "t", "s", "funday", "8", "thursdays"])
def test_parse_weekday_refuses_unknown_or_ambiguous(text: str) -> None:
    with pytest.raises(InvalidWeekday) as refused:
        rules.parse_weekday(text)
    assert "Use a day name such as Thursday" in refused.value.explain()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20:00", time(20, 0)),
        ("8:05", time(8, 5)),
        ("20.30", time(20, 30)),
        ("20h", time(20, 0)),
        ("20h30", time(20, 30)),
        ("8pm", time(20, 0)),
        ("8 PM", time(20, 0)),
        ("8:30 pm", time(20, 30)),
        ("8:30p.m.", time(20, 30)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("12:15 am", time(0, 15)),
        ("noon", time(12, 0)),
        ("Midnight", time(0, 0)),
        ("0:00", time(0, 0)),
    ],
)
def test_parse_time(text: str, expected: time) -> None:
    assert rules.parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("25:00", "Hours go from 0 to 23"),
        ("20:75", "Minutes go from 00 to 59"),
        ("13pm", "from 1 to 12"),
        ("0am", "from 1 to 12"),
        ("20", "Add minutes or am/pm"),
        ("tonight", "Write it like 20:00, 8pm or 8:30 pm"),
        ("", "Write it like"),
    ],
)
def test_parse_time_refuses_with_a_fix(text: str, hint: str) -> None:
    with pytest.raises(InvalidTime) as refused:
        rules.parse_time(text)
    assert hint in refused.value.explain()
    assert refused.value.explain().endswith("Write it like 20:00, 8pm or 8:30 pm.")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        (" America/New_York ", "America/New_York"),
        ("america/new york", "America/New_York"),
        ("Asia/Tokyo", "Asia/Tokyo"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
    ],
)
def test_parse_timezone(text: str, name: str) -> None:
    assert rules.parse_timezone(text) == name


@pytest.mark.parametrize(
    ("text", "suggested"),
    [
        ("Europe/Londn", ("Europe/London",)),
        ("London", ("Europe/London",)),
        ("new york", ("America/New_York",)),
        ("Tokio", ("Asia/Tokyo",)),
        ("Los Angles", ("America/Los_Angeles",)),
        ("EST", ("America/New_York",)),
        ("GMT", ("Europe/London", "UTC")),
        ("PST", ("America/Los_Angeles",)),
        ("xyzzy", ()),
    ],
)
def test_parse_timezone_suggests_close_names(text: str, suggested: tuple[str, ...]) -> None:
    with pytest.raises(UnknownTimezone) as refused:
        rules.parse_timezone(text)
    assert refused.value.suggestions == suggested
    assert isinstance(refused.value, DomainError)
    assert refused.value.explain().endswith(
        "Use an IANA name such as Europe/London or America/New_York."
    )


def test_timezone_message_reads_as_in_the_issue() -> None:
    with pytest.raises(UnknownTimezone) as refused:
        rules.parse_timezone("Europe/Londn")
    assert str(refused.value) == (
        "Unknown timezone 'Europe/Londn'. Did you mean Europe/London? "
        "Use an IANA name such as Europe/London or America/New_York."
    )


@pytest.mark.parametrize(
    ("text", "offsets"),
    [
        ("24h,1h,10m", (86400, 3600, 600)),
        ("10m, 24h ,1h", (86400, 3600, 600)),
        ("1h,60m,1h", (3600,)),
        ("1d", (86400,)),
        ("1h30m", (5400,)),
        ("2d,15min", (172800, 900)),
        ("none", ()),
        ("", ()),
        ("24h,,1h,", (86400, 3600)),
    ],
)
def test_parse_reminders(text: str, offsets: tuple[int, ...]) -> None:
    assert rules.parse_reminders(text) == offsets


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("24", "can't read '24'"),
        ("1 hour", "can't read '1 hour'"),
        ("30s", "can't read '30s'"),
        ("8d", "out of range"),
        ("0m", "out of range"),
        ("1m,2m,3m,4m,5m,6m", "at most 5"),
    ],
)
def test_parse_reminders_refuses_with_a_fix(text: str, hint: str) -> None:
    with pytest.raises(InvalidReminders) as refused:
        rules.parse_reminders(text)
    assert hint in str(refused.value)
    assert "such as 24h,1h,10m" in str(refused.value)


@given(st.lists(st.integers(1, 7 * 24 * 60), min_size=1, max_size=5))
def test_reminders_round_trip(minutes: list[int]) -> None:
    offsets = rules.parse_reminders(",".join(f"{m}m" for m in minutes))
    assert offsets == tuple(sorted({m * 60 for m in minutes}, reverse=True))
    assert rules.parse_reminders(rules.format_reminders(offsets)) == offsets


# --- recurrence across daylight-saving changes -------------------------------------------------


def wall_times(s: Schedule, after: datetime, count: int) -> list[tuple[date, time]]:
    return [(n.local.date(), n.local.time()) for n in rules.nights(s, after, count)]


@pytest.mark.parametrize(
    ("tz", "before", "after_change"),
    [
        # London: BST from 29 Mar to 25 Oct 2026.
        ("Europe/London", utc(2026, 3, 26, 20), utc(2026, 4, 2, 19)),
        # New York: EDT from 8 Mar to 1 Nov 2026.
        ("America/New_York", utc(2026, 3, 6, 1), utc(2026, 3, 13, 0)),
    ],
)
def test_spring_forward_keeps_the_wall_time_and_moves_utc(
    tz: str, before: datetime, after_change: datetime
) -> None:
    s = make(tz, weekday=before.astimezone(ZoneInfo(tz)).weekday())
    got = rules.nights(s, before - timedelta(hours=1), 2)
    assert [n.start for n in got] == [before, after_change]
    assert {n.local.time() for n in got} == {time(20, 0)}
    assert all(n.note is None for n in got)


@pytest.mark.parametrize(
    ("tz", "weekday", "march", "november"),
    [
        ("Europe/London", 3, utc(2026, 3, 5, 20), utc(2026, 11, 5, 20)),
        ("Europe/London", 3, utc(2026, 4, 2, 19), utc(2026, 10, 22, 19)),
        ("America/New_York", 3, utc(2026, 3, 6, 1), utc(2026, 11, 6, 1)),
        ("America/New_York", 3, utc(2026, 3, 13, 0), utc(2026, 10, 30, 0)),
        ("Asia/Tokyo", 3, utc(2026, 3, 5, 11), utc(2026, 11, 5, 11)),
        ("Asia/Tokyo", 3, utc(2026, 4, 2, 11), utc(2026, 10, 22, 11)),
    ],
)
def test_20_00_is_20_00_in_march_and_november(
    tz: str, weekday: int, march: datetime, november: datetime
) -> None:
    s = make(tz, weekday=weekday)
    for start in (march, november):
        night = rules.next_night(s, start - timedelta(seconds=1))
        assert night is not None
        assert night.start == start
        assert night.local.time() == time(20, 0)
        assert night.local.tzinfo == ZoneInfo(tz)


def test_a_zone_without_dst_keeps_its_utc_time_all_year() -> None:
    s = make("Asia/Tokyo")
    starts = [n.start for n in rules.nights(s, NOW, 53)]
    assert {(x.hour, x.minute) for x in starts} == {(11, 0)}
    assert all(b - a == timedelta(weeks=1) for a, b in pairwise(starts))


def test_london_utc_time_follows_summer_time() -> None:
    s = make("Europe/London")
    hours = {n.local.date(): n.start.hour for n in rules.nights(s, NOW, 52)}
    assert hours[date(2026, 3, 26)] == 20
    assert hours[date(2026, 4, 2)] == 19
    assert hours[date(2026, 10, 22)] == 19
    assert hours[date(2026, 10, 29)] == 20


@pytest.mark.parametrize(
    ("tz", "day", "at", "local", "abbrev"),
    [
        ("Europe/London", date(2026, 3, 29), time(1, 30), time(2, 30), "BST"),
        ("America/New_York", date(2026, 3, 8), time(2, 15), time(3, 15), "EDT"),
    ],
)
def test_a_nonexistent_wall_time_moves_forward_with_a_note(
    tz: str, day: date, at: time, local: time, abbrev: str
) -> None:
    s = make(tz, weekday=6, at=at)
    night = rules.night_on(s, day)
    assert night.local.time() == local
    assert night.start == datetime.combine(day, at, ZoneInfo(tz)).astimezone(UTC)
    assert night.note is not None
    assert "doesn't exist because the clocks go forward" in night.note
    assert f"starts at {local:%H:%M} {abbrev}" in night.note
    # The week after is back to the scheduled wall time, without a note.
    following = rules.next_night(s, night.start)
    assert following is not None
    assert (following.local.time(), following.note) == (at, None)


@pytest.mark.parametrize(
    ("tz", "day", "at", "first_utc", "abbrev"),
    [
        ("Europe/London", date(2026, 10, 25), time(1, 30), utc(2026, 10, 25, 0, 30), "BST"),
        ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30), "EDT"),
    ],
)
def test_an_ambiguous_wall_time_takes_the_first_with_a_note(
    tz: str, day: date, at: time, first_utc: datetime, abbrev: str
) -> None:
    s = make(tz, weekday=6, at=at)
    night = rules.night_on(s, day)
    assert night.start == first_utc
    assert night.local.time() == at
    assert night.note is not None
    assert "happens twice because the clocks go back" in night.note
    assert f"the first {at:%H:%M} ({abbrev})" in night.note


def test_tokyo_never_has_a_note() -> None:
    s = make("Asia/Tokyo", weekday=6, at=time(2, 30))
    assert all(n.note is None for n in rules.nights(s, NOW, 60))


# --- every N weeks, skip, edit, cancel ---------------------------------------------------------


def test_the_first_night_is_the_next_matching_weekday() -> None:
    assert make().anchor == date(2026, 1, 8)
    later_today = make(weekday=0, at=time(20, 0))  # Monday 20:00, and it is Monday noon
    assert later_today.anchor == date(2026, 1, 5)
    passed_today = make(weekday=0, at=time(9, 0))
    assert passed_today.anchor == date(2026, 1, 12)


def test_every_two_weeks() -> None:
    s = make(every_weeks=2)
    days = [d for d, _ in wall_times(s, NOW, 4)]
    assert days == [date(2026, 1, 8), date(2026, 1, 22), date(2026, 2, 5), date(2026, 2, 19)]
    # Asking from far in the future keeps the same fortnightly rhythm.
    far = rules.next_night(s, utc(2030, 6, 1))
    assert far is not None
    assert (far.date - s.anchor).days % 14 == 0


def test_skip_calls_off_only_the_next_night() -> None:
    s = make()
    s, skipped = rules.skip_next(s, NOW)
    assert skipped.date == date(2026, 1, 8)
    assert [d for d, _ in wall_times(s, NOW, 2)] == [date(2026, 1, 15), date(2026, 1, 22)]
    s, again = rules.skip_next(s, NOW)
    assert again.date == date(2026, 1, 15)
    assert [d for d, _ in wall_times(s, NOW, 1)] == [date(2026, 1, 22)]
    assert "skipping Thu 8 Jan, 20:00 GMT, Thu 15 Jan, 20:00 GMT" in rules.describe(s, NOW)


def test_skip_with_every_two_weeks_skips_to_the_next_fortnight() -> None:
    s, _ = rules.skip_next(make(every_weeks=2), NOW)
    assert [d for d, _ in wall_times(s, NOW, 1)] == [date(2026, 1, 22)]


def test_edit_time_keeps_the_fortnightly_weeks() -> None:
    s = make(every_weeks=2)
    edited = rules.edit(s, NOW, local_time=time(19, 30))
    assert edited.anchor == s.anchor
    assert wall_times(edited, NOW, 2) == [
        (date(2026, 1, 8), time(19, 30)),
        (date(2026, 1, 22), time(19, 30)),
    ]


def test_edit_weekday_reanchors_on_the_next_such_day() -> None:
    s, _ = rules.skip_next(make(every_weeks=2), NOW)
    edited = rules.edit(s, NOW, weekday=1)  # Tuesday
    assert edited.anchor == date(2026, 1, 6)
    assert [d for d, _ in wall_times(edited, NOW, 2)] == [date(2026, 1, 6), date(2026, 1, 20)]
    assert edited.skipped == frozenset()  # the skipped Thursday is no night any more


def test_edit_timezone_and_reminders() -> None:
    s = rules.edit(make(), NOW, tz_name="america/new_york", reminders=(600, 3600, 600))
    assert s.tz_name == "America/New_York"
    assert s.reminders == (3600, 600)
    night = rules.next_night(s, NOW)
    assert night is not None
    assert night.start == utc(2026, 1, 9, 1)


def test_edit_keeps_skips_that_are_still_nights() -> None:
    s, skipped = rules.skip_next(make(), NOW)
    edited = rules.edit(s, NOW, local_time=time(21, 0), quorum=4)
    assert edited.skipped == {skipped.date}
    assert edited.quorum == 4


@pytest.mark.parametrize(
    ("kw", "setting"),
    [
        ({"every_weeks": 0}, "every_weeks"),
        ({"every_weeks": 9}, "every_weeks"),
        ({"quorum": 1}, "quorum"),
        ({"postpone_minutes": 500}, "postpone_minutes"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 51}, "name"),
    ],
)
def test_edit_refuses_bad_settings_and_changes_nothing(kw: dict[str, object], setting: str) -> None:
    s = make()
    with pytest.raises(InvalidSetting) as refused:
        rules.edit(s, NOW, **kw)  # type: ignore[arg-type]
    assert refused.value.setting == setting
    assert s == make()


def test_cancel_ends_every_night_and_refuses_more_changes() -> None:
    s = rules.cancel(make())
    assert rules.nights(s, NOW, 5) == []
    assert rules.next_night(s, NOW) is None
    assert rules.next_event(s, NOW) is None
    assert rules.describe(s, NOW).startswith("Cancelled (was: every Thursday at 20:00")
    for refused_move in (
        lambda: rules.cancel(s),
        lambda: rules.skip_next(s, NOW),
        lambda: rules.edit(s, NOW, quorum=3),
    ):
        with pytest.raises(ScheduleCancelled) as refused:
            refused_move()
        assert "/schedule create" in refused.value.explain()


def test_describe() -> None:
    now = utc(2026, 11, 20, 12)
    assert rules.describe(make(every_weeks=2, now=now), now) == (
        "Every 2 weeks on Thursday at 20:00 Europe/London (next: Thu 26 Nov, 20:00 GMT)"
    )
    assert rules.describe(make("Asia/Tokyo", now=now), now) == (
        "Every Thursday at 20:00 Asia/Tokyo (next: Thu 26 Nov, 20:00 JST)"
    )


def test_naive_instants_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        rules.nights(make(), datetime(2026, 1, 1), 1)


# --- events, idempotency, lateness, quorum ----------------------------------------------------


def test_due_events_and_their_keys() -> None:
    s = make(reminders=(86400, 3600, 600))
    night = rules.next_night(s, NOW)
    assert night is not None
    events = rules.due_events(s, night)
    start = utc(2026, 1, 8, 20)
    assert [(e.kind, e.fire_at, e.key) for e in events] == [
        (
            EventKind.REMINDER,
            start - timedelta(days=1),
            "7:2026-01-08T20:00:00+00:00:reminder:86400",
        ),
        (
            EventKind.REMINDER,
            start - timedelta(hours=1),
            "7:2026-01-08T20:00:00+00:00:reminder:3600",
        ),
        (
            EventKind.REMINDER,
            start - timedelta(minutes=10),
            "7:2026-01-08T20:00:00+00:00:reminder:600",
        ),
        (EventKind.START, start, "7:2026-01-08T20:00:00+00:00:start"),
        (EventKind.QUORUM, start + QUORUM_WAIT, "7:2026-01-08T20:00:00+00:00:quorum"),
    ]


def test_a_restart_recomputes_the_same_keys() -> None:
    s = make()
    first = [e.key for n in rules.nights(s, NOW, 3) for e in rules.due_events(s, n)]
    again = [e.key for n in rules.nights(make(), NOW, 3) for e in rules.due_events(make(), n)]
    assert first == again
    assert len(set(first)) == len(first)


def test_events_between_and_next_event() -> None:
    s = make(reminders=(86400, 3600))
    start = utc(2026, 1, 8, 20)
    assert rules.next_event(s, NOW) is not None
    assert rules.next_event(s, NOW).fire_at == start - timedelta(days=1)  # type: ignore[union-attr]
    found = rules.events_between(s, start - timedelta(hours=2), start + timedelta(minutes=30))
    assert [e.kind for e in found] == [EventKind.REMINDER, EventKind.START, EventKind.QUORUM]
    after_start = rules.next_event(s, start)
    assert after_start is not None
    assert after_start.kind is EventKind.QUORUM


@pytest.mark.parametrize(
    ("late", "action", "note"),
    [
        (timedelta(0), LateAction.SEND, None),
        (timedelta(seconds=59), LateAction.SEND, None),
        (timedelta(minutes=12), LateAction.SEND_LATE, "(Sent 12 min late: the bot was offline.)"),
        (timedelta(minutes=30), LateAction.SEND_LATE, "(Sent 30 min late: the bot was offline.)"),
        (timedelta(minutes=31), LateAction.SKIP, "31 min late, beyond the grace of 30 min"),
        (timedelta(hours=3, minutes=5), LateAction.SKIP, "3 h 5 min late"),
    ],
)
def test_late_decision(late: timedelta, action: LateAction, note: str | None) -> None:
    decision = rules.late_decision(NOW, NOW + late, timedelta(minutes=30))
    assert decision.action is action
    assert decision.late_by == late
    if note is None:
        assert decision.note is None
    else:
        assert decision.note is not None
        assert note in decision.note


def test_late_decision_refuses_an_event_not_yet_due() -> None:
    with pytest.raises(ValueError, match="not due"):
        rules.late_decision(NOW, NOW - timedelta(seconds=1))


def test_a_reminder_is_never_sent_after_its_night_started() -> None:
    s = make(reminders=(3600,))
    night = rules.next_night(s, NOW)
    assert night is not None
    reminder, start, _ = rules.due_events(s, night)
    back = night.start + timedelta(minutes=5)
    assert rules.event_decision(reminder, back, timedelta(hours=2)).action is LateAction.SKIP
    decision = rules.event_decision(start, back, timedelta(hours=2))
    assert decision.action is LateAction.SEND_LATE
    assert decision.note == "(Sent 5 min late: the bot was offline.)"


@pytest.mark.parametrize(
    ("joined", "postpone", "postponed", "verdict"),
    [
        (4, 0, False, QuorumVerdict.MET),
        (5, 0, False, QuorumVerdict.MET),
        (3, 0, False, QuorumVerdict.CANCEL),
        (3, 15, False, QuorumVerdict.POSTPONE),
        (3, 15, True, QuorumVerdict.CANCEL),
        (4, 15, True, QuorumVerdict.MET),
    ],
)
def test_quorum_verdict(
    joined: int, postpone: int, postponed: bool, verdict: QuorumVerdict
) -> None:
    s = make(quorum=4, postpone_minutes=postpone)
    assert rules.quorum_verdict(joined, s, postponed=postponed) is verdict


def test_a_postponed_check_has_its_own_key() -> None:
    s = make(postpone_minutes=15)
    night = rules.next_night(s, NOW)
    assert night is not None
    check = rules.postponed_check(s, night)
    assert check.fire_at == night.start + QUORUM_WAIT + timedelta(minutes=15)
    assert check.key not in {e.key for e in rules.due_events(s, night)}


# --- properties -------------------------------------------------------------------------------

zones = st.sampled_from(["Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney"])
moments = st.datetimes(datetime(2024, 1, 1), datetime(2032, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)
wall = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))


@settings(max_examples=150, deadline=None)
@given(
    tz=zones,
    weekday=st.integers(0, 6),
    at=wall,
    every=st.integers(1, 4),
    created=moments,
    later=st.integers(0, 4000),
)
def test_nights_keep_weekday_wall_time_and_rhythm(
    tz: str, weekday: int, at: time, every: int, created: datetime, later: int
) -> None:
    s = make(tz, weekday=weekday, at=at, every_weeks=every, now=created)
    after = created + timedelta(days=later)
    got = rules.nights(s, after, 4)
    assert len(got) == 4
    assert got[0].start > after
    for night in got:
        assert night.date.weekday() == weekday
        assert (night.date - s.anchor).days % (7 * every) == 0
        assert night.local.date() == night.date
        if night.note is None:
            assert night.local.time() == at
        assert night.start.astimezone(ZoneInfo(tz)) == night.local
    assert [(b.date - a.date).days for a, b in pairwise(got)] == [7 * every] * 3
    # The first night is the first one after ``after``: the one before it is not.
    previous = rules.night_on(s, got[0].date - timedelta(days=7 * every))
    assert previous.date < s.anchor or previous.start <= after


@settings(max_examples=100, deadline=None)
@given(tz=zones, at=wall, created=moments, skips=st.integers(1, 3))
def test_skips_remove_exactly_the_next_nights(
    tz: str, at: time, created: datetime, skips: int
) -> None:
    s = make(tz, at=at, now=created)
    before = rules.nights(s, created, skips + 2)
    for _ in range(skips):
        s, _ = rules.skip_next(s, created)
    assert rules.nights(s, created, 2) == before[skips:]
