"""Staff page of overlapping offers (functional duplicates): the list grouped by municipality
and field of action, with filters and export. The work is done in `overlaps`."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kinetz.accounts.access import requires
from kinetz.accounts.roles import Capability
from kinetz.coordination import overlaps
from kinetz.coordination.coverage_views import EXPORT_FORMATS, spreadsheet_response, user_region
from kinetz.interop.spreadsheets import Cell as SheetCell
from kinetz.interop.spreadsheets import Column
from kinetz.offers import taxonomy
from kinetz.territory.models import Municipality, Region

# A large catalogue can have many thousand pairs: the page shows the first ones, the filters
# narrow them down and the export has them all.
PAGE_LIMIT = 500

EXPORT_COLUMNS = (
    Column("ags", gettext_lazy("Official key (AGS)"), 12),
    Column("municipality", gettext_lazy("Municipality"), 22),
    Column("field", gettext_lazy("Field of action"), 28),
    Column("groups", gettext_lazy("Target groups"), 28),
    Column("first", gettext_lazy("Offer"), 36),
    Column("first_provider", gettext_lazy("Provider"), 30),
    Column("second", gettext_lazy("Overlapping offer"), 36),
    Column("second_provider", gettext_lazy("Its provider"), 30),
    Column("when", gettext_lazy("When they overlap"), 30),
    Column("certainty", gettext_lazy("Certainty"), 14),
    Column("first_id", gettext_lazy("ID of the offer"), 38),
    Column("second_id", gettext_lazy("ID of the overlapping offer"), 38),
)


def _filters(request: HttpRequest, region: Region) -> tuple[str, str, list[str]]:
    ignored: list[str] = []
    municipalities = Municipality.objects.in_region(region)
    municipality, field = taxonomy.read_place_and_field(request.GET, municipalities, ignored)
    return municipality, field, ignored


def _when(overlap: overlaps.Overlap) -> str:
    return "; ".join(
        f"{WEEKDAYS[c.weekday]} {c.time}" + ("" if c.certain else f" ({_('possibly')})")
        for c in overlap.clashes
    )


def _grouped(found: list[overlaps.Overlap]) -> list[dict[str, Any]]:
    """[{municipality, field, overlaps}] in the order of `found` (municipality, then field)."""
    groups: list[dict[str, Any]] = []
    for overlap in found:
        if not groups or (groups[-1]["municipality"], groups[-1]["field"]) != (
            overlap.municipality,
            overlap.field,
        ):
            groups.append(
                {"municipality": overlap.municipality, "field": overlap.field, "overlaps": []}
            )
        days = [{"day": WEEKDAYS[c.weekday], "clash": c} for c in overlap.clashes]
        groups[-1]["overlaps"].append({"overlap": overlap, "days": days})
    return groups


@requires(Capability.COORDINATE_OFFERS)
@require_GET
def overlap_list(request: HttpRequest) -> HttpResponse:
    region = user_region(request)
    municipality, field, ignored = _filters(request, region)
    found, complete = overlaps.find_first(
        region, timezone.localdate(), municipality, field, limit=PAGE_LIMIT
    )
    query = request.GET.urlencode()
    context = {
        "groups": _grouped(found[:PAGE_LIMIT]),
        "count": len(found),
        "complete": complete,
        "shown": min(len(found), PAGE_LIMIT),
        "municipality": municipality,
        "field": field,
        "ignored": ignored,
        "municipalities": Municipality.objects.in_region(region).order_by("name"),
        "fields_of_action": taxonomy.fields_of_action(),
        "query": query,
        "demo_catalogue": settings.KINETZ_DEMO_CATALOGUE,
    }
    return render(request, "coordination/overlaps.html", context)


def export_rows(found: Iterable[overlaps.Overlap]) -> Iterable[dict[str, SheetCell]]:
    for overlap in found:
        yield {
            "ags": overlap.municipality.ags,
            "municipality": overlap.municipality.name,
            "field": overlap.field.name,
            "groups": ", ".join(g.name for g in overlap.groups),
            "first": overlap.first.name,
            "first_provider": overlap.first.provider,
            "second": overlap.second.name,
            "second_provider": overlap.second.provider,
            "when": _when(overlap),
            "certainty": _("certain") if overlap.certain else _("possible"),
            "first_id": str(overlap.first.pk),
            "second_id": str(overlap.second.pk),
        }


@requires(Capability.COORDINATE_OFFERS)
@require_GET
def overlap_export(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in EXPORT_FORMATS:
        raise Http404
    region = user_region(request)
    municipality, field, _ignored = _filters(request, region)
    found = overlaps.find(region, timezone.localdate(), municipality, field)
    name = f"{_('overlaps')}-{region.slug}-{timezone.localdate().isoformat()}.{kind}"
    return spreadsheet_response(EXPORT_COLUMNS, export_rows(found), name, kind, _("Overlaps"))
