from collections.abc import Callable

import pytest
from django.test import Client

from kinetz.accounts.models import User
from kinetz.network.models import ActorType, Organization
from kinetz.offers.models import ServiceAttribute
from kinetz.territory.models import Region
from tests.factories import (
    OrganizationFactory,
    ServiceFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)


@pytest.fixture
def organizations(region: Region, other_region: Region) -> dict[str, Organization]:
    return {
        "caritas": OrganizationFactory(
            region=region, name="Caritas Kleve", actor_type=ActorType.WELFARE_PROVIDER
        ),
        "vhs": OrganizationFactory(
            region=region, name="VHS Goch", actor_type=ActorType.EDUCATION_PROVIDER
        ),
        "wesel": OrganizationFactory(region=other_region, name="Caritas Wesel"),
    }


def test_coordinator_sees_the_organisations_of_their_region(
    client_for: Callable[[User], Client], coordinator: User, organizations: dict[str, Organization]
) -> None:
    content = client_for(coordinator).get("/network/organisations/").content.decode()
    assert "Caritas Kleve" in content
    assert "VHS Goch" in content
    assert "Caritas Wesel" not in content


def test_directory_filters_by_actor_type(
    client_for: Callable[[User], Client], coordinator: User, organizations: dict[str, Organization]
) -> None:
    content = (
        client_for(coordinator)
        .get("/network/organisations/", {"actor_type": ActorType.EDUCATION_PROVIDER})
        .content.decode()
    )
    assert "VHS Goch" in content
    assert "Caritas Kleve" not in content


def test_unknown_filter_values_are_ignored_with_a_notice(
    client_for: Callable[[User], Client], coordinator: User, organizations: dict[str, Organization]
) -> None:
    response = client_for(coordinator).get(
        "/network/organisations/", {"actor_type": "<script>", "municipality": "99999999"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "actor_type, municipality" in content
    assert "<script>" not in content
    assert "Caritas Kleve" in content


def test_provider_editor_sees_the_network_but_not_staff_pages(
    client_for: Callable[[User], Client],
    provider_editor: User,
    organizations: dict[str, Organization],
) -> None:
    client = client_for(provider_editor)
    assert client.get("/network/organisations/").status_code == 200
    vhs = organizations["vhs"]
    assert client.get(f"/network/organisations/{vhs.pk}/").status_code == 200
    assert client.get("/staff/municipalities/").status_code == 403


def test_profile_of_another_region_is_not_found(
    client_for: Callable[[User], Client], coordinator: User, organizations: dict[str, Organization]
) -> None:
    wesel = organizations["wesel"]
    assert client_for(coordinator).get(f"/network/organisations/{wesel.pk}/").status_code == 404


@pytest.mark.parametrize("role_fixture", ["school_office", "council_viewer"])
def test_roles_without_network_access_are_refused(
    client_for: Callable[[User], Client], request: pytest.FixtureRequest, role_fixture: str
) -> None:
    user = request.getfixturevalue(role_fixture)
    assert client_for(user).get("/network/organisations/").status_code == 403


def test_htmx_request_gets_only_the_results(
    client_for: Callable[[User], Client], coordinator: User, organizations: dict[str, Organization]
) -> None:
    response = client_for(coordinator).get("/network/organisations/", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "Caritas Kleve" in content
    assert "<html" not in content


def test_profile_lists_each_offer_with_its_fields_of_action_only(
    client_for: Callable[[User], Client], coordinator: User, organizations: dict[str, Organization]
) -> None:
    offer = ServiceFactory(organization=organizations["vhs"], name="Elterncafé")
    language = TaxonomyTermFactory(name="Sprache")
    parents = TaxonomyTermFactory(
        name="Eltern", taxonomy=TaxonomyFactory(vocabulary="zielgruppe", name="Zielgruppe")
    )
    ServiceAttribute.objects.create(
        service=offer, taxonomy_term=language, link_type="handlungsfeld"
    )
    ServiceAttribute.objects.create(service=offer, taxonomy_term=parents, link_type="zielgruppe")

    page = client_for(coordinator).get(f"/network/organisations/{organizations['vhs'].pk}/")

    row = next(o for o in page.context["offers"] if o.name == "Elterncafé")
    assert [a.taxonomy_term.name for a in row.fields_of_action] == ["Sprache"]
    assert "Sprache</td>" in page.content.decode()


def test_filter_form_keeps_the_chosen_values(
    client_for: Callable[[User], Client], coordinator: User, organizations: dict[str, Organization]
) -> None:
    page = client_for(coordinator).get(
        "/network/organisations/", {"actor_type": "welfare_provider"}
    )
    content = page.content.decode()
    assert '<option value="welfare_provider" selected>' in content
    assert '<option value="" selected>' not in content
    assert 'for="filter-municipality"' in content
