"""Import HSDS 3.0 data into the catalogue: all or nothing, idempotent (updates by id).

The input is first turned into model instances in memory, with the same outcome as saving the
records one by one in file order (a record that occurs several times, e.g. a location shared by
many services, ends up as its last occurrence); then every model is written with a few bulk
queries. Nested rows (phones, schedules, addresses, ...) of the imported records are replaced.
"""

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from django.apps import apps
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kinetz.interop.reading import HSDSInput, read_input
from kinetz.network.actors import guess_actor_type
from kinetz.network.models import Contact, Organization, Phone
from kinetz.offers.locating import Placer, region_municipalities
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

# Rows per INSERT or UPDATE batch (the database backend may lower it for INSERT).
BATCH = 2000
# Ids per `id__in` lookup; SQLite allows 999 parameters per query.
LOOKUP_BATCH = 900

T = TypeVar("T")


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


def _key(value: Any) -> uuid.UUID:
    """The database identity of an HSDS id (reading has checked that it is a UUID)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _chunks(items: Sequence[T], size: int = LOOKUP_BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_ids(model: type[models.Model], ids: Iterable[Any]) -> set[uuid.UUID]:
    wanted = sorted({_key(i) for i in ids})
    found: set[uuid.UUID] = set()
    for chunk in _chunks(wanted):
        found.update(model._default_manager.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def _update(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """UPDATE every column but `created` of `objs`, one statement per row run as a batch.

    (QuerySet.bulk_update builds a CASE WHEN per field and row, which is slow for many rows.)
    """
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    if pk is None:  # pragma: no cover - every model has one
        raise TypeError(f"{model} has no primary key")
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.name != "created"]
    # Only table and column names of the model, quoted, go into the statement.
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(pk.column),
    )
    with connection.cursor() as cursor:
        for chunk in _chunks(objs, BATCH):
            cursor.executemany(
                sql,
                [
                    [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
                    + [pk.get_db_prep_save(obj.pk, connection)]
                    for obj in chunk
                ],
            )


def _insert(model: type[models.Model], objs: Sequence[models.Model], now: datetime) -> None:
    """INSERT `objs` (new rows without history), one statement per row run as a batch.

    Same values as QuerySet.bulk_create (created/modified are `now`), without compiling one
    large statement per batch, which costs more than the database's work.
    """
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]
    stamp = models.DateTimeField().get_db_prep_save(now, connection)

    def prepare(f: Any) -> Callable[[Any], Any]:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            return lambda value: stamp
        if isinstance(f, models.CharField | models.TextField):  # str is stored as it is
            return lambda value: (
                value
                if value is None or type(value) is str
                else f.get_db_prep_save(value, connection)
            )
        return lambda value: f.get_db_prep_save(value, connection)

    prepared = [(f.attname, prepare(f)) for f in fields]
    # Only table and column names of the model, quoted, go into the statement.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for chunk in _chunks(objs, BATCH):
            cursor.executemany(
                sql, [[prep(getattr(obj, name)) for name, prep in prepared] for obj in chunk]
            )


# The kind (ImportResult key) of each model saved by id.
KINDS: dict[type[models.Model], str] = {
    Taxonomy: "taxonomies",
    TaxonomyTerm: "taxonomy_terms",
    Organization: "organizations",
    Location: "locations",
    Service: "services",
}
HISTORY = (Organization, Service)  # tracked by django-simple-history
# The nested rows replaced when their owner is imported, by owner: (model, owner field).
NESTED: dict[type[models.Model], tuple[tuple[type[models.Model], str], ...]] = {
    Organization: (
        (Phone, "organization_id"),
        (Contact, "organization_id"),
        (OrganizationLocation, "organization_id"),
    ),
    Location: ((Address, "location_id"),),
    Service: (
        (Phone, "service_id"),
        (Contact, "service_id"),
        (Schedule, "service_id"),
        (ServiceLanguage, "service_id"),
        (CostOption, "service_id"),
        (ServiceAttribute, "service_id"),
        (ServiceAtLocation, "service_id"),
    ),
}
# Nested rows other records point at (working-group delegates point at contacts): these are
# updated in place by id instead of being replaced, so the references survive a re-import.
KEPT_BY_ID: tuple[type[models.Model], ...] = (Contact,)
# Models of nested rows, in the order they are written.
ROW_MODELS: tuple[type[models.Model], ...] = (
    Phone,
    Contact,
    OrganizationLocation,
    ServiceAtLocation,
    Schedule,
    ServiceLanguage,
    CostOption,
    ServiceAttribute,
    Address,
)


class Importer:
    def __init__(self, region: Region, review_state: str, progress: Callable[[int], None]) -> None:
        self.region = region
        self.review_state = review_state
        self.progress = progress
        self.result = ImportResult()
        self.now = timezone.now()
        # Records that were in the database before the import, by model and id.
        self.existing: dict[type[models.Model], dict[uuid.UUID, Any]] = defaultdict(dict)
        # Records saved by this import (new or updated), by model and id, in first-save order.
        self.saved: dict[type[models.Model], dict[uuid.UUID, Any]] = defaultdict(dict)
        # Parent references, set once every record is known: (model, id) -> HSDS parent id.
        self._links: dict[tuple[type[models.Model], uuid.UUID], Any] = {}
        # Nested rows waiting to be written, by model.
        self._rows: dict[type[models.Model], list[Any]] = defaultdict(list)
        # Ids of rows in KEPT_BY_ID models that exist and are in the input (updated in place).
        self._kept: dict[type[models.Model], set[uuid.UUID]] = {}
        # A location's addresses: those of its last occurrence.
        self._addresses: dict[uuid.UUID, list[Address]] = {}
        self.placer: Placer | None = None

    def _exists(self, model: type[models.Model], record_id: Any) -> bool:
        key = _key(record_id)
        return key in self.saved[model] or key in self.existing[model]

    def _save(
        self, kind: str, model: type[models.Model], record_id: str, values: dict[str, Any]
    ) -> Any:
        """update_or_create in memory: the instance is written by _write."""
        key = _key(record_id)
        obj = self.saved[model].get(key) or self.existing[model].get(key)
        if obj is None:
            obj = model(pk=key, **values)
        else:
            for name, value in values.items():
                setattr(obj, name, value)
        self.saved[model][key] = obj
        return obj

    def _add(self, row: models.Model) -> None:
        rows = self._rows[type(row)]
        rows.append(row)
        if len(rows) >= BATCH:
            self._flush(type(row))

    def _flush(self, model: type[models.Model]) -> None:
        rows = self._rows.pop(model, [])
        kept = self._kept.get(model, set())
        if not kept:
            _insert(model, rows, self.now)
            return
        updated = [row for row in rows if _key(row.pk) in kept]
        for row in updated:
            row.modified = self.now
        _update(model, updated)
        _insert(model, [row for row in rows if _key(row.pk) not in kept], self.now)

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
        self._links[(TaxonomyTerm, term.pk)] = record.get("parent_id")
        return term

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
            key = _key(record["id"])
            existing = self.saved[Organization].get(key) or self.existing[Organization].get(key)
            extra = {**(existing.extra if existing else {}), **extra}
        values["extra"] = extra
        key = _key(record["id"])
        if key not in self.saved[Organization] and key not in self.existing[Organization]:
            # HSDS has no actor type: a new organisation gets a guess that staff can correct.
            values["actor_type"] = guess_actor_type(values["name"], values["alternate_name"])
        org: Organization = self._save("organizations", Organization, record["id"], values)
        # The parent may come later in the file; linked once everything is read.
        self._links[(Organization, org.pk)] = record.get("parent_organization_id")
        if full:
            for position, item in enumerate(record.get("phones", [])):
                self.phone(item, position, organization_id=org.pk)
            for position, item in enumerate(record.get("contacts", [])):
                self.contact(item, position, organization_id=org.pk)
            for position, item in enumerate(record.get("locations", [])):
                location = self.location(item)
                self._add(
                    OrganizationLocation(
                        organization_id=org.pk, location_id=location.pk, position=position
                    )
                )
        return org

    def phone(self, record: dict[str, Any], position: int, **owner: Any) -> None:
        modelled = ("number", "extension", "type", "description")
        values: dict[str, Any] = {k: _text(record, k) for k in ("number", "type", "description")}
        values["extension"] = _int(record.get("extension"))
        self._add(
            Phone(
                id=record["id"],
                position=position,
                extra=_split(record, modelled),
                **values,
                **owner,
            )
        )

    def contact(self, record: dict[str, Any], position: int, **owner: Any) -> None:
        modelled = ("name", "title", "department", "email")
        self._add(
            Contact(
                id=record["id"],
                position=position,
                extra=_split(record, modelled),
                **{k: _text(record, k) for k in modelled},
                **owner,
            )
        )

    # Locations --------------------------------------------------------------------------
    ADDRESS_FIELDS = (
        "attention",
        "address_1",
        "address_2",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    )

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
        addresses = [
            Address(
                id=item["id"],
                location_id=location.pk,
                position=position,
                region_name=_text(item, "region"),
                extra=_split(item, (*self.ADDRESS_FIELDS, "region")),
                **{k: _text(item, k) for k in self.ADDRESS_FIELDS},
            )
            for position, item in enumerate(record.get("addresses", []))
        ]
        self._addresses[location.pk] = addresses
        if self.placer is None:
            self.placer = Placer(region_municipalities(self.region))
        self.placer.place(location, (a.city for a in addresses))
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
    SERVICE_TEXT_FIELDS = (
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
    LANGUAGE_FIELDS = ("name", "code", "note")
    COST_FIELDS = ("option", "currency", "amount", "amount_description", "valid_from", "valid_to")

    def service(self, record: dict[str, Any]) -> Service:
        values: dict[str, Any] = {k: _text(record, k) for k in self.SERVICE_TEXT_FIELDS}
        values.update(
            region=self.region,
            organization_id=_organization_id(record),
            minimum_age=_int(record.get("minimum_age")),
            maximum_age=_int(record.get("maximum_age")),
            last_verified=_date(record.get("assured_date")),
            last_modified=_datetime(record.get("last_modified")),
            review_state=self.review_state,
            extra=_split(record, self.SERVICE_FIELDS),
        )
        service: Service = self._save("services", Service, record["id"], values)
        service_id = service.pk
        for position, item in enumerate(record.get("phones", [])):
            self.phone(item, position, service_id=service_id)
        for position, item in enumerate(record.get("contacts", [])):
            self.contact(item, position, service_id=service_id)
        for position, item in enumerate(record.get("service_at_locations", [])):
            location = item.get("location")
            if location:
                self.location(location)
            self._add(
                ServiceAtLocation(
                    id=item["id"],
                    service_id=service_id,
                    location_id=item.get("location_id") or location["id"],
                    description=_text(item, "description"),
                    position=position,
                    extra=_split(item, ("location_id", "description", "location")),
                )
            )
        for position, item in enumerate(record.get("schedules", [])):
            self.schedule(item, position, service_id)
        for position, item in enumerate(record.get("languages", [])):
            self._add(
                ServiceLanguage(
                    id=item["id"],
                    service_id=service_id,
                    position=position,
                    extra=_split(item, self.LANGUAGE_FIELDS),
                    **{k: _text(item, k) for k in self.LANGUAGE_FIELDS},
                )
            )
        for position, item in enumerate(record.get("cost_options", [])):
            self._add(
                CostOption(
                    id=item["id"],
                    service_id=service_id,
                    position=position,
                    option=_text(item, "option"),
                    currency=_text(item, "currency"),
                    amount=item.get("amount"),
                    amount_description=_text(item, "amount_description"),
                    valid_from=_date(item.get("valid_from")),
                    valid_to=_date(item.get("valid_to")),
                    extra=_split(item, self.COST_FIELDS),
                )
            )
        for position, item in enumerate(record.get("attributes", [])):
            embedded = item.get("taxonomy_term")
            if embedded and not self._exists(TaxonomyTerm, embedded["id"]):
                self.taxonomy_term(embedded)
            self._add(
                ServiceAttribute(
                    id=item["id"],
                    service_id=service_id,
                    taxonomy_term_id=item.get("taxonomy_term_id") or (embedded or {}).get("id"),
                    link_type=_text(item, "link_type"),
                    value=_text(item, "value"),
                    position=position,
                    extra=_split(item, ("link_type", "taxonomy_term_id", "taxonomy_term", "value")),
                )
            )
        return service

    SCHEDULE_TEXT = (
        "freq",
        "byday",
        "bymonthday",
        "opens_at",
        "closes_at",
        "description",
        "attending_type",
        "notes",
    )
    SCHEDULE_DATES = ("valid_from", "valid_to", "dtstart", "until")
    SCHEDULE_NUMBERS = ("interval", "count")

    def schedule(self, record: dict[str, Any], position: int, service_id: Any) -> None:
        self._add(
            Schedule(
                id=record["id"],
                service_id=service_id,
                service_at_location_id=record.get("service_at_location_id"),
                position=position,
                extra=_split(
                    record,
                    (
                        *self.SCHEDULE_TEXT,
                        *self.SCHEDULE_DATES,
                        *self.SCHEDULE_NUMBERS,
                        "service_at_location_id",
                    ),
                ),
                **{k: _text(record, k) for k in self.SCHEDULE_TEXT},
                **{k: _date(record.get(k)) for k in self.SCHEDULE_DATES},
                **{k: _int(record.get(k)) for k in self.SCHEDULE_NUMBERS},
            )
        )

    # The whole input --------------------------------------------------------------------
    def _load_existing(self, data: HSDSInput) -> None:
        """Fetch the records of the input that are already in the database."""
        ids: dict[type[models.Model], set[uuid.UUID]] = defaultdict(set)
        ids[Taxonomy].update(_key(r["id"]) for r in data.taxonomies)
        ids[TaxonomyTerm].update(_key(r["id"]) for r in data.taxonomy_terms)
        for org in data.organizations:
            ids[Organization].add(_key(org["id"]))
            ids[Location].update(_key(loc["id"]) for loc in org.get("locations", []))
        for service in data.services:
            ids[Service].add(_key(service["id"]))
            if service.get("organization"):
                ids[Organization].add(_key(service["organization"]["id"]))
            for link in service.get("service_at_locations", []):
                if link.get("location"):
                    ids[Location].add(_key(link["location"]["id"]))
            for attribute in service.get("attributes", []):
                term = attribute.get("taxonomy_term")
                if term:
                    ids[TaxonomyTerm].add(_key(term["id"]))
                    if term.get("taxonomy_id"):
                        ids[Taxonomy].add(_key(term["taxonomy_id"]))
        # Terms name their taxonomy; one not in the input may be in the database.
        ids[Taxonomy].update(
            _key(t["taxonomy_id"]) for t in data.taxonomy_terms if t.get("taxonomy_id")
        )
        for model, wanted in ids.items():
            for chunk in _chunks(sorted(wanted)):
                for obj in model._default_manager.filter(pk__in=chunk):
                    self.existing[model][obj.pk] = obj

    def _delete_nested(self, data: HSDSInput) -> None:
        """Delete the nested rows of the records about to be imported (they are replaced)."""
        imported = {
            Organization: {_key(r["id"]) for r in data.organizations},
            Location: self._location_ids(data),
            Service: {_key(r["id"]) for r in data.services},
        }
        # New records have no nested rows yet.
        owners = {
            model: sorted(ids & self.existing[model].keys()) for model, ids in imported.items()
        }
        incoming_contacts = {
            _key(contact["id"])
            for record in (*data.organizations, *data.services)
            for contact in record.get("contacts", [])
        }
        self._kept[Contact] = _existing_ids(Contact, incoming_contacts)
        for owner, owner_ids in owners.items():
            for model, owner_field in NESTED[owner]:
                for chunk in _chunks(owner_ids):
                    nested = model._default_manager.filter(**{f"{owner_field}__in": chunk})
                    if model not in KEPT_BY_ID:
                        nested.delete()
                        continue
                    gone = set(nested.values_list("pk", flat=True)) - self._kept[model]
                    for doomed in _chunks(sorted(gone)):
                        model._default_manager.filter(pk__in=doomed).delete()

    @staticmethod
    def _location_ids(data: HSDSInput) -> set[uuid.UUID]:
        found = {_key(loc["id"]) for org in data.organizations for loc in org.get("locations", [])}
        for service in data.services:
            for link in service.get("service_at_locations", []):
                if link.get("location"):
                    found.add(_key(link["location"]["id"]))
        return found

    def _link(self) -> None:
        """Set parent references; a parent that exists nowhere is kept as HSDS data."""
        hsds_keys: dict[type[models.Model], tuple[str, str]] = {
            TaxonomyTerm: ("parent_id", "parent_id"),
            Organization: ("parent_id", "parent_organization_id"),
        }
        targets: dict[type[models.Model], set[uuid.UUID]] = defaultdict(set)
        for (model, _), target in self._links.items():
            if target and not self._exists(model, target):
                targets[model].add(_key(target))
        in_database = {model: _existing_ids(model, ids) for model, ids in targets.items()}
        for (model, record_id), target in self._links.items():
            obj = self.saved[model][record_id]
            field_name, key = hsds_keys[model]
            obj.extra.pop(key, None)
            if target and (
                self._exists(model, target) or _key(target) in in_database.get(model, ())
            ):
                setattr(obj, field_name, _key(target))
            else:
                setattr(obj, field_name, None)
                if target:
                    obj.extra[key] = target

    def _write(self, model: type[models.Model]) -> None:
        """Insert the new records of `model`, update the existing ones."""
        existing = self.existing[model]
        new = [obj for key, obj in self.saved[model].items() if key not in existing]
        old = [obj for key, obj in self.saved[model].items() if key in existing]
        kind = KINDS[model]
        if new:
            self.result.created[kind] += len(new)
        if old:
            self.result.updated[kind] += len(old)
        for obj in old:
            obj.modified = self.now
        _update(model, old)
        if model in HISTORY:
            if new:
                bulk_create_with_history(new, model, batch_size=BATCH, default_date=self.now)
            if old:
                # Rows are updated already; this writes one history entry per record.
                bulk_update_with_history(old, model, [], batch_size=BATCH, default_date=self.now)
        else:
            model._default_manager.bulk_create(new, batch_size=BATCH)

    def run(self, data: HSDSInput) -> ImportResult:
        self._load_existing(data)
        self._delete_nested(data)
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
        for model in KINDS:
            self._write(model)
        for addresses in self._addresses.values():
            for address in addresses:
                self._add(address)
        for row_model in ROW_MODELS:
            self._flush(row_model)
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
    known_orgs |= {str(i) for i in _existing_ids(Organization, wanted)}
    terms = {r["id"] for r in data.taxonomy_terms}
    # Terms and locations referenced only by id, looked up in the database at once.
    term_ids: set[str] = set()
    location_ids: set[str] = set()
    for record in data.services:
        for attr in record.get("attributes", []):
            term_id = attr.get("taxonomy_term_id")
            if term_id and term_id not in terms:
                term_ids.add(term_id)
        for link in record.get("service_at_locations", []):
            if link.get("location_id") and not link.get("location"):
                location_ids.add(link["location_id"])
    stored_terms = _existing_ids(TaxonomyTerm, term_ids)
    stored_locations = _existing_ids(Location, location_ids)
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
                and _key(term_id) not in stored_terms
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
            elif not link.get("location") and _key(location_id) not in stored_locations:
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
    data: HSDSInput | None = None,
) -> ImportResult:
    """Import the HSDS file or folder at `path` (or `data` already read from it)."""
    if data is None:
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
    if len(data.services) >= REFRESH_STATISTICS_FROM:
        refresh_statistics()
    return result


# After a large import the planner's statistics and PostgreSQL's visibility map are stale until
# autovacuum comes by: the planner chose whole-table sorts, and index-only scans fetched every
# skipped row from the table, for API pages (0.2-0.7 s instead of 0.04 s at 100k services).
REFRESH_STATISTICS_FROM = 1000


def refresh_statistics() -> None:
    """ANALYZE the catalogue tables; on PostgreSQL also VACUUM them when that is possible
    (not inside a transaction)."""
    connection = connections[router.db_for_write(Service)]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("ANALYZE")
            return
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        for app in ("offers", "network"):
            for model in apps.get_app_config(app).get_models():
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
