"""An HSDS schedule in words, in the visitor's language: "every Tuesday 15:00-17:00".

The recurrence fields (RFC 5545 `freq`, `interval`, `byday`, `bymonthday`) and the opening
times become one sentence built from translatable phrases (msgids in English); weekday and
month names come from Django's own translations. Times are shown in 24-hour form everywhere.
A schedule whose fields say nothing we can put into words falls back to its free-text
`description`, which is German (the language content is entered in).
"""

import re
from dataclasses import dataclass
from datetime import date

from django.utils import formats, translation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from kinetz.core.languages import DEFAULT_LANGUAGE, RTL_LANGUAGES
from kinetz.offers.models import Schedule

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")

# Left-to-right isolate: keeps a time range in reading order inside right-to-left text.
_LRI, _PDI = "\u2066", "\u2069"


@dataclass(frozen=True)
class ScheduleText:
    """A schedule as a sentence; `language` is "de" when it is the German description."""

    text: str
    language: str


@dataclass(frozen=True)
class Day:
    weekday: int  # 0 = Monday
    ordinal: int | None = None  # 1 = first … -1 = last (in a month); None = every


def parse_byday(value: str) -> list[Day]:
    """RFC 5545 BYDAY ("MO,WE", "1MO", "-1FR") as days; unknown parts are left out."""
    days = []
    for part in value.upper().replace(" ", "").split(","):
        match = _BYDAY.match(part)
        if match:
            ordinal = int(match.group(1)) if match.group(1) else None
            days.append(Day(WEEKDAY_CODES.index(match.group(2)), ordinal))
    return days


def parse_monthdays(value: str) -> list[int]:
    return [int(part) for part in re.findall(r"-?\d+", value or "") if 1 <= abs(int(part)) <= 31]


def format_time(value: str) -> str:
    """ "08:30:00", "8:30", "0830" → "8:30"; an unreadable time is shown as given."""
    match = re.match(r"^(\d{1,2}):?(\d{2})", (value or "").strip())
    if not match or int(match.group(1)) > 24 or int(match.group(2)) > 59:
        return (value or "").strip()
    return f"{int(match.group(1))}:{match.group(2)}"


def _weekday(number: int) -> str:
    return str(WEEKDAYS[number])


def _join(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c" in the active language."""
    if len(items) <= 1:
        return "".join(items)
    separator = pgettext("list separator", ", ")
    return _("%(items)s and %(last)s") % {"items": separator.join(items[:-1]), "last": items[-1]}


def _is_run(numbers: list[int]) -> bool:
    return len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[-1] + 1))


def _ordinal_weekday(day: Day) -> str:
    phrases = {
        1: _("on the first %(day)s of the month"),
        2: _("on the second %(day)s of the month"),
        3: _("on the third %(day)s of the month"),
        4: _("on the fourth %(day)s of the month"),
        5: _("on the fifth %(day)s of the month"),
        -1: _("on the last %(day)s of the month"),
    }
    phrase = phrases.get(day.ordinal or 0)
    if phrase is None:
        return _("on a %(day)s of the month") % {"day": _weekday(day.weekday)}
    return phrase % {"day": _weekday(day.weekday)}


def _weekly(days: list[Day], interval: int) -> str:
    numbers = sorted({day.weekday for day in days})
    if _is_run(numbers):
        names = _("%(first)s to %(last)s") % {
            "first": _weekday(numbers[0]),
            "last": _weekday(numbers[-1]),
        }
        if interval > 1:
            return ngettext(
                "every %(count)d week, %(days)s", "every %(count)d weeks, %(days)s", interval
            ) % {"count": interval, "days": names}
        return names
    names = _join([_weekday(number) for number in numbers])
    if interval > 1:
        return ngettext(
            "every %(count)d week on %(days)s", "every %(count)d weeks on %(days)s", interval
        ) % {"count": interval, "days": names}
    return _("every %(days)s") % {"days": names}


def _monthly(days: list[Day], monthdays: list[int], interval: int) -> str:
    parts = []
    ordinal_days = [day for day in days if day.ordinal is not None]
    if ordinal_days:
        parts.append(_join([_ordinal_weekday(day) for day in ordinal_days]))
    elif days:
        parts.append(
            _("every %(days)s of the month")
            % {"days": _join([_weekday(day.weekday) for day in days])}
        )
    if monthdays:
        parts.append(
            ngettext(
                "on day %(days)s of the month", "on days %(days)s of the month", len(monthdays)
            )
            % {"days": _join([str(number) for number in monthdays])}
        )
    if not parts:
        parts.append(_("once a month"))
    rule = _join(parts)
    if interval > 1:
        rule = ngettext(
            "%(rule)s, every %(count)d month", "%(rule)s, every %(count)d months", interval
        ) % {"rule": rule, "count": interval}
    return rule


def _daily(interval: int) -> str:
    if interval > 1:
        return ngettext("every %(count)d day", "every %(count)d days", interval) % {
            "count": interval
        }
    return _("every day")


def _recurrence(schedule: Schedule) -> str:
    freq = (schedule.freq or "").strip().upper()
    interval = schedule.interval or 1
    days = parse_byday(schedule.byday)
    monthdays = parse_monthdays(schedule.bymonthday)
    if freq == "DAILY":
        return _daily(interval)
    if freq == "MONTHLY" or any(day.ordinal is not None for day in days) or monthdays:
        return _monthly(days, monthdays, interval)
    if days:
        return _weekly(days, interval)
    if freq == "WEEKLY":
        if interval > 1:
            return ngettext("every %(count)d week", "every %(count)d weeks", interval) % {
                "count": interval
            }
        return _("every week")
    return ""


def _times(schedule: Schedule, rtl: bool) -> str:
    opens, closes = format_time(schedule.opens_at), format_time(schedule.closes_at)
    if opens and closes:
        text = f"{opens}–{closes}"
    elif opens:
        text = _("from %(time)s") % {"time": opens}
    elif closes:
        text = _("until %(time)s") % {"time": closes}
    else:
        return ""
    return f"{_LRI}{text}{_PDI}" if rtl else text


def _date(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _validity(schedule: Schedule) -> str:
    start, end = schedule.valid_from, schedule.valid_to
    if start and end:
        return _("from %(start)s to %(end)s") % {"start": _date(start), "end": _date(end)}
    if start:
        return _("from %(start)s") % {"start": _date(start)}
    if end:
        return _("until %(end)s") % {"end": _date(end)}
    return ""


def describe(schedule: Schedule, language: str) -> ScheduleText | None:
    """The schedule in words in `language`, the German description, or None if empty."""
    with translation.override(language):
        recurrence = _recurrence(schedule)
        times = _times(schedule, rtl=language in RTL_LANGUAGES)
        if not recurrence and not times:
            description = (schedule.description or "").strip()
            if description:
                return ScheduleText(description, DEFAULT_LANGUAGE)
            return None
        if recurrence and times:
            text = _("%(days)s %(times)s") % {"days": recurrence, "times": times}
        else:
            text = recurrence or times
        validity = _validity(schedule)
        if validity:
            text = _("%(schedule)s (%(validity)s)") % {"schedule": text, "validity": validity}
        return ScheduleText(text, language)


def describe_all(schedules: list[Schedule], language: str) -> list[ScheduleText]:
    texts = (describe(schedule, language) for schedule in schedules)
    return [text for text in texts if text is not None]
