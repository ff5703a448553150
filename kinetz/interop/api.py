"""The read-only HSDS 3.0 API: published records only, HSDS paging."""

import math
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from ninja import Router
from ninja.errors import HttpError

from kinetz.interop import hsds
from kinetz.network.models import Organization
from kinetz.offers.models import (
    ReviewState,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
)

router = Router(tags=["HSDS 3.0"])

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 1000


def _uuid(name: str, value: str | None) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise HttpError(400, f"{name}: {value!r} is not a UUID") from None


def _after(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None and (day := parse_date(value)) is not None:
        moment = datetime(day.year, day.month, day.day)
    if moment is None:
        raise HttpError(400, f"modified_after: {value!r} is not an ISO 8601 date or date-time")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def paged(
    queryset: QuerySet[Any],
    page: int,
    per_page: int,
    serialize: Callable[[Any], dict[str, Any]],
    load: Callable[[QuerySet[Any]], list[Any]] = list,
) -> dict[str, Any]:
    """One HSDS page of `queryset` (already ordered).

    The page's ids come first from the ordered index alone; only those records are then loaded
    with their relations. Loading whole rows while skipping OFFSET rows costs the database a
    row fetch per skipped record.
    """
    if page < 1:
        raise HttpError(400, f"page: must be 1 or more, not {page}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise HttpError(400, f"per_page: must be between 1 and {MAX_PER_PAGE}, not {per_page}")
    total = queryset.count()
    pages = max(1, math.ceil(total / per_page))
    start = (page - 1) * per_page
    contents: list[dict[str, Any]] = []
    if start < total:
        ids = list(queryset.values_list("pk", flat=True)[start : start + per_page])
        records = load(queryset.model._default_manager.filter(pk__in=ids))
        by_id = {record.pk: record for record in records}
        contents = [serialize(by_id[pk]) for pk in ids if pk in by_id]
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def published_services() -> QuerySet[Service]:
    return Service.objects.filter(review_state=ReviewState.PUBLISHED)


def _one(queryset: QuerySet[Any], record_id: str, label: str) -> Model:
    found: Model | None = queryset.filter(id=_uuid("id", record_id)).first()
    if found is None:
        raise HttpError(404, f"{label} {record_id} not found")
    return found


@router.get("/services", summary="Published services (HSDS Page)")
def services(
    request: HttpRequest,
    search: str = "",
    taxonomy_term_id: str = "",
    taxonomy_id: str = "",
    organization_id: str = "",
    modified_after: str = "",
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
) -> dict[str, Any]:
    queryset = published_services()
    if search.strip():
        words = search.strip()[:200]
        queryset = queryset.filter(Q(name__icontains=words) | Q(description__icontains=words))
    # Term filters as subqueries: no join, so no DISTINCT over whole rows is needed.
    if term := _uuid("taxonomy_term_id", taxonomy_term_id):
        tagged = ServiceAttribute.objects.filter(taxonomy_term_id=term)
        queryset = queryset.filter(id__in=tagged.values("service_id"))
    if taxonomy := _uuid("taxonomy_id", taxonomy_id):
        tagged = ServiceAttribute.objects.filter(taxonomy_term__taxonomy_id=taxonomy)
        queryset = queryset.filter(id__in=tagged.values("service_id"))
    if organization := _uuid("organization_id", organization_id):
        queryset = queryset.filter(organization_id=organization)
    if after := _after(modified_after):
        queryset = queryset.filter(last_modified__gt=after)
    return paged(
        queryset.order_by("name", "id"),
        page,
        per_page,
        hsds.service,
        hsds.load_services,
    )


@router.get("/services/{service_id}", summary="One published service")
def service(request: HttpRequest, service_id: str) -> dict[str, Any]:
    found = _one(published_services(), service_id, "service")
    return hsds.service(hsds.load_services(Service.objects.filter(pk=found.pk))[0])


@router.get("/organizations", summary="Organizations (HSDS Page)")
def organizations(
    request: HttpRequest, search: str = "", page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> dict[str, Any]:
    queryset: QuerySet[Organization] = Organization.objects.all()
    if search.strip():
        queryset = queryset.filter(name__icontains=search.strip()[:200])
    return paged(
        queryset.order_by("name", "id"),
        page,
        per_page,
        hsds.organization,
        hsds.load_organizations,
    )


@router.get("/organizations/{organization_id}", summary="One organization with its services")
def organization(request: HttpRequest, organization_id: str) -> dict[str, Any]:
    found = _one(Organization.objects.all(), organization_id, "organization")
    record = hsds.organization(hsds.load_organizations(Organization.objects.filter(pk=found.pk))[0])
    services = published_services().filter(organization_id=found.pk).order_by("name", "id")
    record["services"] = [hsds.service(s) for s in hsds.load_services(services)]
    return record


@router.get("/taxonomies", summary="Taxonomies (HSDS Page)")
def taxonomies(
    request: HttpRequest, page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> dict[str, Any]:
    return paged(Taxonomy.objects.order_by("name", "id"), page, per_page, hsds.taxonomy)


@router.get("/taxonomies/{taxonomy_id}", summary="One taxonomy")
def taxonomy(request: HttpRequest, taxonomy_id: str) -> dict[str, Any]:
    return hsds.taxonomy(_one(Taxonomy.objects.all(), taxonomy_id, "taxonomy"))  # type: ignore[arg-type]


@router.get("/taxonomy_terms", summary="Taxonomy terms (HSDS Page)")
def taxonomy_terms(
    request: HttpRequest, taxonomy_id: str = "", page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> dict[str, Any]:
    queryset = TaxonomyTerm.objects.order_by("taxonomy__name", "code", "id")
    if taxonomy := _uuid("taxonomy_id", taxonomy_id):
        queryset = queryset.filter(taxonomy_id=taxonomy)
    return paged(queryset, page, per_page, hsds.taxonomy_term)


@router.get("/taxonomy_terms/{term_id}", summary="One taxonomy term")
def taxonomy_term(request: HttpRequest, term_id: str) -> dict[str, Any]:
    return hsds.taxonomy_term(_one(TaxonomyTerm.objects.all(), term_id, "taxonomy term"))  # type: ignore[arg-type]


def _service_at_location(link: ServiceAtLocation) -> dict[str, Any]:
    record = hsds.service_at_location(link)
    record["service_id"] = str(link.service_id)
    return record


@router.get("/service_at_locations", summary="Where published services take place (HSDS Page)")
def service_at_locations(
    request: HttpRequest, page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> dict[str, Any]:
    queryset = ServiceAtLocation.objects.filter(
        service__review_state=ReviewState.PUBLISHED
    ).order_by("id")
    return paged(
        queryset,
        page,
        per_page,
        _service_at_location,
        hsds.load_service_at_locations,
    )


@router.get("/service_at_locations/{link_id}", summary="One service at a location")
def service_at_location(request: HttpRequest, link_id: str) -> dict[str, Any]:
    queryset = ServiceAtLocation.objects.filter(
        service__review_state=ReviewState.PUBLISHED
    ).select_related("location")
    return _service_at_location(_one(queryset, link_id, "service_at_location"))  # type: ignore[arg-type]
