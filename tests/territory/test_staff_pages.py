from collections.abc import Callable

import pytest
from django.test import Client

from kinetz.accounts.models import User
from kinetz.territory.models import Region
from tests.factories import MunicipalityFactory


@pytest.fixture
def municipalities(region: Region, other_region: Region) -> None:
    MunicipalityFactory(region=region, name="Goch", population=35520)
    MunicipalityFactory(region=region, name="Weeze", population=11563)
    MunicipalityFactory(region=other_region, name="Hamminkeln", population=27000)


@pytest.mark.usefixtures("municipalities")
def test_coordinator_sees_the_municipalities_of_their_region_only(
    client_for: Callable[[User], Client], coordinator: User
) -> None:
    response = client_for(coordinator).get("/staff/municipalities/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Goch" in content
    assert "Weeze" in content
    assert "Hamminkeln" not in content
    assert "47,083" in content  # total population, with the English thousands separator


@pytest.mark.usefixtures("municipalities")
def test_boundary_geojson_is_scoped_to_the_region(
    client_for: Callable[[User], Client], outside_coordinator: User, coordinator: User
) -> None:
    kleve = client_for(coordinator).get("/staff/municipalities.geojson").json()
    assert sorted(f["properties"]["name"] for f in kleve["features"]) == ["Goch", "Weeze"]
    response = client_for(outside_coordinator).get("/staff/municipalities.geojson")
    names = [f["properties"]["name"] for f in response.json()["features"]]
    assert names == ["Hamminkeln"]
    assert response.json()["features"][0]["geometry"]["type"] == "Polygon"


@pytest.mark.usefixtures("municipalities")
def test_council_viewer_may_see_the_municipality_figures(
    client_for: Callable[[User], Client], council_viewer: User
) -> None:
    assert client_for(council_viewer).get("/staff/municipalities/").status_code == 200


@pytest.mark.usefixtures("municipalities")
@pytest.mark.parametrize("role_fixture", ["provider_editor", "school_office"])
def test_partners_cannot_open_staff_pages(
    client_for: Callable[[User], Client], request: pytest.FixtureRequest, role_fixture: str
) -> None:
    user = request.getfixturevalue(role_fixture)
    client = client_for(user)
    assert client.get("/staff/municipalities/").status_code == 403
    assert client.get("/staff/municipalities.geojson").status_code == 403
    assert client.get("/accounts/users/").status_code == 403


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/staff/municipalities/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
