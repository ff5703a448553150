"""Provider self-service, the review queue and the freshness overview. Views stay thin: access
through the helpers of `editing`, work in `review` and `freshness`."""

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinetz.accounts.access import requires
from kinetz.accounts.models import User
from kinetz.accounts.roles import Capability
from kinetz.network.models import Organization
from kinetz.offers import editing, freshness, review, revisions
from kinetz.offers.forms import (
    ArchiveForm,
    ContactFormSet,
    OfferForm,
    OrganizationForm,
    PhoneFormSet,
    ReviewForm,
    ScheduleFormSet,
    formset_rows,
    offer_data,
)
from kinetz.offers.models import ReviewState, RevisionState, Service, ServiceRevision


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# Provider self-service -------------------------------------------------------------------


@requires(Capability.EDIT_OWN_ORGANIZATION)
def my_organization(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organization = editing.own_organization(user)
    if organization is None:
        return render(request, "offers/no_organization.html")
    services = list(
        Service.objects.for_user(user).filter(organization=organization).order_by("name")
    )
    open_revisions = {
        r.service_id: r for r in ServiceRevision.objects.open().filter(service__in=services)
    }
    today = timezone.localdate()
    rows = [
        {
            "service": service,
            "status": review.offer_status(service, open_revisions.get(service.pk)),
            "stale": freshness.is_stale(service, today),
            "revision": open_revisions.get(service.pk),
        }
        for service in services
    ]
    context = {
        "organization": organization,
        "rows": rows,
        "stale_months": settings.KINETZ_STALE_AFTER_MONTHS,
        "contacts": organization.contacts.order_by("position"),
        "phones": organization.phones.filter(contact__isnull=True).order_by("position"),
    }
    return render(request, "offers/my_organization.html", context)


@requires(Capability.EDIT_OWN_ORGANIZATION)
def organization_edit(request: HttpRequest, organization_id: str) -> HttpResponse:
    organization = editing.organization_for_editor(request, organization_id)
    title = organization.name
    data = request.POST if request.method == "POST" else None
    rows = editing.organization_rows(organization)
    form = OrganizationForm(data, instance=organization)
    phones = PhoneFormSet(data, initial=rows["phones"], prefix="phones")
    contacts = ContactFormSet(data, initial=rows["contacts"], prefix="contacts")
    if data is not None and all([form.is_valid(), phones.is_valid(), contacts.is_valid()]):
        changed = editing.update_organization(
            _user(request),
            form.save(commit=False),
            form.changed_data,
            formset_rows(phones),
            formset_rows(contacts),
        )
        if changed:
            messages.success(request, _("The organisation was saved."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("offers:my_organization")
    context = {"form": form, "phones": phones, "contacts": contacts, "title": title}
    return render(request, "offers/organization_edit.html", context)


def _with_extra_schedule_row(data: QueryDict) -> QueryDict:
    data = data.copy()
    total = int(data.get("schedules-TOTAL_FORMS") or 0)
    data["schedules-TOTAL_FORMS"] = str(min(total + 1, 14))
    return data


def _offer_page(
    request: HttpRequest, organization: Organization, service: Service | None
) -> HttpResponse:
    user = _user(request)
    revision = review.open_revision(service) if service is not None else None
    initial = review.proposed_data(service, revision) if service else revisions.empty_offer()
    kept = (
        [s for s in service.schedules.order_by("position") if not revisions.is_weekly(s)]
        if service
        else []
    )
    # Enter in a field (no button named) saves a draft.
    action = (request.POST.get("action") or "save") if request.method == "POST" else ""
    data: QueryDict | None = request.POST if request.method == "POST" else None
    if action == "add_schedule":
        data = _with_extra_schedule_row(request.POST)
    initial_form = {**initial, "note": revision.note if revision else ""}
    form = OfferForm(data, initial=initial_form, kept=kept)
    schedules = ScheduleFormSet(data, initial=initial["schedules"], prefix="schedules")
    if action in ("save", "submit") and form.is_valid() and schedules.is_valid():
        revision = review.save_draft(
            user, organization, service, offer_data(form, schedules), form.cleaned_data["note"]
        )
        if action == "submit":
            review.submit(user, revision)
            messages.success(
                request, _("The offer was submitted. The integration centre will review it.")
            )
        else:
            messages.success(request, _("The offer was saved as a draft."))
        return redirect("offers:my_organization")
    context = {
        "organization": organization,
        "service": service,
        "revision": revision,
        "status": review.offer_status(service, revision) if service else None,
        "form": form,
        "schedules": schedules,
        "is_live": service is not None and review.is_live(service),
    }
    return render(request, "offers/offer_edit.html", context)


@requires(Capability.EDIT_OWN_ORGANIZATION)
def offer_create(request: HttpRequest) -> HttpResponse:
    organization = editing.own_organization(_user(request))
    if organization is None:
        return render(request, "offers/no_organization.html")
    return _offer_page(request, organization, None)


@requires(Capability.EDIT_OWN_ORGANIZATION)
def offer_edit(request: HttpRequest, service_id: str) -> HttpResponse:
    service = editing.service_for_editor(request, service_id)
    return _offer_page(request, service.organization, service)


@require_POST
@requires(Capability.EDIT_OWN_ORGANIZATION)
def offer_submit(request: HttpRequest, service_id: str) -> HttpResponse:
    """Submit the saved proposal as it is (e.g. after a draft was saved earlier)."""
    service = editing.service_for_editor(request, service_id)
    revision = review.open_revision(service)
    if revision is None:
        messages.error(request, _("There are no changes to submit."))
    else:
        review.submit(_user(request), revision)
        messages.success(
            request, _("The offer was submitted. The integration centre will review it.")
        )
    return redirect("offers:my_organization")


@require_POST
@requires(Capability.EDIT_OWN_ORGANIZATION)
def offer_confirm(request: HttpRequest, service_id: str) -> HttpResponse:
    service = editing.service_for_editor(request, service_id)
    if not review.is_live(service):
        messages.error(request, _("Only a published offer can be confirmed as current."))
    else:
        review.confirm_current(_user(request), service, timezone.localdate())
        messages.success(
            request, _("Thank you: “%(name)s” is confirmed as current.") % {"name": service.name}
        )
    return redirect("offers:my_organization")


@require_POST
@requires(Capability.EDIT_OWN_ORGANIZATION)
def offer_discard(request: HttpRequest, service_id: str) -> HttpResponse:
    service = editing.service_for_editor(request, service_id)
    revision = review.open_revision(service)
    if revision is None or revision.is_new_offer:
        messages.error(request, _("There are no changes to discard."))
    else:
        review.discard(_user(request), revision)
        messages.success(request, _("Your changes were discarded; the published version stays."))
    return redirect("offers:my_organization")


@requires(Capability.EDIT_OWN_ORGANIZATION)
def offer_archive(request: HttpRequest, service_id: str) -> HttpResponse:
    service = editing.service_for_editor(request, service_id)
    form = ArchiveForm(request.POST or None)
    if service.review_state == ReviewState.ARCHIVED:
        messages.info(request, _("This offer is already archived."))
        return redirect("offers:my_organization")
    if request.method == "POST" and form.is_valid():
        revision = review.request_archive(_user(request), service, form.cleaned_data["note"])
        if revision is None:
            messages.success(request, _("The offer was archived."))
        else:
            messages.success(
                request,
                _(
                    "Your request was sent. The offer stays visible until the integration "
                    "centre archives it."
                ),
            )
        return redirect("offers:my_organization")
    return render(
        request,
        "offers/offer_archive.html",
        {"service": service, "form": form, "is_live": review.is_live(service)},
    )


# Review ----------------------------------------------------------------------------------


@requires(Capability.REVIEW_OFFERS)
def review_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request, "offers/review_queue.html", {"revisions": review.review_queue(_user(request))}
    )


@requires(Capability.REVIEW_OFFERS)
def review_detail(request: HttpRequest, revision_id: str) -> HttpResponse:
    revision = editing.revision_for_reviewer(request, revision_id)
    form = ReviewForm(request.POST or None)
    waiting = revision.state == RevisionState.SUBMITTED
    if request.method == "POST" and waiting and form.is_valid():
        user = _user(request)
        try:
            if form.cleaned_data["decision"] == ReviewForm.PUBLISH:
                review.publish(user, revision)
                messages.success(
                    request, _("The offer was published. The editor is told by e-mail.")
                )
            else:
                review.return_to_editor(user, revision, form.cleaned_data["comment"])
                messages.success(
                    request, _("The offer was returned. The editor is told by e-mail.")
                )
        except review.ReviewError:
            messages.error(request, _("This offer is no longer waiting for review."))
        return redirect("offers:review_queue")
    published_versions = revision.service.history.filter(
        review_state__in=[ReviewState.PUBLISHED, ReviewState.ARCHIVED]
    ).select_related("history_user")[:5]
    context = {
        "revision": revision,
        "service": revision.service,
        "changes": review.review_changes(revision),
        "waiting": waiting,
        "form": form,
        "published_versions": published_versions,
    }
    return render(request, "offers/review_detail.html", context)


# Freshness -------------------------------------------------------------------------------


def _sort_columns(request: HttpRequest, param: str, name_label: str) -> dict[str, Any]:
    """Header links that sort one table on the server (works without JavaScript)."""
    current = request.GET.get(param, "-share")
    columns = []
    for key, label in [
        ("name", name_label),
        ("total", _("Published offers")),
        ("stale", _("Not verified")),
        ("share", _("Share not verified")),
    ]:
        ascending = current == key
        descending = current == f"-{key}"
        query = request.GET.copy()
        query[param] = f"-{key}" if ascending or (not descending and key != "name") else key
        columns.append(
            {
                "label": label,
                "url": f"?{query.urlencode()}",
                "aria_sort": "ascending" if ascending else "descending" if descending else "",
                "numeric": key != "name",
            }
        )
    return {"sort": current, "columns": columns}


@requires(Capability.REVIEW_OFFERS)
def freshness_overview(request: HttpRequest) -> HttpResponse:
    services: QuerySet[Service] = Service.objects.for_user(request.user)
    today = timezone.localdate()
    by_municipality = _sort_columns(request, "municipalities", _("Municipality"))
    by_provider = _sort_columns(request, "providers", _("Provider"))
    by_municipality["rows"] = freshness.sort_shares(
        freshness.share_by_municipality(services, today), by_municipality["sort"]
    )
    by_provider["rows"] = freshness.sort_shares(
        freshness.share_by_provider(services, today), by_provider["sort"]
    )
    oldest = (
        freshness.stale_services(services, today)
        .select_related("organization")
        .order_by(F("last_verified").asc(nulls_first=True), "created")[:50]
    )
    context = {
        "summary": freshness.summary(services, today),
        "months": settings.KINETZ_STALE_AFTER_MONTHS,
        "cutoff": freshness.stale_cutoff(today),
        "by_municipality": by_municipality,
        "by_provider": by_provider,
        "oldest": oldest,
    }
    return render(request, "offers/freshness.html", context)
