import uuid
from datetime import date
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinetz.accounts.access import requires
from kinetz.accounts.models import User
from kinetz.accounts.roles import Capability
from kinetz.network import cooperations, directory, graph, working_groups
from kinetz.network.forms import (
    CooperationForm,
    EndForm,
    MeetingForm,
    MembershipForm,
    MinutesForm,
    WorkingGroupForm,
)
from kinetz.network.models import (
    ActorType,
    Cooperation,
    Meeting,
    Organization,
    WorkingGroup,
    WorkingGroupMembership,
)
from kinetz.offers.taxonomy import fields_of_action
from kinetz.territory.models import Municipality, Region


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _can_manage(user: User) -> bool:
    return user.is_superuser or user.can(Capability.MANAGE_NETWORK)


def _region(user: User) -> Region:
    """The region a manager's new records belong to."""
    if user.region is None:
        raise PermissionDenied
    return user.region


def _group(request: HttpRequest, group_id: str) -> WorkingGroup:
    return get_object_or_404(
        WorkingGroup.objects.for_user(request.user).select_related("chair", "region"), pk=group_id
    )


def _end_date(request: HttpRequest) -> date | None:
    """The end date a manager gave, or None for today."""
    form = EndForm(request.POST)
    return form.cleaned_data["on"] if form.is_valid() else None


# Organisations -------------------------------------------------------------------------


@requires(Capability.VIEW_NETWORK)
def organization_list(request: HttpRequest) -> HttpResponse:
    municipalities = Municipality.objects.for_user(request.user)
    filters = directory.read_filters(request.GET, municipalities)
    organizations = directory.filter_organizations(
        Organization.objects.for_user(request.user), filters
    )
    page = Paginator(organizations, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "actor_types": ActorType.choices,
        "municipalities": municipalities,
        "fields_of_action": fields_of_action(),
        "query": query.urlencode(),
    }
    template = (
        "network/organization_results.html"
        if request.headers.get("HX-Request")
        else "network/organization_list.html"
    )
    return render(request, template, context)


@requires(Capability.VIEW_NETWORK)
def organization_detail(request: HttpRequest, organization_id: str) -> HttpResponse:
    organization = get_object_or_404(
        Organization.objects.for_user(request.user).select_related("parent"), pk=organization_id
    )
    context = {
        "organization": organization,
        "offers": directory.offers_of(organization),
        "contacts": organization.contacts.all(),
        "phones": organization.phones.all(),
        "locations": [link.location for link in organization.listed_locations.all()],
        "children": organization.children.order_by("name"),
        "memberships": working_groups.memberships_of(organization),
        "cooperations": cooperations.cooperations_of(organization),
        "can_manage": _can_manage(_user(request)),
    }
    return render(request, "network/organization_detail.html", context)


# Working groups ------------------------------------------------------------------------


@requires(Capability.VIEW_NETWORK)
def working_group_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    groups = (
        WorkingGroup.objects.for_user(request.user)
        .select_related("chair")
        .annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__left__isnull=True), distinct=True
            ),
            next_meeting=Min("meetings__starts_at", filter=Q(meetings__starts_at__gte=now)),
        )
        .order_by("-is_active", "name")
    )
    context = {"groups": groups, "can_manage": _can_manage(_user(request))}
    return render(request, "network/working_group_list.html", context)


@requires(Capability.VIEW_NETWORK)
def working_group_detail(request: HttpRequest, group_id: str) -> HttpResponse:
    group = _group(request, group_id)
    can_manage = _can_manage(_user(request))
    context = {
        "overview": working_groups.overview(group),
        "group": group,
        "fields_of_action": group.fields_of_action.order_by("name"),
        "can_manage": can_manage,
    }
    return render(request, "network/working_group_detail.html", context)


@requires(Capability.MANAGE_NETWORK)
def working_group_edit(request: HttpRequest, group_id: str | None = None) -> HttpResponse:
    user = _user(request)
    group = _group(request, group_id) if group_id else WorkingGroup(region=_region(user))
    form = WorkingGroupForm(request.POST or None, instance=group, region=group.region)
    if request.method == "POST" and form.is_valid():
        group = form.save(commit=False)
        working_groups.save_working_group(
            user, group, form.cleaned_data["fields_of_action"], form.changed_data
        )
        messages.success(request, _("The working group was saved."))
        return redirect("network:working_group", group.pk)
    context = {"form": form, "group": group, "is_new": group._state.adding}
    return render(request, "network/working_group_edit.html", context)


@requires(Capability.MANAGE_NETWORK)
def membership_add(request: HttpRequest, group_id: str) -> HttpResponse:
    group = _group(request, group_id)
    membership = WorkingGroupMembership(group=group)
    initial = {"joined": timezone.localdate(), "organization": request.GET.get("organization")}
    form = MembershipForm(request.POST or None, instance=membership, group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        working_groups.add_member(_user(request), form.save(commit=False))
        messages.success(request, _("The organisation was added to the working group."))
        return redirect("network:working_group", group.pk)
    context = {"form": form, "group": group, "membership": membership, "is_new": True}
    return render(request, "network/membership_edit.html", context)


def _membership(group: WorkingGroup, membership_id: str) -> WorkingGroupMembership:
    return get_object_or_404(
        group.memberships.select_related("organization", "delegate"), pk=membership_id
    )


@requires(Capability.MANAGE_NETWORK)
def membership_edit(request: HttpRequest, group_id: str, membership_id: str) -> HttpResponse:
    group = _group(request, group_id)
    membership = _membership(group, membership_id)
    form = MembershipForm(request.POST or None, instance=membership, group=group)
    if request.method == "POST" and form.is_valid():
        working_groups.update_membership(_user(request), form.save(commit=False), form.changed_data)
        messages.success(request, _("The membership was saved."))
        return redirect("network:working_group", group.pk)
    context = {
        "form": form,
        "group": group,
        "membership": membership,
        "end_form": EndForm(),
        "is_new": False,
    }
    return render(request, "network/membership_edit.html", context)


@require_POST
@requires(Capability.MANAGE_NETWORK)
def membership_end(request: HttpRequest, group_id: str, membership_id: str) -> HttpResponse:
    group = _group(request, group_id)
    membership = _membership(group, membership_id)
    working_groups.end_membership(_user(request), membership, _end_date(request))
    messages.success(
        request,
        _("%(organization)s is no longer a member.") % {"organization": membership.organization},
    )
    return redirect("network:working_group", group.pk)


# Meetings ------------------------------------------------------------------------------


def _meeting(group: WorkingGroup, meeting_id: str) -> Meeting:
    return get_object_or_404(group.meetings.select_related("minutes_author"), pk=meeting_id)


@requires(Capability.VIEW_NETWORK)
def meeting_detail(request: HttpRequest, group_id: str, meeting_id: str) -> HttpResponse:
    group = _group(request, group_id)
    meeting = _meeting(group, meeting_id)
    can_manage = _can_manage(_user(request))
    context = {
        "group": group,
        "meeting": meeting,
        "can_manage": can_manage,
        "show_minutes": working_groups.minutes_visible(meeting, can_manage),
    }
    return render(request, "network/meeting_detail.html", context)


@requires(Capability.MANAGE_NETWORK)
def meeting_edit(
    request: HttpRequest, group_id: str, meeting_id: str | None = None
) -> HttpResponse:
    group = _group(request, group_id)
    meeting = _meeting(group, meeting_id) if meeting_id else Meeting(group=group)
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        meeting = working_groups.save_meeting(
            _user(request), form.save(commit=False), form.changed_data
        )
        messages.success(request, _("The meeting was saved."))
        return redirect("network:meeting", group.pk, meeting.pk)
    context = {"form": form, "group": group, "meeting": meeting, "is_new": meeting._state.adding}
    return render(request, "network/meeting_edit.html", context)


@requires(Capability.MANAGE_NETWORK)
def meeting_minutes(request: HttpRequest, group_id: str, meeting_id: str) -> HttpResponse:
    group = _group(request, group_id)
    meeting = _meeting(group, meeting_id)
    initial = {"minutes": meeting.minutes, "approved": meeting.minutes_approved_at is not None}
    form = MinutesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        working_groups.save_minutes(
            _user(request), meeting, form.cleaned_data["minutes"], form.cleaned_data["approved"]
        )
        messages.success(request, _("The minutes were saved."))
        return redirect("network:meeting", group.pk, meeting.pk)
    return render(
        request, "network/meeting_minutes.html", {"form": form, "group": group, "meeting": meeting}
    )


# Cooperations --------------------------------------------------------------------------


def _cooperation(request: HttpRequest, cooperation_id: str) -> Cooperation:
    return get_object_or_404(
        Cooperation.objects.for_user(request.user).select_related(
            "organization_a", "organization_b"
        ),
        pk=cooperation_id,
    )


def _origin(request: HttpRequest) -> str:
    """The organisation whose profile the manager came from (`from`), if it is one they see."""
    raw = request.POST.get("from") or request.GET.get("from") or ""
    try:
        organization_id = uuid.UUID(raw)
    except ValueError:
        return ""
    visible = Organization.objects.for_user(request.user).filter(pk=organization_id).exists()
    return str(organization_id) if visible else ""


def _back_to(request: HttpRequest, cooperation: Cooperation) -> HttpResponse:
    """Back to the organisation the manager came from, else to the network graph."""
    origin = _origin(request)
    if origin in {str(cooperation.organization_a_id), str(cooperation.organization_b_id)}:
        return redirect("network:organization", origin)
    return redirect("network:graph")


@requires(Capability.MANAGE_NETWORK)
def cooperation_edit(request: HttpRequest, cooperation_id: str | None = None) -> HttpResponse:
    user = _user(request)
    if cooperation_id:
        cooperation = _cooperation(request, cooperation_id)
        region = cooperation.region
    else:
        region = _region(user)
        cooperation = Cooperation(region=region)
    origin = _origin(request)
    initial = {"organization_a": origin} if origin and not cooperation_id else {}
    form = CooperationForm(
        request.POST or None, instance=cooperation, region=region, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        cooperation = cooperations.save_cooperation(
            user, form.save(commit=False), form.changed_data
        )
        messages.success(request, _("The cooperation was saved."))
        return _back_to(request, cooperation)
    context = {
        "form": form,
        "cooperation": cooperation,
        "origin": origin,
        "is_new": cooperation._state.adding,
    }
    return render(request, "network/cooperation_edit.html", context)


@require_POST
@requires(Capability.MANAGE_NETWORK)
def cooperation_end(request: HttpRequest, cooperation_id: str) -> HttpResponse:
    cooperation = _cooperation(request, cooperation_id)
    cooperations.end_cooperation(_user(request), cooperation, _end_date(request))
    messages.success(request, _("The cooperation was ended."))
    return _back_to(request, cooperation)


# Network graph -------------------------------------------------------------------------


def _graph(request: HttpRequest) -> tuple[graph.GraphFilters, graph.NetworkGraph]:
    user = _user(request)
    groups = WorkingGroup.objects.for_user(user).active()
    filters = graph.read_filters(request.GET, groups)
    if user.region is None:
        return filters, graph.NetworkGraph()
    return filters, graph.network_graph(user.region, filters)


@requires(Capability.VIEW_NETWORK)
def network_graph(request: HttpRequest) -> HttpResponse:
    filters, network = _graph(request)
    context = {
        "filters": filters,
        "network": network,
        "actor_types": ActorType.choices,
        "groups": WorkingGroup.objects.for_user(request.user).active().order_by("name"),
        "query": request.GET.urlencode(),
        "can_manage": _can_manage(_user(request)),
    }
    return render(request, "network/graph.html", context)


@requires(Capability.VIEW_NETWORK)
def network_graph_json(request: HttpRequest) -> JsonResponse:
    _, network = _graph(request)
    return JsonResponse(network.as_json())
