"""CSV and XLSX export of a region's catalogue for staff."""

import csv
import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client
from openpyxl import load_workbook

from kinetz.accounts.models import User
from kinetz.core.models import AuditEntry
from kinetz.network.models import ActorType, Phone
from kinetz.offers.models import (
    Address,
    Location,
    ReviewState,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    ServiceLanguage,
    TaxonomyTerm,
)
from kinetz.territory.models import Municipality, Region
from tests.factories import (
    MunicipalityFactory,
    OrganizationFactory,
    ServiceFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)

DOWNLOAD = "/staff/catalogue/export/download/"


@pytest.fixture
def terms(db: None) -> dict[str, TaxonomyTerm]:
    fields = TaxonomyFactory(vocabulary="handlungsfeld", name="Handlungsfeld")
    groups = TaxonomyFactory(vocabulary="zielgruppe", name="Zielgruppe")
    return {
        "sprache": TaxonomyTermFactory(taxonomy=fields, code="hf-sprache", name="Sprache"),
        "arbeit": TaxonomyTermFactory(taxonomy=fields, code="hf-arbeit", name="Arbeit"),
        "eltern": TaxonomyTermFactory(taxonomy=groups, code="zg-eltern", name="Eltern"),
    }


@pytest.fixture
def towns(region: Region) -> dict[str, Municipality]:
    return {
        "kleve": MunicipalityFactory(region=region, ags="05154036", name="Kleve"),
        "goch": MunicipalityFactory(region=region, ags="05154016", name="Goch"),
    }


def place(service: Service, town: Municipality, street: str) -> None:
    location = Location.objects.create(
        region=service.region, organization=service.organization, municipality=town
    )
    Address.objects.create(
        location=location,
        address_1=street,
        city=town.name,
        postal_code="47533",
        state_province="NRW",
        country="DE",
        address_type="physical",
    )
    ServiceAtLocation.objects.create(service=service, location=location)


def tag(service: Service, *terms: TaxonomyTerm) -> None:
    for term in terms:
        ServiceAttribute.objects.create(service=service, taxonomy_term=term)


def full_offer(
    region: Region, towns: dict[str, Municipality], terms: dict[str, TaxonomyTerm], **kw: Any
) -> Service:
    organization = OrganizationFactory(
        region=region,
        name="Caritas Kleve",
        actor_type=ActorType.WELFARE_PROVIDER,
        email="info@caritas-kleve.example.org",
        website="https://caritas-kleve.example.org",
    )
    values: dict[str, Any] = {
        "name": "Elterncafé Kleve",
        "fees_description": "kostenlos",
        "minimum_age": 18,
        "maximum_age": 99,
        "last_verified": datetime.date(2025, 3, 1),
        "email": "eltern@caritas-kleve.example.org",
        "url": "",
    }
    values.update(kw)
    service = ServiceFactory(organization=organization, **values)
    place(service, towns["kleve"], "Hagsche Straße 7")
    tag(service, terms["sprache"], terms["eltern"])
    ServiceLanguage.objects.create(service=service, code="ar", name="Arabisch")
    ServiceLanguage.objects.create(service=service, code="de", name="Deutsch", position=1)
    Phone.objects.create(service=service, number="02821 000150")
    Schedule.objects.create(
        service=service, freq="WEEKLY", byday="TU", opens_at="15:00", closes_at="17:00"
    )
    return service


@pytest.fixture
def staff_client(client_for: Callable[[User], Client]) -> Callable[[User], Client]:
    """A signed-in client reading the English column labels (msgids); German is the default."""

    def make(user: User) -> Client:
        client = client_for(user)
        client.cookies["kinetz_language"] = "en"
        return client

    return make


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert isinstance(response, StreamingHttpResponse)
    raw = b"".join(response.streaming_content)  # type: ignore[arg-type]
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def xlsx_rows(response: Any) -> tuple[Any, list[dict[str, Any]]]:
    assert isinstance(response, FileResponse)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # type: ignore[arg-type]
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    return sheet, [dict(zip(header, row, strict=True)) for row in values[1:]]


def test_csv_has_one_row_per_offer_with_everything_staff_need(
    staff_client: Callable[[User], Client],
    coordinator: User,
    region: Region,
    towns: dict[str, Municipality],
    terms: dict[str, TaxonomyTerm],
) -> None:
    offer = full_offer(region, towns, terms)
    place(offer, towns["goch"], "Markt 1")

    response = staff_client(coordinator).get(DOWNLOAD, {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert ".csv" in response["Content-Disposition"]
    [row] = csv_rows(response)
    assert row["Offer"] == "Elterncafé Kleve"
    assert row["Organisation"] == "Caritas Kleve"
    assert row["Actor type"] == "Welfare provider"
    assert row["Municipalities"] == "Kleve, Goch"
    assert row["Address"] == "Hagsche Straße 7, 47533 Kleve | Markt 1, 47533 Goch"
    assert row["Field of action"] == "Sprache"
    assert row["Target group"] == "Eltern"
    assert row["Languages"] == "Arabisch, Deutsch"
    assert row["Costs"] == "kostenlos"
    assert (row["Minimum age"], row["Maximum age"]) == ("18", "99")
    assert row["Times"] == "Tue 15:00–17:00"
    assert row["Review state"] == "published"
    assert row["Last verified"] == "2025-03-01"
    assert row["E-mail address"] == "eltern@caritas-kleve.example.org"
    assert row["Phone"] == "02821 000150"
    assert row["Website"] == "https://caritas-kleve.example.org"  # the organisation's
    assert row["ID"] == str(offer.pk)
    entry = AuditEntry.objects.get(action="catalogue.exported")
    assert entry.actor == coordinator
    assert entry.data == {"format": "csv", "filters": {}, "offers": 1}


def test_values_follow_the_users_language(
    client_for: Callable[[User], Client],
    coordinator: User,
    region: Region,
    towns: dict[str, Municipality],
    terms: dict[str, TaxonomyTerm],
) -> None:
    full_offer(region, towns, terms)
    client = client_for(coordinator)
    client.cookies["kinetz_language"] = "de"
    response = client.get(DOWNLOAD, {"format": "csv"})
    [row] = csv_rows(response)
    assert "veröffentlicht" in row.values()
    assert "Wohlfahrtsverband" in row.values()


def test_xlsx_has_bold_frozen_filtered_header_and_typed_cells(
    staff_client: Callable[[User], Client],
    coordinator: User,
    region: Region,
    towns: dict[str, Municipality],
    terms: dict[str, TaxonomyTerm],
) -> None:
    full_offer(region, towns, terms)
    full_offer(region, towns, terms, name="Arbeitstreff", review_state=ReviewState.DRAFT)

    response = staff_client(coordinator).get(DOWNLOAD, {"format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response["Content-Disposition"]
    sheet, rows = xlsx_rows(response)
    assert [r["Offer"] for r in rows] == ["Arbeitstreff", "Elterncafé Kleve"]
    assert rows[0]["Review state"] == "draft"
    assert rows[1]["Minimum age"] == 18
    assert rows[1]["Last verified"].date() == datetime.date(2025, 3, 1)
    assert rows[1]["Municipalities"] == "Kleve"
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:R3"
    assert sheet.column_dimensions["A"].width == 40


def test_export_holds_only_the_users_region(
    staff_client: Callable[[User], Client],
    coordinator: User,
    region: Region,
    other_region: Region,
) -> None:
    ServiceFactory(organization__region=region, name="Sprachcafé Kleve")
    ServiceFactory(organization__region=other_region, name="Sprachcafé Wesel")
    client = staff_client(coordinator)

    csv_names = [r["Offer"] for r in csv_rows(client.get(DOWNLOAD, {"format": "csv"}))]
    _sheet, rows = xlsx_rows(client.get(DOWNLOAD, {"format": "xlsx"}))

    assert csv_names == ["Sprachcafé Kleve"]
    assert [r["Offer"] for r in rows] == ["Sprachcafé Kleve"]


@pytest.mark.parametrize("payload", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_formula_like_cells_are_neutralised(
    staff_client: Callable[[User], Client], coordinator: User, region: Region, payload: str
) -> None:
    ServiceFactory(organization__region=region, name=payload, fees_description=payload)
    client = staff_client(coordinator)

    [row] = csv_rows(client.get(DOWNLOAD, {"format": "csv"}))
    assert row["Offer"] == f"'{payload}"
    assert row["Costs"] == f"'{payload}"

    sheet, [xrow] = xlsx_rows(client.get(DOWNLOAD, {"format": "xlsx"}))
    cell = sheet["A2"]
    assert cell.value == payload
    assert cell.data_type == "s"  # text, not a formula
    assert cell.quotePrefix
    assert xrow["Costs"] == payload


def test_filters_apply_to_both_formats(
    staff_client: Callable[[User], Client],
    coordinator: User,
    region: Region,
    towns: dict[str, Municipality],
    terms: dict[str, TaxonomyTerm],
) -> None:
    in_goch = ServiceFactory(organization__region=region, name="Goch Sprache")
    place(in_goch, towns["goch"], "Markt 1")
    tag(in_goch, terms["sprache"])
    in_goch_work = ServiceFactory(organization__region=region, name="Goch Arbeit")
    place(in_goch_work, towns["goch"], "Markt 2")
    tag(in_goch_work, terms["arbeit"])
    draft = ServiceFactory(
        organization__region=region, name="Goch Entwurf", review_state=ReviewState.DRAFT
    )
    place(draft, towns["goch"], "Markt 3")
    tag(draft, terms["sprache"])
    elsewhere = ServiceFactory(organization__region=region, name="Kleve Sprache")
    place(elsewhere, towns["kleve"], "Hagsche Straße 7")
    tag(elsewhere, terms["sprache"])
    client = staff_client(coordinator)
    filters = {
        "municipality": "05154016",
        "handlungsfeld": "hf-sprache",
        "review_state": "published",
    }

    csv_names = [r["Offer"] for r in csv_rows(client.get(DOWNLOAD, {**filters, "format": "csv"}))]
    _s, rows = xlsx_rows(client.get(DOWNLOAD, {**filters, "format": "xlsx"}))

    assert csv_names == ["Goch Sprache"]
    assert [r["Offer"] for r in rows] == ["Goch Sprache"]
    page = client.get("/staff/catalogue/export/", filters)
    assert page.context["count"] == 1
    assert AuditEntry.objects.filter(action="catalogue.exported").first().data["filters"] == (
        filters
    )


def test_unknown_filter_values_are_ignored_and_named(
    staff_client: Callable[[User], Client], coordinator: User, region: Region
) -> None:
    ServiceFactory(organization__region=region, name="Sprachcafé")
    response = staff_client(coordinator).get(
        "/staff/catalogue/export/", {"municipality": "05170000", "review_state": "<b>"}
    )
    assert response.status_code == 200
    assert response.context["count"] == 1
    content = response.content.decode()
    assert "review_state, municipality" in content
    assert "<b>" not in content


def test_export_page_offers_both_formats(
    staff_client: Callable[[User], Client], region_admin: User
) -> None:
    content = staff_client(region_admin).get("/staff/catalogue/export/").content.decode()
    assert 'name="format" value="csv"' in content
    assert 'name="format" value="xlsx"' in content


def test_unknown_format_is_not_found(
    staff_client: Callable[[User], Client], coordinator: User
) -> None:
    assert staff_client(coordinator).get(DOWNLOAD, {"format": "pdf"}).status_code == 404
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "role_fixture", ["provider_editor", "counsellor", "council_viewer", "school_office"]
)
def test_roles_without_export_right_are_refused(
    client_for: Callable[[User], Client], request: pytest.FixtureRequest, role_fixture: str
) -> None:
    client = client_for(request.getfixturevalue(role_fixture))
    assert client.get("/staff/catalogue/export/").status_code == 403
    assert client.get(DOWNLOAD, {"format": "csv"}).status_code == 403


def test_export_reads_a_fixed_number_of_queries(
    staff_client: Callable[[User], Client],
    coordinator: User,
    region: Region,
    towns: dict[str, Municipality],
    terms: dict[str, TaxonomyTerm],
    django_assert_max_num_queries: Any,
) -> None:
    for number in range(25):
        full_offer(region, towns, terms, name=f"Angebot {number:02d}")
    client = staff_client(coordinator)
    client.get("/staff/catalogue/export/")  # session and user are cached from here on

    # Session, user, count, audit entry, offers, and one query per prefetched relation.
    with django_assert_max_num_queries(16):
        rows = csv_rows(client.get(DOWNLOAD, {"format": "csv"}))
    assert len(rows) == 25
    with django_assert_max_num_queries(16):
        _sheet, xrows = xlsx_rows(client.get(DOWNLOAD, {"format": "xlsx"}))
    assert len(xrows) == 25
