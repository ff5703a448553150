"""The actor directory: filter organisations and gather what a profile shows."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from kinetz.network.models import ActorType, Organization
from kinetz.offers.models import ReviewState, Service, ServiceAttribute, Vocabulary
from kinetz.offers.taxonomy import read_place_and_field
from kinetz.territory.models import Municipality


@dataclass
class DirectoryFilters:
    actor_type: str = ""
    municipality: str = ""  # AGS
    handlungsfeld: str = ""  # term code, e.g. "hf-sprache"
    search: str = ""
    ignored: tuple[str, ...] = ()  # names of parameters whose values were not understood


def read_filters(params: Any, municipalities: QuerySet[Municipality]) -> DirectoryFilters:
    """Filters from query parameters; unknown values are ignored and named."""
    ignored = []
    actor_type = params.get("actor_type", "")
    if actor_type and actor_type not in ActorType.values:
        ignored.append("actor_type")
        actor_type = ""
    municipality, field = read_place_and_field(params, municipalities, ignored)
    return DirectoryFilters(
        actor_type=actor_type,
        municipality=municipality,
        handlungsfeld=field,
        search=params.get("q", "").strip()[:200],
        ignored=tuple(ignored),
    )


def filter_organizations(
    organizations: QuerySet[Organization], filters: DirectoryFilters
) -> QuerySet[Organization]:
    if filters.actor_type:
        organizations = organizations.filter(actor_type=filters.actor_type)
    if filters.search:
        organizations = organizations.filter(
            Q(name__icontains=filters.search) | Q(alternate_name__icontains=filters.search)
        )
    if filters.municipality:
        organizations = organizations.filter(
            Q(services__at_locations__location__municipality__ags=filters.municipality)
            | Q(listed_locations__location__municipality__ags=filters.municipality)
        )
    if filters.handlungsfeld:
        organizations = organizations.filter(
            services__attributes__taxonomy_term__code=filters.handlungsfeld
        )
    published = Q(services__review_state=ReviewState.PUBLISHED)
    return (
        organizations.distinct()
        .annotate(offer_count=Count("services", filter=published, distinct=True))
        .order_by("name")
    )


def offers_of(organization: Organization) -> QuerySet[Service]:
    """The organisation's offers that are not archived, each with `fields_of_action`."""
    return (
        organization.services.exclude(review_state=ReviewState.ARCHIVED)
        .prefetch_related(
            "at_locations__location__municipality",
            Prefetch(
                "attributes",
                ServiceAttribute.objects.filter(link_type=Vocabulary.HANDLUNGSFELD)
                .select_related("taxonomy_term")
                .order_by("taxonomy_term__name"),
                to_attr="fields_of_action",
            ),
        )
        .order_by("name")
    )
