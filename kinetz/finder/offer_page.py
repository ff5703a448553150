"""What the public page of an offer shows, assembled in the visitor's language.

Only published offers are public, from any region. Text fields come through
`kinetz.offers.translating.translated_text`: a current translation in the visitor's language
if there is one (machine translations are flagged), else the German text, which the page marks
with `lang="de"` and a short note. A translation whose German original has changed since is
not shown: the German text is what is true now.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import formats, translation
from django.utils.translation import gettext as _

from kinetz.core.languages import DEFAULT_LANGUAGE
from kinetz.finder.schedules import ScheduleText, describe_all
from kinetz.network.models import Contact, Organization, Phone
from kinetz.offers.models import (
    TRANSLATABLE_SERVICE_FIELDS,
    CostOption,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    TranslationOrigin,
)
from kinetz.offers.translating import Localised, translated_text


@dataclass
class ShownText:
    text: str
    language: str  # the language the text is in: the visitor's, or "de"
    machine: bool = False

    @property
    def is_german_fallback(self) -> bool:
        return self.language == DEFAULT_LANGUAGE


@dataclass
class ShownLocation:
    location: Location
    name: str
    address_lines: list[str]
    municipality: str
    latitude: float | None
    longitude: float | None
    approximate: bool
    transportation: str
    accessibility: list[str]
    schedules: list[ScheduleText]
    phones: list[Phone]

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def osm_url(self) -> str:
        query = urlencode({"mlat": self.latitude, "mlon": self.longitude})
        return f"https://www.openstreetmap.org/?{query}#map=17/{self.latitude}/{self.longitude}"


@dataclass
class OfferPage:
    service: Service
    language: str
    texts: dict[str, ShownText]
    organization: Organization
    languages: list[str]
    costs: list[str]
    age_range: str
    locations: list[ShownLocation]
    schedules: list[ScheduleText]
    contacts: list[Contact]
    phones: list[Phone]
    last_verified: date | None
    areas: list[str] = field(default_factory=list)

    @property
    def shows_german_fallback(self) -> bool:
        """Some text is shown in German although the visitor chose another language."""
        if self.language == DEFAULT_LANGUAGE:
            return False
        return any(text.is_german_fallback and text.text for text in self.texts.values())

    @property
    def shows_machine_translation(self) -> bool:
        return any(text.machine for text in self.texts.values())

    @property
    def email(self) -> str:
        return self.service.email or self.organization.email

    @property
    def website(self) -> str:
        url = self.service.url or self.organization.website
        # Only web addresses become links: imported data could hold "javascript:" and the like.
        return url if url.lower().startswith(("https://", "http://")) else ""


def with_page_relations(services: QuerySet[Service]) -> QuerySet[Service]:
    """`services` with everything an offer's page (and the local guide) reads, prefetched."""
    return services.select_related("organization", "region").prefetch_related(
        "translations",
        "languages",
        "cost_options",
        "contacts",
        "phones",
        "organization__contacts",
        "organization__phones",
        Prefetch("schedules", Schedule.objects.order_by("position")),
        Prefetch(
            "at_locations",
            ServiceAtLocation.objects.select_related("location__municipality")
            .prefetch_related("location__addresses", "location__phones", "schedules")
            .order_by("position"),
        ),
    )


def published_offer(service_id: Any) -> Service:
    """The published offer with this id, from any region, with what the page reads; else 404."""
    services = with_page_relations(Service.objects.published().across_regions())
    try:
        service: Service = services.get(pk=service_id)
    except (Service.DoesNotExist, ValueError) as error:
        raise Http404 from error
    return service


def _shown(localised: Localised) -> ShownText:
    if localised.translated and localised.outdated:
        return ShownText("", DEFAULT_LANGUAGE)  # replaced by the German text below
    return ShownText(
        localised.text,
        localised.language,
        machine=localised.translated and localised.origin == TranslationOrigin.MACHINE,
    )


def _texts(service: Service, language: str) -> dict[str, ShownText]:
    texts = {}
    for name in TRANSLATABLE_SERVICE_FIELDS:
        shown = _shown(translated_text(service, name, language))
        if not shown.text:
            shown = ShownText(getattr(service, name), DEFAULT_LANGUAGE)
        texts[name] = shown
    return texts


def language_name(code: str, fallback: str = "") -> str:
    """The name of a language in the active UI language ("Arabic", "Arabisch", …)."""
    try:
        info = translation.get_language_info(code.lower())
    except KeyError:
        return fallback or code
    return str(info["name_translated"])


def age_range(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return _("%(minimum)d to %(maximum)d years") % {"minimum": minimum, "maximum": maximum}
    if minimum is not None:
        return _("from %(minimum)d years") % {"minimum": minimum}
    if maximum is not None:
        return _("up to %(maximum)d years") % {"maximum": maximum}
    return ""


_FREE_WORDS = ("kostenlos", "kostenfrei", "gebührenfrei", "gratis", "free")


def _cost(option: CostOption) -> str:
    parts = [option.option] if option.option else []
    if option.amount is not None:
        if option.amount == Decimal(0):
            # Say "free" once, not "kostenlos, kostenlos, Die Teilnahme ist kostenlos."
            said = f"{option.option} {option.amount_description}".casefold()
            if not any(word in said for word in _FREE_WORDS):
                parts.append(_("free of charge"))
        else:
            amount = formats.number_format(option.amount, decimal_pos=2, use_l10n=True)
            parts.append(f"{amount} {option.currency or 'EUR'}")
    if option.amount_description:
        parts.append(option.amount_description)
    return " – ".join(parts)


def _address_lines(location: Location) -> list[str]:
    lines = []
    for address in location.addresses.all():
        street = ", ".join(part for part in (address.address_1, address.address_2) if part)
        lines.append(f"{street}, {address.postal_code} {address.city}".strip(", "))
    return lines


def _accessibility(location: Location) -> list[str]:
    records = (location.extra or {}).get("accessibility") or []
    return [
        str(item["description"])
        for item in records
        if isinstance(item, dict) and item.get("description")
    ]


def _locations(service: Service, language: str) -> list[ShownLocation]:
    shown = []
    for link in service.at_locations.all():
        location = link.location
        shown.append(
            ShownLocation(
                location=location,
                name=location.name,
                address_lines=_address_lines(location),
                municipality=location.municipality.name if location.municipality else "",
                latitude=location.latitude,
                longitude=location.longitude,
                approximate=location.coordinates_approximate,
                transportation=location.transportation,
                accessibility=_accessibility(location),
                schedules=describe_all(list(link.schedules.all()), language),
                phones=list(location.phones.all()),
            )
        )
    return shown


def offer_page(service: Service, language: str) -> OfferPage:
    organization = service.organization
    locations = _locations(service, language)
    contacts = list(service.contacts.all()) or list(organization.contacts.all())
    phones = list(service.phones.all()) or list(organization.phones.all())
    with translation.override(language):
        languages = [
            language_name(item.code, item.name) if item.code else item.name
            for item in service.languages.all()
        ]
        costs = [text for text in (_cost(option) for option in service.cost_options.all()) if text]
        ages = age_range(service.minimum_age, service.maximum_age)
    areas = sorted({place.municipality for place in locations if place.municipality})
    return OfferPage(
        service=service,
        language=language,
        texts=_texts(service, language),
        organization=organization,
        languages=[name for name in languages if name],
        costs=costs,
        age_range=ages,
        locations=locations,
        schedules=describe_all(list(service.schedules.all()), language),
        contacts=contacts,
        phones=phones,
        last_verified=service.last_verified,
        areas=areas,
    )
