"""Debate nights: a weekly (or every-N-weeks) slot in a server's own time zone.

Theory of operation
-------------------
A ``Schedule`` names a weekday, a local wall time and an IANA time zone. Nights repeat every
``every_weeks`` weeks counted from ``anchor``, the local date of a night on that weekday.
The dates come from dateutil's ``rrule`` in local wall time and only then become instants
with ``zoneinfo``, so a 20:00 Europe/London night is 20:00 on the members' clocks in March
and in November alike; UTC moves instead.

Two wall times are special on the night the clocks change:

* nonexistent (spring forward, e.g. 01:30 on the last Sunday of March in London): the night
  moves forward by the length of the gap (to 02:30 BST) and carries a note saying so;
* ambiguous (fall back, e.g. 01:30 on the last Sunday of October): the night starts at the
  first of the two 01:30s (``fold=0``, summer time) and carries a note saying so.

``skip_next`` calls off only the next night that is not already skipped; ``cancel`` ends the
schedule. Editing the weekday or the interval re-anchors the schedule on the first such night
after ``now``; editing only the time, time zone or anything else keeps the anchor, so an
every-two-weeks schedule keeps its weeks.

What fires, and when (``due_events``): each reminder at its offset before the start, the
start itself (the lobby opens with the top motion of the bank), and the quorum check
``QUORUM_WAIT`` after the start. If fewer debaters than the quorum have joined by then, the
night is postponed once by ``postpone_minutes`` (the lobby stays open and the check runs
again) or, when that is 0 or the night was postponed already, cancelled (``quorum_verdict``).

Restarts: every event has an idempotency key built from the schedule id, the night's start
instant and the event, so the dispatcher can record what it sent and never send it twice.
``late_decision`` says what to do with an event found overdue: send it (on time, up to
``ON_TIME_TOLERANCE`` late), send it with a note ("12 min late") within the grace window,
or skip it (and log why) past it. Changing a night's time changes its keys: the new time's
reminders are new messages.

Nothing here reads the clock; callers pass ``now`` as an aware datetime.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from itertools import islice
from zoneinfo import ZoneInfo, available_timezones

# No stubs are declared for python-dateutil (types-python-dateutil would bring them).
from dateutil.rrule import WEEKLY, rrule  # type: ignore[import-untyped]
from rapidfuzz import fuzz

from bot.domain.errors import DomainError

QUORUM_WAIT = timedelta(minutes=10)
"""How long after the start the quorum is checked."""

ON_TIME_TOLERANCE = timedelta(minutes=1)
"""An event sent at most this late needs no note: the dispatcher's own wake-up jitter."""

DEFAULT_GRACE = timedelta(minutes=30)
"""How late an event may still be sent (with a note) after a restart, unless the caller says."""

DEFAULT_REMINDERS: tuple[int, ...] = (24 * 3600, 3600)
"""Reminders (seconds before the start) of a schedule created without any."""

MIN_REMINDER = 60
MAX_REMINDER = 7 * 24 * 3600
MAX_REMINDERS = 5
MAX_EVERY_WEEKS = 8
MIN_QUORUM = 2
MAX_QUORUM = 50
MAX_POSTPONE_MINUTES = 120
MAX_NAME_CHARS = 50

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_TIME_FORMATS = "Write it like 20:00, 8pm or 8:30 pm."
_TZ_EXAMPLES = "Use an IANA name such as Europe/London or America/New_York."


# ---------------------------------------------------------------------------------------------
# Errors: the message is the sentence a member sees.


class ScheduleError(DomainError):
    """A schedule command was given something it cannot use; the message says how to fix it."""

    def explain(self) -> str:
        """The sentence a member sees."""
        return str(self)


class InvalidWeekday(ScheduleError):
    """The weekday is not a day name."""

    def __init__(self, given: str) -> None:
        super().__init__(
            f"'{given}' is not a day of the week. Use a day name such as Thursday or Thu."
        )
        self.given = given


class TimeProblem(StrEnum):
    """What is wrong with a time of day that looks like one."""

    TWELVE_HOUR = "With am or pm the hour goes from 1 to 12."
    MINUTES = "Minutes go from 00 to 59."
    AMBIGUOUS = "Add minutes or am/pm so the time is not ambiguous."
    HOURS = "Hours go from 0 to 23."


class InvalidTime(ScheduleError):
    """The time of day cannot be read (``problem`` None: it does not look like one)."""

    def __init__(self, given: str, problem: TimeProblem | None = None) -> None:
        reason = f" {problem.value}" if problem else ""
        super().__init__(f"I can't read '{given}' as a time of day.{reason} {_TIME_FORMATS}")
        self.given = given
        self.problem = problem


class ZoneProblem(StrEnum):
    """Why a known name is still not a time zone a schedule can follow."""

    FIXED_OFFSET = (
        "keeps the same offset all year, so for half of it your nights would be an hour "
        "off the local clock."
    )
    ABBREVIATION = "is an abbreviation, not a timezone name."


class UnknownTimezone(ScheduleError):
    """The time zone is not an IANA name that follows its region's clock changes."""

    def __init__(
        self, given: str, suggestions: tuple[str, ...], problem: ZoneProblem | None = None
    ) -> None:
        head = f"'{given}' {problem.value}" if problem else f"Unknown timezone '{given}'."
        hint = f" Did you mean {' or '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"{head}{hint} {_TZ_EXAMPLES}")
        self.given = given
        self.suggestions = suggestions
        self.problem = problem


class ReminderProblem(StrEnum):
    """What is wrong with a list of reminders."""

    UNREADABLE = "unreadable"
    OUT_OF_RANGE = "out of range"
    TOO_MANY = "too many"


class InvalidReminders(ScheduleError):
    """The reminders cannot be read or are out of bounds: ``part`` is the reminder at
    fault, ``count`` how many were given (``TOO_MANY``)."""

    def __init__(
        self, given: str, problem: ReminderProblem, *, part: str = "", count: int = 0
    ) -> None:
        match problem:
            case ReminderProblem.UNREADABLE:
                why = f"I can't read '{part}' as a reminder time."
            case ReminderProblem.OUT_OF_RANGE:
                why = (
                    f"The reminder '{part}' is out of range: reminders go from "
                    f"{format_offset(MIN_REMINDER)} to {format_offset(MAX_REMINDER)} "
                    "before the night."
                )
            case ReminderProblem.TOO_MANY:
                why = f"That is {count} reminders; a schedule has at most {MAX_REMINDERS}."
        super().__init__(
            f"{why} Write reminders as a comma-separated list such as 24h,1h,10m "
            f"(d = days, h = hours, m = minutes), or 'none'."
        )
        self.given = given
        self.problem = problem
        self.part = part
        self.count = count


class InvalidSetting(ScheduleError):
    """A number or name of the schedule is out of bounds (``length``: a name too long)."""

    def __init__(self, setting: str, message: str, *, length: int | None = None) -> None:
        super().__init__(message)
        self.setting = setting
        self.length = length


class ScheduleCancelled(ScheduleError):
    """The schedule was cancelled, so it has no nights to edit or skip."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"The schedule '{name}' is cancelled. Create a new one with /schedule create."
        )
        self.name = name


# ---------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True, slots=True)
class Schedule:
    """A recurring debate night of one server; ``reminders`` are seconds before the start."""

    id: int
    guild_id: int
    name: str
    weekday: int  # 0 = Monday
    local_time: time
    tz_name: str
    anchor: date
    every_weeks: int = 1
    reminders: tuple[int, ...] = DEFAULT_REMINDERS
    quorum: int = MIN_QUORUM
    postpone_minutes: int = 0
    format_key: str | None = None
    channel_id: int | None = None
    voice_channel_id: int | None = None
    skipped: frozenset[date] = field(default_factory=frozenset)
    cancelled: bool = False

    def __post_init__(self) -> None:
        if self.anchor.weekday() != self.weekday:
            raise ValueError(f"anchor {self.anchor} is not on weekday {self.weekday}")
        if self.local_time.tzinfo is not None:
            raise ValueError("local_time must be a naive wall time")

    @property
    def zone(self) -> ZoneInfo:
        """The schedule's time zone."""
        return ZoneInfo(self.tz_name)


@dataclass(frozen=True, slots=True)
class Night:
    """One debate night: its UTC ``start``, the members' wall time, and why it moved, if it did."""

    date: date  # the scheduled local date: what a skip names
    start: datetime  # UTC
    local: datetime  # aware, in the schedule's zone
    note: str | None = None


class EventKind(StrEnum):
    """What the dispatcher does for a night."""

    REMINDER = "reminder"
    START = "start"
    QUORUM = "quorum"


@dataclass(frozen=True, slots=True)
class DueEvent:
    """One thing to do for a night, when, and the key that makes doing it idempotent."""

    kind: EventKind
    fire_at: datetime  # UTC
    key: str
    night: Night
    offset: int = 0  # for reminders: seconds before the start


class LateAction(StrEnum):
    """What to do with an event the dispatcher finds due."""

    SEND = "send"
    SEND_LATE = "send_late"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class LateDecision:
    """The action for an overdue event and the note (for members, or for the log if skipped)."""

    action: LateAction
    late_by: timedelta
    note: str | None = None


class QuorumVerdict(StrEnum):
    """What becomes of a night at its quorum check."""

    MET = "met"
    POSTPONE = "postpone"
    CANCEL = "cancel"


# ---------------------------------------------------------------------------------------------
# Parsing what members type


def parse_weekday(text: str) -> int:
    """The weekday (0 = Monday) of a day name or a prefix of two letters or more."""
    word = text.strip().casefold().rstrip(".")
    if len(word) >= 2:
        hits = [i for i, day in enumerate(WEEKDAYS) if day.casefold().startswith(word)]
        if len(hits) == 1:
            return hits[0]
    raise InvalidWeekday(text.strip())


_TIME_24 = re.compile(r"(\d{1,2})(?:[:.h](\d{2}))?h?")
_TIME_12 = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s*m\.?")


def parse_time(text: str) -> time:
    """A wall time from "20:00", "20.00", "8pm", "8:30 pm", "noon" or "midnight"."""
    given = text.strip()
    word = given.casefold()
    if word == "noon":
        return time(12, 0)
    if word == "midnight":
        return time(0, 0)
    if m := _TIME_12.fullmatch(word):
        hour, minute = int(m[1]), int(m[2] or 0)
        if not 1 <= hour <= 12:
            raise InvalidTime(given, TimeProblem.TWELVE_HOUR)
        if minute > 59:
            raise InvalidTime(given, TimeProblem.MINUTES)
        return time(hour % 12 + (12 if m[3] == "p" else 0), minute)
    if m := _TIME_24.fullmatch(word):
        hour, minute = int(m[1]), int(m[2] or 0)
        if m[2] is None and not word.endswith("h"):
            raise InvalidTime(given, TimeProblem.AMBIGUOUS)
        if hour > 23:
            raise InvalidTime(given, TimeProblem.HOURS)
        if minute > 59:
            raise InvalidTime(given, TimeProblem.MINUTES)
        return time(hour, minute)
    raise InvalidTime(given)


_REGIONS = frozenset(
    [
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    ]
)

_FIXED_ABBREVIATIONS = {
    "est": ("America/New_York",),
    "mst": ("America/Denver", "America/Phoenix"),
    "hst": ("Pacific/Honolulu",),
    "gmt": ("Europe/London", "UTC"),
    "gmt0": ("Europe/London", "UTC"),
    "gmt+0": ("Europe/London", "UTC"),
    "gmt-0": ("Europe/London", "UTC"),
    "greenwich": ("Europe/London", "UTC"),
}
"""Zone names that exist but keep one offset all year, where members mean a region."""

_ABBREVIATIONS = {
    "et": ("America/New_York",),
    "edt": ("America/New_York",),
    "ct": ("America/Chicago",),
    "cst": ("America/Chicago",),
    "cdt": ("America/Chicago",),
    "mt": ("America/Denver",),
    "mdt": ("America/Denver",),
    "pt": ("America/Los_Angeles",),
    "pst": ("America/Los_Angeles",),
    "pdt": ("America/Los_Angeles",),
    "bst": ("Europe/London",),
    "cest": ("Europe/Paris", "Europe/Berlin"),
    "ist": ("Asia/Kolkata", "Europe/Dublin"),
    "jst": ("Asia/Tokyo",),
    "kst": ("Asia/Seoul",),
    "aest": ("Australia/Sydney",),
    "aedt": ("Australia/Sydney",),
}
"""Abbreviations that are not zone names at all, with the regions they usually stand for."""


@cache
def _zones() -> dict[str, str]:
    """Every zone name the system knows, by its case-folded spelling."""
    return {name.casefold(): name for name in available_timezones()}


@cache
def _suggestible() -> tuple[tuple[str, str, str], ...]:
    """Regional zone names with the spellings fuzzy matching compares: whole and city."""
    return tuple(
        (name, _fold(name), _fold(name.rsplit("/", 1)[1]))
        for name in sorted(available_timezones())
        if name.split("/", 1)[0] in _REGIONS
    )


def _fold(text: str) -> str:
    return text.casefold().replace("_", " ").replace("-", " ").strip()


def suggest_timezones(text: str, limit: int = 3) -> tuple[str, ...]:
    """Zone names close to ``text`` (as a whole name or as a city), best first."""
    query = _fold(text)
    if not query:
        return ()
    scored = sorted(
        (
            (max(fuzz.ratio(query, whole), fuzz.ratio(query, city)), name)
            for name, whole, city in _suggestible()
        ),
        key=lambda pair: (-pair[0], pair[1]),
    )
    if not scored or scored[0][0] < 75:
        return ()
    best = scored[0][0]
    return tuple(name for score, name in scored[:limit] if score >= best - 8)


def parse_timezone(text: str) -> str:
    """The canonical spelling of an IANA zone name, or ``UnknownTimezone`` with suggestions."""
    given = text.strip()
    word = given.casefold().replace(" ", "_")
    if word in _FIXED_ABBREVIATIONS:
        raise UnknownTimezone(given, _FIXED_ABBREVIATIONS[word], ZoneProblem.FIXED_OFFSET)
    if word in _ABBREVIATIONS:
        raise UnknownTimezone(given, _ABBREVIATIONS[word], ZoneProblem.ABBREVIATION)
    name = _zones().get(word)
    if name is not None:
        return name
    if word in ("utc", "z"):
        return "UTC"
    raise UnknownTimezone(given, suggest_timezones(given))


_OFFSET = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?:in)?)?")


def parse_offset(text: str) -> int:
    """Seconds in a reminder offset such as "24h", "10m", "1h30m" or "2d"."""
    word = text.strip().casefold().replace(" ", "")
    m = _OFFSET.fullmatch(word)
    if not word or m is None or not any(m.groups()):
        raise InvalidReminders(text, ReminderProblem.UNREADABLE, part=text.strip())
    days, hours, minutes = (int(g or 0) for g in m.groups())
    return days * 86400 + hours * 3600 + minutes * 60


def parse_reminders(text: str) -> tuple[int, ...]:
    """Reminder offsets (seconds before the start) from "24h,1h,10m": furthest first, no repeats."""
    if text.strip().casefold() in ("", "none", "off", "no"):
        return ()
    offsets: set[int] = set()
    for part in text.split(","):
        if not part.strip():
            continue
        seconds = parse_offset(part)
        if not MIN_REMINDER <= seconds <= MAX_REMINDER:
            raise InvalidReminders(text, ReminderProblem.OUT_OF_RANGE, part=part.strip())
        offsets.add(seconds)
    if len(offsets) > MAX_REMINDERS:
        raise InvalidReminders(text, ReminderProblem.TOO_MANY, count=len(offsets))
    return tuple(sorted(offsets, reverse=True))


def format_offset(seconds: int) -> str:
    """An offset as members write it: "1d", "1h30m", "10m"."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    text = "".join(f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n)
    return text or "0m"


def format_reminders(offsets: tuple[int, ...]) -> str:
    """Reminders as ``parse_reminders`` reads them back: "24h,1h,10m" or "none"."""
    return ",".join(format_offset(s) for s in offsets) if offsets else "none"


# ---------------------------------------------------------------------------------------------
# Making and changing schedules


def _check_settings(name: str, every_weeks: int, quorum: int, postpone_minutes: int) -> str:
    """The cleaned name, once every number is within bounds."""
    clean = " ".join(name.split())
    if not clean:
        raise InvalidSetting("name", "The schedule needs a name, for example 'Thursday nights'.")
    if len(clean) > MAX_NAME_CHARS:
        raise InvalidSetting(
            "name",
            f"The name has {len(clean)} characters; shorten it to {MAX_NAME_CHARS} or fewer.",
            length=len(clean),
        )
    if not 1 <= every_weeks <= MAX_EVERY_WEEKS:
        raise InvalidSetting(
            "every_weeks",
            f"every_weeks must be between 1 and {MAX_EVERY_WEEKS} (1 = every week, "
            "2 = every other week).",
        )
    if not MIN_QUORUM <= quorum <= MAX_QUORUM:
        raise InvalidSetting(
            "quorum",
            f"The quorum must be between {MIN_QUORUM} and {MAX_QUORUM} debaters; a debate "
            "needs someone on each side.",
        )
    if not 0 <= postpone_minutes <= MAX_POSTPONE_MINUTES:
        raise InvalidSetting(
            "postpone_minutes",
            f"A night can be postponed by 0 to {MAX_POSTPONE_MINUTES} minutes "
            "(0 cancels it straight away when the quorum is not met).",
        )
    return clean


def _first_anchor(weekday: int, at: time, tz_name: str, now: datetime) -> date:
    """The local date of the first night on ``weekday`` at ``at`` that starts after ``now``."""
    today = _aware(now).astimezone(ZoneInfo(tz_name)).date()
    day = today + timedelta(days=(weekday - today.weekday()) % 7)
    if _localize(day, at, tz_name)[0] <= now:
        day += timedelta(days=7)
    return day


def new_schedule(
    *,
    id: int,
    guild_id: int,
    name: str,
    weekday: int,
    local_time: time,
    tz_name: str,
    now: datetime,
    every_weeks: int = 1,
    reminders: tuple[int, ...] = DEFAULT_REMINDERS,
    quorum: int = MIN_QUORUM,
    postpone_minutes: int = 0,
    format_key: str | None = None,
    channel_id: int | None = None,
    voice_channel_id: int | None = None,
) -> Schedule:
    """A schedule whose first night is the first such weekday and time after ``now``."""
    clean = _check_settings(name, every_weeks, quorum, postpone_minutes)
    tz = parse_timezone(tz_name)
    return Schedule(
        id=id,
        guild_id=guild_id,
        name=clean,
        weekday=weekday,
        local_time=local_time.replace(second=0, microsecond=0),
        tz_name=tz,
        anchor=_first_anchor(weekday, local_time, tz, now),
        every_weeks=every_weeks,
        reminders=tuple(sorted(set(reminders), reverse=True)),
        quorum=quorum,
        postpone_minutes=postpone_minutes,
        format_key=format_key,
        channel_id=channel_id,
        voice_channel_id=voice_channel_id,
    )


def edit(
    schedule: Schedule,
    now: datetime,
    *,
    name: str | None = None,
    weekday: int | None = None,
    local_time: time | None = None,
    tz_name: str | None = None,
    every_weeks: int | None = None,
    reminders: tuple[int, ...] | None = None,
    quorum: int | None = None,
    postpone_minutes: int | None = None,
    format_key: str | None = None,
    channel_id: int | None = None,
    voice_channel_id: int | None = None,
) -> Schedule:
    """The schedule with the given settings changed; a new weekday or interval re-anchors it."""
    if schedule.cancelled:
        raise ScheduleCancelled(schedule.name)
    new_weekday = schedule.weekday if weekday is None else weekday
    new_every = schedule.every_weeks if every_weeks is None else every_weeks
    new_time = schedule.local_time if local_time is None else local_time
    new_tz = schedule.tz_name if tz_name is None else parse_timezone(tz_name)
    clean = _check_settings(
        schedule.name if name is None else name,
        new_every,
        schedule.quorum if quorum is None else quorum,
        schedule.postpone_minutes if postpone_minutes is None else postpone_minutes,
    )
    anchor = schedule.anchor
    if new_weekday != schedule.weekday or new_every != schedule.every_weeks:
        anchor = _first_anchor(new_weekday, new_time, new_tz, now)
    edited = replace(
        schedule,
        name=clean,
        weekday=new_weekday,
        local_time=new_time.replace(second=0, microsecond=0),
        tz_name=new_tz,
        anchor=anchor,
        every_weeks=new_every,
        reminders=(
            schedule.reminders if reminders is None else tuple(sorted(set(reminders), reverse=True))
        ),
        quorum=schedule.quorum if quorum is None else quorum,
        postpone_minutes=(
            schedule.postpone_minutes if postpone_minutes is None else postpone_minutes
        ),
        format_key=schedule.format_key if format_key is None else format_key,
        channel_id=schedule.channel_id if channel_id is None else channel_id,
        voice_channel_id=(
            schedule.voice_channel_id if voice_channel_id is None else voice_channel_id
        ),
    )
    # A skip names a date of the old recurrence; keep it only if it is still a night.
    dates = {n.date for n in nights(replace(edited, skipped=frozenset()), now, 64)}
    return replace(edited, skipped=frozenset(d for d in schedule.skipped if d in dates))


def skip_next(schedule: Schedule, now: datetime) -> tuple[Schedule, Night]:
    """Call off the next night that is not already skipped; later nights stay."""
    if schedule.cancelled:
        raise ScheduleCancelled(schedule.name)
    night = next_night(schedule, now)
    assert night is not None  # a schedule that is not cancelled never runs out of nights
    today = _aware(now).astimezone(schedule.zone).date()
    kept = frozenset(d for d in schedule.skipped if d >= today - timedelta(days=1))
    return replace(schedule, skipped=kept | {night.date}), night


def cancel(schedule: Schedule) -> Schedule:
    """The schedule with no more nights."""
    if schedule.cancelled:
        raise ScheduleCancelled(schedule.name)
    return replace(schedule, cancelled=True)


# ---------------------------------------------------------------------------------------------
# Recurrence


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} must be an aware datetime")
    return moment


def _localize(day: date, at: time, tz_name: str) -> tuple[datetime, datetime, str | None]:
    """UTC start, aware local start and the note for wall time ``at`` on ``day``."""
    tz = ZoneInfo(tz_name)
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=tz)  # fold=0: the first of two, or shifted past a gap
    start = first.astimezone(UTC)
    local = start.astimezone(tz)
    when = f"{wall:%H:%M} on {_day(day)} in {tz_name}"
    note: str | None = None
    if local.replace(tzinfo=None) != wall:
        note = (
            f"{when} doesn't exist because the clocks go forward, so this night starts at "
            f"{local:%H:%M} {local:%Z} instead."
        )
    elif first.utcoffset() != wall.replace(tzinfo=tz, fold=1).utcoffset():
        note = (
            f"{when} happens twice because the clocks go back; this night starts at the "
            f"first {wall:%H:%M} ({local:%Z})."
        )
    return start, local, note


def _day(day: date) -> str:
    """ "Thu 26 Nov 2026"."""
    return f"{WEEKDAYS[day.weekday()][:3]} {day.day} {day:%b %Y}"


def _iter_nights(schedule: Schedule, after: datetime) -> Iterator[Night]:
    """Every night starting after ``after``, skipped ones excluded, in order, endlessly."""
    if schedule.cancelled:
        return
    after = _aware(after)
    tz = schedule.zone
    period = 7 * schedule.every_weeks
    # Jump whole periods towards ``after`` so a years-old anchor costs nothing to iterate.
    lag = (after.astimezone(tz).date() - schedule.anchor).days // period - 1
    first = schedule.anchor + timedelta(days=period * max(lag, 0))
    rule = rrule(
        WEEKLY,
        interval=schedule.every_weeks,
        byweekday=schedule.weekday,
        dtstart=datetime.combine(first, schedule.local_time),
    )
    wall: datetime
    for wall in rule:
        day = wall.date()
        if day in schedule.skipped:
            continue
        start, local, note = _localize(day, schedule.local_time, schedule.tz_name)
        if start > after:
            yield Night(day, start, local, note)


def nights(schedule: Schedule, after: datetime, count: int) -> list[Night]:
    """The next ``count`` nights starting after ``after``; none once cancelled."""
    return list(islice(_iter_nights(schedule, after), count))


def next_night(schedule: Schedule, after: datetime) -> Night | None:
    """The first night starting after ``after``, or ``None`` once cancelled."""
    return next(_iter_nights(schedule, after), None)


def night_on(schedule: Schedule, day: date) -> Night:
    """The night the schedule would hold on local date ``day`` (skips and cancel ignored)."""
    start, local, note = _localize(day, schedule.local_time, schedule.tz_name)
    return Night(day, start, local, note)


# ---------------------------------------------------------------------------------------------
# Events, lateness and the quorum


def event_key(schedule_id: int, night: Night, kind: EventKind, offset: int = 0) -> str:
    """The idempotency key of one event of one night."""
    base = f"{schedule_id}:{night.start.isoformat()}:{kind.value}"
    return f"{base}:{offset}" if kind is EventKind.REMINDER else base


def due_events(schedule: Schedule, night: Night) -> list[DueEvent]:
    """The night's reminders, start and quorum check, in the order they fire."""
    events = [
        DueEvent(
            EventKind.REMINDER,
            night.start - timedelta(seconds=offset),
            event_key(schedule.id, night, EventKind.REMINDER, offset),
            night,
            offset,
        )
        for offset in sorted(set(schedule.reminders), reverse=True)
    ]
    events.append(
        DueEvent(
            EventKind.START, night.start, event_key(schedule.id, night, EventKind.START), night
        )
    )
    events.append(
        DueEvent(
            EventKind.QUORUM,
            night.start + QUORUM_WAIT,
            event_key(schedule.id, night, EventKind.QUORUM),
            night,
        )
    )
    return events


def postponed_check(schedule: Schedule, night: Night) -> DueEvent:
    """The second quorum check of a night postponed by ``schedule.postpone_minutes``."""
    return DueEvent(
        EventKind.QUORUM,
        night.start + QUORUM_WAIT + timedelta(minutes=schedule.postpone_minutes),
        event_key(schedule.id, night, EventKind.QUORUM) + ":postponed",
        night,
    )


def events_between(schedule: Schedule, since: datetime, until: datetime) -> list[DueEvent]:
    """Every event with ``since < fire_at <= until``, in firing order."""
    since, until = _aware(since), _aware(until)
    lead = timedelta(seconds=max(schedule.reminders, default=0))
    found: list[DueEvent] = []
    for night in _iter_nights(schedule, since - QUORUM_WAIT):
        if night.start - lead > until:
            break
        found += [e for e in due_events(schedule, night) if since < e.fire_at <= until]
    return sorted(found, key=lambda e: (e.fire_at, e.key))


@dataclass(frozen=True, slots=True)
class Upcoming:
    """What a schedule does next after ``after``: every event of the first instant it fires
    (usually one), and the instant after that. Until ``then``, the events due by any moment
    are exactly those of ``events`` that fire by it, so the dispatcher can decide them
    without iterating the recurrence again."""

    after: datetime
    events: tuple[DueEvent, ...]
    then: datetime | None
    """The next instant with events after ``events``; ``None`` when there is none."""

    @property
    def fire_at(self) -> datetime | None:
        """When the dispatcher must wake for this schedule; ``None`` once cancelled."""
        return self.events[0].fire_at if self.events else None

    def due_by(self, now: datetime) -> list[DueEvent] | None:
        """``events_between(schedule, after, now)`` without the recurrence, or ``None`` when
        ``now`` is past what this knows."""
        if self.then is not None and now >= self.then:
            return None
        return [e for e in self.events if e.fire_at <= now]


def upcoming(schedule: Schedule, after: datetime) -> Upcoming:
    """The first instant after ``after`` with events, its events and the instant after."""
    after = _aware(after)
    lead = timedelta(seconds=max(schedule.reminders, default=0))
    found: list[DueEvent] = []
    for night in _iter_nights(schedule, after - QUORUM_WAIT):
        instants = sorted({e.fire_at for e in found})
        if len(instants) >= 2 and night.start - lead > instants[1]:
            break  # this night's first event comes after both instants found
        found += [e for e in due_events(schedule, night) if e.fire_at > after]
    found.sort(key=lambda e: (e.fire_at, e.key))
    if not found:
        return Upcoming(after, (), None)
    first = found[0].fire_at
    then = next((e.fire_at for e in found if e.fire_at > first), None)
    return Upcoming(after, tuple(e for e in found if e.fire_at == first), then)


def next_event(schedule: Schedule, after: datetime) -> DueEvent | None:
    """The first event firing after ``after``: when the dispatcher must wake for this schedule."""
    events = upcoming(schedule, after).events
    return events[0] if events else None


def _minutes(late: timedelta) -> str:
    """ "12 min", "1 h 5 min"."""
    minutes = max(1, round(late.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def late_decision(
    fire_at: datetime, now: datetime, grace: timedelta = DEFAULT_GRACE
) -> LateDecision:
    """Send an event that is due on time, send it with a note within ``grace``, else skip it."""
    late = _aware(now) - _aware(fire_at)
    if late < timedelta(0):
        raise ValueError(f"event at {fire_at} is not due at {now}")
    if late <= ON_TIME_TOLERANCE:
        return LateDecision(LateAction.SEND, late)
    if late <= grace:
        return LateDecision(
            LateAction.SEND_LATE, late, f"(Sent {_minutes(late)} late: the bot was offline.)"
        )
    return LateDecision(
        LateAction.SKIP,
        late,
        f"skipped: {_minutes(late)} late, beyond the grace of {_minutes(grace)}",
    )


def event_decision(
    event: DueEvent, now: datetime, grace: timedelta = DEFAULT_GRACE
) -> LateDecision:
    """``late_decision`` for an event; a reminder is never sent once its night has started."""
    if event.kind is EventKind.REMINDER and now >= event.night.start:
        late = now - event.fire_at
        return LateDecision(LateAction.SKIP, late, "skipped: the night has already started")
    return late_decision(event.fire_at, now, grace)


def quorum_verdict(joined: int, schedule: Schedule, *, postponed: bool) -> QuorumVerdict:
    """Whether the night goes ahead, is postponed once, or is cancelled for want of debaters."""
    if joined >= schedule.quorum:
        return QuorumVerdict.MET
    if schedule.postpone_minutes and not postponed:
        return QuorumVerdict.POSTPONE
    return QuorumVerdict.CANCEL


# ---------------------------------------------------------------------------------------------
# Describing


def describe_night(night: Night) -> str:
    """ "Thu 26 Nov, 20:00 GMT"."""
    local = night.local
    return f"{WEEKDAYS[local.weekday()][:3]} {local.day} {local:%b}, {local:%H:%M %Z}"


def describe(schedule: Schedule, now: datetime) -> str:
    """A one-line summary, e.g. "Every 2 weeks on Thursday at 20:00 Europe/London (next: …)"."""
    day = WEEKDAYS[schedule.weekday]
    at = f"{schedule.local_time:%H:%M} {schedule.tz_name}"
    if schedule.every_weeks == 1:
        rule = f"Every {day} at {at}"
    else:
        rule = f"Every {schedule.every_weeks} weeks on {day} at {at}"
    if schedule.cancelled:
        return f"Cancelled (was: {rule[0].lower()}{rule[1:]})"
    upcoming = next_night(schedule, now)
    assert upcoming is not None
    extra = ""
    skipped = sorted(d for d in schedule.skipped if night_on(schedule, d).start > now)
    if skipped:
        extra = "; skipping " + ", ".join(describe_night(night_on(schedule, d)) for d in skipped)
    return f"{rule} (next: {describe_night(upcoming)}{extra})"
