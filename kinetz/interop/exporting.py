"""Export the catalogue as HSDS 3.0 JSON files in the shape import_hsds reads."""

import json
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from kinetz.interop import hsds
from kinetz.network.models import Organization
from kinetz.offers.models import ReviewState, Service, Taxonomy, TaxonomyTerm


def page(contents: list[dict[str, Any]]) -> dict[str, Any]:
    """An HSDS API Page holding every record on one page."""
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


def export_hsds(
    folder: Path, *, region_slug: str | None = None, published_only: bool = True
) -> dict[str, int]:
    services: QuerySet[Service] = Service.objects.all()
    organizations: QuerySet[Organization] = Organization.objects.all()
    if region_slug:
        services = services.filter(region__slug=region_slug)
        organizations = organizations.filter(region__slug=region_slug)
    if published_only:
        services = services.filter(review_state=ReviewState.PUBLISHED)
    service_records = [hsds.service(s) for s in hsds.load_services(services.order_by("id"))]
    organization_records = [
        hsds.organization(o) for o in hsds.load_organizations(organizations.order_by("id"))
    ]
    taxonomy_record = {
        "taxonomies": [hsds.taxonomy(t) for t in Taxonomy.objects.order_by("id")],
        "taxonomy_terms": [hsds.taxonomy_term(t) for t in TaxonomyTerm.objects.order_by("id")],
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in (
        ("taxonomy.json", taxonomy_record),
        ("organizations.json", page(organization_records)),
        ("services.json", page(service_records)),
    ):
        (folder / name).write_text(
            json.dumps(content, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    return {
        "services": len(service_records),
        "organizations": len(organization_records),
        "taxonomy_terms": len(taxonomy_record["taxonomy_terms"]),
    }
