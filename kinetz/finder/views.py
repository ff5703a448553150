"""Public offer pages (no sign-in) and the coordinators' list of problem reports."""

from typing import cast

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
from kinetz.finder import jsonld, reports
from kinetz.finder.forms import ProblemReportForm
from kinetz.finder.models import ProblemReport
from kinetz.finder.offer_page import offer_page, published_offer


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
