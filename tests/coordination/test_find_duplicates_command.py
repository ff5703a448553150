"""`manage.py find_duplicates [--json OUT] [--region SLUG]` (DESIGN §6)."""

import json
from collections.abc import Collection
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kinetz.accounts.models import User
from kinetz.coordination import linkage, merging
from kinetz.coordination.linkage import Cluster, LinkageResult, PairEvidence
from kinetz.coordination.models import DuplicateKind, LinkageRun, RunState
from kinetz.network.models import Organization, Phone
from kinetz.offers.models import Address, Location, Schedule, Service, ServiceAtLocation
from kinetz.territory.models import Region
from tests.factories import OrganizationFactory, ServiceFactory


def run_command(tmp_path: Path, *args: str) -> tuple[dict[str, Any], str]:
    out = tmp_path / "duplicates.json"
    printed = StringIO()
    call_command("find_duplicates", "--json", str(out), *args, stdout=printed)
    return json.loads(out.read_text(encoding="utf-8")), printed.getvalue()


def test_an_empty_catalogue_gives_empty_lists(tmp_path: Path, db: None) -> None:
    data, _ = run_command(tmp_path)
    assert data == {"services": [], "organizations": []}


def test_a_region_without_records_gives_empty_lists_and_a_stored_run(
    tmp_path: Path, region: Region
) -> None:
    data, printed = run_command(tmp_path, "--region", "kleve")
    assert data == {"services": [], "organizations": []}
    run = LinkageRun.objects.get()
    assert run.region == region
    assert run.state == RunState.DONE
    assert "0 offer and 0 organisation clusters" in printed


def test_an_unknown_region_is_an_error(tmp_path: Path, region: Region) -> None:
    with pytest.raises(CommandError, match="--region nowhere"):
        run_command(tmp_path, "--region", "nowhere")


@pytest.fixture
def twins(region: Region) -> tuple[Service, Service]:
    provider = OrganizationFactory(region=region, name="Volkshochschule Kleve")
    return (
        ServiceFactory(organization=provider, name="Sprachcafé am Markt"),
        ServiceFactory(organization=provider, name="Sprachcafe am Markt"),
    )


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch, twins: tuple[Service, Service]) -> list[Any]:
    """The linkage replaced by one that always proposes the twins; returns its calls."""
    calls: list[Any] = []
    left, right = sorted(str(s.pk) for s in twins)

    def find_duplicates(
        region: Region | None = None, *, not_the_same: Collection[tuple[str, str]] = (), **_: Any
    ) -> LinkageResult:
        calls.append((region, set(not_the_same)))
        evidence = PairEvidence(left, right, 0.98, {"name": "nearly the same"})
        return LinkageResult([Cluster([left, right], [evidence])], [], {"services": 1})

    monkeypatch.setattr(linkage, "find_duplicates", find_duplicates)
    return calls


def test_the_json_has_the_shape_of_design_6(
    tmp_path: Path, twins: tuple[Service, Service], stand_in: list[Any]
) -> None:
    data, _ = run_command(tmp_path, "--region", "kleve")
    assert data == {"services": [sorted(str(s.pk) for s in twins)], "organizations": []}


def test_a_pair_marked_not_the_same_is_never_reported_again(
    tmp_path: Path, twins: tuple[Service, Service], stand_in: list[Any], coordinator: User
) -> None:
    merging.mark_not_the_same(DuplicateKind.SERVICES, *twins, coordinator)
    data, _ = run_command(tmp_path)
    assert data == {"services": [], "organizations": []}
    _region, not_the_same = stand_in[-1]
    assert not_the_same == {tuple(sorted(str(s.pk) for s in twins))}


def test_a_merged_record_is_not_reported_again(
    tmp_path: Path, twins: tuple[Service, Service], stand_in: list[Any], coordinator: User
) -> None:
    merging.merge_services(*twins, coordinator)
    data, _ = run_command(tmp_path)
    assert data["services"] == []


def test_without_json_a_summary_with_names_is_printed(
    twins: tuple[Service, Service], stand_in: list[Any]
) -> None:
    printed = StringIO()
    call_command("find_duplicates", stdout=printed)
    text = printed.getvalue()
    assert "Kreis Kleve: 1 offer cluster(s), 0 organisation cluster(s)" in text
    assert "Sprachcafé am Markt" in text
    assert "0.980" in text


def same_offer_twice(
    region: Region,
    names: tuple[str, str] = (
        "Elterncafé für zugewanderte Familien",
        "Elterncafe fuer zugewanderte Familien",
    ),
) -> tuple[Service, Service]:
    """One offer entered twice: same provider, place, time, phone and e-mail."""
    provider = OrganizationFactory(region=region, name="Familienzentrum Goch")
    place = Location.objects.create(
        region=region, name="Familienzentrum", latitude=51.68, longitude=6.16
    )
    Address.objects.create(
        location=place,
        address_1="Bahnhofstraße 12",
        city="Goch",
        state_province="Nordrhein-Westfalen",
        postal_code="47574",
        country="DE",
        address_type="physical",
    )
    offers = []
    for name in names:
        offer = ServiceFactory(
            organization=provider,
            name=name,
            description="Austausch und Beratung für Eltern, mit Kinderbetreuung.",
            email="elterncafe@goch.example.org",
        )
        at_place = ServiceAtLocation.objects.create(service=offer, location=place)
        Schedule.objects.create(
            service=offer,
            service_at_location=at_place,
            freq="WEEKLY",
            byday="WE",
            opens_at="15:00",
            closes_at="17:00",
        )
        Phone.objects.create(service=offer, number="02823 000456")
        offers.append(offer)
    return offers[0], offers[1]


def test_with_the_real_linkage_a_pair_marked_not_the_same_stays_away(
    tmp_path: Path, region: Region, coordinator: User
) -> None:
    # Entered twice to the letter: whatever threshold the linkage is tuned to, this is a match.
    name = "Elterncafé für zugewanderte Familien"
    first, second = same_offer_twice(region, (name, name))
    ServiceFactory(organization=OrganizationFactory(region=region), name="Schwimmkurs für Frauen")
    data, _ = run_command(tmp_path, "--region", "kleve")
    assert sorted(str(s.pk) for s in (first, second)) in data["services"]

    merging.mark_not_the_same(DuplicateKind.SERVICES, first, second, coordinator)
    data, _ = run_command(tmp_path, "--region", "kleve")
    assert data["services"] == []
    assert Organization.objects.count() == 2
