"""Coverage and gaps: published offers per municipality x field of action x target group,
set against demand (the *Bestands- und Bedarfsanalyse* of the integration centre).

Rules (the staff page explains the same in plain words):

- **Where an offer counts.** In every municipality where it physically takes place (the
  municipality of each of its locations; two places in one town count once). The catchment
  area (HSDS `service_areas`) says who may come, not where the offer is: a counselling centre
  in Kleve that serves the whole district still means a trip to Kleve, so service areas do not
  add offers to a municipality. Offers without a physical place (online) are not attributed to
  any municipality; they are counted separately (`Coverage.unplaced`). An offer without a
  field of action is in no cell.
- **Target group "Alle".** An offer for everyone also serves each group, so it counts in every
  target group's cell of its field. The "Alle" cell itself counts every offer of the field,
  whatever its groups: it is the field's total.
- **Demand.** Children, young people and newly arrived pupils are set against the number of
  children aged 6-18, refugees and EU immigrants against the foreign population, every other
  group against the population. A specific figure is used only when it is known for every
  municipality of the region (else rates would not be comparable); otherwise the population is
  used and the cell says so (`fallback`).
- **per_10k** = offers / demand x 10,000.
- **Gap score.** The district-wide rate of the same field x group (all its offers / all its
  demand) says how many offers a municipality would have if it were served like the district on
  average: expected = district rate x demand. gap = 1 - offers / expected, at least 0. So 0 means
  served at least as well as the district, 0.5 half as well, 1 nothing where there is demand.
  A cell without demand, or a field x group that has no offer anywhere in the district, has
  gap 0: there is nothing to compare with.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from kinetz.offers.models import (
    ReviewState,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    ServiceLanguage,
    Vocabulary,
)
from kinetz.offers.taxonomy import fields_of_action, target_groups
from kinetz.territory.models import Indicator, IndicatorValue, Municipality, Region

ALL_GROUP = "zg-alle"
PER = 10_000

# Which demand figure normalises which target group, most specific first; population is the
# fallback for every group.
GROUP_INDICATORS: dict[str, tuple[str, ...]] = {
    "zg-kinder": (Indicator.CHILDREN_6_18,),
    "zg-jugendliche": (Indicator.CHILDREN_6_18,),
    "zg-seiteneinsteiger": (Indicator.NEWLY_ARRIVED_PUPILS, Indicator.CHILDREN_6_18),
    "zg-gefluechtete": (Indicator.FOREIGN_POPULATION,),
    "zg-eu": (Indicator.FOREIGN_POPULATION,),
}

INDICATOR_LABELS = dict(Indicator.choices)


@dataclass(frozen=True)
class Term:
    code: str
    name: str


@dataclass(frozen=True)
class Place:
    pk: Any
    ags: str
    name: str


@dataclass
class Cell:
    municipality: Place
    field: Term
    group: Term
    offers: int
    demand: float | None
    basis: str  # the Indicator used as demand
    fallback: bool  # True when the group's own indicator was not known: population used
    district_per_10k: float | None
    expected: float
    gap_score: float

    @property
    def per_10k(self) -> float | None:
        if not self.demand:
            return None
        return round(self.offers / self.demand * PER, 2)

    @property
    def missing(self) -> float:
        """Offers short of the district's average, the order of urgency among equal gaps."""
        return max(0.0, self.expected - self.offers)

    @property
    def basis_label(self) -> str:
        return str(INDICATOR_LABELS.get(self.basis, self.basis))

    def as_contract(self, language: str = "") -> dict[str, Any]:
        """The cell as `coverage_report --json` writes it (the first six keys are fixed)."""
        return {
            "municipality": self.municipality.ags,
            "handlungsfeld": self.field.code,
            "zielgruppe": self.group.code,
            "offers": self.offers,
            "per_10k": self.per_10k,
            "gap_score": self.gap_score,
            "municipality_name": self.municipality.name,
            "language": language or None,
            "demand": self.demand,
            "demand_basis": self.basis,
            "demand_fallback": self.fallback,
            "district_per_10k": self.district_per_10k,
            "expected": round(self.expected, 2),
        }


@dataclass
class Coverage:
    region: Region
    language: str
    municipalities: list[Place]
    fields: list[Term]
    groups: list[Term]
    cells: list[Cell]
    # Published offers (matching the language) without a physical place, by field code.
    unplaced: dict[str, int] = field(default_factory=dict)
    # Groups whose own indicator was missing somewhere: {group code: indicator wanted}.
    fallbacks: dict[str, str] = field(default_factory=dict)

    def cell(self, ags: str, field_code: str, group_code: str) -> Cell:
        for cell in self.cells:
            if (cell.municipality.ags, cell.field.code, cell.group.code) == (
                ags,
                field_code,
                group_code,
            ):
                return cell
        raise KeyError((ags, field_code, group_code))

    def select(self, field_code: str = "", group_code: str = "") -> list[Cell]:
        return [
            c
            for c in self.cells
            if (not field_code or c.field.code == field_code)
            and (not group_code or c.group.code == group_code)
        ]

    def thinnest(self, limit: int | None = None) -> list[Cell]:
        """Gaps first: highest gap score, then most offers short of the district average."""
        ranked = sorted(
            (c for c in self.cells if c.gap_score > 0),
            key=lambda c: (-c.gap_score, -c.missing, c.municipality.name, c.field.code),
        )
        return ranked[:limit] if limit is not None else ranked


def counts_for_group(service_groups: Iterable[str], group: str) -> bool:
    """Whether an offer with target groups `service_groups` counts in `group`'s cell."""
    groups = set(service_groups)
    return group == ALL_GROUP or group in groups or ALL_GROUP in groups


def published_services(region: Region, language: str = "") -> QuerySet[Service]:
    services = Service.objects.in_region(region).filter(review_state=ReviewState.PUBLISHED)
    if language:
        speaking = ServiceLanguage.objects.filter(code=language).values("service_id")
        services = services.filter(pk__in=speaking)
    return services


def _terms_by_service(services: QuerySet[Service]) -> dict[str, dict[Any, set[str]]]:
    """{vocabulary: {service id: {term code}}} in one query."""
    found: dict[str, dict[Any, set[str]]] = {v: defaultdict(set) for v in Vocabulary.values}
    rows = (
        ServiceAttribute.objects.filter(
            service__in=services.values("pk"),
            taxonomy_term__taxonomy__vocabulary__in=Vocabulary.values,
        )
        .exclude(taxonomy_term__code="")
        .values_list("service_id", "taxonomy_term__taxonomy__vocabulary", "taxonomy_term__code")
    )
    for service_id, vocabulary, code in rows.iterator(chunk_size=5000):
        found[vocabulary][service_id].add(code)
    return found


def _places_by_service(services: QuerySet[Service]) -> dict[Any, set[Any]]:
    """{service id: {municipality id}} in one query."""
    places: dict[Any, set[Any]] = defaultdict(set)
    rows = ServiceAtLocation.objects.filter(
        service__in=services.values("pk"), location__municipality__isnull=False
    ).values_list("service_id", "location__municipality_id")
    for service_id, municipality_id in rows.iterator(chunk_size=5000):
        places[service_id].add(municipality_id)
    return places


def _demand(
    region: Region, municipalities: list[Municipality], groups: list[Term]
) -> tuple[dict[str, tuple[str, dict[Any, float | None]]], dict[str, str]]:
    """{group: (basis indicator, {municipality id: demand})} and the fallbacks taken."""
    population: dict[Any, float | None] = {
        m.pk: float(m.population) if m.population is not None else None for m in municipalities
    }
    values = IndicatorValue.objects.in_region(region)
    known: dict[str, dict[Any, float]] = {}
    for indicator in {i for wanted in GROUP_INDICATORS.values() for i in wanted}:
        latest = values.latest_per_municipality(indicator)
        known[indicator] = {pk: float(v.value) for pk, v in latest.items()}
    result: dict[str, tuple[str, dict[Any, float | None]]] = {}
    fallbacks: dict[str, str] = {}
    for group in groups:
        wanted = GROUP_INDICATORS.get(group.code, ())
        usable = next((i for i in wanted if all(m.pk in known[i] for m in municipalities)), None)
        if usable is None:
            if wanted:
                fallbacks[group.code] = wanted[0]
            result[group.code] = (Indicator.POPULATION, population)
        else:
            result[group.code] = (usable, dict(known[usable]))
    return result, fallbacks


def compute(region: Region, language: str = "") -> Coverage:
    """Every cell municipality x field of action x target group of `region`.

    One query per dimension (places, terms, indicators), then one pass over the offers.
    """
    municipalities = list(Municipality.objects.in_region(region).order_by("name"))
    places = [Place(m.pk, m.ags, m.name) for m in municipalities]
    fields = [Term(t.code, t.name) for t in fields_of_action()]
    groups = [Term(t.code, t.name) for t in target_groups()]
    services = published_services(region, language)
    terms = _terms_by_service(services)
    located = _places_by_service(services)

    total: dict[tuple[Any, str], int] = defaultdict(int)
    for_all: dict[tuple[Any, str], int] = defaultdict(int)
    tagged: dict[tuple[Any, str, str], int] = defaultdict(int)
    unplaced: dict[str, int] = defaultdict(int)
    for service_id, service_fields in terms[Vocabulary.HANDLUNGSFELD].items():
        service_groups = terms[Vocabulary.ZIELGRUPPE].get(service_id, set())
        where = located.get(service_id)
        if not where:
            for code in service_fields:
                unplaced[code] += 1
            continue
        for municipality_id in where:
            for code in service_fields:
                total[municipality_id, code] += 1
                if ALL_GROUP in service_groups:
                    for_all[municipality_id, code] += 1
                else:
                    for group in service_groups:
                        tagged[municipality_id, code, group] += 1

    def count(municipality_id: Any, field_code: str, group_code: str) -> int:
        if group_code == ALL_GROUP:
            return total[municipality_id, field_code]
        return (
            tagged[municipality_id, field_code, group_code] + for_all[municipality_id, field_code]
        )

    demand, fallbacks = _demand(region, municipalities, groups)
    cells: list[Cell] = []
    for f in fields:
        for g in groups:
            basis, figures = demand[g.code]
            counts = {p.pk: count(p.pk, f.code, g.code) for p in places}
            with_demand = [p for p in places if figures.get(p.pk)]
            all_demand = sum(figures[p.pk] or 0.0 for p in with_demand)
            all_offers = sum(counts[p.pk] for p in with_demand)
            rate = all_offers / all_demand if all_demand else 0.0
            for p in places:
                figure = figures.get(p.pk)
                expected = rate * figure if figure else 0.0
                gap = 0.0 if expected <= 0 else max(0.0, 1.0 - counts[p.pk] / expected)
                cells.append(
                    Cell(
                        municipality=p,
                        field=f,
                        group=g,
                        offers=counts[p.pk],
                        demand=figure,
                        basis=basis,
                        fallback=g.code in fallbacks,
                        district_per_10k=round(rate * PER, 2) if all_demand else None,
                        expected=expected,
                        gap_score=round(gap, 3),
                    )
                )
    return Coverage(
        region=region,
        language=language,
        municipalities=places,
        fields=fields,
        groups=groups,
        cells=cells,
        unplaced=dict(unplaced),
        fallbacks=fallbacks,
    )


def cell_offers(
    region: Region, ags: str, field_code: str, group_code: str, language: str = ""
) -> QuerySet[Service]:
    """Exactly the offers counted in one cell (the drill-down), by the rules of `compute`."""
    services = published_services(region, language)
    at = ServiceAtLocation.objects.filter(location__municipality__ags=ags)
    in_field = ServiceAttribute.objects.filter(
        taxonomy_term__code=field_code,
        taxonomy_term__taxonomy__vocabulary=Vocabulary.HANDLUNGSFELD,
    )
    services = services.filter(pk__in=at.values("service_id")).filter(
        pk__in=in_field.values("service_id")
    )
    if group_code != ALL_GROUP:
        in_group = ServiceAttribute.objects.filter(
            Q(taxonomy_term__code=group_code) | Q(taxonomy_term__code=ALL_GROUP),
            taxonomy_term__taxonomy__vocabulary=Vocabulary.ZIELGRUPPE,
        )
        services = services.filter(pk__in=in_group.values("service_id"))
    return services.order_by("name", "id")


def languages_offered(region: Region) -> list[tuple[str, str]]:
    """(code, name) of the languages published offers of `region` are delivered in."""
    rows = (
        ServiceLanguage.objects.filter(
            service__region=region, service__review_state=ReviewState.PUBLISHED
        )
        .exclude(code="")
        .values_list("code", "name")
        .order_by("code")
        .distinct()
    )
    names: dict[str, str] = {}
    for code, name in rows:
        names.setdefault(code, name or code)
    return sorted(names.items(), key=lambda item: item[1].lower())
