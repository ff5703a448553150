import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kinetz.territory import loading
from kinetz.territory.models import Indicator, IndicatorValue, Municipality, Region


@pytest.mark.django_db
def test_load_territory_loads_the_16_municipalities_of_kreis_kleve() -> None:
    call_command("load_territory", "kleve")
    region = Region.objects.get(slug="kleve")
    municipalities = Municipality.objects.in_region(region)
    assert region.ags == "05154"
    assert municipalities.count() == 16
    goch = municipalities.get(name="Goch")
    assert goch.ags == "05154016"
    assert goch.population == 35520
    assert str(goch.population_date) == "2023-12-31"
    assert goch.boundary["type"] == "Polygon"
    # The centroid lies inside the Kreis (between the Rhine and the Dutch border).
    assert 51.4 < goch.centroid_lat < 51.9
    assert 5.9 < goch.centroid_lon < 6.5
    assert (
        sum(m.population for m in municipalities) == 321_080
    )  # sum of the latest figures in bevoelkerung.csv


@pytest.mark.django_db
def test_population_is_kept_by_year() -> None:
    call_command("load_territory", "kleve")
    kleve = Municipality.objects.get(name="Kleve")
    values = IndicatorValue.objects.filter(municipality=kleve, indicator=Indicator.POPULATION)
    assert {(str(v.reference_date), int(v.value)) for v in values} == {
        ("2020-12-31", 52359),
        ("2022-12-31", 53388),
    }


@pytest.mark.django_db
def test_loading_twice_changes_nothing() -> None:
    call_command("load_territory", "kleve")
    before = (Municipality.objects.count(), IndicatorValue.objects.count())
    call_command("load_territory", "kleve")
    assert (Municipality.objects.count(), IndicatorValue.objects.count()) == before


@pytest.mark.django_db
def test_unknown_region_is_refused_with_the_known_ones() -> None:
    with pytest.raises(CommandError, match="known: kleve"):
        call_command("load_territory", "atlantis")


@pytest.mark.django_db
def test_broken_territory_data_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "kleve"
    shutil.copytree(loading.DATA_DIR / "kleve", broken)
    geojson = json.loads((broken / "gemeinden.geojson").read_text())
    geojson["features"][3]["properties"]["ags"] = "12345"
    geojson["features"][5]["geometry"] = {"type": "Point", "coordinates": [6.1, 51.7]}
    (broken / "gemeinden.geojson").write_text(json.dumps(geojson))
    monkeypatch.setattr(loading, "DATA_DIR", tmp_path)

    with pytest.raises(CommandError) as error:
        call_command("load_territory", "kleve")

    message = str(error.value)
    assert "features[3].properties.ags" in message
    assert "features[5].geometry" in message
    assert Region.objects.count() == 0
    assert Municipality.objects.count() == 0
