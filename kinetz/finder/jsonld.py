"""schema.org JSON-LD of a public offer page: a `Service` with provider, places and hours.

The data block is `<script type="application/ld+json">`: browsers do not execute it, so the
strict Content-Security-Policy (no inline script) does not apply to it. Its text is escaped
like Django's `json_script`, so no value can close the element early.
"""

import json
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from kinetz.finder.offer_page import OfferPage
from kinetz.finder.schedules import format_time, parse_byday
from kinetz.offers.models import Schedule

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _time(value: str) -> str | None:
    text = format_time(value)
    if not text or ":" not in text:
        return None
    hours, minutes = text.split(":")
    return f"{int(hours):02d}:{minutes}"


def opening_hours(schedule: Schedule) -> dict[str, Any] | None:
    """One OpeningHoursSpecification for a weekly schedule with days; None otherwise."""
    days = [day for day in parse_byday(schedule.byday) if day.ordinal is None]
    if not days or (schedule.freq and schedule.freq.upper() != "WEEKLY"):
        return None
    spec: dict[str, Any] = {
        "@type": "OpeningHoursSpecification",
        "dayOfWeek": [f"https://schema.org/{_DAY_NAMES[day.weekday]}" for day in days],
    }
    if opens := _time(schedule.opens_at):
        spec["opens"] = opens
    if closes := _time(schedule.closes_at):
        spec["closes"] = closes
    if schedule.valid_from:
        spec["validFrom"] = schedule.valid_from.isoformat()
    if schedule.valid_to:
        spec["validThrough"] = schedule.valid_to.isoformat()
    return spec


def _all_schedules(page: OfferPage) -> list[Schedule]:
    schedules = list(page.service.schedules.all())
    for link in page.service.at_locations.all():
        schedules.extend(link.schedules.all())
    return schedules


def service_data(page: OfferPage, url: str) -> dict[str, Any]:
    """The offer as a schema.org `Service`, texts in the language the page shows them."""
    service, organization = page.service, page.organization
    provider: dict[str, Any] = {"@type": "Organization", "name": organization.name}
    if organization.website:
        provider["url"] = organization.website
    if organization.email:
        provider["email"] = organization.email
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Service",
        "@id": url,
        "url": url,
        "name": page.texts["name"].text,
        "provider": provider,
    }
    if page.texts["description"].text:
        data["description"] = page.texts["description"].text
    if page.languages:
        data["availableLanguage"] = page.languages
    areas = page.areas or [service.region.name]
    data["areaServed"] = [{"@type": "AdministrativeArea", "name": name} for name in areas]
    channels = []
    for place in page.locations:
        location: dict[str, Any] = {"@type": "Place"}
        if place.name:
            location["name"] = place.name
        address = next(iter(place.location.addresses.all()), None)
        if address is not None:
            location["address"] = {
                "@type": "PostalAddress",
                "streetAddress": address.address_1,
                "postalCode": address.postal_code,
                "addressLocality": address.city,
                "addressCountry": address.country or "DE",
            }
        if place.has_coordinates:
            location["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": place.latitude,
                "longitude": place.longitude,
            }
        channels.append({"@type": "ServiceChannel", "serviceLocation": location})
    if page.website or page.phones:
        channel: dict[str, Any] = {"@type": "ServiceChannel"}
        if page.website:
            channel["serviceUrl"] = page.website
        if page.phones:
            channel["servicePhone"] = {"@type": "ContactPoint", "telephone": page.phones[0].number}
        channels.append(channel)
    if channels:
        data["availableChannel"] = channels
    hours = [spec for spec in map(opening_hours, _all_schedules(page)) if spec]
    if hours:
        data["hoursAvailable"] = hours
    return data


def script_tag(data: dict[str, Any]) -> SafeString:
    """`data` as a JSON-LD script element that no value can break out of."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308
