"""The season's calendar as data, and the pure rules on it: when to remind, when the digest
is due, when it is too late or too early to write to people."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from conversations.i18n import N_, ExplainedError
from conversations.text import whole_number
from conversations.when import parse_day_month, parse_weekday

# How a weekday is stored and shown in settings: short, Vietnamese, and unambiguous (English
# "thu" would also read as Vietnamese "thứ"). Any form parse_weekday accepts may be typed.
WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
KEYS = (
    "season_open",
    "deadline",
    "report_date",
    "reminder_days",
    "digest_weekday",
    "digest_time",
    "quiet_start",
    "quiet_end",
    "reminder_time",
)
# How late a missed reminder or digest may still go out (the bot was down): once, not a storm.
REMINDER_GRACE = timedelta(days=1)
DIGEST_GRACE = timedelta(days=2)


class ScheduleError(ExplainedError):
    """A schedule value that does not parse or fit; the message says what is expected."""


@dataclass(frozen=True)
class Schedule:
    """Defaults: season from 1 January; citizens' self-assessments due by 20 November (our
    choice, a few weeks before the report so leaders can confirm and recognise); the commune's
    report sent upward before 10 December (Kế hoạch UBND huyện Hải Hậu on QĐ 387/QĐ-TTg and
    QĐ 677/QĐ-TTg, section V.6: "định kỳ hàng năm trước ngày 10/12 gửi báo cáo"); reminders
    14, 7 and 2 days before each date at 08:00 (citizens to the deadline, commune and
    province leaders to the report date); digests Monday 07:30; no messages to citizens
    21:00-07:00."""

    season_open: str = "01/01"  # DD/MM, as people write dates
    deadline: str = "20/11"  # the citizens' deadline
    report_date: str = "10/12"  # the commune's report goes upward before this day
    reminder_days: tuple[int, ...] = (14, 7, 2)
    reminder_time: time = time(8, 0)
    digest_weekday: int = 0  # Monday
    digest_time: time = time(7, 30)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(7, 0)

    def deadline_in(self, year: int) -> date:
        return _month_day(self.deadline, year)

    def report_date_in(self, year: int) -> date:
        return _month_day(self.report_date, year)

    def opens_in(self, year: int) -> date:
        return _month_day(self.season_open, year)


def check_order(schedule: Schedule, year: int) -> None:
    """ScheduleError unless citizens' deadline < report date: leaders need days in between
    to confirm, recognise and write the report."""
    if schedule.deadline_in(year) >= schedule.report_date_in(year):
        raise ScheduleError(
            N_("The citizens' deadline ({deadline}) must come before the report date ({report})."),
            deadline=schedule.deadline,
            report=schedule.report_date,
        )


def with_value(schedule: Schedule, key: str, raw: str, year: int | None = None) -> Schedule:
    """The schedule with one setting changed from its text form; ScheduleError if bad.
    `year` is the season the setting is for (None: every year): a date must exist in it."""
    parse: dict[str, Callable[[str, int | None], Any]] = {
        "season_open": _parse_month_day,
        "deadline": _parse_month_day,
        "report_date": _parse_month_day,
        "reminder_days": _parse_days,
        "reminder_time": _parse_time,
        "digest_weekday": _parse_weekday,
        "digest_time": _parse_time,
        "quiet_start": _parse_time,
        "quiet_end": _parse_time,
    }
    if key not in parse:
        raise unknown_setting(key)
    try:
        value = parse[key](raw.strip(), year)
    except ScheduleError:
        raise
    except ExplainedError as error:
        raise ScheduleError(error.message, **error.values) from error
    return replace(schedule, **{key: value})


def unknown_setting(key: str) -> ScheduleError:
    return ScheduleError(
        N_("There is no setting “{key}”. The settings are: {keys}."),
        key=key[:40],
        keys=", ".join(KEYS),
    )


def is_quiet(schedule: Schedule, local: datetime) -> bool:
    moment = local.time()
    start, end = schedule.quiet_start, schedule.quiet_end
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def end_of_quiet(schedule: Schedule, local: datetime) -> datetime:
    """The first moment at or after `local` when people may be written to."""
    if not is_quiet(schedule, local):
        return local
    wake = local.replace(
        hour=schedule.quiet_end.hour, minute=schedule.quiet_end.minute, second=0, microsecond=0
    )
    return wake if wake > local else wake + timedelta(days=1)


def reminder_due(schedule: Schedule, local: datetime, towards: str = "deadline") -> int | None:
    """The reminder (days before the citizens' deadline, or with towards="report_date" before
    the report date) whose moment has come and not long passed."""
    deadline = _month_day(getattr(schedule, towards), local.year)
    for days in sorted(schedule.reminder_days):
        moment = datetime.combine(
            deadline - timedelta(days=days), schedule.reminder_time, local.tzinfo
        )
        if moment <= local < moment + REMINDER_GRACE and local.date() >= schedule.opens_in(
            local.year
        ):
            return days
    return None


def next_reminder(schedule: Schedule, local: datetime) -> date | None:
    """The day of the next reminder round this season, if one is still to come."""
    deadline = schedule.deadline_in(local.year)
    days = [deadline - timedelta(days=d) for d in schedule.reminder_days]
    upcoming = [day for day in days if day > local.date()]
    return min(upcoming) if upcoming else None


def digest_due(schedule: Schedule, local: datetime) -> date | None:
    """The week (its Monday) whose digest is due now, if its moment passed within grace."""
    monday = local.date() - timedelta(days=local.weekday())
    day = monday + timedelta(days=schedule.digest_weekday)
    moment = datetime.combine(day, schedule.digest_time, local.tzinfo)
    if moment <= local < moment + DIGEST_GRACE:
        return monday
    return None


def _month_day(text: str, year: int) -> date:
    day, month = (int(part) for part in text.split("/"))
    return date(year, month, min(day, 28) if (month, day) == (2, 29) else day)


def _parse_month_day(text: str, year: int | None) -> str:
    """ "20/11", "20-11-2026", "ngày 20 tháng 11"… (day first) -> "20/11"."""
    day, month = parse_day_month(text, year)
    return f"{day:02d}/{month:02d}"


def _parse_days(text: str, year: int | None) -> tuple[int, ...]:
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    days = [_digits(p, 3) for p in parts]
    if not days or not all(day is not None and 0 < day <= 120 for day in days):
        raise ScheduleError(
            N_("Write the days before the deadline, each from 1 to 120, e.g. 14, 7, 2.")
        )
    return tuple(sorted({day for day in days if day is not None}, reverse=True))


def _parse_time(text: str, year: int | None) -> time:
    parts = [_digits(part, 2) for part in text.lower().replace("h", ":").split(":")]
    try:
        hour, minute = parts
        if hour is None or minute is None:
            raise ValueError(text)
        return time(hour, minute)
    except ValueError as error:
        raise ScheduleError(N_("Write a time of day, e.g. 07:30 or 7h30.")) from error


def _digits(text: str, max_digits: int) -> int | None:
    """A count or a day written in digits only (any script), no sign; None otherwise."""
    stripped = text.strip()
    return whole_number(stripped, max_digits) if stripped[:1].isdecimal() else None


def _parse_weekday(text: str, year: int | None) -> int:
    return parse_weekday(text)


def quiet_window(schedule: Schedule) -> str:
    """ "21:00-07:00", as stored on queued messages that must wait out the night."""
    return f"{as_text(schedule, 'quiet_start')}-{as_text(schedule, 'quiet_end')}"


def as_text(schedule: Schedule, key: str) -> str:
    value = getattr(schedule, key)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if key == "digest_weekday":
        return WEEKDAYS[value]
    return str(value)
