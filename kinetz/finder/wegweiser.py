"""The printable local guide (*Wegweiser*) of one municipality, in one UI language, as PDF.

What it lists: the published offers with a place in the municipality, the same set the finder
shows for its municipality filter, so that the QR code leads to the same offers and more.
Offers for the whole district held in other towns, and online offers, are not repeated in each
town's guide (they would make up most of a small town's booklet); the guide says so and points
to the online finder. Inactive and defunct offers are left out; temporarily closed ones are
listed and marked. Each offer appears once, under its first field of action; the sections
follow the vocabulary order of the finder's filter.

Rendering 140 offers takes WeasyPrint seconds, so the PDF bytes are cached (Django cache),
keyed by municipality, language and the last change of what that guide shows (an edit in another
town does not throw it away); bench/wegweiser.py measures.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from weasyprint import CSS, HTML  # type: ignore[import-untyped]

from kinetz.core.languages import DEFAULT_LANGUAGE, direction, normalise
from kinetz.finder.offer_page import OfferPage, ShownLocation, offer_page, with_page_relations
from kinetz.finder.schedules import ScheduleText
from kinetz.network.models import Organization
from kinetz.offers import taxonomy
from kinetz.offers.models import (
    Location,
    Service,
    ServiceAttribute,
    ServiceStatus,
    ServiceTranslation,
    TaxonomyTerm,
    Vocabulary,
)
from kinetz.territory.models import Municipality

CACHE_SECONDS = 7 * 24 * 60 * 60
# Bump when the template or the stylesheet changes what a cached PDF would look like.
LAYOUT_VERSION = "1"
STYLESHEET = "kinetz/wegweiser.css"
LISTED_STATUSES = (ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED)


class UnknownLanguage(ValueError):
    """The language asked for is not one of the UI languages."""

    def __init__(self, value: str) -> None:
        codes = ", ".join(code for code, _name in settings.LANGUAGES)
        super().__init__(f"Unknown language {value!r} in the parameter lang; use one of {codes}.")


@dataclass
class GuideOffer:
    page: OfferPage
    places: list[ShownLocation]  # the offer's places in this municipality
    schedules: list[ScheduleText]
    other_fields: list[str]  # further fields of action (German terms)
    temporarily_closed: bool

    @property
    def contact_phones(self) -> list[str]:
        numbers = [phone.number for phone in self.page.phones]
        numbers += [phone.number for place in self.places for phone in place.phones]
        return list(dict.fromkeys(number for number in numbers if number))


@dataclass
class GuideSection:
    code: str
    name: str  # German vocabulary term
    offers: list[GuideOffer] = field(default_factory=list)


@dataclass
class Guide:
    municipality: Municipality
    language: str
    made_on: date
    sections: list[GuideSection]
    finder_url: str
    demo: bool

    @property
    def direction(self) -> str:
        return direction(self.language)

    @property
    def offer_count(self) -> int:
        return sum(len(section.offers) for section in self.sections)

    @property
    def qr_data_uri(self) -> str:
        uri: str = segno.make(self.finder_url, error="m").svg_data_uri(scale=4, border=2)
        return uri


def guide_language(value: str | None, visitor_language: str) -> str:
    """The guide's language: `value` (any UI language) if given, else the visitor's."""
    if value is None or not value.strip():
        return normalise(visitor_language) or DEFAULT_LANGUAGE
    code = normalise(value)
    if code is None:
        raise UnknownLanguage(value[:20])
    return code


def finder_url(municipality: Municipality, language: str) -> str:
    """The online finder filtered to the municipality, in the guide's language."""
    query = urlencode({"municipality": municipality.slug, "lang": language})
    return f"{settings.SITE_URL}{reverse('finder:search')}?{query}"


def listed_offers(municipality: Municipality) -> list[Service]:
    """The published offers held in the municipality, with everything the guide reads."""
    # The public finder spans the installation's regions; the place decides, not the region.
    services = (
        with_page_relations(
            Service.objects.published()
            .across_regions()
            .filter(status__in=LISTED_STATUSES, at_locations__location__municipality=municipality)
            .distinct()
        )
        .prefetch_related(
            Prefetch(
                "attributes",
                ServiceAttribute.objects.select_related("taxonomy_term__taxonomy").order_by(
                    "position"
                ),
            )
        )
        .order_by("name")
    )
    return list(services)


def _field_codes(service: Service) -> list[tuple[str, str]]:
    """(code, German name) of the offer's fields of action, in the order they were given."""
    fields: list[tuple[str, str]] = []
    for attribute in service.attributes.all():
        term = attribute.taxonomy_term
        if term is None or term.taxonomy is None or not term.code:
            continue
        pair = (term.code, term.name)
        if term.taxonomy.vocabulary == Vocabulary.HANDLUNGSFELD and pair not in fields:
            fields.append(pair)
    return fields


def _guide_offer(service: Service, municipality: Municipality, language: str) -> GuideOffer:
    page = offer_page(service, language)
    places = [p for p in page.locations if p.location.municipality_id == municipality.pk]
    schedules = [item for place in places for item in place.schedules] + page.schedules
    return GuideOffer(
        page=page,
        places=places,
        schedules=list(dict.fromkeys(schedules)),
        other_fields=[name for _code, name in _field_codes(service)[1:]],
        temporarily_closed=service.status == ServiceStatus.TEMPORARILY_CLOSED,
    )


def collect(municipality: Municipality, language: str) -> Guide:
    """The guide's content: the municipality's offers grouped by their first field of action."""
    sections = {
        term.code: GuideSection(term.code, term.name) for term in taxonomy.fields_of_action()
    }
    other = GuideSection("other", "")
    for service in listed_offers(municipality):
        offer = _guide_offer(service, municipality, language)
        fields = _field_codes(service)
        section = sections.get(fields[0][0], other) if fields else other
        section.offers.append(offer)
    for section in [*sections.values(), other]:
        section.offers.sort(key=lambda offer: offer.page.texts["name"].text.casefold())
    return Guide(
        municipality=municipality,
        language=language,
        made_on=timezone.localdate(),
        sections=[s for s in [*sections.values(), other] if s.offers],
        finder_url=finder_url(municipality, language),
        demo=settings.KINETZ_DEMO_CATALOGUE,
    )


def render_html(guide: Guide) -> str:
    with translation.override(guide.language):
        return render_to_string("finder/wegweiser.html", {"guide": guide})


def _stylesheet() -> Path:
    found = finders.find(STYLESHEET)
    if not found or isinstance(found, list):
        raise FileNotFoundError(f"static file {STYLESHEET} not found")
    return Path(found)


def render_pdf(html: str) -> bytes:
    document = HTML(string=html, base_url=str(_stylesheet().parent))
    pdf: bytes = document.write_pdf(stylesheets=[CSS(filename=str(_stylesheet()))])
    return pdf


def catalogue_version(municipality: Municipality) -> str:
    """Changes whenever the municipality's offers, their translations, places, providers or the
    field names change, or an offer comes or goes; edits elsewhere leave the guide cached.

    Offer edits (schedules, costs, contacts …) are applied by saving the offer, which moves its
    `modified`; deletions change a count.
    """
    here = Q(at_locations__location__municipality=municipality)
    querysets: list[QuerySet[Any]] = [
        Service.objects.across_regions().filter(here),
        ServiceTranslation.objects.filter(service__in=Service.objects.filter(here)),
        Location.objects.filter(municipality=municipality),
        Organization.objects.across_regions().filter(services__in=Service.objects.filter(here)),
        Municipality.objects.across_regions().filter(pk=municipality.pk),
        TaxonomyTerm.objects.filter(taxonomy__vocabulary=Vocabulary.HANDLUNGSFELD),
    ]
    parts = []
    for queryset in querysets:
        state = queryset.aggregate(count=Count("pk", distinct=True), changed=Max("modified"))
        changed = state["changed"].isoformat() if state["changed"] else "-"
        parts.append(f"{state['count']}:{changed}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def cache_key(municipality: Municipality, language: str) -> str:
    # No date in the key: a guide "as of" an earlier day is still true while nothing changed.
    demo = "demo" if settings.KINETZ_DEMO_CATALOGUE else "live"
    site = hashlib.sha256(settings.SITE_URL.encode()).hexdigest()[:8]
    return (
        f"wegweiser:{LAYOUT_VERSION}:{municipality.pk}:{language}:{demo}:{site}:"
        f"{catalogue_version(municipality)}"
    )


def guide_pdf(municipality: Municipality, language: str) -> bytes:
    """The guide as PDF bytes: from the cache, else rendered and cached."""
    return _cached_or_rendered(municipality, language)[0]


def warm(municipality: Municipality, language: str) -> bool:
    """Render the guide into the cache unless it is there; True if it had to be rendered."""
    return _cached_or_rendered(municipality, language)[1]


def _cached_or_rendered(municipality: Municipality, language: str) -> tuple[bytes, bool]:
    key = cache_key(municipality, language)
    pdf: bytes | None = cache.get(key)
    if pdf is not None:
        return pdf, False
    pdf = render_pdf(render_html(collect(municipality, language)))
    cache.set(key, pdf, CACHE_SECONDS)
    return pdf, True
