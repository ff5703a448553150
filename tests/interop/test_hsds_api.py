"""The HSDS API: published records only, HSDS paging, filters, clear errors."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from kinetz.offers.models import ReviewState, Service
from kinetz.territory.models import Region
from tests.interop.test_hsds_files import CATALOGUE, UPSTREAM_EXAMPLE

PAGE_KEYS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
}


@pytest.fixture
def kleve(db: None) -> Region:
    call_command("load_territory", "kleve", stdout=StringIO())
    return Region.objects.get(slug="kleve")


@pytest.fixture
def catalogue(kleve: Region) -> None:
    call_command("import_hsds", str(CATALOGUE), stdout=StringIO())


@pytest.fixture
def example(kleve: Region) -> dict[str, object]:
    call_command("import_hsds", str(UPSTREAM_EXAMPLE), stdout=StringIO())
    record: dict[str, object] = json.loads(UPSTREAM_EXAMPLE.read_text())
    return record


@pytest.mark.usefixtures("catalogue")
def test_api_lists_every_published_service_with_hsds_paging(client: Client) -> None:
    draft = Service.objects.order_by("id").first()
    assert draft is not None
    draft.review_state = ReviewState.DRAFT
    draft.save()
    seen: list[str] = []
    page = 1
    while True:
        body = client.get("/api/v1/services", {"page": page, "per_page": 100}).json()
        assert body.keys() >= PAGE_KEYS
        assert body["total_items"] == 451
        assert body["total_pages"] == 5
        assert body["page_number"] == page
        assert body["first_page"] == (page == 1)
        assert body["size"] == len(body["contents"])
        seen += [record["id"] for record in body["contents"]]
        if body["last_page"]:
            break
        page += 1
    assert page == 5
    assert len(seen) == len(set(seen)) == 451
    assert str(draft.id) not in seen
    assert client.get(f"/api/v1/services/{draft.id}").status_code == 404


@pytest.mark.usefixtures("catalogue")
def test_services_filter_by_organization_and_taxonomy_term(client: Client) -> None:
    service = Service.objects.filter(organization__name="Volkshochschule Kleve").first()
    assert service is not None
    by_org = client.get("/api/v1/services", {"organization_id": str(service.organization_id)})
    assert (
        by_org.json()["total_items"]
        == Service.objects.filter(organization_id=service.organization_id).count()
    )
    term = service.attributes.first().taxonomy_term
    by_term = client.get("/api/v1/services", {"taxonomy_term_id": str(term.id), "per_page": 1000})
    ids = {record["id"] for record in by_term.json()["contents"]}
    assert str(service.id) in ids
    assert ids == {
        str(i)
        for i in Service.objects.filter(attributes__taxonomy_term=term).values_list("id", flat=True)
    }


@pytest.mark.usefixtures("example")
def test_upstream_example_comes_back_out_of_the_api_equivalent(
    client: Client, example: dict[str, object]
) -> None:
    response = client.get(f"/api/v1/services/{example['id']}")
    assert response.status_code == 200
    body = response.json()
    for key, value in example.items():
        if not isinstance(value, (list, dict)) and value is not None:
            assert body[key] == value, key
    assert [p["number"] for p in body["phones"]] == [p["number"] for p in example["phones"]]  # type: ignore[union-attr,index]
    location = body["service_at_locations"][0]["location"]
    assert location["id"] == example["service_at_locations"][0]["location"]["id"]  # type: ignore[index]


@pytest.mark.usefixtures("example")
@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"page": 0}, 400, "page: must be 1 or more"),
        ({"per_page": 5000}, 400, "per_page: must be between 1 and 1000"),
        ({"organization_id": "abc"}, 400, "organization_id: 'abc' is not a UUID"),
        ({"modified_after": "yesterday"}, 400, "modified_after: 'yesterday' is not an ISO 8601"),
    ],
)
def test_bad_parameters_get_a_clear_400(
    client: Client, query: dict[str, object], status: int, message: str
) -> None:
    response = client.get("/api/v1/services", query)
    assert response.status_code == status
    assert message in response.json()["detail"]


@pytest.mark.usefixtures("example")
def test_modified_after_filters_by_last_modified(client: Client) -> None:
    assert (
        client.get("/api/v1/services", {"modified_after": "2000-01-01"}).json()["total_items"] == 1
    )
    assert (
        client.get("/api/v1/services", {"modified_after": "2100-01-01"}).json()["total_items"] == 0
    )


@pytest.mark.usefixtures("example")
def test_organization_detail_lists_its_published_services(
    client: Client, example: dict[str, object]
) -> None:
    org_id = example["organization"]["id"]  # type: ignore[index]
    body = client.get(f"/api/v1/organizations/{org_id}").json()
    assert [s["id"] for s in body["services"]] == [example["id"]]
    Service.objects.update(review_state=ReviewState.SUBMITTED)
    assert client.get(f"/api/v1/organizations/{org_id}").json()["services"] == []


@pytest.mark.usefixtures("example")
def test_taxonomy_terms_and_service_at_locations_are_listed(client: Client) -> None:
    terms = client.get("/api/v1/taxonomy_terms").json()
    assert terms["total_items"] == 1
    links = client.get("/api/v1/service_at_locations").json()
    assert links["total_items"] == 1
    assert links["contents"][0]["location"]["id"]
    Service.objects.update(review_state=ReviewState.DRAFT)
    assert client.get("/api/v1/service_at_locations").json()["total_items"] == 0
