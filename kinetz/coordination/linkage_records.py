"""Reading offers and organisations out of the database into Splink's input tables.

Each record becomes one row of normalised values (kinetz.coordination.normalise); the result is
a column-oriented dict (column name → list of values), which every Splink backend registers.
The queries are a handful of flat `values_list` reads, one per related table, so that 100,000
offers are read in seconds and without building model instances.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from kinetz.coordination import normalise
from kinetz.network.models import Organization, Phone
from kinetz.offers.models import (
    Address,
    OrganizationLocation,
    ReviewState,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    ServiceLanguage,
    Vocabulary,
)
from kinetz.territory.models import Region

Columns = dict[str, list[Any]]

# Records in these states take part: what is public and what is about to be.
LINKED_STATES = (ReviewState.PUBLISHED, ReviewState.SUBMITTED)

SERVICE_COLUMNS = (
    "unique_id",
    "name",
    "name_key",
    "organization_id",
    "organization_name",
    "description",
    "street",
    "postcode",
    "municipality",
    "latitude",
    "longitude",
    "phone",
    "email",
    "web",
    "fields",
    "languages",
    "schedule",
)

ORGANIZATION_COLUMNS = (
    "unique_id",
    "name",
    "name_key",
    "alternate_name",
    "email",
    "web",
    "phone",
    "street",
    "postcode",
    "municipality",
    "latitude",
    "longitude",
)


def _or_none(value: Any) -> Any:
    """Splink's null levels test for NULL; an empty string or list must be NULL too."""
    return value if value not in ("", [], None) else None


def _first(pairs: Iterable[tuple[Any, Any]]) -> dict[Any, Any]:
    """{key: first value} of ordered (key, value) pairs."""
    found: dict[Any, Any] = {}
    for key, value in pairs:
        found.setdefault(key, value)
    return found


def _place(location_rows: Iterable[tuple[Any, ...]]) -> dict[Any, tuple[Any, ...]]:
    """{owner: (location_id, latitude, longitude, municipality AGS)} of its first location
    with coordinates or a municipality; rows are (owner, location, lat, lon, ags), in order."""
    places: dict[Any, tuple[Any, ...]] = {}
    for owner, location_id, lat, lon, ags in location_rows:
        if owner not in places and (lat is not None or ags):
            places[owner] = (location_id, lat, lon, ags)
    return places


def _first_phones(owner: str, owners: "QuerySet[Any]") -> dict[Any, str]:
    """{owner id: its first phone number}; `owner` is "service" or "organization"."""
    return _first(
        Phone.objects.filter(**{f"{owner}__in": owners})
        .order_by(f"{owner}_id", "position")
        .values_list(f"{owner}_id", "number")
        .iterator(chunk_size=5000)
    )


def _places(links: "QuerySet[Any]", owner: str) -> dict[Any, tuple[Any, ...]]:
    """{owner id: (location, latitude, longitude, municipality AGS)} of its first place;
    `links` are ServiceAtLocation or OrganizationLocation rows."""
    return _place(
        links.order_by(f"{owner}_id", "position")
        .values_list(
            f"{owner}_id",
            "location_id",
            "location__latitude",
            "location__longitude",
            "location__municipality__ags",
        )
        .iterator(chunk_size=5000)
    )


def _addresses(locations: "QuerySet[Any]", wanted: set[Any]) -> dict[Any, tuple[str, str]]:
    """{location: (normalised street, postcode)} of the first address of each `wanted`
    location; `locations` is a subquery of location ids (a list of 100,000 ids would exceed
    SQLite's limit on query parameters)."""
    rows = (
        Address.objects.filter(location_id__in=locations)
        .order_by("location_id", "position")
        .values_list("location_id", "address_1", "postal_code")
    )
    return _first(
        (location_id, (normalise.street(street), normalise.postcode(code)))
        for location_id, street, code in rows.iterator(chunk_size=5000)
        if location_id in wanted
    )


def _empty(columns: tuple[str, ...]) -> Columns:
    return {column: [] for column in columns}


def linked_services(region: Region | None) -> "QuerySet[Service]":
    services = Service.objects.filter(review_state__in=LINKED_STATES)
    return services.in_region(region) if region is not None else services.across_regions()


def linked_organizations(region: Region | None) -> "QuerySet[Organization]":
    organizations = Organization.objects.all()
    return organizations.in_region(region) if region is not None else organizations.across_regions()


def service_records(region: Region | None = None) -> Columns:
    """The offers that take part in linkage, as Splink input columns."""
    services = linked_services(region)
    rows = list(
        services.order_by("id").values_list(
            "id", "name", "description", "url", "email", "organization_id", "organization__name"
        )
    )
    table = _empty(SERVICE_COLUMNS)
    if not rows:
        return table
    phones = _first_phones("service", services)
    at_locations = ServiceAtLocation.objects.filter(service__in=services)
    places = _places(at_locations, "service")
    addresses = _addresses(
        at_locations.values("location_id"), {place[0] for place in places.values()}
    )
    schedules: dict[Any, list[tuple[str, str]]] = defaultdict(list)
    for service_id, byday, opens_at in (
        Schedule.objects.filter(service__in=services)
        .values_list("service_id", "byday", "opens_at")
        .iterator(chunk_size=5000)
    ):
        schedules[service_id].append((byday, opens_at))
    fields: dict[Any, set[str]] = defaultdict(set)
    for service_id, code in (
        ServiceAttribute.objects.filter(
            service__in=services, taxonomy_term__taxonomy__vocabulary=Vocabulary.HANDLUNGSFELD
        )
        .values_list("service_id", "taxonomy_term__code")
        .iterator(chunk_size=5000)
    ):
        fields[service_id].add(code)
    languages: dict[Any, set[str]] = defaultdict(set)
    for service_id, code in (
        ServiceLanguage.objects.filter(service__in=services)
        .values_list("service_id", "code")
        .iterator(chunk_size=5000)
    ):
        if code:
            languages[service_id].add(code.lower())
    for pk, name, description, url, email, org_id, org_name in rows:
        location_id, lat, lon, ags = places.get(pk, (None, None, None, None))
        street, postcode = addresses.get(location_id, ("", ""))
        normalised_name = normalise.name(name)
        values = (
            str(pk),
            normalised_name,
            normalise.name_key(normalised_name),
            str(org_id),
            normalise.name(org_name),
            normalise.description_tokens(description),
            street,
            postcode,
            ags,
            lat,
            lon,
            normalise.phone(phones.get(pk, "")),
            normalise.email(email),
            normalise.web_host(url),
            sorted(fields.get(pk, ())),
            sorted(languages.get(pk, ())),
            normalise.schedule_signature(schedules.get(pk, ())),
        )
        for column, value in zip(SERVICE_COLUMNS, values, strict=True):
            table[column].append(_or_none(value))
    return table


def organization_records(region: Region | None = None) -> Columns:
    """The organisations that take part in linkage, as Splink input columns."""
    organizations = linked_organizations(region)
    rows = list(
        organizations.order_by("id").values_list("id", "name", "alternate_name", "email", "website")
    )
    table = _empty(ORGANIZATION_COLUMNS)
    if not rows:
        return table
    phones = _first_phones("organization", organizations)
    listed = OrganizationLocation.objects.filter(organization__in=organizations)
    places = _places(listed, "organization")
    addresses = _addresses(listed.values("location_id"), {place[0] for place in places.values()})
    for pk, name, alternate_name, email, website in rows:
        location_id, lat, lon, ags = places.get(pk, (None, None, None, None))
        street, postcode = addresses.get(location_id, ("", ""))
        normalised_name = normalise.name(name)
        values = (
            str(pk),
            normalised_name,
            normalise.name_key(normalised_name),
            normalise.name(alternate_name),
            normalise.email(email),
            normalise.web_host(website),
            normalise.phone(phones.get(pk, "")),
            street,
            postcode,
            ags,
            lat,
            lon,
        )
        for column, value in zip(ORGANIZATION_COLUMNS, values, strict=True):
            table[column].append(_or_none(value))
    return table
