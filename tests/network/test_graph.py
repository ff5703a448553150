"""The network graph: its JSON, its filters, and who may see it."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kinetz.accounts.models import User
from kinetz.network.graph import GraphFilters, network_graph
from kinetz.network.models import ActorType, MembershipRole, Organization, WorkingGroup
from kinetz.territory.models import Region
from tests.factories import (
    CooperationFactory,
    OrganizationFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)

ClientFor = Callable[[User], Client]


@pytest.fixture
def network(region: Region, other_region: Region) -> dict[str, Any]:
    vhs = OrganizationFactory(
        region=region, name="VHS Kleve", actor_type=ActorType.EDUCATION_PROVIDER
    )
    caritas = OrganizationFactory(
        region=region, name="Caritas Kleve", actor_type=ActorType.WELFARE_PROVIDER
    )
    jobcenter = OrganizationFactory(
        region=region, name="Jobcenter Kleve", actor_type=ActorType.JOBCENTER
    )
    loner = OrganizationFactory(region=region, name="Ohne Beziehungen")
    language = WorkingGroupFactory(region=region, name="AK Sprache")
    health = WorkingGroupFactory(region=region, name="AK Gesundheit")
    WorkingGroupMembershipFactory(group=language, organization=vhs, role=MembershipRole.CHAIR)
    WorkingGroupMembershipFactory(group=language, organization=caritas)
    WorkingGroupMembershipFactory(group=health, organization=caritas)
    WorkingGroupMembershipFactory(  # left: not in the graph
        group=health, organization=jobcenter, joined=date(2020, 1, 1), left=date(2021, 1, 1)
    )
    CooperationFactory(region=region, organization_a=vhs, organization_b=jobcenter)
    CooperationFactory(  # ended: not in the graph
        region=region,
        organization_a=caritas,
        organization_b=jobcenter,
        ended=timezone.localdate() - timedelta(days=1),
    )
    wesel = WorkingGroupFactory(region=other_region, name="AK Wesel")
    WorkingGroupMembershipFactory(group=wesel)
    return {
        "vhs": vhs,
        "caritas": caritas,
        "jobcenter": jobcenter,
        "loner": loner,
        "language": language,
        "health": health,
    }


def labels(data: dict[str, Any], kind: str) -> set[str]:
    return {node["label"] for node in data["nodes"] if node["kind"] == kind}


def test_graph_json_has_current_memberships_and_cooperations_of_the_region(
    client_for: ClientFor, coordinator: User, network: dict[str, Any]
) -> None:
    response = client_for(coordinator).get("/network/graph.json")
    assert response.status_code == 200
    data = response.json()
    assert labels(data, "organization") == {"VHS Kleve", "Caritas Kleve", "Jobcenter Kleve"}
    assert labels(data, "working_group") == {"AK Sprache", "AK Gesundheit"}
    vhs, caritas, jobcenter = (network[k] for k in ("vhs", "caritas", "jobcenter"))
    language = network["language"]
    edges = {(e["kind"], e["source"], e["target"]) for e in data["edges"]}
    pair = sorted([vhs.pk, jobcenter.pk])
    assert edges == {
        ("membership", f"organization-{vhs.pk}", f"working_group-{language.pk}"),
        ("membership", f"organization-{caritas.pk}", f"working_group-{language.pk}"),
        ("membership", f"organization-{caritas.pk}", f"working_group-{network['health'].pk}"),
        ("cooperation", f"organization-{pair[0]}", f"organization-{pair[1]}"),
    }
    node = next(n for n in data["nodes"] if n["label"] == "VHS Kleve")
    assert node["url"] == f"/network/organisations/{vhs.pk}/"
    assert node["actor_type"] == ActorType.EDUCATION_PROVIDER
    chair = next(e for e in data["edges"] if e["source"] == f"organization-{vhs.pk}")
    assert chair["role"] == MembershipRole.CHAIR
    node_ids = {n["id"] for n in data["nodes"]}
    assert all(e["source"] in node_ids and e["target"] in node_ids for e in data["edges"])


def test_graph_filtered_by_working_group_keeps_its_members_and_their_cooperations(
    region: Region, network: dict[str, Any]
) -> None:
    graph = network_graph(region, GraphFilters(working_group=network["health"].pk))
    assert [g.name for g in graph.groups] == ["AK Gesundheit"]
    assert [o.name for o in graph.organizations] == ["Caritas Kleve"]
    assert graph.cooperations == []


def test_graph_filtered_by_actor_type_keeps_organisations_of_that_type(
    region: Region, network: dict[str, Any]
) -> None:
    graph = network_graph(region, GraphFilters(actor_type=ActorType.WELFARE_PROVIDER))
    assert [o.name for o in graph.organizations] == ["Caritas Kleve"]
    assert {g.name for g in graph.groups} == {"AK Sprache", "AK Gesundheit"}
    assert graph.cooperations == []


def test_inactive_groups_leave_the_graph(region: Region, network: dict[str, Any]) -> None:
    WorkingGroup.objects.filter(pk=network["health"].pk).update(is_active=False)
    graph = network_graph(region)
    assert [g.name for g in graph.groups] == ["AK Sprache"]


def test_graph_page_lists_the_same_relations_and_loads_its_script(
    client_for: ClientFor, provider_editor: User, network: dict[str, Any]
) -> None:
    response = client_for(provider_editor).get(
        "/network/graph/", {"actor_type": ActorType.EDUCATION_PROVIDER}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-src="/network/graph.json?actor_type=education_provider"' in page
    assert "kinetz/network-graph.js" in page
    assert "vendor/cytoscape/cytoscape.min.js" in page
    assert "<script>" not in page
    assert "VHS Kleve" in page
    assert "Caritas Kleve" not in page


def test_unknown_graph_filters_are_ignored_and_named(
    client_for: ClientFor, coordinator: User, network: dict[str, Any]
) -> None:
    response = client_for(coordinator).get(
        "/network/graph/", {"actor_type": "spy", "working_group": "not-a-uuid"}
    )
    assert response.status_code == 200
    assert response.context["filters"].ignored == ("actor_type", "working_group")
    assert "actor_type, working_group" in response.content.decode()


def test_another_regions_group_is_no_graph_filter(
    client_for: ClientFor, outside_coordinator: User, network: dict[str, Any]
) -> None:
    response = client_for(outside_coordinator).get(
        "/network/graph.json", {"working_group": str(network["language"].pk)}
    )
    data = response.json()
    assert labels(data, "working_group") == {"AK Wesel"}
    assert "VHS Kleve" not in labels(data, "organization")


def test_graph_needs_sign_in_and_network_access(
    client_for: ClientFor, council_viewer: User, network: dict[str, Any]
) -> None:
    anonymous = Client().get("/network/graph.json")
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    assert client_for(council_viewer).get("/network/graph.json").status_code == 403
    assert client_for(council_viewer).get("/network/graph/").status_code == 403


def test_organisations_without_relations_are_not_drawn(
    region: Region, network: dict[str, Any]
) -> None:
    loner: Organization = network["loner"]
    assert loner not in network_graph(region).organizations
