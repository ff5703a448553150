"""import_hsds writes in bulk: re-import replaces nested rows, history, counts, placement."""

import json
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from kinetz.interop import reading
from kinetz.interop.importing import refresh_statistics
from kinetz.network.models import Organization, Phone
from kinetz.offers.locating import place_location
from kinetz.offers.models import Location, Schedule, Service, ServiceAttribute
from kinetz.territory.models import Region
from tests.factories import ServiceFactory

CATALOGUE = Path(__file__).resolve().parents[2] / "kinetz" / "interop" / "demo" / "kleve"


@pytest.fixture
def kleve(db: None) -> Region:
    call_command("load_territory", "kleve", stdout=StringIO())
    return Region.objects.get(slug="kleve")


def copy_with(tmp_path: Path, change: Any) -> Path:
    folder = tmp_path / "changed"
    shutil.copytree(CATALOGUE, folder)
    services = json.loads((folder / "services.json").read_text())
    change(services["contents"])
    (folder / "services.json").write_text(json.dumps(services))
    return folder


def import_(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_hsds", str(path), *args, stdout=out)
    return out.getvalue()


def test_counts_each_record_once(kleve: Region) -> None:
    first = import_(CATALOGUE)
    assert "locations: 157 new, 0 updated" in first
    assert "organizations: 131 new, 0 updated" in first
    assert "services: 452 new, 0 updated" in first
    again = import_(CATALOGUE)
    assert "locations: 0 new, 157 updated" in again
    assert "services: 0 new, 452 updated" in again


def test_reimport_replaces_the_nested_rows_of_a_service(kleve: Region, tmp_path: Path) -> None:
    import_(CATALOGUE)
    source = json.loads((CATALOGUE / "services.json").read_text())["contents"]
    with_phone = next(s for s in source if s.get("phones"))
    with_schedules = next(s for s in source if len(s.get("schedules", [])) > 1)
    untouched = next(s for s in source if s.get("phones") and s["id"] != with_phone["id"])

    def change(services: list[dict[str, Any]]) -> None:
        for service in services:
            if service["id"] == with_phone["id"]:
                service["phones"] = []
                service["attributes"] = service["attributes"][:1]
            if service["id"] == with_schedules["id"]:
                service["schedules"] = service["schedules"][-1:]
                service["name"] = "Renamed"

    import_(copy_with(tmp_path, change))
    assert not Phone.objects.filter(service_id=with_phone["id"]).exists()
    assert ServiceAttribute.objects.filter(service_id=with_phone["id"]).count() == 1
    schedules = Schedule.objects.filter(service_id=with_schedules["id"])
    assert [str(s.id) for s in schedules] == [with_schedules["schedules"][-1]["id"]]
    assert Service.objects.get(id=with_schedules["id"]).name == "Renamed"
    kept = Phone.objects.filter(service_id=untouched["id"])
    assert [str(p.id) for p in kept] == [p["id"] for p in untouched["phones"]]
    # Nothing left behind or doubled.
    assert Service.objects.count() == 452
    assert Phone.objects.filter(service__isnull=False).count() == sum(
        len(s.get("phones", [])) for s in source
    ) - len(with_phone["phones"])


def test_one_history_entry_per_record_and_import(kleve: Region) -> None:
    import_(CATALOGUE)
    assert Service.history.count() == 452
    assert set(Service.history.values_list("history_type", flat=True)) == {"+"}
    assert Organization.history.count() == 131
    import_(CATALOGUE)
    assert Service.history.filter(history_type="~").count() == 452
    assert Organization.history.filter(history_type="~").count() == 131
    service = Service.objects.first()
    latest = service.history.first()
    assert latest.name == service.name
    assert latest.organization_id == service.organization_id


def test_dry_run_writes_no_history(kleve: Region) -> None:
    import_(CATALOGUE, "--dry-run")
    assert Service.history.count() == 0
    assert Organization.history.count() == 0


def test_a_location_without_coordinates_is_placed_by_its_town(
    kleve: Region, tmp_path: Path
) -> None:
    def drop_coordinates(services: list[dict[str, Any]]) -> None:
        # The location is shared: every service that names it loses the coordinates.
        wanted = services[0]["service_at_locations"][0]["location_id"]
        for service in services:
            for link in service["service_at_locations"]:
                if link["location_id"] == wanted:
                    link["location"].pop("latitude", None)
                    link["location"].pop("longitude", None)

    folder = copy_with(tmp_path, drop_coordinates)
    # The organisations' own records name the same location: without coordinates there too.
    wanted = json.loads((folder / "services.json").read_text())["contents"][0][
        "service_at_locations"
    ][0]["location_id"]
    organizations = json.loads((folder / "organizations.json").read_text())
    for organization in organizations["contents"]:
        for location in organization.get("locations", []):
            if location["id"] == wanted:
                location.pop("latitude", None)
                location.pop("longitude", None)
    (folder / "organizations.json").write_text(json.dumps(organizations))
    import_(folder)
    link = json.loads((folder / "services.json").read_text())["contents"][0]
    location = Location.objects.get(id=link["service_at_locations"][0]["location_id"])
    city = link["service_at_locations"][0]["location"]["addresses"][0]["city"]
    assert location.coordinates_approximate
    assert location.municipality is not None
    assert location.municipality.name == city
    assert location.latitude == location.municipality.centroid_lat


def test_place_location_still_places_one_location(kleve: Region) -> None:
    import_(CATALOGUE)
    location = Location.objects.filter(location_type="physical").first()
    assert location is not None
    expected = location.municipality
    Location.objects.filter(id=location.id).update(municipality=None)
    location.refresh_from_db()
    place_location(location)
    location.refresh_from_db()
    assert location.municipality == expected


def test_parallel_validation_reports_the_same_problems(
    kleve: Region, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def break_some(services: list[dict[str, Any]]) -> None:
        services[3]["id"] = "not-a-uuid"
        services[200]["minimum_age"] = "sixteen"
        services[300]["phones"] = [{"id": "x", "number": "1"}]
        services[451]["id"] = services[450]["id"]

    folder = copy_with(tmp_path, break_some)
    sequential = reading.read_input(folder)
    monkeypatch.setattr(reading, "PARALLEL_FROM", 10)
    monkeypatch.setattr(reading, "PARALLEL_SPAN", 50)
    parallel = reading.read_input(folder)
    assert parallel.problems == sequential.problems
    assert len(parallel.problems) == 4
    assert [r["id"] for r in parallel.services] == [r["id"] for r in sequential.services]


@pytest.mark.django_db(transaction=True)
def test_statistics_are_refreshed_for_the_query_planner_after_a_large_import() -> None:
    ServiceFactory.create_batch(3)
    refresh_statistics()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL "
                "FROM pg_stat_user_tables WHERE relname = 'offers_service'"
            )
            assert cursor.fetchone() == (True, True)
        else:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'offers_service'")
            assert cursor.fetchone()[0] > 0
