"""Overlapping offers: functional duplicates for the working groups to talk about.

Two published offers overlap when they come from different providers, share a field of action
AND a target group, take place in the same municipality, and their schedules meet: the same
weekday, opening hours that overlap (15-17 and 16-18 do; 15-17 and 17-19 do not) and validity
periods that overlap. Rules for the kinds of schedule:

- weekly: on each of its weekdays;
- fortnightly (interval 2 or more) and monthly with ordinals ("1TU" = first Tuesday): on that
  weekday, but whether the very dates meet depends on the weeks, so such a clash is marked
  *possible*. Two monthly schedules with different ordinals never meet (the first and the third
  Tuesday are different days) - except "last" with "fourth"/"fifth", which may;
- one-off events (valid_from = valid_to, no freq): on that date's weekday, within the other
  schedule's validity;
- by appointment (only a description), schedules without both opening times, and monthly
  schedules by day of the month (their weekday is not known) never overlap;
- schedules that ended before today are left out: the list is for coordinating what runs.

"Alle" is a target group of its own here: an offer for everyone and an offer for women are
different offers. A schedule tied to one place of an offer (`service_at_location`) counts in
that place's municipality only; a schedule of the whole offer in each of its municipalities.

Offers are grouped by municipality x field of action first and compared within the group, one
weekday at a time, by a sweep over the opening times: only pairs whose hours overlap are ever
compared, so the work grows with the overlaps found, not with the square of the catalogue.
"""

import dataclasses
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from kinetz.coordination.coverage import Place, Term, published_services
from kinetz.finder.schedules import parse_byday
from kinetz.offers.models import (
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    Vocabulary,
)
from kinetz.offers.taxonomy import fields_of_action, target_groups
from kinetz.territory.models import Municipality, Region

_TIME = re.compile(r"^(\d{1,2}):?(\d{2})")


@dataclass(frozen=True)
class Slot:
    """One weekday of one schedule of one offer."""

    service_id: Any
    weekday: int  # 0 = Monday
    opens: int  # minutes after midnight
    closes: int
    start: date | None
    end: date | None
    ordinal: int | None  # monthly: 1 = first … -1 = last weekday of the month
    interval: int  # 1 = every week/month
    one_off: bool


@dataclass(frozen=True)
class Clash:
    weekday: int
    opens: int  # the overlapping window
    closes: int
    certain: bool  # False: fortnightly/monthly, the dates may or may not meet

    @property
    def time(self) -> str:
        return f"{_hhmm(self.opens)}–{_hhmm(self.closes)}"


@dataclass(frozen=True)
class Offer:
    pk: Any
    name: str
    provider: str
    provider_pk: Any


@dataclass
class Overlap:
    municipality: Place
    field: Term
    first: Offer
    second: Offer
    groups: list[Term] = dataclasses.field(default_factory=list)
    clashes: list[Clash] = dataclasses.field(default_factory=list)

    @property
    def certain(self) -> bool:
        return any(c.certain for c in self.clashes)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_time(value: str) -> int | None:
    """ "15:00", "15:00:00", "1500" → minutes after midnight; None when unreadable."""
    match = _TIME.match((value or "").strip())
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 24 or minutes > 59:
        return None
    return hours * 60 + minutes


def slots_of(schedule: Schedule | Any, service_id: Any, today: date) -> list[Slot]:
    """The weekday slots of a schedule (see the module rules); [] when it cannot overlap."""
    opens, closes = parse_time(schedule.opens_at), parse_time(schedule.closes_at)
    if opens is None or closes is None or closes <= opens:
        return []
    start = schedule.valid_from or schedule.dtstart
    end = schedule.valid_to or schedule.until
    if end is not None and end < today:
        return []
    freq = (schedule.freq or "").strip().upper()
    interval = schedule.interval or 1
    days = parse_byday(schedule.byday or "")

    def slot(weekday: int, ordinal: int | None = None, one_off: bool = False) -> Slot:
        return Slot(service_id, weekday, opens, closes, start, end, ordinal, interval, one_off)

    if not freq and not days:
        if start is not None and start == end:
            return [slot(start.weekday(), one_off=True)]
        return []
    if freq == "DAILY" and not days:
        return [slot(weekday) for weekday in range(7)]
    if freq == "MONTHLY":
        # A monthly rule without an ordinal still names its weekday: "possibly" that day.
        return [slot(d.weekday, d.ordinal or 0) for d in days]
    return [slot(d.weekday, d.ordinal) for d in days]


def _every_week(slot: Slot) -> bool:
    return slot.ordinal is None and slot.interval == 1 and not slot.one_off


def clash(a: Slot, b: Slot) -> Clash | None:
    """How two slots of the same weekday with overlapping hours meet, if they do.

    Certain when one of them is every week (every first Tuesday is a Tuesday), when both are
    the same day of the month or the same date; possible when the weeks decide.
    """
    start = max((d for d in (a.start, b.start) if d is not None), default=None)
    end = min((d for d in (a.end, b.end) if d is not None), default=None)
    if start is not None and end is not None and start > end:
        return None
    if _every_week(a) or _every_week(b) or (a.one_off and b.one_off):
        certain = True
    elif a.ordinal and b.ordinal:  # both monthly with an ordinal
        if a.ordinal != b.ordinal:
            if (a.ordinal < 0) == (b.ordinal < 0) or max(a.ordinal, b.ordinal) < 4:
                return None  # e.g. the first and the third Tuesday never meet
            certain = False  # "last" may be the fourth or fifth
        else:
            certain = a.interval == 1 and b.interval == 1
    else:
        certain = False
    return Clash(a.weekday, max(a.opens, b.opens), min(a.closes, b.closes), certain)


_Codes = dict[Any, set[str]]  # service id → term codes


def _load(
    region: Region, ags: str, field_code: str
) -> tuple[QuerySet[Service], dict[Any, Offer], _Codes, _Codes, dict[Any, set[Any]]]:
    services = published_services(region)
    if ags:
        at = ServiceAtLocation.objects.filter(location__municipality__ags=ags)
        services = services.filter(pk__in=at.values("service_id"))
    offers = {
        row[0]: Offer(row[0], row[1], row[2], row[3])
        for row in services.values_list("pk", "name", "organization__name", "organization_id")
    }
    fields: dict[Any, set[str]] = defaultdict(set)
    groups: dict[Any, set[str]] = defaultdict(set)
    tagged = ServiceAttribute.objects.filter(
        service__in=services.values("pk"),
        taxonomy_term__taxonomy__vocabulary__in=Vocabulary.values,
    ).exclude(taxonomy_term__code="")
    attributes = tagged.values_list(
        "service_id", "taxonomy_term__taxonomy__vocabulary", "taxonomy_term__code"
    )
    for service_id, vocabulary, code in attributes.iterator(chunk_size=5000):
        if code and (
            vocabulary != Vocabulary.HANDLUNGSFELD or not field_code or code == field_code
        ):
            (fields if vocabulary == Vocabulary.HANDLUNGSFELD else groups)[service_id].add(code)
    places: dict[Any, set[Any]] = defaultdict(set)  # service or service-at-location → places
    links = ServiceAtLocation.objects.filter(
        service__in=services.values("pk"), location__municipality__isnull=False
    ).values_list("pk", "service_id", "location__municipality_id")
    for link_id, service_id, municipality_id in links.iterator(chunk_size=5000):
        places[service_id].add(municipality_id)
        places[link_id].add(municipality_id)
    return services, offers, fields, groups, places


def find(region: Region, today: date, ags: str = "", field_code: str = "") -> list[Overlap]:
    """Overlapping pairs of offers in `region`, optionally in one municipality or field."""
    return find_first(region, today, ags, field_code)[0]


def find_first(
    region: Region, today: date, ags: str = "", field_code: str = "", limit: int | None = None
) -> tuple[list[Overlap], bool]:
    """Like `find`, but stops after the municipality (in name order) where `limit` pairs are
    reached; the flag says whether the list is complete. A page needs no more than that."""
    services, offers, fields, groups, places = _load(region, ags, field_code)
    municipalities = {
        m.pk: Place(m.pk, m.ags, m.name) for m in Municipality.objects.in_region(region)
    }
    wanted = {pk for pk, place in municipalities.items() if not ags or place.ags == ags}
    # municipality → field → weekday → slots
    buckets: dict[Any, dict[str, dict[int, list[Slot]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    schedules = Schedule.objects.filter(
        Q(service__in=services.values("pk"))
        | Q(service_at_location__service__in=services.values("pk"))
    ).values_list(
        "service_id",
        "service_at_location_id",
        "service_at_location__service_id",
        "freq",
        "interval",
        "byday",
        "opens_at",
        "closes_at",
        "valid_from",
        "valid_to",
        "dtstart",
        "until",
    )
    for row in schedules.iterator(chunk_size=5000):
        service_id = row[0] or row[2]
        if not fields.get(service_id) or not groups.get(service_id):
            continue
        reading = _Row(*row[3:])
        where = places.get(row[1] if row[1] else service_id, set()) & wanted
        for slot in slots_of(reading, service_id, today):
            for municipality_id in where:
                for code in fields[service_id]:
                    buckets[municipality_id][code][slot.weekday].append(slot)

    found: dict[tuple[Any, str, Any, Any], Overlap] = {}
    complete = True
    for municipality_id in sorted(buckets, key=lambda pk: municipalities[pk].name):
        if limit is not None and len(found) >= limit:
            complete = False
            break
        for code, by_day in buckets[municipality_id].items():
            for slots in by_day.values():
                _sweep(slots, municipality_id, code, offers, groups, found)
    return _finished(found, municipalities), complete


def _finished(
    found: dict[tuple[Any, str, Any, Any], Overlap], municipalities: dict[Any, Place]
) -> list[Overlap]:
    """Names for the codes, clashes without repeats, in the order of the page."""
    field_terms = {t.code: Term(t.code, t.name) for t in fields_of_action()}
    group_terms = {t.code: Term(t.code, t.name) for t in target_groups()}
    result = []
    for (municipality_id, code, _a, _b), overlap in found.items():
        overlap.municipality = municipalities[municipality_id]
        overlap.field = field_terms.get(code, Term(code, code))
        overlap.groups = sorted(
            (group_terms.get(g.code, g) for g in overlap.groups), key=lambda t: t.name
        )
        overlap.clashes = sorted(set(overlap.clashes), key=lambda c: (c.weekday, c.opens))
        result.append(overlap)
    result.sort(
        key=lambda o: (o.municipality.name, o.field.name, o.first.name.lower(), o.second.name)
    )
    return result


@dataclass(frozen=True)
class _Row:
    freq: str
    interval: int | None
    byday: str
    opens_at: str
    closes_at: str
    valid_from: date | None
    valid_to: date | None
    dtstart: date | None
    until: date | None


def _sweep(
    slots: list[Slot],
    municipality_id: Any,
    code: str,
    offers: dict[Any, Offer],
    groups: dict[Any, set[str]],
    found: dict[tuple[Any, str, Any, Any], Overlap],
) -> None:
    """Compare each slot with the earlier ones still open when it opens."""
    active: list[Slot] = []
    for slot in sorted(slots, key=lambda s: (s.opens, s.closes)):
        active = [other for other in active if other.closes > slot.opens]
        for other in active:
            a, b = offers[other.service_id], offers[slot.service_id]
            if a.provider_pk == b.provider_pk:
                continue
            shared = groups[a.pk] & groups[b.pk]
            if not shared:
                continue
            meeting = clash(other, slot)
            if meeting is None:
                continue
            first, second = sorted((a, b), key=lambda o: (o.name.lower(), str(o.pk)))
            key = (municipality_id, code, first.pk, second.pk)
            overlap = found.get(key)
            if overlap is None:
                overlap = found[key] = Overlap(
                    Place(municipality_id, "", ""), Term(code, code), first, second
                )
            known = {g.code for g in overlap.groups}
            overlap.groups.extend(Term(g, g) for g in sorted(shared - known))
            overlap.clashes.append(meeting)
        active.append(slot)
