"""Coverage on the shared (fictional) demo catalogue of the Kreis Kleve: the thin cells the
catalogue was built with show up as gaps, and every count can be traced to its offers."""

from io import StringIO

import pytest
from django.core.management import call_command

from kinetz.coordination import coverage
from kinetz.territory.models import Region
from tests.interop.test_hsds_files import CATALOGUE

SMALL_SOUTHERN = ["Issum", "Kerken", "Rheurdt", "Wachtendonk"]


@pytest.fixture
def kleve(db: None) -> Region:
    call_command("load_territory", "kleve", stdout=StringIO())
    call_command("import_hsds", str(CATALOGUE), stdout=StringIO())
    return Region.objects.get(slug="kleve")


def test_health_and_housing_in_small_southern_municipalities_are_gaps(kleve: Region) -> None:
    result = coverage.compute(kleve)
    gaps = {(c.municipality.name, c.field.code, c.group.code) for c in result.thinnest()}
    for name in SMALL_SOUTHERN:
        for field in ("hf-gesundheit", "hf-wohnen"):
            assert (name, field, coverage.ALL_GROUP) in gaps
            cell = next(
                c for c in result.select(field, coverage.ALL_GROUP) if c.municipality.name == name
            )
            assert (cell.offers, cell.gap_score) == (0, 1.0)
    health = result.select("hf-gesundheit", coverage.ALL_GROUP)
    kleve_town = next(c for c in health if c.municipality.name == "Kleve")
    assert kleve_town.gap_score == 0.0


def test_every_health_count_is_traced_to_exactly_its_offers(kleve: Region) -> None:
    result = coverage.compute(kleve)
    for cell in result.select("hf-gesundheit"):
        offers = coverage.cell_offers(
            kleve, cell.municipality.ags, cell.field.code, cell.group.code
        )
        assert offers.count() == cell.offers, (cell.municipality.name, cell.group.code)
