"""Schedules in words, in the visitor's language (German, English, Arabic)."""

from datetime import date

import pytest

from kinetz.finder.schedules import describe, format_time, parse_byday
from kinetz.offers.models import Schedule

LRI, PDI = "\u2066", "\u2069"


def schedule(**fields: object) -> Schedule:
    return Schedule(**fields)  # type: ignore[arg-type]


def test_every_tuesday_afternoon_in_english() -> None:
    text = describe(schedule(freq="WEEKLY", byday="TU", opens_at="15:00", closes_at="17:00"), "en")
    assert text is not None
    assert text.text == "every Tuesday 15:00–17:00"
    assert text.language == "en"


def test_weekday_names_follow_the_language() -> None:
    weekly = schedule(freq="WEEKLY", byday="TU", opens_at="15:00", closes_at="17:00")
    german = describe(weekly, "de")
    arabic = describe(weekly, "ar")
    assert german is not None
    assert arabic is not None
    assert "Dienstag" in german.text
    assert "15:00–17:00" in german.text
    assert "الثلاثاء" in arabic.text
    # The time range keeps its reading order inside right-to-left text.
    assert f"{LRI}15:00–17:00{PDI}" in arabic.text


def test_a_run_of_weekdays_is_a_range_in_24_hour_time() -> None:
    text = describe(
        schedule(freq="WEEKLY", byday="MO,TU,WE,TH,FR", opens_at="08:30:00", closes_at="11:45"),
        "en",
    )
    assert text is not None
    assert text.text == "Monday to Friday 8:30–11:45"
    german = describe(schedule(byday="MO,TU,WE,TH,FR", opens_at="08:30", closes_at="11:45"), "de")
    assert german is not None
    assert "Montag" in german.text
    assert "Freitag" in german.text


def test_separate_days_are_listed() -> None:
    text = describe(schedule(freq="WEEKLY", byday="MO,TH", opens_at="9:00"), "en")
    assert text is not None
    assert text.text == "every Monday and Thursday from 9:00"


def test_every_second_week() -> None:
    text = describe(
        schedule(freq="WEEKLY", interval=2, byday="WE", opens_at="18:00", closes_at="20:00"), "en"
    )
    assert text is not None
    assert text.text == "every 2 weeks on Wednesday 18:00–20:00"


def test_first_monday_of_the_month() -> None:
    text = describe(
        schedule(freq="MONTHLY", byday="1MO", opens_at="10:00", closes_at="12:00"), "en"
    )
    assert text is not None
    assert text.text == "on the first Monday of the month 10:00–12:00"
    last = describe(schedule(freq="MONTHLY", byday="-1FR"), "en")
    assert last is not None
    assert last.text == "on the last Friday of the month"
    arabic = describe(schedule(freq="MONTHLY", byday="1MO"), "ar")
    assert arabic is not None
    assert "الاثنين" in arabic.text


def test_day_of_the_month_and_daily() -> None:
    monthly = describe(schedule(freq="MONTHLY", bymonthday="15"), "en")
    assert monthly is not None
    assert monthly.text == "on day 15 of the month"
    daily = describe(schedule(freq="DAILY", opens_at="7:00", closes_at="9:00"), "en")
    assert daily is not None
    assert daily.text == "every day 7:00–9:00"


def test_validity_dates_in_the_language() -> None:
    weekly = schedule(
        freq="WEEKLY",
        byday="TU",
        opens_at="15:00",
        closes_at="17:00",
        valid_from=date(2025, 4, 7),
        valid_to=date(2026, 1, 30),
    )
    english = describe(weekly, "en")
    german = describe(weekly, "de")
    assert english is not None
    assert german is not None
    assert english.text == "every Tuesday 15:00–17:00 (from April 7, 2025 to Jan. 30, 2026)"
    assert "7. April 2025" in german.text
    assert "30. Januar 2026" in german.text
    only_until = describe(schedule(byday="TU", valid_to=date(2026, 1, 30)), "en")
    assert only_until is not None
    assert only_until.text.endswith("(until Jan. 30, 2026)")


def test_description_is_the_fallback_and_marked_german() -> None:
    text = describe(schedule(description="Nach Vereinbarung"), "ar")
    assert text is not None
    assert text.text == "Nach Vereinbarung"
    assert text.language == "de"


def test_an_empty_schedule_says_nothing() -> None:
    assert describe(schedule(), "en") is None


@pytest.mark.parametrize(
    ("given", "shown"), [("08:30", "8:30"), ("8:30:00", "8:30"), ("1730", "17:30"), ("x", "x")]
)
def test_times_are_24_hour_without_seconds(given: str, shown: str) -> None:
    assert format_time(given) == shown


def test_unknown_byday_parts_are_ignored() -> None:
    assert [day.weekday for day in parse_byday("MO, XX,2SU")] == [0, 6]
