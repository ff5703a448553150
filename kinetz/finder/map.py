"""What the results map of the public finder draws: municipal boundaries and result markers.

The boundaries are public geodata (names and outlines only), served by the finder itself because
territory's endpoint is for staff. The markers come from the result cards that the page has
already built (no second search, no extra query): one marker per place, listing the results
held there. Online offers have no place and so no marker; the result list stays the accessible
equivalent of the map.
"""

import json
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max
from django.urls import reverse

from kinetz.offers.models import Service
from kinetz.territory.models import Municipality

BOUNDARIES_CACHE_SECONDS = 60 * 60
# Five decimals of a degree are about a metre: plenty for a marker, and a stable grouping key.
_PRECISION = 5


@dataclass(frozen=True)
class MapPoint:
    latitude: float
    longitude: float
    place: str  # the location's name, or "" (German, as entered)


def points(service: Service) -> list[MapPoint]:
    """The places of an offer that have coordinates; reads the prefetched `at_locations`."""
    found: list[MapPoint] = []
    for link in service.at_locations.all():
        location = link.location
        if location.latitude is None or location.longitude is None:
            continue
        point = MapPoint(
            round(location.latitude, _PRECISION),
            round(location.longitude, _PRECISION),
            location.name,
        )
        if point not in found:
            found.append(point)
    return found


def markers(cards: list[Any], start: int = 1) -> list[dict[str, Any]]:
    """One marker per place of the shown results, each listing the offers held there.

    `cards` are kinetz.finder.results.Card objects (anything with id, name and points), shown
    as a list numbered from `start`; a marker carries the numbers of its offers in that list.
    """
    by_place: dict[tuple[float, float], dict[str, Any]] = {}
    for number, card in enumerate(cards, start=start):
        for point in card.points:
            marker = by_place.setdefault(
                (point.latitude, point.longitude),
                {"lat": point.latitude, "lon": point.longitude, "place": point.place, "offers": []},
            )
            if any(offer["number"] == number for offer in marker["offers"]):
                continue
            marker["offers"].append(
                {
                    "number": number,
                    "name": card.name.text,
                    "lang": card.name.language,
                    "url": reverse("finder:offer", args=[card.id]),
                }
            )
    return list(by_place.values())


def _boundaries_version() -> str:
    state = Municipality.objects.across_regions().aggregate(
        count=Count("pk"), changed=Max("modified")
    )
    changed = state["changed"].isoformat() if state["changed"] else "-"
    return f"{state['count']}:{changed}"


def boundaries_json() -> bytes:
    """The municipal boundaries as a GeoJSON FeatureCollection (name and slug only), cached.

    The public finder covers every region of the installation, as its municipality filter does.
    """
    key = f"finder:boundaries:{_boundaries_version()}"
    cached: bytes | None = cache.get(key)
    if cached is not None:
        return cached
    features = [
        {
            "type": "Feature",
            "properties": {"name": name, "slug": slug},
            "geometry": boundary,
        }
        for name, slug, boundary in Municipality.objects.across_regions()
        .exclude(boundary=None)
        .order_by("name")
        .values_list("name", "slug", "boundary")
    ]
    data = json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    cache.set(key, data, BOUNDARIES_CACHE_SECONDS)
    return data
