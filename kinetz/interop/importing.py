"""Import HSDS 3.0 data into the catalogue: all or nothing, idempotent (updates by id)."""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime

from kinetz.interop.reading import HSDSInput, read_input
from kinetz.network.models import Contact, Organization, Phone
from kinetz.offers.locating import place_location
from kinetz.offers.models import (
    Address,
    CostOption,
    Location,
    OrganizationLocation,
    ReviewState,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    ServiceLanguage,
    Taxonomy,
    TaxonomyTerm,
    Vocabulary,
)
from kinetz.territory.models import Region


class ImportError_(Exception):  # named not to shadow the builtin ImportError
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportResult:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    dry_run: bool = False

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated))
        parts = [f"{k}: {self.created[k]} new, {self.updated[k]} updated" for k in kinds]
        return "; ".join(parts) or "nothing to import"


class _DryRunRollback(Exception):
    pass


def _split(record: dict[str, Any], modelled: Iterable[str]) -> dict[str, Any]:
    """The HSDS fields of `record` that kinetz keeps only as `extra`."""
    skip = {"id", *modelled}
    # An empty modelled array is remembered, so that the export writes it again.
    return {k: v for k, v in record.items() if k not in skip or (v == [] and k != "id")}


def _date(value: Any) -> Any:
    return parse_date(value) if value else None


def _datetime(value: Any) -> datetime | None:
    return parse_datetime(value) if value else None


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    return "" if value is None else str(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


class Importer:
    def __init__(self, region: Region, review_state: str, progress: Callable[[int], None]) -> None:
        self.region = region
        self.review_state = review_state
        self.progress = progress
        self.result = ImportResult()

    def _save(self, kind: str, model: Any, record_id: str, values: dict[str, Any]) -> Any:
        obj, created = model.objects.update_or_create(id=record_id, defaults=values)
        (self.result.created if created else self.result.updated)[kind] += 1
        return obj

    # Taxonomies -------------------------------------------------------------------------
    def taxonomy(self, record: dict[str, Any]) -> Taxonomy:
        modelled = ("name", "description", "uri", "version")
        vocabulary = record["name"].strip().lower()
        values: dict[str, Any] = {k: _text(record, k) for k in modelled}
        values["vocabulary"] = vocabulary if vocabulary in Vocabulary.values else ""
        values["extra"] = _split(record, modelled)
        taxonomy: Taxonomy = self._save("taxonomies", Taxonomy, record["id"], values)
        return taxonomy

    def taxonomy_term(self, record: dict[str, Any]) -> TaxonomyTerm:
        modelled = ("code", "name", "description", "language", "term_uri", "parent_id")
        values: dict[str, Any] = {k: _text(record, k) for k in modelled[:-1]}
        values["taxonomy_id"] = record.get("taxonomy_id")
        values["parent_id"] = None
        values["extra"] = _split(record, (*modelled, "taxonomy_id"))
        if values["taxonomy_id"] and not self._exists(Taxonomy, values["taxonomy_id"]):
            values["extra"]["taxonomy_id"] = values.pop("taxonomy_id")
        term: TaxonomyTerm = self._save("taxonomy_terms", TaxonomyTerm, record["id"], values)
        self._links.append((TaxonomyTerm, term.id, "parent_id", record.get("parent_id")))
        return term

    def _exists(self, model: Any, record_id: Any) -> bool:
        return bool(model.objects.filter(id=record_id).exists())

    # Organisations ----------------------------------------------------------------------
    def organization(self, record: dict[str, Any], full: bool = True) -> Organization:
        modelled = (
            "name",
            "alternate_name",
            "description",
            "email",
            "website",
            "legal_status",
            "year_incorporated",
            "parent_organization_id",
        )
        values: dict[str, Any] = {k: _text(record, k) for k in modelled[:6]}
        values["year_incorporated"] = _int(record.get("year_incorporated"))
        values["region"] = self.region
        nested = ("phones", "contacts", "locations") if full else ()
        extra = _split(record, (*modelled, *nested))
        if not full:  # an organisation embedded in a service: keep what we had
            existing = Organization.objects.filter(id=record["id"]).first()
            extra = {**(existing.extra if existing else {}), **extra}
        values["extra"] = extra
        org: Organization = self._save("organizations", Organization, record["id"], values)
        # The parent may come later in the file; linked in a second pass.
        self._links.append(
            (Organization, org.id, "parent_id", record.get("parent_organization_id"))
        )
        if full:
            org.phones.all().delete()
            for position, item in enumerate(record.get("phones", [])):
                self.phone(item, position, organization=org)
            org.contacts.all().delete()
            for position, item in enumerate(record.get("contacts", [])):
                self.contact(item, position, organization=org)
            org.listed_locations.all().delete()
            for position, item in enumerate(record.get("locations", [])):
                OrganizationLocation.objects.create(
                    organization=org, location=self.location(item), position=position
                )
        return org

    def phone(self, record: dict[str, Any], position: int, **owner: Any) -> None:
        modelled = ("number", "extension", "type", "description")
        values: dict[str, Any] = {k: _text(record, k) for k in ("number", "type", "description")}
        values["extension"] = _int(record.get("extension"))
        Phone.objects.create(
            id=record["id"], position=position, extra=_split(record, modelled), **values, **owner
        )

    def contact(self, record: dict[str, Any], position: int, **owner: Any) -> None:
        modelled = ("name", "title", "department", "email")
        Contact.objects.create(
            id=record["id"],
            position=position,
            extra=_split(record, modelled),
            **{k: _text(record, k) for k in modelled},
            **owner,
        )

    # Locations --------------------------------------------------------------------------
    def location(self, record: dict[str, Any]) -> Location:
        modelled = (
            "location_type",
            "url",
            "organization_id",
            "name",
            "alternate_name",
            "description",
            "transportation",
            "latitude",
            "longitude",
            "addresses",
        )
        values: dict[str, Any] = {
            k: _text(record, k) for k in modelled[:7] if k != "organization_id"
        }
        values["organization_id"] = record.get("organization_id")
        values["latitude"] = record.get("latitude")
        values["longitude"] = record.get("longitude")
        values["region"] = self.region
        values["extra"] = _split(record, modelled)
        location: Location = self._save("locations", Location, record["id"], values)
        location.addresses.all().delete()
        for position, item in enumerate(record.get("addresses", [])):
            fields = (
                "attention",
                "address_1",
                "address_2",
                "city",
                "state_province",
                "postal_code",
                "country",
                "address_type",
            )
            Address.objects.create(
                id=item["id"],
                location=location,
                position=position,
                region_name=_text(item, "region"),
                extra=_split(item, (*fields, "region")),
                **{k: _text(item, k) for k in fields},
            )
        place_location(location)
        return location

    # Services ---------------------------------------------------------------------------
    SERVICE_FIELDS = (
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "interpretation_services",
        "application_process",
        "fees_description",
        "eligibility_description",
        "minimum_age",
        "maximum_age",
        "assured_date",
        "alert",
        "last_modified",
        "organization",
        "phones",
        "schedules",
        "service_at_locations",
        "languages",
        "cost_options",
        "contacts",
        "attributes",
    )

    def service(self, record: dict[str, Any]) -> Service:
        text_fields = (
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "status",
            "interpretation_services",
            "application_process",
            "fees_description",
            "eligibility_description",
            "alert",
        )
        values: dict[str, Any] = {k: _text(record, k) for k in text_fields}
        values.update(
            region=self.region,
            organization_id=_organization_id(record),
            minimum_age=_int(record.get("minimum_age")),
            maximum_age=_int(record.get("maximum_age")),
            assured_date=_date(record.get("assured_date")),
            last_modified=_datetime(record.get("last_modified")),
            review_state=self.review_state,
            extra=_split(record, self.SERVICE_FIELDS),
        )
        service: Service = self._save("services", Service, record["id"], values)
        for related in (
            service.phones,
            service.contacts,
            service.schedules,
            service.languages,
            service.cost_options,
            service.attributes,
        ):
            related.all().delete()
        service.at_locations.all().delete()
        for position, item in enumerate(record.get("phones", [])):
            self.phone(item, position, service=service)
        for position, item in enumerate(record.get("contacts", [])):
            self.contact(item, position, service=service)
        for position, item in enumerate(record.get("service_at_locations", [])):
            location = item.get("location")
            if location:
                self.location(location)
            ServiceAtLocation.objects.create(
                id=item["id"],
                service=service,
                location_id=item.get("location_id") or location["id"],
                description=_text(item, "description"),
                position=position,
                extra=_split(item, ("location_id", "description", "location")),
            )
        for position, item in enumerate(record.get("schedules", [])):
            self.schedule(item, position, service)
        for position, item in enumerate(record.get("languages", [])):
            language_fields = ("name", "code", "note")
            ServiceLanguage.objects.create(
                id=item["id"],
                service=service,
                position=position,
                extra=_split(item, language_fields),
                **{k: _text(item, k) for k in language_fields},
            )
        for position, item in enumerate(record.get("cost_options", [])):
            cost_fields = (
                "option",
                "currency",
                "amount",
                "amount_description",
                "valid_from",
                "valid_to",
            )
            CostOption.objects.create(
                id=item["id"],
                service=service,
                position=position,
                option=_text(item, "option"),
                currency=_text(item, "currency"),
                amount=item.get("amount"),
                amount_description=_text(item, "amount_description"),
                valid_from=_date(item.get("valid_from")),
                valid_to=_date(item.get("valid_to")),
                extra=_split(item, cost_fields),
            )
        for position, item in enumerate(record.get("attributes", [])):
            embedded = item.get("taxonomy_term")
            if embedded and not self._exists(TaxonomyTerm, embedded["id"]):
                self.taxonomy_term(embedded)
            ServiceAttribute.objects.create(
                id=item["id"],
                service=service,
                taxonomy_term_id=item.get("taxonomy_term_id") or (embedded or {}).get("id"),
                link_type=_text(item, "link_type"),
                value=_text(item, "value"),
                position=position,
                extra=_split(item, ("link_type", "taxonomy_term_id", "taxonomy_term", "value")),
            )
        return service

    def schedule(self, record: dict[str, Any], position: int, service: Service) -> None:
        text = (
            "freq",
            "byday",
            "bymonthday",
            "opens_at",
            "closes_at",
            "description",
            "attending_type",
            "notes",
        )
        dates = ("valid_from", "valid_to", "dtstart", "until")
        numbers = ("interval", "count")
        Schedule.objects.create(
            id=record["id"],
            service=service,
            service_at_location_id=record.get("service_at_location_id"),
            position=position,
            extra=_split(record, (*text, *dates, *numbers, "service_at_location_id")),
            **{k: _text(record, k) for k in text},
            **{k: _date(record.get(k)) for k in dates},
            **{k: _int(record.get(k)) for k in numbers},
        )

    # The whole input --------------------------------------------------------------------
    def _link(self) -> None:
        """Set parent references; a parent that exists nowhere is kept as HSDS data."""
        hsds_keys: dict[tuple[Any, str], str] = {
            (TaxonomyTerm, "parent_id"): "parent_id",
            (Organization, "parent_id"): "parent_organization_id",
        }
        for model, record_id, field_name, target in self._links:
            obj = model.objects.get(id=record_id)
            key = hsds_keys[(model, field_name)]
            obj.extra.pop(key, None)
            if target and self._exists(model, target):
                setattr(obj, field_name, target)
            else:
                setattr(obj, field_name, None)
                if target:
                    obj.extra[key] = target
            obj.save(update_fields=[field_name, "extra"])

    def run(self, data: HSDSInput) -> ImportResult:
        self._links: list[tuple[Any, Any, str, Any]] = []
        for record in data.taxonomies:
            self.taxonomy(record)
        for record in data.taxonomy_terms:
            self.taxonomy_term(record)
        for record in data.organizations:
            self.organization(record)
        in_file = {r["id"] for r in data.organizations}
        for index, record in enumerate(data.services):
            embedded = record.get("organization")
            if embedded and embedded["id"] not in in_file:
                self.organization(embedded, full=False)
            self.service(record)
            self.progress(index + 1)
        self._link()
        return self.result


def _organization_id(record: dict[str, Any]) -> str | None:
    """A service names its organisation by organization_id, or only by the embedded one."""
    embedded = record.get("organization") or {}
    found: str | None = record.get("organization_id") or embedded.get("id")
    return found


def _missing_references(data: HSDSInput) -> list[str]:
    """References to records that are neither in the input nor in the database."""
    problems = []
    where = data.seen.get("service", {})
    known_orgs = {r["id"] for r in data.organizations}
    known_orgs |= {r["organization"]["id"] for r in data.services if r.get("organization")}
    wanted = {_organization_id(r) for r in data.services} - known_orgs - {None}
    known_orgs |= {
        str(i) for i in Organization.objects.filter(id__in=wanted).values_list("id", flat=True)
    }
    terms = {r["id"] for r in data.taxonomy_terms}
    for record in data.services:
        at = where.get(record["id"], f"services: id {record['id']}")
        org_id = _organization_id(record)
        if org_id is None:
            problems.append(f"{at}.organization_id: missing (every service needs its organization)")
        elif org_id not in known_orgs:
            problems.append(f"{at}.organization_id: organization {org_id} does not exist")
        for position, attr in enumerate(record.get("attributes", [])):
            term_id = attr.get("taxonomy_term_id")
            embedded_term = attr.get("taxonomy_term") or {}
            if (
                term_id
                and term_id not in terms
                and embedded_term.get("id") != term_id
                and not TaxonomyTerm.objects.filter(id=term_id).exists()
            ):
                problems.append(
                    f"{at}.attributes[{position}].taxonomy_term_id: "
                    f"taxonomy term {term_id} does not exist"
                )
        for position, link in enumerate(record.get("service_at_locations", [])):
            location_id = link.get("location_id") or (link.get("location") or {}).get("id")
            if location_id is None:
                problems.append(
                    f"{at}.service_at_locations[{position}]: no location_id and no location"
                )
            elif not link.get("location") and not Location.objects.filter(id=location_id).exists():
                problems.append(
                    f"{at}.service_at_locations[{position}].location_id: "
                    f"location {location_id} does not exist"
                )
    return problems


def import_hsds(
    path: Path,
    region: Region,
    *,
    dry_run: bool = False,
    draft: bool = False,
    progress: Callable[[int], None] = lambda done: None,
) -> ImportResult:
    data = read_input(path)
    problems = data.problems or _missing_references(data)
    if problems:
        raise ImportError_(problems)
    importer = Importer(region, ReviewState.SUBMITTED if draft else ReviewState.PUBLISHED, progress)
    try:
        with transaction.atomic():
            result = importer.run(data)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        result = importer.result
        result.dry_run = True
    return result
