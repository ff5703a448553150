"""Staff pages of the duplicate review queue: merge, "not the same", undo."""

from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinetz.accounts.access import requires
from kinetz.accounts.models import User
from kinetz.accounts.roles import Capability
from kinetz.coordination import duplicates, merging
from kinetz.coordination.models import DuplicateKind, Merge
from kinetz.network.models import Organization
from kinetz.offers.models import Service
from kinetz.territory.models import Region


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _region(request: HttpRequest) -> Region:
    region = _user(request).region
    if region is None:
        raise PermissionDenied  # an account without a region has no queue
    return region


def _kind(kind: str) -> DuplicateKind:
    try:
        return DuplicateKind(kind)
    except ValueError:
        raise Http404 from None


def _records(request: HttpRequest, kind: DuplicateKind, ids: list[str]) -> list[Any]:
    """The records `ids` of the user's region, in the given order; 404 if one is not."""
    model: Any = Service if kind == DuplicateKind.SERVICES else Organization
    try:
        found = {str(r.pk): r for r in model.objects.for_user(_user(request)).filter(pk__in=ids)}
    except ValidationError as error:  # a malformed id in the form
        raise Http404 from error
    if not ids or any(i not in found for i in ids):
        raise Http404
    return [found[i] for i in ids]


def _page_query(param: str, page: Any) -> str:
    return urlencode({param: page.number}) if page is not None else ""


@requires(Capability.COORDINATE_OFFERS)
def duplicate_queue(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    queue = duplicates.queue(
        region, request.GET.get("offers_page"), request.GET.get("organisations_page")
    )
    return render(
        request,
        "coordination/duplicate_queue.html",
        {
            "queue": queue,
            "region": region,
            # Each kind's page links keep the page shown of the other kind.
            "offers_query": _page_query("organisations_page", queue.organizations_page),
            "organisations_query": _page_query("offers_page", queue.services_page),
        },
    )


@require_POST
@requires(Capability.COORDINATE_OFFERS)
def search_again(request: HttpRequest) -> HttpResponse:
    run = duplicates.start_search(_region(request), _user(request))
    run.refresh_from_db()
    if run.state == "done":
        messages.success(request, _("The search for duplicates is done."))
    elif run.state == "failed":
        messages.error(
            request, _("The search for duplicates failed: %(error)s") % {"error": run.error}
        )
    else:
        messages.info(
            request,
            _("The search for duplicates is running. Reload this page in a few minutes."),
        )
    return redirect("duplicates:queue")


def _merge_choice(request: HttpRequest, kind: DuplicateKind) -> tuple[Any, list[Any]]:
    data = request.POST if request.method == "POST" else request.GET
    keep = data.get("keep", "")
    ids = [i for i in dict.fromkeys(data.getlist("record")) if i]
    if keep and keep not in ids:
        ids.insert(0, keep)
    records = _records(request, kind, ids)
    if not keep or len(records) < 2:
        raise _ChoiceMissing
    survivor = next(r for r in records if str(r.pk) == keep)
    return survivor, [r for r in records if r is not survivor]


class _ChoiceMissing(Exception):
    pass


@requires(Capability.COORDINATE_OFFERS)
def merge_confirm(request: HttpRequest, kind: str) -> HttpResponse:
    """GET: what the merge would change; POST: merge."""
    record_kind = _kind(kind)
    try:
        survivor, merged = _merge_choice(request, record_kind)
    except _ChoiceMissing:
        messages.error(request, _("Choose the record to keep."))
        return redirect("duplicates:queue")
    user = _user(request)
    if request.method == "POST":
        try:
            done = duplicates.merge_all(record_kind, survivor, merged, user)
        except merging.MergeError as error:
            messages.error(request, str(error))
            return redirect("duplicates:queue")
        messages.success(
            request,
            _("Merged into “%(name)s”: %(count)d record(s). You can undo this under “Past merges”.")
            % {"name": str(survivor), "count": len(done)},
        )
        return redirect("duplicates:queue")
    problem = ""
    try:
        previews = duplicates.preview(record_kind, survivor, merged, user)
    except merging.MergeError as refused:
        problem, previews = str(refused), []
    return render(
        request,
        "coordination/merge_confirm.html",
        {
            "kind": record_kind,
            "survivor": survivor,
            "items": list(zip(merged, previews, strict=False)),
            "merged": merged,
            "error": problem,
        },
        status=400 if problem else 200,
    )


@require_POST
@requires(Capability.COORDINATE_OFFERS)
def not_the_same(request: HttpRequest, kind: str) -> HttpResponse:
    record_kind = _kind(kind)
    left, right = _records(
        request, record_kind, [request.POST.get("left", ""), request.POST.get("right", "")]
    )
    try:
        merging.mark_not_the_same(
            record_kind, left, right, _user(request), request.POST.get("note", "").strip()
        )
    except merging.MergeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("“%(a)s” and “%(b)s” are not the same; they will not be proposed again.")
            % {"a": str(left), "b": str(right)},
        )
    return redirect("duplicates:queue")


@requires(Capability.COORDINATE_OFFERS)
def merge_list(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    merges = duplicates.past_merges(region)
    rows = [{"merge": m, "summary": duplicates.summary(m)} for m in merges]
    return render(request, "coordination/merge_list.html", {"rows": rows})


@require_POST
@requires(Capability.COORDINATE_OFFERS)
def merge_undo(request: HttpRequest, merge_id: Any) -> HttpResponse:
    merge = get_object_or_404(Merge.objects.for_user(_user(request)), pk=merge_id)
    try:
        result = merging.undo_merge(merge, _user(request))
    except merging.MergeError as error:
        messages.error(request, str(error))
    else:
        text = _("The merge of “%(name)s” was undone.") % {"name": merge.merged_name}
        if result.skipped:
            text += " " + _(
                "%(count)d reference(s) changed since the merge and stayed where they are."
            ) % {"count": len(result.skipped)}
        messages.success(request, text)
    return redirect("duplicates:merges")
