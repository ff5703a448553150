"""Coverage and gaps on a hand-built catalogue where every cell is known.

Adorf has 20,000 inhabitants, Bdorf 10,000, Zdorf none. Health offers:
  s1  Frauen, in Adorf (in Arabic)
  s2  Alle, in Adorf
  s3  Frauen, in Adorf (two places there) and in Bdorf
  draft and archived health offers for Frauen in Bdorf (not counted)
  online  Frauen, no physical place (not counted for any municipality)
"""

import json
from collections.abc import Callable
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from kinetz.accounts.models import User
from kinetz.coordination import coverage
from kinetz.offers.models import (
    Location,
    ReviewState,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    ServiceLanguage,
    TaxonomyTerm,
    Vocabulary,
)
from kinetz.territory.models import Indicator, IndicatorValue, Municipality, Region
from tests.factories import (
    MunicipalityFactory,
    OrganizationFactory,
    ServiceFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)

URL = "/staff/coordination/coverage/"


@pytest.fixture
def places(region: Region) -> dict[str, Municipality]:
    return {
        "a": MunicipalityFactory(region=region, name="Adorf", ags="05154901", population=20000),
        "b": MunicipalityFactory(region=region, name="Bdorf", ags="05154902", population=10000),
        "z": MunicipalityFactory(region=region, name="Zdorf", ags="05154903", population=0),
    }


@pytest.fixture
def terms(db: None) -> dict[str, TaxonomyTerm]:
    fields = TaxonomyFactory(vocabulary=Vocabulary.HANDLUNGSFELD, name="Handlungsfeld")
    groups = TaxonomyFactory(vocabulary=Vocabulary.ZIELGRUPPE, name="Zielgruppe")
    return {
        "gesundheit": TaxonomyTermFactory(taxonomy=fields, code="hf-gesundheit", name="Gesundheit"),
        "sprache": TaxonomyTermFactory(taxonomy=fields, code="hf-sprache", name="Sprache"),
        "frauen": TaxonomyTermFactory(taxonomy=groups, code="zg-frauen", name="Frauen"),
        "kinder": TaxonomyTermFactory(taxonomy=groups, code="zg-kinder", name="Kinder"),
        "alle": TaxonomyTermFactory(taxonomy=groups, code="zg-alle", name="Alle"),
    }


def offer(
    region: Region,
    name: str,
    codes: list[TaxonomyTerm],
    at: list[Municipality],
    state: str = ReviewState.PUBLISHED,
    language: str = "",
) -> Service:
    service = ServiceFactory(
        organization=OrganizationFactory(region=region), name=name, review_state=state
    )
    for term in codes:
        vocabulary = term.taxonomy.vocabulary if term.taxonomy else ""
        ServiceAttribute.objects.create(service=service, taxonomy_term=term, link_type=vocabulary)
    for position, municipality in enumerate(at):
        location = Location.objects.create(region=region, municipality=municipality)
        ServiceAtLocation.objects.create(service=service, location=location, position=position)
    if language:
        ServiceLanguage.objects.create(service=service, code=language, name="Arabisch")
    return service


@pytest.fixture
def catalogue(
    region: Region, places: dict[str, Municipality], terms: dict[str, TaxonomyTerm]
) -> dict[str, Service]:
    t, p = terms, places
    health = t["gesundheit"]
    made = {
        "s1": offer(region, "Frauengesundheit", [health, t["frauen"]], [p["a"]], language="ar"),
        "s2": offer(region, "Gesundheitstreff", [health, t["alle"]], [p["a"]]),
        "s3": offer(
            region, "Hebammensprechstunde", [health, t["frauen"]], [p["a"], p["a"], p["b"]]
        ),
        "draft": offer(region, "Entwurf", [health, t["frauen"]], [p["b"]], ReviewState.DRAFT),
        "archived": offer(
            region, "Archiviert", [health, t["frauen"]], [p["b"]], ReviewState.ARCHIVED
        ),
        "online": offer(region, "Online-Sprechstunde", [health, t["frauen"]], []),
    }
    return made


def test_counts_offers_where_they_take_place_once_per_municipality(
    region: Region, catalogue: dict[str, Service]
) -> None:
    result = coverage.compute(region)
    assert result.cell("05154901", "hf-gesundheit", "zg-frauen").offers == 3  # s1, s2 (Alle), s3
    assert result.cell("05154902", "hf-gesundheit", "zg-frauen").offers == 1  # s3 only
    assert result.cell("05154903", "hf-gesundheit", "zg-frauen").offers == 0


def test_alle_counts_in_every_group_and_the_alle_cell_is_the_field_total(
    region: Region, catalogue: dict[str, Service]
) -> None:
    result = coverage.compute(region)
    assert result.cell("05154901", "hf-gesundheit", "zg-kinder").offers == 1  # s2 is for Alle
    assert result.cell("05154901", "hf-gesundheit", "zg-alle").offers == 3
    assert result.cell("05154902", "hf-gesundheit", "zg-alle").offers == 1


def test_online_offers_are_counted_apart_not_in_a_municipality(
    region: Region, catalogue: dict[str, Service]
) -> None:
    result = coverage.compute(region)
    assert result.unplaced == {"hf-gesundheit": 1}


def test_per_10k_and_gap_score_follow_the_documented_formula(
    region: Region, catalogue: dict[str, Service]
) -> None:
    result = coverage.compute(region)
    adorf = result.cell("05154901", "hf-gesundheit", "zg-frauen")
    bdorf = result.cell("05154902", "hf-gesundheit", "zg-frauen")
    assert adorf.per_10k == 1.5  # 3 / 20,000 x 10,000
    assert bdorf.per_10k == 1.0
    # District: 4 offers / 30,000 people; Bdorf expects 10,000 x 4/30,000 = 1.33, has 1.
    assert bdorf.district_per_10k == pytest.approx(1.33, abs=0.01)
    assert bdorf.expected == pytest.approx(4 / 3)
    assert bdorf.gap_score == 0.25  # 1 - 1 / 1.333
    assert adorf.gap_score == 0.0  # better served than the district
    kinder = result.cell("05154902", "hf-gesundheit", "zg-kinder")
    assert (kinder.offers, kinder.gap_score) == (0, 1.0)  # nothing where there is demand


def test_a_municipality_without_demand_is_not_a_gap(
    region: Region, catalogue: dict[str, Service]
) -> None:
    zdorf = coverage.compute(region).cell("05154903", "hf-gesundheit", "zg-frauen")
    assert (zdorf.offers, zdorf.per_10k, zdorf.gap_score) == (0, None, 0.0)


def test_a_field_without_any_offer_in_the_district_has_no_gap_score(
    region: Region, catalogue: dict[str, Service]
) -> None:
    cells = coverage.compute(region).select("hf-sprache")
    assert {c.gap_score for c in cells} == {0.0}


def test_children_use_population_until_the_children_figure_is_known_everywhere(
    region: Region, places: dict[str, Municipality], catalogue: dict[str, Service]
) -> None:
    def add(place: str, value: int) -> None:
        IndicatorValue.objects.create(
            region=region,
            municipality=places[place],
            indicator=Indicator.CHILDREN_6_18,
            reference_date=date(2023, 12, 31),
            value=value,
        )

    add("a", 3000)
    cell = coverage.compute(region).cell("05154901", "hf-gesundheit", "zg-kinder")
    assert (cell.basis, cell.fallback, cell.demand) == (Indicator.POPULATION, True, 20000)
    add("b", 1000)
    add("z", 0)
    cell = coverage.compute(region).cell("05154901", "hf-gesundheit", "zg-kinder")
    assert (cell.basis, cell.fallback, cell.demand) == (Indicator.CHILDREN_6_18, False, 3000)
    assert cell.per_10k == pytest.approx(3.33, abs=0.01)
    frauen = coverage.compute(region).cell("05154901", "hf-gesundheit", "zg-frauen")
    assert (frauen.basis, frauen.fallback) == (Indicator.POPULATION, False)


def test_language_filter_counts_only_offers_in_that_language(
    region: Region, catalogue: dict[str, Service]
) -> None:
    result = coverage.compute(region, "ar")
    assert result.cell("05154901", "hf-gesundheit", "zg-frauen").offers == 1
    assert result.cell("05154902", "hf-gesundheit", "zg-frauen").offers == 0


@pytest.mark.parametrize(
    ("ags", "group", "expected"),
    [
        ("05154901", "zg-frauen", {"s1", "s2", "s3"}),
        ("05154902", "zg-frauen", {"s3"}),
        ("05154901", "zg-kinder", {"s2"}),
        ("05154901", "zg-alle", {"s1", "s2", "s3"}),
        ("05154903", "zg-frauen", set()),
    ],
)
def test_drill_down_lists_exactly_the_offers_counted(
    region: Region, catalogue: dict[str, Service], ags: str, group: str, expected: set[str]
) -> None:
    listed = set(coverage.cell_offers(region, ags, "hf-gesundheit", group))
    assert listed == {catalogue[key] for key in expected}
    assert len(listed) == coverage.compute(region).cell(ags, "hf-gesundheit", group).offers


def test_drill_down_page_lists_the_offers_with_links(
    region: Region,
    catalogue: dict[str, Service],
    council_viewer: User,
    client_for: Callable[[User], Client],
) -> None:
    response = client_for(council_viewer).get(
        f"{URL}cell/",
        {"municipality": "05154902", "handlungsfeld": "hf-gesundheit", "zielgruppe": "zg-frauen"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"/offer/{catalogue['s3'].pk}/" in page
    for name in ("Entwurf", "Archiviert", "Frauengesundheit"):
        assert name not in page


def test_drill_down_names_a_parameter_it_does_not_understand(
    region: Region,
    catalogue: dict[str, Service],
    coordinator: User,
    client_for: Callable[[User], Client],
) -> None:
    response = client_for(coordinator).get(
        f"{URL}cell/", {"municipality": "99999999", "handlungsfeld": "hf-gesundheit"}
    )
    assert response.status_code == 400
    assert "municipality" in response.content.decode()


def test_coverage_page_shows_map_table_matrix_and_formula(
    region: Region,
    catalogue: dict[str, Service],
    council_viewer: User,
    client_for: Callable[[User], Client],
) -> None:
    response = client_for(council_viewer).get(
        URL, {"handlungsfeld": "hf-gesundheit", "zielgruppe": "zg-frauen"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="coverage-map"' in page
    assert "coverage-legend" in page
    assert "Gap score = 1 − offers ÷ expected offers" in page
    drill = "municipality=05154902&amp;handlungsfeld=hf-gesundheit&amp;zielgruppe=zg-frauen"
    assert drill in page


def test_matrix_sorts_by_a_field_without_javascript(
    region: Region,
    catalogue: dict[str, Service],
    coordinator: User,
    client_for: Callable[[User], Client],
) -> None:
    client = client_for(coordinator)
    page = client.get(URL, {"sort": "-hf-gesundheit"}).content.decode()
    matrix = page[page.index('id="coverage-matrix"') :]
    assert matrix.index("Adorf") < matrix.index("Bdorf") < matrix.index("Zdorf")
    page = client.get(URL, {"sort": "hf-gesundheit"}).content.decode()
    matrix = page[page.index('id="coverage-matrix"') :]
    assert matrix.index("Zdorf") < matrix.index("Bdorf") < matrix.index("Adorf")


def test_unknown_filter_is_named_not_fatal(
    region: Region,
    catalogue: dict[str, Service],
    coordinator: User,
    client_for: Callable[[User], Client],
) -> None:
    response = client_for(coordinator).get(URL, {"handlungsfeld": "hf-nonsense"})
    assert response.status_code == 200
    assert "not understood" in response.content.decode()


def test_map_data_carries_the_figures_of_each_municipality(
    region: Region,
    catalogue: dict[str, Service],
    coordinator: User,
    client_for: Callable[[User], Client],
) -> None:
    data = (
        client_for(coordinator)
        .get(f"{URL}map.geojson", {"handlungsfeld": "hf-gesundheit", "zielgruppe": "zg-frauen"})
        .json()
    )
    bdorf = next(f["properties"] for f in data["features"] if f["properties"]["ags"] == "05154902")
    assert (bdorf["offers"], bdorf["gap_score"], bdorf["gap_class"]) == (1, 0.25, 1)


def test_export_csv_has_every_cell(
    region: Region,
    catalogue: dict[str, Service],
    coordinator: User,
    client_for: Callable[[User], Client],
) -> None:
    response = client_for(coordinator).get(f"{URL}coverage.csv")
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Official key (AGS);Municipality;")
    assert len(lines) == 1 + 3 * 2 * 3  # municipalities x fields x groups
    bdorf = [line for line in lines if line.startswith("05154902;Bdorf;hf-gesundheit;")]
    assert any(line.endswith(";0.250") for line in bdorf)


def test_export_xlsx_is_a_workbook(
    region: Region,
    catalogue: dict[str, Service],
    coordinator: User,
    client_for: Callable[[User], Client],
) -> None:
    response = client_for(coordinator).get(f"{URL}coverage.xlsx")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    assert client_for(coordinator).get(f"{URL}coverage.pdf").status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "counsellor", "council_viewer", "region_admin"])
def test_reporting_roles_see_the_coverage_page(
    request: pytest.FixtureRequest,
    catalogue: dict[str, Service],
    client_for: Callable[[User], Client],
    role: str,
) -> None:
    assert client_for(request.getfixturevalue(role)).get(URL).status_code == 200


def test_provider_editor_may_not_see_coverage(
    provider_editor: User, client_for: Callable[[User], Client]
) -> None:
    assert client_for(provider_editor).get(URL).status_code == 403


def test_coverage_stays_in_the_users_region(
    catalogue: dict[str, Service],
    outside_coordinator: User,
    client_for: Callable[[User], Client],
) -> None:
    page = client_for(outside_coordinator).get(URL).content.decode()
    assert "Adorf" not in page


def test_command_writes_the_contract_json(
    region: Region, catalogue: dict[str, Service], tmp_path: Path
) -> None:
    out = tmp_path / "coverage.json"
    call_command("coverage_report", "--json", str(out), "--region", "kleve", stdout=StringIO())
    data: dict[str, Any] = json.loads(out.read_text())
    keys = ["municipality", "handlungsfeld", "zielgruppe", "offers", "per_10k", "gap_score"]
    assert all(list(cell)[:6] == keys for cell in data["cells"])
    bdorf = next(
        c
        for c in data["cells"]
        if (c["municipality"], c["handlungsfeld"], c["zielgruppe"])
        == ("05154902", "hf-gesundheit", "zg-frauen")
    )
    assert (bdorf["offers"], bdorf["per_10k"], bdorf["gap_score"]) == (1, 1.0, 0.25)


def test_command_prints_the_thinnest_cells(region: Region, catalogue: dict[str, Service]) -> None:
    out = StringIO()
    call_command("coverage_report", "--region", "kleve", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[2].split()[:3] == ["Bdorf", "hf-gesundheit", "zg-kinder"]  # gap 1.0 first


def test_command_with_dash_prints_the_table_too(
    region: Region, catalogue: dict[str, Service]
) -> None:
    out = StringIO()
    call_command("coverage_report", "--json", "-", stdout=out)
    assert "Bdorf" in out.getvalue()
    assert "Population used instead of the missing indicator for: zg-kinder" in out.getvalue()


def test_command_refuses_a_language_no_offer_is_given_in(
    region: Region, catalogue: dict[str, Service], tmp_path: Path
) -> None:
    from django.core.management.base import CommandError

    out = tmp_path / "coverage.json"
    with pytest.raises(CommandError, match="--language xx"):
        call_command("coverage_report", "--language", "xx", "--json", str(out))
    assert not out.exists()
