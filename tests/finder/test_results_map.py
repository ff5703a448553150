"""The results map of the finder: marker data in the page, the public boundaries endpoint."""

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kinetz.finder import map as results_map
from kinetz.finder import results
from kinetz.finder.search import Hit
from kinetz.offers.models import Location, ServiceAtLocation
from tests.factories import MunicipalityFactory, RegionFactory, ServiceFactory
from tests.finder import test_search

# The search tests' catalogue: five offers in Kleve and Goch, a real index in a tmp directory.
index_root = test_search.index_root
catalogue = test_search.catalogue


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client() -> Client:
    """An anonymous visitor who reads the pages in English (the msgids)."""
    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return visitor


def _markers(html: str) -> list[dict[str, Any]]:
    found = re.search(
        r'<script id="results-map-markers" type="application/json">(.*?)</script>', html, re.S
    )
    assert found, "the marker data is missing"
    data: list[dict[str, Any]] = json.loads(found.group(1))
    return data


def test_results_page_has_a_named_map_with_a_marker_per_result_place(
    client: Client, catalogue: dict[str, Any]
) -> None:
    html = client.get("/search/", {"municipality": "goch"}).content.decode()
    assert 'id="results-map"' in html
    assert 'role="region"' in html
    assert 'aria-label="Map of the offers on this page"' in html
    assert 'data-boundaries="/search/municipalities.geojson"' in html
    assert 'data-selected="goch"' in html
    assert 'href="/wegweiser/goch.pdf?lang=en"' in html  # the printable guide of that town
    markers = _markers(html)
    offers = [offer for marker in markers for offer in marker["offers"]]
    urls = {offer["url"] for offer in offers}
    assert urls == {f"/offer/{catalogue['services'][key].pk}/" for key in ("schwimmen", "wohnen")}
    # Both Goch offers meet at the same place: one marker listing both, numbered as the list.
    assert len(markers) == 1
    assert (markers[0]["lat"], markers[0]["lon"]) == test_search.COORDINATES["goch"]
    assert sorted(offer["number"] for offer in offers) == [1, 2]


def test_marker_numbers_follow_the_list_on_later_pages(catalogue: dict[str, Any]) -> None:
    services = catalogue["services"]
    hits = [Hit(str(services[key].pk), 0.0, "") for key in ("psyche", "deutsch")]
    markers = results_map.markers(results.cards(hits, "de"), start=21)
    offers = {offer["name"]: offer["number"] for offer in markers[0]["offers"]}
    assert offers == {services["psyche"].name: 21, services["deutsch"].name: 22}


def test_online_only_offers_have_no_marker(region: Any, db: None) -> None:
    online = ServiceFactory(region=region, name="Online-Beratung")
    virtual = Location.objects.create(
        region=region, location_type="virtual", url="https://beratung.example.org"
    )
    ServiceAtLocation.objects.create(service=online, location=virtual)
    cards = results.cards([Hit(str(online.pk), 0.0, "")], "de")
    assert [card.name.text for card in cards] == ["Online-Beratung"]
    assert results_map.markers(cards) == []


def test_marker_data_comes_without_a_query_per_result(catalogue: dict[str, Any]) -> None:
    services = catalogue["services"]
    few = [Hit(str(services["psyche"].pk), 0.0, "")]
    many = [Hit(str(service.pk), 0.0, "") for key, service in services.items() if key != "draft"]
    with CaptureQueriesContext(connection) as one:
        results_map.markers(results.cards(few, "de"))
    with CaptureQueriesContext(connection) as five:
        results_map.markers(results.cards(many, "de"))
    assert len(five.captured_queries) == len(one.captured_queries)


def test_htmx_results_carry_the_new_marker_data(client: Client, catalogue: dict[str, Any]) -> None:
    response = client.get(
        "/search/",
        {"q": "Schwimmkurs"},
        headers={"HX-Request": "true", "HX-Target": "search-results"},
    )
    html = response.content.decode()
    assert "<html" not in html
    urls = {offer["url"] for marker in _markers(html) for offer in marker["offers"]}
    assert f"/offer/{catalogue['services']['schwimmen'].pk}/" in urls
    # Leaflet and the map script come once with the full page, not with every swap.
    assert "results-map.js" not in html


def test_without_javascript_the_list_is_the_page(client: Client, catalogue: dict[str, Any]) -> None:
    html = client.get("/search/", {"municipality": "kleve"}).content.decode()
    # The map's figure is hidden until the script draws it; the list carries every result.
    assert re.search(r'<figure class="finder-map" hidden>', html)
    for key in ("deutsch", "psyche", "hausaufgaben"):
        assert f'href="/offer/{catalogue["services"][key].pk}/"' in html
    assert html.index('class="finder-cards"') < html.index('id="results-map"')


def test_boundaries_endpoint_serves_the_municipalities_to_anyone(
    client: Client, region: Any, db: None
) -> None:
    MunicipalityFactory(region=region, name="Goch", slug="goch")
    MunicipalityFactory(region=region, name="Kleve", slug="kleve")
    MunicipalityFactory(region=region, name="Ohne Grenze", slug="ohne", boundary=None)
    response = client.get("/search/municipalities.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "public" in response["Cache-Control"]
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert [f["properties"] for f in data["features"]] == [
        {"name": "Goch", "slug": "goch"},
        {"name": "Kleve", "slug": "kleve"},
    ]
    assert data["features"][0]["geometry"]["type"] == "Polygon"


def test_boundaries_are_cached_until_a_municipality_changes(
    client: Client, region: Any, db: None
) -> None:
    goch = MunicipalityFactory(region=region, name="Goch", slug="goch")
    client.get("/search/municipalities.geojson")
    with CaptureQueriesContext(connection) as queries:
        client.get("/search/municipalities.geojson")
    assert not any("boundary" in query["sql"] for query in queries.captured_queries)
    goch.name = "Goch (Stadt)"
    goch.save()
    names = [
        f["properties"]["name"]
        for f in client.get("/search/municipalities.geojson").json()["features"]
    ]
    assert names == ["Goch (Stadt)"]


def test_boundaries_of_every_region_are_public(client: Client, db: None) -> None:
    MunicipalityFactory(region=RegionFactory(), slug="a", name="A")
    MunicipalityFactory(region=RegionFactory(), slug="b", name="B")
    data = client.get("/search/municipalities.geojson").json()
    assert {f["properties"]["slug"] for f in data["features"]} == {"a", "b"}
