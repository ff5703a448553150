"""The result cards of the public search: what each hit shows, in the visitor's language.

`cards(hits, language)` reads the offers of the hits in one query (plus prefetches) and keeps the
ranking order. Names and descriptions come through `translated_text` (a current translation in
the visitor's language, else the German text, marked with its language); fields of action are
the German vocabulary terms; the schedule is the first one in words (kinetz.finder.schedules).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.text import Truncator

from kinetz.core.languages import DEFAULT_LANGUAGE
from kinetz.finder.map import MapPoint, points
from kinetz.finder.schedules import ScheduleText, describe_all
from kinetz.finder.search import Hit
from kinetz.offers.models import (
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    Vocabulary,
)
from kinetz.offers.translating import translated_text

SUMMARY_WORDS = 30


@dataclass
class CardText:
    text: str
    language: str  # the visitor's language, or "de" for the German original


@dataclass
class Card:
    id: str
    name: CardText
    summary: CardText
    organization: str
    municipalities: list[str] = field(default_factory=list)
    fields_of_action: list[str] = field(default_factory=list)
    schedule: ScheduleText | None = None
    free: bool = False
    points: list[MapPoint] = field(default_factory=list)  # places with coordinates, for the map


def _text(service: Service, name: str, language: str) -> CardText:
    localised = translated_text(service, name, language)
    if localised.translated and not localised.outdated and localised.text:
        return CardText(localised.text, language)
    return CardText(getattr(service, name) or "", DEFAULT_LANGUAGE)


def _card(service: Service, language: str) -> Card:
    schedules = list(service.schedules.all())
    places: list[str] = []
    for link in service.at_locations.all():
        schedules.extend(link.schedules.all())
        municipality = link.location.municipality
        if municipality is not None and municipality.name not in places:
            places.append(municipality.name)
    fields = [
        attribute.taxonomy_term.name
        for attribute in service.attributes.all()
        if attribute.taxonomy_term is not None
        and attribute.taxonomy_term.taxonomy is not None
        and attribute.taxonomy_term.taxonomy.vocabulary == Vocabulary.HANDLUNGSFELD
    ]
    described = describe_all(schedules, language)
    summary = _text(service, "description", language)
    summary.text = Truncator(summary.text).words(SUMMARY_WORDS)
    return Card(
        id=str(service.pk),
        name=_text(service, "name", language),
        summary=summary,
        organization=service.organization.name,
        municipalities=sorted(places),
        fields_of_action=sorted(set(fields)),
        schedule=described[0] if described else None,
        free=any(option.amount == Decimal(0) for option in service.cost_options.all()),
        points=points(service),
    )


def cards(hits: list[Hit], language: str) -> list[Card]:
    """One card per hit, in the order of the hits; hits whose offer is gone are skipped."""
    ids = [hit.id for hit in hits]
    if not ids:
        return []
    services = (
        Service.objects.published()
        .across_regions()
        .filter(pk__in=ids)
        .select_related("organization")
        .prefetch_related(
            "translations",
            "cost_options",
            Prefetch("schedules", Schedule.objects.order_by("position")),
            Prefetch(
                "attributes",
                ServiceAttribute.objects.select_related("taxonomy_term__taxonomy"),
            ),
            Prefetch(
                "at_locations",
                ServiceAtLocation.objects.select_related("location__municipality")
                .prefetch_related("schedules")
                .order_by("position"),
            ),
        )
    )
    by_id = {str(service.pk): service for service in services}
    return [_card(by_id[pk], language) for pk in ids if pk in by_id]
