"""The network graph: organisations and working groups as nodes, memberships and cooperations
as edges. The same data feeds the drawn graph (as JSON) and the table beside it.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from kinetz.network.models import (
    ActorType,
    Cooperation,
    Organization,
    WorkingGroup,
    WorkingGroupMembership,
)
from kinetz.territory.models import Region


@dataclass(frozen=True)
class GraphFilters:
    actor_type: str = ""
    working_group: uuid.UUID | None = None
    ignored: tuple[str, ...] = ()  # parameters whose values were not understood


def read_filters(params: Any, groups: QuerySet[WorkingGroup]) -> GraphFilters:
    """Filters from query parameters; values that are not understood are ignored and named."""
    ignored = []
    actor_type = params.get("actor_type", "")
    if actor_type and actor_type not in ActorType.values:
        ignored.append("actor_type")
        actor_type = ""
    group_id: uuid.UUID | None = None
    raw_group = params.get("working_group", "")
    if raw_group:
        try:
            group_id = uuid.UUID(raw_group)
        except ValueError:
            group_id = None
        if group_id is None or not groups.filter(pk=group_id).exists():
            ignored.append("working_group")
            group_id = None
    return GraphFilters(actor_type=actor_type, working_group=group_id, ignored=tuple(ignored))


@dataclass
class NetworkGraph:
    organizations: list[Organization] = field(default_factory=list)
    groups: list[WorkingGroup] = field(default_factory=list)
    memberships: list[WorkingGroupMembership] = field(default_factory=list)
    cooperations: list[Cooperation] = field(default_factory=list)

    def members_by_group(self) -> list[tuple[WorkingGroup, list[WorkingGroupMembership]]]:
        members: dict[uuid.UUID, list[WorkingGroupMembership]] = {g.pk: [] for g in self.groups}
        for m in self.memberships:
            members.setdefault(m.group_id, []).append(m)
        return [(group, members[group.pk]) for group in self.groups]

    def as_json(self) -> dict[str, Any]:
        """Nodes and edges, each with a stable id, a label and the page it links to."""
        nodes = [
            {
                "id": f"organization-{org.pk}",
                "kind": "organization",
                "label": org.name,
                "actor_type": org.actor_type,
                "actor_type_label": str(org.get_actor_type_display()),
                "url": reverse("network:organization", args=[org.pk]),
            }
            for org in self.organizations
        ] + [
            {
                "id": f"working_group-{group.pk}",
                "kind": "working_group",
                "label": group.name,
                "url": reverse("network:working_group", args=[group.pk]),
            }
            for group in self.groups
        ]
        edges = [
            {
                "id": f"membership-{m.pk}",
                "kind": "membership",
                "source": f"organization-{m.organization_id}",
                "target": f"working_group-{m.group_id}",
                "role": m.role,
                "label": str(m.get_role_display()),
            }
            for m in self.memberships
        ] + [
            {
                "id": f"cooperation-{c.pk}",
                "kind": "cooperation",
                "source": f"organization-{c.organization_a_id}",
                "target": f"organization-{c.organization_b_id}",
                "cooperation_kind": c.kind,
                "label": str(c.get_kind_display()),
            }
            for c in self.cooperations
        ]
        return {"nodes": nodes, "edges": edges}


def network_graph(
    region: Region, filters: GraphFilters | None = None, today: date | None = None
) -> NetworkGraph:
    """The current network of a region: active groups, current members, running cooperations.

    An organisation appears when it has at least one such relation. Filtering by actor type
    keeps organisations of that type (and the groups they are in); filtering by working group
    keeps that group, its members and the cooperations among them.
    """
    filters = filters or GraphFilters()
    today = today or timezone.localdate()
    groups = WorkingGroup.objects.in_region(region).active()
    memberships = (
        WorkingGroupMembership.objects.in_region(region)
        .current()
        .filter(group__is_active=True)
        .select_related("organization", "group")
    )
    cooperations = (
        Cooperation.objects.in_region(region)
        .current(today)
        .select_related("organization_a", "organization_b")
    )
    if filters.working_group:
        groups = groups.filter(pk=filters.working_group)
        memberships = memberships.filter(group_id=filters.working_group)
        member_ids = memberships.values("organization_id")
        cooperations = cooperations.filter(
            organization_a__in=member_ids, organization_b__in=member_ids
        )
    if filters.actor_type:
        memberships = memberships.filter(organization__actor_type=filters.actor_type)
        cooperations = cooperations.filter(
            Q(organization_a__actor_type=filters.actor_type)
            & Q(organization_b__actor_type=filters.actor_type)
        )
    membership_list = list(memberships.order_by("group__name", "organization__name"))
    cooperation_list = list(cooperations.order_by("organization_a__name", "organization_b__name"))
    organizations: dict[uuid.UUID, Organization] = {}
    for m in membership_list:
        organizations[m.organization_id] = m.organization
    for c in cooperation_list:
        organizations[c.organization_a_id] = c.organization_a
        organizations[c.organization_b_id] = c.organization_b
    group_ids = {m.group_id for m in membership_list}
    if not filters.actor_type:
        group_ids |= set(groups.values_list("pk", flat=True))  # groups without members, too
    return NetworkGraph(
        organizations=sorted(organizations.values(), key=lambda org: org.name.casefold()),
        groups=list(groups.filter(pk__in=group_ids).order_by("name")),
        memberships=membership_list,
        cooperations=cooperation_list,
    )
