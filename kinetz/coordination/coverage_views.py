"""Staff pages of the coverage analysis: map and table per field of action, the matrix
municipality x field of action, the drill-down to the offers of a cell, and the export.
The figures come from `coverage`; these views only read parameters and render."""

import io
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kinetz.accounts.access import requires
from kinetz.accounts.models import User
from kinetz.accounts.roles import Capability
from kinetz.coordination import coverage
from kinetz.interop import spreadsheets
from kinetz.interop.spreadsheets import Cell as SheetCell
from kinetz.interop.spreadsheets import Column
from kinetz.offers import taxonomy
from kinetz.territory.models import Municipality, Region

# Five classes of the gap score; the colours are in coverage-map.css (one source for map,
# legend and print), a sequential scheme that stays readable for colour-blind readers and in
# greyscale.
GAP_CLASSES = (
    (0.0, gettext_lazy("no gap (0)")),
    (0.25, gettext_lazy("up to 0.25")),
    (0.5, gettext_lazy("up to 0.5")),
    (0.75, gettext_lazy("up to 0.75")),
    (1.0, gettext_lazy("up to 1 (nothing)")),
)

EXPORT_COLUMNS = (
    Column("ags", gettext_lazy("Official key (AGS)"), 12),
    Column("municipality", gettext_lazy("Municipality"), 22),
    Column("field_code", gettext_lazy("Field of action (code)"), 18),
    Column("field", gettext_lazy("Field of action"), 28),
    Column("group_code", gettext_lazy("Target group (code)"), 18),
    Column("group", gettext_lazy("Target group"), 26),
    Column("language", gettext_lazy("Language"), 10),
    Column("offers", gettext_lazy("Offers"), 8),
    Column("basis", gettext_lazy("Demand figure"), 22),
    Column("demand", gettext_lazy("Demand"), 12),
    Column("per_10k", gettext_lazy("Offers per 10,000"), 12),
    Column("district_per_10k", gettext_lazy("District: offers per 10,000"), 14),
    Column("expected", gettext_lazy("Expected at the district rate"), 14),
    Column("gap_score", gettext_lazy("Gap score"), 10),
)


EXPORT_FORMATS = ("csv", "xlsx")


def gap_class(score: float) -> int:
    for index, (upper, _label) in enumerate(GAP_CLASSES):
        if score <= upper:
            return index
    return len(GAP_CLASSES) - 1


def user_region(request: HttpRequest) -> Region:
    """The user's region; a superuser without one works in the default region."""
    user = cast(User, request.user)
    if user.region is not None:
        return user.region
    region = Region.objects.filter(slug=settings.KINETZ_DEFAULT_REGION).first()
    return region or Region.objects.order_by("name").first()  # type: ignore[return-value]


def _choice(value: str, allowed: Iterable[str], default: str, name: str, ignored: list[str]) -> str:
    if not value:
        return default
    if value in set(allowed):
        return value
    ignored.append(name)
    return default


def _selection(request: HttpRequest, result: coverage.Coverage) -> dict[str, Any]:
    """The chosen field and target group; values not understood are named in `ignored`."""
    ignored: list[str] = []
    params = request.GET
    fields = [f.code for f in result.fields]
    field = _choice(
        params.get("handlungsfeld", ""),
        fields,
        fields[0] if fields else "",
        "handlungsfeld",
        ignored,
    )
    group = _choice(
        params.get("zielgruppe", ""), [g.code for g in result.groups], "", "zielgruppe", ignored
    )
    return {"field": field, "group": group or coverage.ALL_GROUP, "ignored": ignored}


def _language(request: HttpRequest, region: Region, ignored: list[str]) -> str:
    language = request.GET.get("language", "")
    offered = [code for code, _name in coverage.languages_offered(region)]
    return _choice(language, offered, "", "language", ignored)


def cell_url(cell: coverage.Cell, language: str) -> str:
    query = {
        "municipality": cell.municipality.ags,
        "handlungsfeld": cell.field.code,
        "zielgruppe": cell.group.code,
    }
    if language:
        query["language"] = language
    return f"{reverse('coverage:cell')}?{urlencode(query)}"


def _sort_header(
    request: HttpRequest, param: str, key: str, label: str, current: str, numeric: bool
) -> dict[str, Any]:
    """A header link that sorts on the server (works without JavaScript)."""
    ascending, descending = current == key, current == f"-{key}"
    query = request.GET.copy()
    query[param] = f"-{key}" if ascending or (not descending and numeric) else key
    return {
        "label": label,
        "url": f"?{query.urlencode()}",
        "aria_sort": "ascending" if ascending else "descending" if descending else "",
        "numeric": numeric,
    }


def _sorted(rows: list[Any], sort: str, key_of: dict[str, Any], default: str) -> list[Any]:
    key = sort.lstrip("-")
    if key not in key_of:
        key, sort = default.lstrip("-"), default
    return sorted(rows, key=key_of[key], reverse=sort.startswith("-"))


def _rate(value: float | None) -> float:
    return -1.0 if value is None else value


def _field_table(request: HttpRequest, cells: list[coverage.Cell], language: str) -> dict[str, Any]:
    sort = request.GET.get("order", "-gap")
    keys = {
        "name": lambda r: r["cell"].municipality.name.lower(),
        "offers": lambda r: r["cell"].offers,
        "per_10k": lambda r: _rate(r["cell"].per_10k),
        "gap": lambda r: (r["cell"].gap_score, r["cell"].missing),
    }
    rows = [
        {"cell": c, "url": cell_url(c, language), "gap_class": gap_class(c.gap_score)}
        for c in cells
    ]
    rows = _sorted(rows, sort, keys, "-gap")
    columns = [
        _sort_header(request, "order", "name", _("Municipality"), sort, False),
        _sort_header(request, "order", "offers", _("Offers"), sort, True),
        _sort_header(request, "order", "per_10k", _("Offers per 10,000"), sort, True),
        _sort_header(request, "order", "gap", _("Gap score"), sort, True),
    ]
    return {"rows": rows, "columns": columns}


def _matrix(
    request: HttpRequest, result: coverage.Coverage, group: str, language: str
) -> dict[str, Any]:
    sort = request.GET.get("sort", "name")
    by_place: dict[str, dict[str, coverage.Cell]] = {}
    for cell in result.select(group_code=group):
        by_place.setdefault(cell.municipality.ags, {})[cell.field.code] = cell
    rows = [
        {
            "municipality": place,
            "cells": [
                {"cell": c, "url": cell_url(c, language), "gap_class": gap_class(c.gap_score)}
                for c in (by_place[place.ags][f.code] for f in result.fields)
            ],
        }
        for place in result.municipalities
    ]
    keys: dict[str, Any] = {"name": lambda r: r["municipality"].name.lower()}
    for index, f in enumerate(result.fields):
        keys[f.code] = lambda r, i=index: (
            _rate(r["cells"][i]["cell"].per_10k),
            r["cells"][i]["cell"].offers,
        )
    rows = _sorted(rows, sort, keys, "name")
    columns = [_sort_header(request, "sort", "name", _("Municipality"), sort, False)]
    columns += [_sort_header(request, "sort", f.code, f.name, sort, True) for f in result.fields]
    return {"rows": rows, "columns": columns}


@requires(Capability.VIEW_REPORTS)
@require_GET
def coverage_page(request: HttpRequest) -> HttpResponse:
    region = user_region(request)
    ignored: list[str] = []
    language = _language(request, region, ignored)
    result = coverage.compute(region, language)
    chosen = _selection(request, result)
    ignored += chosen["ignored"]
    field, group = chosen["field"], chosen["group"]
    cells = result.select(field, group)
    query = request.GET.copy()
    for name in ("sort", "order", "format"):
        query.pop(name, None)
    context = {
        "result": result,
        "field": next((f for f in result.fields if f.code == field), None),
        "group": next((g for g in result.groups if g.code == group), None),
        "selected_group": "" if group == coverage.ALL_GROUP else group,
        "language": language,
        "languages": coverage.languages_offered(region),
        "ignored": ignored,
        "table": _field_table(request, cells, language),
        "matrix": _matrix(request, result, group, language),
        "district_per_10k": cells[0].district_per_10k if cells else None,
        "basis": cells[0].basis_label if cells else "",
        "fallback": bool(cells and cells[0].fallback),
        "fallback_indicator": coverage.INDICATOR_LABELS.get(result.fallbacks.get(group, ""), ""),
        "unplaced": result.unplaced.get(field, 0),
        "legend": [{"index": i, "label": label} for i, (_u, label) in enumerate(GAP_CLASSES)],
        "map_url": f"{reverse('coverage:map')}?{query.urlencode()}",
        "query": query.urlencode(),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "demo_catalogue": settings.KINETZ_DEMO_CATALOGUE,
    }
    return render(request, "coordination/coverage.html", context)


@requires(Capability.VIEW_REPORTS)
@require_GET
def coverage_map(request: HttpRequest) -> JsonResponse:
    """Boundaries with the figures of the chosen field x group, for the choropleth."""
    region = user_region(request)
    language = _language(request, region, [])
    result = coverage.compute(region, language)
    chosen = _selection(request, result)
    cells = {c.municipality.ags: c for c in result.select(chosen["field"], chosen["group"])}
    features = []
    for m in Municipality.objects.in_region(region).exclude(boundary=None):
        cell = cells.get(m.ags)
        if cell is None:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "ags": m.ags,
                    "name": m.name,
                    "offers": cell.offers,
                    "per_10k": cell.per_10k,
                    "gap_score": cell.gap_score,
                    "gap_class": gap_class(cell.gap_score),
                    "url": cell_url(cell, language),
                },
                "geometry": m.boundary,
            }
        )
    return JsonResponse({"type": "FeatureCollection", "features": features})


@requires(Capability.VIEW_REPORTS)
@require_GET
def cell_page(request: HttpRequest) -> HttpResponse:
    """The offers counted in one cell: exactly those, by the rules of the count."""
    region = user_region(request)
    params = request.GET
    errors = []
    municipality = (
        Municipality.objects.in_region(region).filter(ags=params.get("municipality", "")).first()
    )
    if municipality is None:
        errors.append(_("Choose a municipality of the region (parameter “municipality”)."))
    terms = {
        "handlungsfeld": {t.code: t for t in taxonomy.fields_of_action()},
        "zielgruppe": {t.code: t for t in taxonomy.target_groups()},
    }
    field = terms["handlungsfeld"].get(params.get("handlungsfeld", ""))
    if field is None:
        errors.append(_("Choose a field of action (parameter “handlungsfeld”)."))
    group = terms["zielgruppe"].get(params.get("zielgruppe", coverage.ALL_GROUP))
    if group is None:
        errors.append(_("Choose a target group (parameter “zielgruppe”)."))
    ignored: list[str] = []
    language = _language(request, region, ignored)
    if ignored:
        errors.append(_("The language “%(code)s” is not offered.") % {"code": params["language"]})
    if errors or municipality is None or field is None or group is None:
        return render(request, "coordination/coverage_cell.html", {"errors": errors}, status=400)
    services = coverage.cell_offers(region, municipality.ags, field.code, group.code, language)
    context = {
        "municipality": municipality,
        "field": field,
        "group": group,
        "is_all": group.code == coverage.ALL_GROUP,
        "language": dict(coverage.languages_offered(region)).get(language, ""),
        "services": services.select_related("organization"),
        "back": f"{reverse('coverage:page')}?{urlencode({'handlungsfeld': field.code})}",
        "demo_catalogue": settings.KINETZ_DEMO_CATALOGUE,
    }
    return render(request, "coordination/coverage_cell.html", context)


# Export --------------------------------------------------------------------------------


def spreadsheet_response(
    columns: Sequence[Column],
    records: Iterable[dict[str, SheetCell]],
    name: str,
    kind: str,
    title: str,
) -> HttpResponse:
    """A CSV (German Excel: `;`, BOM) or XLSX download of `records`, written by
    kinetz.interop.spreadsheets (formula-like text neutralised)."""
    response: HttpResponse
    if kind == "csv":
        body = b"".join(spreadsheets.csv_stream(records, columns))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    else:
        target = io.BytesIO()
        spreadsheets.write_xlsx(records, target, columns, title)
        response = HttpResponse(
            target.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    response["Cache-Control"] = "no-store"
    return response


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def export_rows(cells: Iterable[coverage.Cell], language: str) -> Iterable[dict[str, SheetCell]]:
    for cell in cells:
        yield {
            "ags": cell.municipality.ags,
            "municipality": cell.municipality.name,
            "field_code": cell.field.code,
            "field": cell.field.name,
            "group_code": cell.group.code,
            "group": cell.group.name,
            "language": language,
            "offers": cell.offers,
            "basis": cell.basis_label + (f" ({_('fallback')})" if cell.fallback else ""),
            "demand": _number(cell.demand),
            "per_10k": _number(cell.per_10k),
            "district_per_10k": _number(cell.district_per_10k),
            "expected": _number(cell.expected),
            "gap_score": f"{cell.gap_score:.3f}",
        }


@requires(Capability.VIEW_REPORTS)
@require_GET
def coverage_export(request: HttpRequest, kind: str) -> HttpResponse:
    """Every cell (or those of the chosen field / group) with the figures of the page."""
    if kind not in EXPORT_FORMATS:
        raise Http404
    region = user_region(request)
    language = _language(request, region, [])
    result = coverage.compute(region, language)
    field = request.GET.get("handlungsfeld", "")
    group = request.GET.get("zielgruppe", "")
    known_fields = {f.code for f in result.fields}
    known_groups = {g.code for g in result.groups}
    cells = result.select(
        field if field in known_fields else "", group if group in known_groups else ""
    )
    name = f"{_('coverage')}-{region.slug}-{timezone.localdate().isoformat()}.{kind}"
    return spreadsheet_response(
        EXPORT_COLUMNS, export_rows(cells, language), name, kind, _("Coverage")
    )
