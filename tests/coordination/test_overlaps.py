"""Overlapping offers: different providers, same field and target group, same municipality,
schedules that meet."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from kinetz.accounts.models import User
from kinetz.coordination import overlaps
from kinetz.network.models import Organization
from kinetz.offers.models import (
    Location,
    ReviewState,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    TaxonomyTerm,
    Vocabulary,
)
from kinetz.territory.models import Municipality, Region
from tests.factories import (
    MunicipalityFactory,
    OrganizationFactory,
    ServiceFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)

URL = "/staff/coordination/overlaps/"
TODAY = date(2026, 3, 1)


@pytest.fixture
def town(region: Region) -> Municipality:
    return MunicipalityFactory(region=region, name="Goch", ags="05154016")


@pytest.fixture
def terms(db: None) -> dict[str, TaxonomyTerm]:
    fields = TaxonomyFactory(vocabulary=Vocabulary.HANDLUNGSFELD, name="Handlungsfeld")
    groups = TaxonomyFactory(vocabulary=Vocabulary.ZIELGRUPPE, name="Zielgruppe")
    return {
        "sprache": TaxonomyTermFactory(taxonomy=fields, code="hf-sprache", name="Sprache"),
        "freizeit": TaxonomyTermFactory(taxonomy=fields, code="hf-freizeit", name="Freizeit"),
        "frauen": TaxonomyTermFactory(taxonomy=groups, code="zg-frauen", name="Frauen"),
        "kinder": TaxonomyTermFactory(taxonomy=groups, code="zg-kinder", name="Kinder"),
    }


@pytest.fixture
def providers(region: Region) -> dict[str, Organization]:
    return {
        "vhs": OrganizationFactory(region=region, name="VHS Goch"),
        "caritas": OrganizationFactory(region=region, name="Caritas Goch"),
    }


@pytest.fixture
def make(
    region: Region, town: Municipality, terms: dict[str, TaxonomyTerm]
) -> Callable[..., Service]:
    def build(
        name: str,
        provider: Organization,
        place: Municipality | None = None,
        codes: tuple[str, ...] = ("sprache", "frauen"),
        state: str = ReviewState.PUBLISHED,
        **schedule: Any,
    ) -> Service:
        service = ServiceFactory(organization=provider, name=name, review_state=state)
        for code in codes:
            term = terms[code]
            ServiceAttribute.objects.create(service=service, taxonomy_term=term, link_type="")
        location = Location.objects.create(region=region, municipality=place or town)
        ServiceAtLocation.objects.create(service=service, location=location)
        Schedule.objects.create(service=service, **schedule)
        return service

    return build


TUESDAY_15_17 = {"freq": "WEEKLY", "byday": "TU", "opens_at": "15:00", "closes_at": "17:00"}
TUESDAY_16_18 = {"freq": "WEEKLY", "byday": "TU", "opens_at": "16:00", "closes_at": "18:00"}


def monthly(times: dict[str, str], byday: str) -> dict[str, str]:
    return {**times, "freq": "MONTHLY", "byday": byday}


def pairs(region: Region) -> list[tuple[str, str]]:
    return [(o.first.name, o.second.name) for o in overlaps.find(region, TODAY)]


def test_two_providers_on_tuesday_15_17_and_16_18_overlap(
    region: Region, make: Callable[..., Service], providers: dict[str, Organization]
) -> None:
    make("Sprachcafé", providers["vhs"], **TUESDAY_15_17)
    make("Deutschtreff", providers["caritas"], **TUESDAY_16_18)
    found = overlaps.find(region, TODAY)
    assert len(found) == 1
    overlap = found[0]
    assert (overlap.first.name, overlap.second.name) == ("Deutschtreff", "Sprachcafé")
    assert (overlap.municipality.name, overlap.field.code) == ("Goch", "hf-sprache")
    assert [g.code for g in overlap.groups] == ["zg-frauen"]
    assert [(c.weekday, c.time, c.certain) for c in overlap.clashes] == [(1, "16:00–17:00", True)]


def test_offers_of_the_same_provider_do_not_overlap(
    region: Region, make: Callable[..., Service], providers: dict[str, Organization]
) -> None:
    make("Sprachcafé", providers["vhs"], **TUESDAY_15_17)
    make("Deutschtreff", providers["vhs"], **TUESDAY_16_18)
    assert pairs(region) == []


def test_tuesday_and_wednesday_do_not_overlap(
    region: Region, make: Callable[..., Service], providers: dict[str, Organization]
) -> None:
    make("Sprachcafé", providers["vhs"], **TUESDAY_15_17)
    make("Deutschtreff", providers["caritas"], **{**TUESDAY_16_18, "byday": "WE"})
    assert pairs(region) == []


def test_back_to_back_hours_do_not_overlap(
    region: Region, make: Callable[..., Service], providers: dict[str, Organization]
) -> None:
    make("Sprachcafé", providers["vhs"], **TUESDAY_15_17)
    make("Deutschtreff", providers["caritas"], **{**TUESDAY_16_18, "opens_at": "17:00"})
    assert pairs(region) == []


def test_validity_periods_that_do_not_meet_do_not_overlap(
    region: Region, make: Callable[..., Service], providers: dict[str, Organization]
) -> None:
    spring = {"valid_from": date(2026, 3, 1), "valid_to": date(2026, 6, 30)}
    autumn = {"valid_from": date(2026, 9, 1), "valid_to": date(2026, 12, 18)}
    make("Kurs Frühling", providers["vhs"], **TUESDAY_15_17, **spring)
    make("Kurs Herbst", providers["caritas"], **TUESDAY_16_18, **autumn)
    assert pairs(region) == []


def test_by_appointment_does_not_overlap(
    region: Region, make: Callable[..., Service], providers: dict[str, Organization]
) -> None:
    make("Sprachcafé", providers["vhs"], **TUESDAY_15_17)
    make("Beratung", providers["caritas"], description="Termine nach Vereinbarung")
    assert pairs(region) == []


def test_different_target_group_or_field_or_town_do_not_overlap(
    region: Region,
    make: Callable[..., Service],
    providers: dict[str, Organization],
    town: Municipality,
) -> None:
    make("Sprachcafé", providers["vhs"], **TUESDAY_15_17)
    make("Kinderdeutsch", providers["caritas"], codes=("sprache", "kinder"), **TUESDAY_16_18)
    make("Frauensport", providers["caritas"], codes=("freizeit", "frauen"), **TUESDAY_16_18)
    elsewhere = MunicipalityFactory(region=region, name="Weeze", ags="05154064")
    make("Deutschtreff Weeze", providers["caritas"], place=elsewhere, **TUESDAY_16_18)
    make("Entwurf", providers["caritas"], state=ReviewState.DRAFT, **TUESDAY_16_18)
    assert pairs(region) == []


def test_fortnightly_and_monthly_overlap_only_possibly(
    region: Region, make: Callable[..., Service], providers: dict[str, Organization]
) -> None:
    fortnightly = {**TUESDAY_16_18, "interval": 2}
    make("Sprachcafé", providers["vhs"], **fortnightly)
    make("Deutschtreff", providers["caritas"], **monthly(TUESDAY_16_18, "1TU"))
    (overlap,) = overlaps.find(region, TODAY)
    assert [c.certain for c in overlap.clashes] == [False]


def test_first_and_third_tuesday_never_meet(
    region: Region, make: Callable[..., Service], providers: dict[str, Organization]
) -> None:
    make("Sprachcafé", providers["vhs"], **monthly(TUESDAY_15_17, "1TU"))
    make("Deutschtreff", providers["caritas"], **monthly(TUESDAY_16_18, "3TU"))
    assert pairs(region) == []


def test_monthly_meets_a_weekly_schedule_on_its_weekday_for_certain(
    region: Region, make: Callable[..., Service], providers: dict[str, Organization]
) -> None:
    make("Sprachcafé", providers["vhs"], **TUESDAY_15_17)
    make("Deutschtreff", providers["caritas"], **monthly(TUESDAY_16_18, "-1TU"))
    (overlap,) = overlaps.find(region, TODAY)
    assert overlap.certain


def test_a_one_off_event_overlaps_a_weekly_offer_on_its_date(
    region: Region, make: Callable[..., Service], providers: dict[str, Organization]
) -> None:
    tuesday = date(2026, 3, 10)
    one_off = {"valid_from": tuesday, "valid_to": tuesday, "opens_at": "16:00"}
    one_off["closes_at"] = "18:00"
    make("Sprachcafé", providers["vhs"], **TUESDAY_15_17)
    make("Aktionstag", providers["caritas"], **one_off)
    assert pairs(region) == [("Aktionstag", "Sprachcafé")]


def test_ended_schedules_are_left_out(
    region: Region, make: Callable[..., Service], providers: dict[str, Organization]
) -> None:
    ended = {"valid_from": date(2025, 1, 1), "valid_to": date(2025, 12, 31)}
    make("Sprachcafé", providers["vhs"], **TUESDAY_15_17, **ended)
    make("Deutschtreff", providers["caritas"], **TUESDAY_16_18, **ended)
    assert pairs(region) == []


def test_overlaps_page_lists_the_pair_with_links_and_filters(
    region: Region,
    make: Callable[..., Service],
    providers: dict[str, Organization],
    coordinator: User,
    client_for: Callable[[User], Client],
) -> None:
    first = make("Sprachcafé", providers["vhs"], **TUESDAY_15_17)
    second = make("Deutschtreff", providers["caritas"], **TUESDAY_16_18)
    client = client_for(coordinator)
    page = client.get(URL).content.decode()
    for text in (f"/offer/{first.pk}/", f"/offer/{second.pk}/", "VHS Goch", "Caritas Goch"):
        assert text in page
    assert "16:00–17:00" in page
    page = client.get(URL, {"handlungsfeld": "hf-freizeit"}).content.decode()
    assert f"/offer/{first.pk}/" not in page


def test_overlaps_export_as_csv(
    region: Region,
    make: Callable[..., Service],
    providers: dict[str, Organization],
    coordinator: User,
    client_for: Callable[[User], Client],
) -> None:
    make("Sprachcafé", providers["vhs"], **TUESDAY_15_17)
    make("Deutschtreff", providers["caritas"], **TUESDAY_16_18)
    response = client_for(coordinator).get(f"{URL}overlaps.csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2
    assert "Deutschtreff;Caritas Goch;Sprachcafé;VHS Goch" in lines[1]
    xlsx = client_for(coordinator).get(f"{URL}overlaps.xlsx")
    assert xlsx.content[:2] == b"PK"


def test_council_viewer_may_not_see_overlaps(
    council_viewer: User, client_for: Callable[[User], Client]
) -> None:
    assert client_for(council_viewer).get(URL).status_code == 403


def test_a_long_list_is_cut_on_the_page_but_exported_whole(
    region: Region,
    make: Callable[..., Service],
    providers: dict[str, Organization],
    coordinator: User,
    client_for: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kinetz.coordination import overlap_views

    monkeypatch.setattr(overlap_views, "PAGE_LIMIT", 1)
    make("Sprachcafé", providers["vhs"], **TUESDAY_15_17)
    make("Deutschtreff", providers["caritas"], **TUESDAY_16_18)
    make("Frauencafé", OrganizationFactory(region=region), **TUESDAY_16_18)
    client = client_for(coordinator)
    page = client.get(URL).content.decode()
    assert "3 pairs of overlapping offers." in page
    assert "The first 1 are shown" in page
    assert page.count("<tbody") == 1
    lines = client.get(f"{URL}overlaps.csv").content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 4


def test_find_first_stops_after_the_municipality_that_reaches_the_limit(
    region: Region, make: Callable[..., Service], providers: dict[str, Organization]
) -> None:
    weeze = MunicipalityFactory(region=region, name="Weeze", ags="05154064")
    make("Sprachcafé", providers["vhs"], **TUESDAY_15_17)
    make("Deutschtreff", providers["caritas"], **TUESDAY_16_18)
    make("Sprachcafé Weeze", providers["vhs"], place=weeze, **TUESDAY_15_17)
    make("Deutschtreff Weeze", providers["caritas"], place=weeze, **TUESDAY_16_18)
    first, complete = overlaps.find_first(region, TODAY, limit=1)
    assert ([o.municipality.name for o in first], complete) == (["Goch"], False)
    every, complete = overlaps.find_first(region, TODAY, limit=2)
    assert ([o.municipality.name for o in every], complete) == (["Goch", "Weeze"], True)
