"""What the search index knows of an offer: its texts, its passage for the embedding, its facets.

Only published offers become documents. A document carries

- `german`: the German text fields of the offer (name, alternate name, description,
  eligibility, fees, how to apply, interpretation, notice), the organisation's name, the
  municipality names of its locations and the German labels of its taxonomy terms: indexed
  with the German stemmer (BM25);
- `other`: every human or machine translation of the offer's texts and the English labels of
  its taxonomy terms: indexed with a plain lower-casing tokenizer, for queries in other Latin
  or Cyrillic scripts and for Arabic/Persian words that happen to match;
- `passages`: three short texts embedded with the multilingual model (the dense half of the
  hybrid search): name + the start of the description + taxonomy labels (`passage`); name +
  the first sentence of the description; name + the German and English taxonomy labels. The
  offer's vector is the mean of the three (bench/search.py: recall@5 +0.02, nDCG@10 +0.03
  over the single passage on the tuning half of the evaluation set);
- the facets that filters use: municipality slugs, field-of-action and target-group codes,
  languages offered, free of charge, weekdays, and the coordinates of the offer's locations;
  and the offer's age range (an age named in the query pushes back offers outside it).
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from kinetz.offers.models import (
    ReviewState,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
)

WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
TEXT_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "eligibility_description",
    "fees_description",
    "application_process",
    "interpretation_services",
    "alert",
)
PASSAGE_DESCRIPTION_CHARS = 600
FIRST_SENTENCE_CHARS = 200
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


@dataclass
class OfferDocument:
    id: str
    name: str
    german: str
    other: str
    passage: str
    municipalities: list[str] = field(default_factory=list)
    handlungsfelder: list[str] = field(default_factory=list)
    zielgruppen: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    free: bool = False
    weekdays: list[str] = field(default_factory=list)
    coordinates: list[tuple[float, float]] = field(default_factory=list)
    ages: tuple[int | None, int | None] = (None, None)  # minimum and maximum age
    # Further texts embedded beside `passage`; the offer's vector is the mean of all of them.
    extra_passages: list[str] = field(default_factory=list)

    @property
    def passages(self) -> list[str]:
        return [self.passage, *self.extra_passages]

    def facets(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "municipalities": self.municipalities,
            "handlungsfelder": self.handlungsfelder,
            "zielgruppen": self.zielgruppen,
            "languages": self.languages,
            "free": self.free,
            "weekdays": self.weekdays,
            "coordinates": [list(pair) for pair in self.coordinates],
            "ages": list(self.ages),
        }


def indexable_services() -> "QuerySet[Service]":
    """Published offers with everything a document needs, in few queries."""
    queryset: QuerySet[Service] = Service.objects.filter(review_state=ReviewState.PUBLISHED)
    return queryset.select_related("organization").prefetch_related(
        Prefetch(
            "attributes",
            queryset=ServiceAttribute.objects.select_related("taxonomy_term"),
        ),
        Prefetch(
            "at_locations",
            queryset=ServiceAtLocation.objects.select_related("location__municipality"),
        ),
        Prefetch("schedules", queryset=Schedule.objects.all()),
        "languages",
        "cost_options",
        "translations",
    )


def _weekdays(byday: str) -> set[str]:
    days = set()
    for part in byday.split(","):
        code = part.strip().lstrip("+-0123456789").lower()
        if code in WEEKDAYS:
            days.add(code)
    return days


def _is_free(service: Service) -> bool:
    amounts = [option.amount for option in service.cost_options.all()]
    if amounts:
        return all(amount is not None and amount == 0 for amount in amounts)
    fees = service.fees_description.lower()
    return any(word in fees for word in ("kostenlos", "kostenfrei", "gebührenfrei", "gratis"))


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0][:FIRST_SENTENCE_CHARS]


def build_document(service: Service) -> OfferDocument:
    term_labels_de: list[str] = []
    term_labels_en: list[str] = []
    handlungsfelder: list[str] = []
    zielgruppen: list[str] = []
    for attribute in service.attributes.all():
        term = attribute.taxonomy_term
        if term is None:
            continue
        term_labels_de.append(term.name)
        term_labels_en.append(str((term.extra or {}).get("name_en", "")))
        if term.code.startswith("hf-"):
            handlungsfelder.append(term.code)
        elif term.code.startswith("zg-"):
            zielgruppen.append(term.code)
    municipalities: dict[str, str] = {}
    coordinates: list[tuple[float, float]] = []
    for link in service.at_locations.all():
        location = link.location
        if location.municipality is not None:
            municipalities[location.municipality.slug] = location.municipality.name
        if location.latitude is not None and location.longitude is not None:
            coordinates.append((location.latitude, location.longitude))
    weekdays: set[str] = set()
    for schedule in service.schedules.all():
        weekdays |= _weekdays(schedule.byday)
    german_parts = [str(getattr(service, name) or "") for name in TEXT_FIELDS]
    german_parts += [service.organization.name, *municipalities.values(), *term_labels_de]
    translations = [t.text for t in service.translations.all()]
    passage = " ".join(
        part
        for part in (
            service.name,
            service.description[:PASSAGE_DESCRIPTION_CHARS],
            " ".join(term_labels_de),
        )
        if part
    )
    return OfferDocument(
        id=str(service.pk),
        name=service.name,
        german="\n".join(part for part in german_parts if part),
        other="\n".join(part for part in [*translations, *term_labels_en] if part),
        passage=passage,
        municipalities=sorted(municipalities),
        handlungsfelder=sorted(set(handlungsfelder)),
        zielgruppen=sorted(set(zielgruppen)),
        languages=sorted({lang.code.lower() for lang in service.languages.all() if lang.code}),
        free=_is_free(service),
        weekdays=[day for day in WEEKDAYS if day in weekdays],
        coordinates=coordinates,
        ages=(service.minimum_age, service.maximum_age),
        extra_passages=[
            f"{service.name}. {first_sentence(service.description)}",
            f"{service.name} — "
            + ", ".join(label for label in [*term_labels_de, *term_labels_en] if label),
        ],
    )


def iter_documents(
    services: Iterable[Service] | None = None, chunk: int = 2000
) -> Iterator[OfferDocument]:
    """Documents of the given services, or of every published offer chunk by chunk (the
    prefetched rows of one chunk at a time stay in memory)."""
    if services is not None:
        for service in services:
            yield build_document(service)
        return
    ids = list(indexable_services().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        for service in indexable_services().filter(pk__in=ids[start : start + chunk]):
            yield build_document(service)


def document_for(service_id: str) -> OfferDocument | None:
    """The document of one offer, or None when it is not (or no longer) published."""
    service = indexable_services().filter(pk=service_id).first()
    return build_document(service) if service is not None else None
