"""Public finder pages (search, offer pages; no sign-in) and the coordinators' problem reports."""

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinetz.accounts.access import requires
from kinetz.accounts.models import User
from kinetz.accounts.roles import Capability
from kinetz.core.languages import DEFAULT_LANGUAGE
from kinetz.finder import jsonld, reports, results
from kinetz.finder import map as results_map
from kinetz.finder.documents import WEEKDAYS
from kinetz.finder.forms import ProblemReportForm
from kinetz.finder.index import IndexMissing
from kinetz.finder.models import ProblemReport
from kinetz.finder.offer_page import language_name, offer_page, published_offer
from kinetz.finder.search import MAX_LIMIT, MAX_QUERY_CHARS, SearchError, make_filters, search
from kinetz.offers import taxonomy
from kinetz.territory.models import Municipality


def _language() -> str:
    return get_language() or DEFAULT_LANGUAGE


def _offer_context(request: HttpRequest, service_id: str) -> dict[str, object]:
    page = offer_page(published_offer(service_id), _language())
    url = request.build_absolute_uri(reverse("finder:offer", args=[page.service.pk]))
    return {
        "page": page,
        "service": page.service,
        "texts": page.texts,
        "jsonld": jsonld.script_tag(jsonld.service_data(page, url)),
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


PAGE_SIZE = 20
MAX_PAGE = MAX_LIMIT // PAGE_SIZE
FILTER_NAMES = ("municipality", "handlungsfeld", "zielgruppe", "language", "free", "weekday")


def _weekday_names() -> list[tuple[str, str]]:
    names = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday")]
    names += [_("Saturday"), _("Sunday")]
    return list(zip(WEEKDAYS, names, strict=True))


def _page_number(value: str | None) -> int:
    try:
        number = int((value or "1")[:4])
    except ValueError:
        return 1
    return max(1, min(number, MAX_PAGE))


def _filter_values(request: HttpRequest) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: (request.GET.get(name) or "").strip()[:100] for name in FILTER_NAMES if name != "free"
    }
    values["free"] = True if request.GET.get("free") in ("1", "on", "true") else None
    return values


def _search(query: str, values: dict[str, Any], limit: int) -> tuple[list[Any], list[str]]:
    """Hits for the query; a filter with an unknown value is dropped and named."""
    ignored: list[str] = []
    values = dict(values)
    for _attempt in range(len(FILTER_NAMES) + 1):
        try:
            filters = make_filters(**values)
        except SearchError as error:
            if error.parameter not in values or not values[error.parameter]:
                raise
            ignored.append(error.parameter)
            values[error.parameter] = None
            continue
        return search(query, lang=_language(), filters=filters, limit=limit), ignored
    raise SearchError("filters", "too many unknown filters")  # pragma: no cover


def finder_choices() -> dict[str, Any]:
    codes = [code for code, _name in settings.LANGUAGES]
    return {
        "municipalities": Municipality.objects.order_by("name"),
        "fields_of_action": taxonomy.fields_of_action(),
        "target_groups": taxonomy.target_groups(),
        "languages": [(code, language_name(code)) for code in codes],
        "weekdays": _weekday_names(),
        "max_query_chars": MAX_QUERY_CHARS,
        "demo_catalogue": settings.KINETZ_DEMO_CATALOGUE,
    }


def search_page(request: HttpRequest) -> HttpResponse:
    """Results of a query with filters; a full page, or the results region for htmx."""
    query = (request.GET.get("q") or "")[: MAX_QUERY_CHARS * 4]
    query = query[:MAX_QUERY_CHARS]
    values = _filter_values(request)
    page = _page_number(request.GET.get("page"))
    context: dict[str, Any] = {"query": query, "filters": values, "page": page}
    status = 200
    try:
        hits, ignored = _search(query, values, page * PAGE_SIZE + 1)
    except IndexMissing:
        hits, ignored, status = [], [], 503
        context["index_missing"] = True
    labels = {
        "municipality": _("Municipality"),
        "handlungsfeld": _("Field of action"),
        "zielgruppe": _("Target group"),
        "language": _("Language offered"),
        "weekday": _("Weekday"),
        "free": _("Free of charge"),
    }
    for name in ignored:
        values[name] = ""
    more = len(hits) > page * PAGE_SIZE
    shown = hits[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    next_query = request.GET.copy()
    next_query["page"] = str(page + 1)
    next_query.pop("lang", None)
    cards = results.cards(shown, _language())
    start = (page - 1) * PAGE_SIZE + 1
    context.update(
        {
            "cards": cards,
            "map_markers": results_map.markers(cards, start),
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "ignored": [labels.get(name, name) for name in ignored],
            "count": len(hits[: page * PAGE_SIZE]),
            "start": start,
            "more_url": f"{reverse('finder:search')}?{next_query.urlencode()}"
            if more and page < MAX_PAGE
            else "",
            "browsing": not query.strip(),
        }
    )
    if (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == "search-results"
    ):
        # Only the results region; the status line goes out of band into the live region,
        # which stays in the page so that screen readers announce the new count.
        # htmx swaps only 2xx answers, so the missing-index message comes with a 200 here.
        context["htmx"] = True
        return render(request, "finder/results.html", context)
    context.update(finder_choices())
    return render(request, "finder/search.html", context, status=status)


def offer_detail(request: HttpRequest, service_id: str) -> HttpResponse:
    return render(request, "finder/offer_detail.html", _offer_context(request, service_id))


def offer_print(request: HttpRequest, service_id: str) -> HttpResponse:
    return render(request, "finder/offer_print.html", _offer_context(request, service_id))


def offer_report(request: HttpRequest, service_id: str) -> HttpResponse:
    service = published_offer(service_id)
    form = ProblemReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # A filled honeypot gets the same answer as a real report, so bots learn nothing.
        if not form.is_spam:
            try:
                reports.submit_report(service, form.cleaned_data, request.session, _language())
            except reports.TooManyReports:
                form.add_error(
                    None,
                    _(
                        "This offer has received many reports in the last hour. "
                        "Please try again later."
                    ),
                )
        if not form.errors:
            messages.success(
                request, _("Thank you! The integration centre will check your report.")
            )
            return redirect("finder:offer", service_id=service.pk)
    context = {
        "service": service,
        "form": form,
        "texts": offer_page(service, _language()).texts,
    }
    return render(request, "finder/report_form.html", context)


@requires(Capability.REVIEW_OFFERS)
def report_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    context = {
        "open_reports": reports.open_reports(user),
        "closed_reports": reports.closed_reports(user),
    }
    return render(request, "finder/report_list.html", context)


@require_POST
@requires(Capability.REVIEW_OFFERS)
def report_close(request: HttpRequest, report_id: str) -> HttpResponse:
    user = cast(User, request.user)
    report = get_object_or_404(
        ProblemReport.objects.for_user(user).select_related("service"), pk=report_id
    )
    if reports.close_report(user, report):
        messages.success(request, _("The report was marked as done."))
    return redirect("finder:reports")
