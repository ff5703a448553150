"""An offer as the editor form sees it: read it from the catalogue and write it back.

An offer's editable content is a flat, JSON-ready dict (`OfferData`): the offer's own text
fields, its terms, languages, first place, weekly times and contact. `snapshot()` reads it from
the catalogue rows, `merge()` lays an editor's changes over the current version, `apply()`
writes a version back, touching only the parts that differ, so that imported HSDS details and
record ids survive. `kinetz.offers.comparison` lists the differences for the review page.
"""

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kinetz.network.models import Contact, Organization, Phone
from kinetz.offers.locating import place_location
from kinetz.offers.models import (
    Address,
    CostOption,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    ServiceLanguage,
    ServiceStatus,
    TaxonomyTerm,
    Vocabulary,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

OfferData = dict[str, Any]

# The offer's own columns the editor form edits.
SERVICE_FIELDS = (
    "name",
    "description",
    "status",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "fees_description",
    "application_process",
    "interpretation_services",
    "url",
    "email",
)
LOCATION_FIELDS = ("location_name", "street", "postal_code", "city", "accessibility")
CONTACT_FIELDS = ("contact_name", "contact_email")

# Every key of OfferData with its label, in the order the form and the review page show them.
FIELD_LABELS: dict[str, "StrPromise"] = {
    "name": _("Name of the offer"),
    "description": _("Description"),
    "status": _("Status"),
    "handlungsfeld": _("Fields of action"),
    "zielgruppe": _("Target groups"),
    "eligibility_description": _("Who can take part"),
    "minimum_age": _("Minimum age"),
    "maximum_age": _("Maximum age"),
    "free": _("Free of charge"),
    "fees_description": _("Costs"),
    "languages": _("Languages offered"),
    "application_process": _("How to apply"),
    "interpretation_services": _("Interpretation"),
    "accessibility": _("Accessibility"),
    "location_name": _("Name of the place"),
    "street": _("Street and number"),
    "postal_code": _("Postcode"),
    "city": _("Town"),
    "schedules": _("Times"),
    "kept_schedules": _("Other times"),
    "url": _("Web address"),
    "email": _("E-mail address"),
    "contact_name": _("Contact person"),
    "contact_email": _("E-mail address of the contact person"),
    "contact_phone": _("Phone"),
}

WEEKDAYS: list[tuple[str, "StrPromise"]] = [
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
]
WEEKDAY_CODES = [code for code, _label in WEEKDAYS]
# Catalogue content is German (DESIGN §7): the stored schedule description is German too.
GERMAN_WEEKDAYS = dict(zip(WEEKDAY_CODES, ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"], strict=True))

# Languages an offer can be given in: (code, name as stored in the catalogue, label).
OFFER_LANGUAGES: list[tuple[str, str, "StrPromise"]] = [
    ("de", "Deutsch", _("German")),
    ("en", "Englisch", _("English")),
    ("ar", "Arabisch", _("Arabic")),
    ("fa", "Persisch (Farsi/Dari)", _("Persian (Farsi/Dari)")),
    ("uk", "Ukrainisch", _("Ukrainian")),
    ("ru", "Russisch", _("Russian")),
    ("tr", "Türkisch", _("Turkish")),
    ("pl", "Polnisch", _("Polish")),
    ("ro", "Rumänisch", _("Romanian")),
    ("bg", "Bulgarisch", _("Bulgarian")),
    ("nl", "Niederländisch", _("Dutch")),
    ("fr", "Französisch", _("French")),
    ("ku", "Kurdisch", _("Kurdish")),
    ("ti", "Tigrinya", _("Tigrinya")),
    ("so", "Somali", _("Somali")),
    ("sq", "Albanisch", _("Albanian")),
    ("es", "Spanisch", _("Spanish")),
    ("it", "Italienisch", _("Italian")),
    ("gsg", "Deutsche Gebärdensprache", _("German Sign Language")),
]
LANGUAGE_LABELS = {code: label for code, _name, label in OFFER_LANGUAGES}
LANGUAGE_NAMES = {code: name for code, name, _label in OFFER_LANGUAGES}


def _text(value: Any) -> str:
    """Text as the form gives it back: trimmed, with plain line breaks."""
    return "" if value is None else str(value).replace("\r\n", "\n").strip()


def canonical_languages(codes: list[str]) -> list[str]:
    """Language codes in the order the form lists them, so that order alone is no change."""
    rank = {code: index for index, (code, _name, _label) in enumerate(OFFER_LANGUAGES)}
    return sorted(dict.fromkeys(codes), key=lambda code: (rank.get(code, len(rank)), code))


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def is_weekly(schedule: Schedule) -> bool:
    """True for the plain weekly times the form can edit (e.g. MO,WE 09:00-12:00)."""
    days = [day for day in schedule.byday.split(",") if day]
    return (
        schedule.freq == "WEEKLY"
        and schedule.interval in (None, 1)
        and bool(days)
        and all(day in WEEKDAY_CODES for day in days)
        and not (schedule.bymonthday or schedule.count or schedule.until)
    )


def schedule_row(schedule: Schedule) -> dict[str, Any]:
    return {
        "id": str(schedule.pk),
        "days": [day for day in WEEKDAY_CODES if day in schedule.byday.split(",")],
        "opens_at": schedule.opens_at[:5],
        "closes_at": schedule.closes_at[:5],
        "valid_from": _iso(schedule.valid_from),
        "valid_to": _iso(schedule.valid_to),
        "notes": _text(schedule.notes),
    }


def _first_link(service: Service) -> ServiceAtLocation | None:
    link: ServiceAtLocation | None = (
        service.at_locations.select_related("location").order_by("position").first()
    )
    return link


def _service_phone(service: Service) -> Phone | None:
    phone: Phone | None = service.phones.filter(contact__isnull=True).order_by("position").first()
    return phone


def _accessibility(location: Location) -> str:
    items = location.extra.get("accessibility") or []
    return "\n".join(item.get("description", "") for item in items if item.get("description"))


def empty_offer() -> OfferData:
    data: OfferData = dict.fromkeys(FIELD_LABELS, "")
    data.update(
        status=ServiceStatus.ACTIVE.value,
        minimum_age=None,
        maximum_age=None,
        free=False,
        languages=["de"],
        handlungsfeld=[],
        zielgruppe=[],
        schedules=[],
        kept_schedules=[],
    )
    return data


def snapshot(service: Service) -> OfferData:
    """What the editor form shows of `service` as it is in the catalogue now."""
    data = empty_offer()
    for name in SERVICE_FIELDS:
        value = getattr(service, name)
        data[name] = value if name in ("minimum_age", "maximum_age") else _text(value)
    costs = list(service.cost_options.all())
    data["free"] = bool(costs) and all(c.amount is not None and c.amount == 0 for c in costs)
    data["languages"] = canonical_languages(
        [lang.code for lang in service.languages.all() if lang.code]
    )
    for vocabulary in Vocabulary.values:
        data[vocabulary] = sorted(
            str(a.taxonomy_term_id)
            for a in service.attributes.all()
            if a.link_type == vocabulary and a.taxonomy_term_id
        )
    link = _first_link(service)
    if link is not None:
        location = link.location
        address = location.addresses.order_by("position").first()
        data["location_name"] = _text(location.name)
        data["accessibility"] = _text(_accessibility(location))
        if address is not None:
            data.update(
                street=_text(address.address_1),
                postal_code=_text(address.postal_code),
                city=_text(address.city),
            )
    schedules = list(service.schedules.order_by("position"))
    data["schedules"] = [schedule_row(s) for s in schedules if is_weekly(s)]
    data["kept_schedules"] = sorted(str(s.pk) for s in schedules if not is_weekly(s))
    contact = service.contacts.order_by("position").first()
    if contact is not None:
        data.update(contact_name=_text(contact.name), contact_email=contact.email)
    phone = _service_phone(service)
    data["contact_phone"] = _text(phone.number) if phone else ""
    return data


def merge(current: OfferData, proposed: OfferData, base: OfferData | None) -> OfferData:
    """The offer as it will be published: the current version plus what the editor changed.

    Keys the editor left as they found them (`base`) keep their current value, so a change
    made meanwhile by someone else (e.g. an import) is not undone.
    """
    if base is None:
        return {**empty_offer(), **proposed}
    changed = {key: value for key, value in proposed.items() if base.get(key) != value}
    return {**current, **changed}


# Writing ------------------------------------------------------------------------------------


def _differs(target: OfferData, current: OfferData, keys: tuple[str, ...]) -> bool:
    return any(target.get(key) != current.get(key) for key in keys)


@transaction.atomic
def apply(service: Service, target: OfferData) -> list[str]:
    """Write `target` into `service` and its rows; return the keys that changed.

    The caller saves `service` itself (so that it records history once, with its user).
    """
    current = snapshot(service)
    changed = [key for key in FIELD_LABELS if target.get(key) != current.get(key)]
    for name in SERVICE_FIELDS:
        if name in changed:
            setattr(service, name, target[name])
    if "free" in changed:
        _apply_costs(service, bool(target["free"]))
    if "languages" in changed:
        _apply_languages(service, target["languages"])
    for vocabulary in Vocabulary.values:
        if vocabulary in changed:
            _apply_terms(service, vocabulary, target[vocabulary])
    if _differs(target, current, LOCATION_FIELDS):
        _apply_location(service, target)
    if _differs(target, current, ("schedules", "kept_schedules")):
        _apply_schedules(service, target["schedules"], target["kept_schedules"])
    if _differs(target, current, CONTACT_FIELDS):
        _apply_contact(service, target["contact_name"], target["contact_email"])
    if "contact_phone" in changed:
        _apply_phone(service, target["contact_phone"])
    return changed


def _apply_costs(service: Service, free: bool) -> None:
    if free:
        service.cost_options.all().delete()
        CostOption.objects.create(
            service=service, option="kostenlos", currency="EUR", amount=0, position=0
        )
    else:
        service.cost_options.filter(amount=0).delete()


def _apply_languages(service: Service, codes: list[str]) -> None:
    existing = {lang.code: lang for lang in service.languages.all()}
    service.languages.exclude(code__in=codes).delete()
    for position, code in enumerate(codes):
        language = existing.get(code) or ServiceLanguage(
            service=service, code=code, name=LANGUAGE_NAMES.get(code, code)
        )
        language.position = position
        language.save()


def _apply_terms(service: Service, vocabulary: str, term_ids: list[str]) -> None:
    # A term removed from the vocabulary since the proposal was made is left out.
    existing_terms = TaxonomyTerm.objects.filter(pk__in=term_ids).values_list("pk", flat=True)
    known = {str(pk) for pk in existing_terms}
    term_ids = [term_id for term_id in term_ids if term_id in known]
    attributes = service.attributes.filter(link_type=vocabulary)
    attributes.exclude(taxonomy_term_id__in=term_ids).delete()
    present = {str(i) for i in attributes.values_list("taxonomy_term_id", flat=True)}
    position = service.attributes.count()
    for term_id in term_ids:
        if term_id not in present:
            ServiceAttribute.objects.create(
                service=service,
                taxonomy_term_id=term_id,
                link_type=vocabulary,
                position=position,
                extra={"link_entity": "service"},
            )
            position += 1


def _find_location(organization: Organization, target: OfferData) -> Location | None:
    found: Location | None = (
        Location.objects.filter(
            organization=organization,
            addresses__address_1__iexact=target["street"].strip(),
            addresses__postal_code=target["postal_code"].strip(),
            addresses__city__iexact=target["city"].strip(),
        )
        .order_by("created")
        .first()
    )
    return found


def _address_key(street: str, postal_code: str, city: str) -> tuple[str, str, str]:
    return street.strip().lower(), postal_code.strip(), city.strip().lower()


def _place(service: Service, link: ServiceAtLocation | None, target: OfferData) -> Location:
    """The location at the target address: the current one, another of the organisation's
    (places are shared between offers), or a new one placed in its municipality."""
    wanted = _address_key(target["street"], target["postal_code"], target["city"])
    if link is not None:
        address = link.location.addresses.order_by("position").first()
        if address and _address_key(address.address_1, address.postal_code, address.city) == (
            wanted
        ):
            return link.location
    found = _find_location(service.organization, target)
    if found is not None:
        return found
    location = Location.objects.create(region=service.region, organization=service.organization)
    Address.objects.create(
        location=location,
        address_1=target["street"].strip(),
        postal_code=target["postal_code"].strip(),
        city=target["city"].strip(),
        region_name=service.region.name,
        state_province="Nordrhein-Westfalen",
        country="DE",
        address_type="physical",
    )
    place_location(location)
    return location


def _apply_location(service: Service, target: OfferData) -> None:
    link = _first_link(service)
    if not target["street"]:
        if link is not None:
            # Times tied to this place stay with the offer.
            link.schedules.update(service_at_location=None)
            link.delete()
        return
    location = _place(service, link, target)
    location.name = target["location_name"]
    described = target["accessibility"].strip()
    items = location.extra.get("accessibility")
    if described:
        first_id = items[0].get("id") if items else None
        location.extra["accessibility"] = [
            {"id": first_id or str(uuid.uuid4()), "description": described}
        ]
    elif items:
        location.extra["accessibility"] = []
    location.save()
    if link is None:
        ServiceAtLocation.objects.create(service=service, location=location, position=0)
    elif link.location_id != location.pk:
        link.location = location
        link.save(update_fields=["location", "modified"])


def german_schedule_description(row: dict[str, Any]) -> str:
    days = ", ".join(GERMAN_WEEKDAYS[day] for day in row["days"])
    text = f"{days} {row['opens_at']}–{row['closes_at']} Uhr"
    if row["valid_from"]:
        text += f"; ab {_date(row['valid_from']):%d.%m.%Y}"
    if row["valid_to"]:
        text += f"; bis {_date(row['valid_to']):%d.%m.%Y}"
    return text


def _apply_schedules(service: Service, rows: list[dict[str, Any]], kept: list[str]) -> None:
    existing = {str(s.pk): s for s in service.schedules.all()}
    wanted = set(kept) | {row["id"] for row in rows if row.get("id")}
    service.schedules.exclude(pk__in=[pk for pk in existing if pk in wanted]).delete()
    for position, row in enumerate(rows, start=len(kept)):
        schedule = existing.get(row.get("id") or "") or Schedule(service=service)
        schedule.freq = "WEEKLY"
        schedule.byday = ",".join(row["days"])
        schedule.opens_at = row["opens_at"]
        schedule.closes_at = row["closes_at"]
        schedule.valid_from = _date(row["valid_from"])
        schedule.valid_to = _date(row["valid_to"])
        schedule.dtstart = schedule.valid_from
        schedule.notes = row["notes"]
        schedule.description = german_schedule_description(row)
        schedule.position = position
        schedule.save()


def _apply_contact(service: Service, name: str, email: str) -> None:
    contact = service.contacts.order_by("position").first()
    if not (name or email):
        if contact is not None:
            contact.delete()
        return
    contact = contact or Contact(service=service)
    contact.name, contact.email = name, email
    contact.save()


def _apply_phone(service: Service, number: str) -> None:
    phone = _service_phone(service)
    if not number:
        if phone is not None:
            phone.delete()
        return
    phone = phone or Phone(service=service, type="voice")
    phone.number = number
    phone.save()
