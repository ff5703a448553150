"""Catalogue records as HSDS 3.0 JSON, for export and the API.

Modelled columns are written over the record's `extra` (the HSDS fields kinetz keeps but does
not model), so an export gives back what an import received. Empty scalars are left out, as
HSDS producers usually do; empty arrays are written where the source had them.
"""

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet

from kinetz.interop.schema import field_rank
from kinetz.network.models import Contact, Organization, Phone
from kinetz.offers.models import (
    Address,
    CostOption,
    Location,
    OrganizationLocation,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    ServiceLanguage,
    Taxonomy,
    TaxonomyTerm,
)

# The organization fields HSDS embeds in a service.
EMBEDDED_ORGANIZATION_FIELDS = (
    "id",
    "name",
    "alternate_name",
    "description",
    "email",
    "website",
    "legal_status",
    "parent_organization_id",
)


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "hex") and not isinstance(value, (str, float)):  # UUID
        return str(value)
    return value


# Related records loaded for many parents at once are kept as plain lists under this suffix.
LOADED = "_loaded"
# Stays under SQLite's limit of bound parameters per query.
CHUNK = 1000


def _many(obj: Model, relation: str) -> Any:
    """The related records of `obj`: the list loaded by `load_*` if there is one, else a query."""
    found = getattr(obj, relation + LOADED, None)
    return found if found is not None else getattr(obj, relation).all()


def _attach(
    parents: list[Any], relation: str, children: QuerySet[Any], parent_field: str
) -> list[Any]:
    """Load the `relation` of all `parents` in one query per chunk and attach it as lists.

    Unlike prefetch_related, the children get no reference back to their parent: those
    reference cycles lived until Python's slowest garbage collection and made one API request
    in ten several times slower than the rest. HSDS has no created/modified stamps, so they are
    not read.
    """
    groups: dict[Any, list[Any]] = defaultdict(list)
    found: list[Any] = []
    ids = list({parent.pk for parent in parents})
    stamps = {field.name for field in children.model._meta.fields} & {"created", "modified"}
    unstamped = children.defer(*stamps)
    for start in range(0, len(ids), CHUNK):
        for child in unstamped.filter(**{f"{parent_field}__in": ids[start : start + CHUNK]}):
            groups[getattr(child, f"{parent_field}_id")].append(child)
            found.append(child)
    for parent in parents:
        setattr(parent, relation + LOADED, groups.get(parent.pk, []))
    return found


def _record(entity: str, obj: Model, fields: dict[str, Any]) -> dict[str, Any]:
    """Merge `fields` over the record's extra, drop empty scalars, order as the schema."""
    extra = getattr(obj, "extra", {})
    merged: dict[str, Any] = {"id": str(obj.pk), **extra}
    for key, value in fields.items():
        # Empty values give way to what extra holds (an empty array the source had, or a
        # reference kinetz could not link); otherwise they are left out.
        if value is None or value == "" or value == []:
            if key not in extra:
                merged.pop(key, None)
        else:
            merged[key] = _value(value)
    rank = field_rank(entity)
    last = len(rank)
    return dict(sorted(merged.items(), key=lambda item: rank.get(item[0], last)))


def phone(obj: Phone) -> dict[str, Any]:
    return _record(
        "phone",
        obj,
        {
            "number": obj.number,
            "extension": obj.extension,
            "type": obj.type,
            "description": obj.description,
        },
    )


def contact(obj: Contact) -> dict[str, Any]:
    return _record(
        "contact",
        obj,
        {"name": obj.name, "title": obj.title, "department": obj.department, "email": obj.email},
    )


def address(obj: Address) -> dict[str, Any]:
    return _record(
        "address",
        obj,
        {
            "attention": obj.attention,
            "address_1": obj.address_1,
            "address_2": obj.address_2,
            "city": obj.city,
            "region": obj.region_name,
            "state_province": obj.state_province,
            "postal_code": obj.postal_code,
            "country": obj.country,
            "address_type": obj.address_type,
        },
    )


def location(obj: Location) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "location_type": obj.location_type,
        "url": obj.url,
        "organization_id": obj.organization_id,
        "name": obj.name,
        "alternate_name": obj.alternate_name,
        "description": obj.description,
        "transportation": obj.transportation,
        # Approximate coordinates are kinetz's own estimate, not data of the source.
        "latitude": None if obj.coordinates_approximate else obj.latitude,
        "longitude": None if obj.coordinates_approximate else obj.longitude,
        "addresses": [address(a) for a in _many(obj, "addresses")],
    }
    return _record("location", obj, fields)


def taxonomy(obj: Taxonomy) -> dict[str, Any]:
    return _record(
        "taxonomy",
        obj,
        {"name": obj.name, "description": obj.description, "uri": obj.uri, "version": obj.version},
    )


def taxonomy_term(obj: TaxonomyTerm) -> dict[str, Any]:
    return _record(
        "taxonomy_term",
        obj,
        {
            "code": obj.code,
            "name": obj.name,
            "description": obj.description,
            "parent_id": obj.parent_id,
            "taxonomy_id": obj.taxonomy_id,
            "language": obj.language,
            "term_uri": obj.term_uri,
        },
    )


# The taxonomy term fields HSDS embeds in an attribute.
EMBEDDED_TERM_FIELDS = ("id", "code", "name", "description", "parent_id", "taxonomy_id")


def embedded_taxonomy_term(obj: TaxonomyTerm) -> dict[str, Any]:
    return {k: v for k, v in taxonomy_term(obj).items() if k in EMBEDDED_TERM_FIELDS}


def attribute(obj: ServiceAttribute) -> dict[str, Any]:
    return _record(
        "attribute",
        obj,
        {
            "link_type": obj.link_type,
            "taxonomy_term_id": obj.taxonomy_term_id,
            "taxonomy_term": (
                embedded_taxonomy_term(obj.taxonomy_term) if obj.taxonomy_term else None
            ),
            "value": obj.value,
        },
    )


def schedule(obj: Schedule) -> dict[str, Any]:
    return _record(
        "schedule",
        obj,
        {
            "service_at_location_id": obj.service_at_location_id,
            "freq": obj.freq,
            "interval": obj.interval,
            "byday": obj.byday,
            "bymonthday": obj.bymonthday,
            "opens_at": obj.opens_at,
            "closes_at": obj.closes_at,
            "valid_from": obj.valid_from,
            "valid_to": obj.valid_to,
            "dtstart": obj.dtstart,
            "until": obj.until,
            "count": obj.count,
            "description": obj.description,
            "attending_type": obj.attending_type,
            "notes": obj.notes,
        },
    )


def language(obj: ServiceLanguage) -> dict[str, Any]:
    return _record("language", obj, {"name": obj.name, "code": obj.code, "note": obj.note})


def cost_option(obj: CostOption) -> dict[str, Any]:
    return _record(
        "cost_option",
        obj,
        {
            "option": obj.option,
            "currency": obj.currency,
            "amount": obj.amount,
            "amount_description": obj.amount_description,
            "valid_from": obj.valid_from,
            "valid_to": obj.valid_to,
        },
    )


def organization_fields(obj: Organization) -> dict[str, Any]:
    return {
        "name": obj.name,
        "alternate_name": obj.alternate_name,
        "description": obj.description,
        "email": obj.email,
        "website": obj.website,
        "legal_status": obj.legal_status,
        "year_incorporated": obj.year_incorporated,
        "parent_organization_id": obj.parent_id,
    }


def organization(obj: Organization) -> dict[str, Any]:
    fields = organization_fields(obj)
    fields["phones"] = [phone(p) for p in _many(obj, "phones")]
    fields["contacts"] = [contact(c) for c in _many(obj, "contacts")]
    fields["locations"] = [location(listed.location) for listed in _many(obj, "listed_locations")]
    return _record("organization", obj, fields)


def embedded_organization(obj: Organization) -> dict[str, Any]:
    record = _record("organization", obj, organization_fields(obj))
    return {k: v for k, v in record.items() if k in EMBEDDED_ORGANIZATION_FIELDS}


def service_at_location(obj: ServiceAtLocation) -> dict[str, Any]:
    return _record(
        "service_at_location",
        obj,
        {
            "location_id": obj.location_id,
            "description": obj.description,
            "location": location(obj.location),
        },
    )


def service(obj: Service) -> dict[str, Any]:
    return _record(
        "service",
        obj,
        {
            "organization_id": obj.organization_id,
            "name": obj.name,
            "alternate_name": obj.alternate_name,
            "description": obj.description,
            "url": obj.url,
            "email": obj.email,
            "status": obj.status,
            "interpretation_services": obj.interpretation_services,
            "application_process": obj.application_process,
            "fees_description": obj.fees_description,
            "eligibility_description": obj.eligibility_description,
            "minimum_age": obj.minimum_age,
            "maximum_age": obj.maximum_age,
            "assured_date": obj.last_verified,
            "alert": obj.alert,
            "last_modified": obj.last_modified,
            "organization": embedded_organization(obj.organization),
            "phones": [phone(p) for p in _many(obj, "phones")],
            "schedules": [schedule(s) for s in _many(obj, "schedules")],
            "service_at_locations": [service_at_location(s) for s in _many(obj, "at_locations")],
            "languages": [language(lang) for lang in _many(obj, "languages")],
            "cost_options": [cost_option(c) for c in _many(obj, "cost_options")],
            "contacts": [contact(c) for c in _many(obj, "contacts")],
            "attributes": [attribute(a) for a in _many(obj, "attributes")],
        },
    )


def load_services(services: QuerySet[Service]) -> list[Service]:
    """The services with everything `service()` reads, in a fixed number of queries."""
    loaded = list(
        services.select_related("organization").defer(
            "created", "modified", "organization__created", "organization__modified"
        )
    )
    _attach(loaded, "phones", Phone.objects.all(), "service")
    _attach(loaded, "schedules", Schedule.objects.all(), "service")
    _attach(loaded, "languages", ServiceLanguage.objects.all(), "service")
    _attach(loaded, "cost_options", CostOption.objects.all(), "service")
    _attach(loaded, "contacts", Contact.objects.all(), "service")
    terms = ServiceAttribute.objects.select_related("taxonomy_term")
    _attach(
        loaded,
        "attributes",
        terms.defer("taxonomy_term__created", "taxonomy_term__modified"),
        "service",
    )
    _attach(loaded, "at_locations", _with_location(ServiceAtLocation.objects.all()), "service")
    load_addresses([link.location for link in _loaded(loaded, "at_locations")])
    return loaded


def load_organizations(orgs: QuerySet[Organization]) -> list[Organization]:
    """The organizations with everything `organization()` reads."""
    loaded = list(orgs.defer("created", "modified"))
    _attach(loaded, "phones", Phone.objects.all(), "organization")
    _attach(loaded, "contacts", Contact.objects.all(), "organization")
    listed = _with_location(OrganizationLocation.objects.all())
    _attach(loaded, "listed_locations", listed, "organization")
    load_addresses([link.location for link in _loaded(loaded, "listed_locations")])
    return loaded


def load_service_at_locations(links: QuerySet[ServiceAtLocation]) -> list[ServiceAtLocation]:
    loaded = list(_with_location(links))
    load_addresses([link.location for link in loaded])
    return loaded


def load_addresses(locations: list[Location]) -> None:
    _attach(locations, "addresses", Address.objects.all(), "location")


def _with_location(links: QuerySet[Any]) -> QuerySet[Any]:
    return links.select_related("location").defer("location__created", "location__modified")


def _loaded(parents: list[Any], relation: str) -> list[Any]:
    return [child for parent in parents for child in getattr(parent, relation + LOADED)]
