"""The motion bank's and debate nights' refusals, in the member's language.

The cogs of both features register these with ``bot.ui.errors.register`` when they load.
Each text is chosen by the fields an error carries (its problem, the part at fault), never
by its English sentence; an error this module does not know is answered with its own
``explain()``.
"""

from __future__ import annotations

from bot.domain import schedule as rules
from bot.domain.motions import (
    AlreadyUpvoted,
    IllegalMotionMove,
    MotionCoolingDown,
    MotionEvent,
    MotionNotVotable,
    MotionState,
    NotUpvoted,
    OwnMotion,
)
from bot.i18n import ENGLISH, t
from bot.services.motions import BankDraftNotFound, MotionNotFound, NoSuchPage, NotBankModerator
from bot.services.schedules import NoTextChannel, NotNightModerator, ScheduleNotFound
from bot.ui.errors import Render


def _illegal_move(x: IllegalMotionMove, lang: str) -> str:
    n = x.motion_id
    match (x.motion_state, x.motion_event):
        case (MotionState.PENDING, MotionEvent.APPROVE):
            return t("bank.error.pending_approve", lang, motion_id=n)
        case (MotionState.PENDING, MotionEvent.REJECT):
            return t("bank.error.pending_reject", lang, motion_id=n)
        case (MotionState.PENDING, _):
            return t("bank.error.pending_debate", lang, motion_id=n)
        case (MotionState.APPROVED, MotionEvent.APPROVE):
            return t("bank.error.approved_approve", lang, motion_id=n)
        case (MotionState.APPROVED, MotionEvent.REJECT):
            return t("bank.error.approved_reject", lang, motion_id=n)
        case (MotionState.APPROVED, _):
            return t("bank.error.approved_debate", lang, motion_id=n)
        case (MotionState.REJECTED, MotionEvent.APPROVE):
            return t("bank.error.rejected_approve", lang, motion_id=n)
        case (MotionState.REJECTED, MotionEvent.REJECT):
            return t("bank.error.rejected_reject", lang, motion_id=n)
        case (MotionState.REJECTED, _):
            return t("bank.error.rejected_debate", lang, motion_id=n)
        case (_, MotionEvent.APPROVE):
            return t("bank.error.debated_approve", lang, motion_id=n)
        case (_, MotionEvent.REJECT):
            return t("bank.error.debated_reject", lang, motion_id=n)
    return t("bank.error.debated_debate", lang, motion_id=n)


def _no_such_page(x: NoSuchPage, lang: str) -> str:
    if x.pages == 1:
        return t("bank.error.no_such_page_one", lang, page=x.page)
    return t("bank.error.no_such_page_many", lang, page=x.page, pages=x.pages)


def _cooling_down(x: MotionCoolingDown, lang: str) -> str:
    date = f"{x.until:%d %b %Y}" if lang == ENGLISH else f"{x.until:%d.%m.%Y}"
    return t("bank.error.cooling_down", lang, motion_id=x.motion_id, date=date)


MOTION_ERRORS: dict[type[Exception], Render] = {
    IllegalMotionMove: _illegal_move,
    MotionCoolingDown: _cooling_down,
    AlreadyUpvoted: lambda x, lang: t("bank.error.already_upvoted", lang, motion_id=x.motion_id),
    NotUpvoted: lambda x, lang: t("bank.error.not_upvoted", lang, motion_id=x.motion_id),
    OwnMotion: lambda x, lang: t("bank.error.own_motion", lang, motion_id=x.motion_id),
    MotionNotVotable: lambda x, lang: t("bank.error.not_votable", lang, motion_id=x.motion_id),
    MotionNotFound: lambda x, lang: t("bank.error.not_found", lang, motion_id=x.motion_id),
    BankDraftNotFound: lambda _, lang: t("bank.error.draft_not_found", lang),
    NoSuchPage: _no_such_page,
    NotBankModerator: lambda _, lang: t("bank.error.not_moderator", lang),
}
"""The motion bank's refusals."""


def _invalid_time(x: rules.InvalidTime, lang: str) -> str:
    match x.problem:
        case rules.TimeProblem.TWELVE_HOUR:
            return t("night.error.time_twelve", lang, given=x.given)
        case rules.TimeProblem.MINUTES:
            return t("night.error.time_minutes", lang, given=x.given)
        case rules.TimeProblem.AMBIGUOUS:
            return t("night.error.time_ambiguous", lang, given=x.given)
        case rules.TimeProblem.HOURS:
            return t("night.error.time_hours", lang, given=x.given)
    return t("night.error.time", lang, given=x.given)


def _unknown_timezone(x: rules.UnknownTimezone, lang: str) -> str:
    given = x.given
    suggestions = t("night.error.joiner_or", lang).join(x.suggestions)
    if x.suggestions and x.problem is rules.ZoneProblem.FIXED_OFFSET:
        return t("night.error.timezone_fixed", lang, given=given, suggestions=suggestions)
    if x.suggestions and x.problem is rules.ZoneProblem.ABBREVIATION:
        return t("night.error.timezone_abbreviation", lang, given=given, suggestions=suggestions)
    if x.suggestions:
        return t("night.error.timezone_suggest", lang, given=given, suggestions=suggestions)
    return t("night.error.timezone", lang, given=given)


def _invalid_reminders(x: rules.InvalidReminders, lang: str) -> str:
    match x.problem:
        case rules.ReminderProblem.UNREADABLE:
            return t("night.error.reminders_unreadable", lang, part=x.part)
        case rules.ReminderProblem.OUT_OF_RANGE:
            low = rules.format_offset(rules.MIN_REMINDER)
            high = rules.format_offset(rules.MAX_REMINDER)
            return t("night.error.reminders_range", lang, part=x.part, low=low, high=high)
    return t("night.error.reminders_count", lang, count=x.count, most=rules.MAX_REMINDERS)


def _invalid_setting(x: rules.InvalidSetting, lang: str) -> str:
    match x.setting:
        case "name" if x.length is not None:
            return t("night.error.name_long", lang, length=x.length, limit=rules.MAX_NAME_CHARS)
        case "name":
            return t("night.error.name_empty", lang)
        case "every_weeks":
            return t("night.error.every_weeks", lang, most=rules.MAX_EVERY_WEEKS)
        case "quorum":
            return t("night.error.quorum", lang, least=rules.MIN_QUORUM, most=rules.MAX_QUORUM)
        case "postpone_minutes":
            return t("night.error.postpone", lang, most=rules.MAX_POSTPONE_MINUTES)
    return x.explain()


NIGHT_ERRORS: dict[type[Exception], Render] = {
    rules.InvalidWeekday: lambda x, lang: t("night.error.weekday", lang, given=x.given),
    rules.InvalidTime: _invalid_time,
    rules.UnknownTimezone: _unknown_timezone,
    rules.InvalidReminders: _invalid_reminders,
    rules.InvalidSetting: _invalid_setting,
    rules.ScheduleCancelled: lambda x, lang: t("night.error.cancelled", lang, name=x.name),
    ScheduleNotFound: lambda x, lang: t("night.error.not_found", lang, given=x.given[:60]),
    NoTextChannel: lambda _, lang: t("night.error.no_text_channel", lang),
    NotNightModerator: lambda _, lang: t("night.error.not_moderator", lang),
}
"""The debate nights' refusals."""
