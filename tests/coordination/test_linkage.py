"""The duplicate finder (kinetz.coordination.linkage) on a small catalogue built here.

The trained parameters come from kinetz/coordination/linkage_models/*.json, as in production.
"""

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kinetz.coordination import linkage, linkage_model
from kinetz.coordination.linkage import Cluster, PairEvidence, cluster, find_duplicates
from kinetz.network.models import Organization, Phone
from kinetz.offers.models import (
    Address,
    Location,
    OrganizationLocation,
    ReviewState,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
)
from kinetz.territory.models import Region
from tests.factories import OrganizationFactory, ServiceFactory

KURS = (
    "Deutschkurs für Anfängerinnen und Anfänger ohne Vorkenntnisse. Sie lernen Begrüßung, "
    "Einkaufen, Arztbesuch und Behördengänge. Kleine Gruppen, Kinderbetreuung möglich, "
    "Lehrbuch wird gestellt."
)
KURS_REWORDED = (
    "Deutschkurs für Anfängerinnen und Anfänger ohne Vorkenntnisse. Lehrbuch wird gestellt. "
    "Man lernt Begrüßung, Einkaufen, Arztbesuch und Behördengänge in kleinen Gruppen; "
    "Kinderbetreuung möglich."
)
KLEVE = {"street": "Hagsche Straße 7", "postcode": "47533", "lat": 51.789239, "lon": 6.146747}
GOCH = {"street": "Markt 2", "postcode": "47574", "lat": 51.678600, "lon": 6.161500}


def place(
    region: Region, street: str, postcode: str, lat: float | None, lon: float | None
) -> Location:
    location = Location.objects.create(region=region, latitude=lat, longitude=lon)
    Address.objects.create(
        location=location,
        address_1=street,
        city="Kleve" if postcode == "47533" else "Goch",
        state_province="Nordrhein-Westfalen",
        postal_code=postcode,
        country="DE",
        address_type="physical",
    )
    return location


def offer(
    organization: Organization,
    name: str,
    *,
    where: dict[str, Any],
    phone: str = "02821 000150",
    email: str = "kurse@vhs-kleve.example.org",
    byday: str = "TU,TH",
    opens_at: str = "18:00",
    description: str = KURS,
    state: str = ReviewState.PUBLISHED,
) -> Service:
    service = ServiceFactory(
        organization=organization,
        name=name,
        description=description,
        email=email,
        url="https://www.vhs-kleve.example.org",
        review_state=state,
    )
    location = place(
        organization.region, where["street"], where["postcode"], where["lat"], where["lon"]
    )
    ServiceAtLocation.objects.create(service=service, location=location)
    if phone:
        Phone.objects.create(service=service, number=phone)
    Schedule.objects.create(service=service, freq="WEEKLY", byday=byday, opens_at=opens_at)
    for code in ("de", "ar"):
        ServiceLanguage.objects.create(service=service, code=code)
    return service


def moved(where: dict[str, Any], metres_north: float) -> dict[str, Any]:
    return {**where, "lat": where["lat"] + metres_north / 111_320}


@pytest.fixture
def vhs(region: Region) -> Organization:
    return OrganizationFactory(region=region, name="Volkshochschule Kleve")


@pytest.fixture
def catalogue(region: Region, vhs: Organization) -> dict[str, Service]:
    """A course, its duplicate, and look-alikes that are not duplicates."""
    caritas = OrganizationFactory(region=region, name="Caritasverband Kleve e.V.")
    return {
        "course": offer(vhs, "Deutschkurs für Anfänger", where=KLEVE),
        # Entered again: typo in the name, another phone format, street abbreviated,
        # coordinates 40 m off, description reworded.
        "duplicate": offer(
            vhs,
            "Deutschkurs für Anfänegr",
            where={**moved(KLEVE, 40), "street": "Hagsche Str. 7"},
            phone="+49 2821 000150",
            description=KURS_REWORDED,
        ),
        "other_town": offer(vhs, "Deutschkurs für Anfänger", where=GOCH),
        "other_time": offer(
            vhs, "Deutschkurs für Anfänger", where=KLEVE, byday="MO,WE", opens_at="09:00"
        ),
        "advice": offer(
            caritas,
            "Migrationsberatung für Erwachsene",
            where={
                "street": "Hoffmannallee 66",
                "postcode": "47533",
                "lat": 51.7801,
                "lon": 6.1303,
            },
            phone="02821 000170",
            email="mbe@caritas-kleve.example.org",
            byday="",
            opens_at="",
            description="Beratung zu Aufenthalt, Arbeit, Wohnen und Familie.",
        ),
    }


def ids(*services: Service) -> list[str]:
    return sorted(str(service.pk) for service in services)


def cluster_of(result: linkage.LinkageResult, service: Service) -> Cluster | None:
    return next((c for c in result.services if str(service.pk) in c.ids), None)


def test_duplicate_offer_is_clustered_with_an_explanation(catalogue: dict[str, Service]) -> None:
    result = find_duplicates()

    found = cluster_of(result, catalogue["course"])
    assert found is not None
    assert found.ids == ids(catalogue["course"], catalogue["duplicate"])
    evidence = found.pairs[0]
    assert (evidence.left_id, evidence.right_id) == tuple(found.ids)
    assert evidence.probability >= linkage.MATCH_THRESHOLD["services"]
    assert evidence.agreements["place"] == "same place"
    assert evidence.agreements["schedule"] == "same time"
    assert evidence.agreements["name"] in ("nearly the same", "similar")
    assert all(key in linkage_model.LABELS for key in evidence.agreements.values())
    assert result.pairs_compared["services"] > 0


def test_same_course_in_another_town_or_at_another_time_is_not_clustered(
    catalogue: dict[str, Service],
) -> None:
    result = find_duplicates()

    assert cluster_of(result, catalogue["other_town"]) is None
    assert cluster_of(result, catalogue["other_time"]) is None
    assert [c.ids for c in result.services] == [ids(catalogue["course"], catalogue["duplicate"])]


def test_pairs_marked_not_the_same_are_never_clustered(catalogue: dict[str, Service]) -> None:
    pair = (str(catalogue["duplicate"].pk), str(catalogue["course"].pk))

    result = find_duplicates(not_the_same=[pair])

    assert result.services == []


def test_offer_with_missing_phone_email_and_coordinates_still_compares(
    region: Region, vhs: Organization
) -> None:
    course = offer(vhs, "Deutschkurs für Anfänger", where=KLEVE)
    bare = offer(
        vhs,
        "Deutschkurs für Anfänger",
        where={**KLEVE, "lat": None, "lon": None},
        phone="",
        email="",
    )

    result = find_duplicates()

    assert [c.ids for c in result.services] == [ids(course, bare)]


def test_archived_and_draft_offers_take_no_part(region: Region, vhs: Organization) -> None:
    offer(vhs, "Deutschkurs für Anfänger", where=KLEVE)
    offer(vhs, "Deutschkurs für Anfänger", where=KLEVE, state=ReviewState.ARCHIVED)
    offer(vhs, "Deutschkurs für Anfänger", where=KLEVE, state=ReviewState.DRAFT)

    assert find_duplicates(kinds=["services"]).services == []


def test_submitted_offer_is_compared_with_published_ones(region: Region, vhs: Organization) -> None:
    course = offer(vhs, "Deutschkurs für Anfänger", where=KLEVE)
    submitted = offer(vhs, "Deutschkurs für Anfänger", where=KLEVE, state=ReviewState.SUBMITTED)

    assert [c.ids for c in find_duplicates(kinds=["services"]).services] == [ids(course, submitted)]


def test_a_region_is_compared_only_with_itself(
    region: Region, other_region: Region, vhs: Organization
) -> None:
    offer(vhs, "Deutschkurs für Anfänger", where=KLEVE)
    elsewhere = OrganizationFactory(region=other_region, name="Volkshochschule Kleve")
    offer(elsewhere, "Deutschkurs für Anfänger", where=KLEVE)

    assert find_duplicates(region, kinds=["services"]).services == []
    assert len(find_duplicates(kinds=["services"]).services) == 1


def organisation(
    region: Region, name: str, phone: str, where: dict[str, Any], web: str
) -> Organization:
    org = OrganizationFactory(region=region, name=name, website=web)
    Phone.objects.create(organization=org, number=phone)
    location = place(region, where["street"], where["postcode"], where["lat"], where["lon"])
    OrganizationLocation.objects.create(organization=org, location=location)
    return org


def test_duplicate_organisation_is_clustered_but_its_namesake_elsewhere_is_not(
    region: Region,
) -> None:
    caritas = organisation(
        region,
        "Caritasverband Kleve e.V.",
        "02821 000170",
        KLEVE,
        "https://www.caritas-kleve.example.org",
    )
    twin = organisation(
        region,
        "Caritas-Verband Kleve",
        "02821/000170",
        moved(KLEVE, 30),
        "caritas-kleve.example.org",
    )
    namesake = organisation(
        region,
        "Caritasverband Goch e.V.",
        "02823 000170",
        GOCH,
        "https://www.caritas-goch.example.org",
    )

    result = find_duplicates(kinds=["organizations"])

    assert [c.ids for c in result.organizations] == sorted(
        [sorted([str(caritas.pk), str(twin.pk)])]
    )
    assert str(namesake.pk) not in result.organizations[0].ids
    assert result.organizations[0].pairs[0].agreements["phone"] == "same"
    assert result.services == []


def test_empty_catalogue_reports_nothing_without_starting_splink(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("Splink was started")

    monkeypatch.setattr(linkage, "score", fail)

    result = find_duplicates()

    assert result == linkage.LinkageResult([], [], {"services": 0, "organizations": 0})


def test_unknown_kind_is_an_error(db: None) -> None:
    with pytest.raises(ValueError, match="offers"):
        find_duplicates(kinds=["offers"])


def evidence(left: str, right: str, probability: float) -> PairEvidence:
    return PairEvidence(left, right, probability, {})


def test_not_the_same_splits_a_chain_at_its_weakest_link() -> None:
    # a-b strong, b-c weak, c-d strong; a and d were judged different.
    pairs = [evidence("a", "b", 0.99), evidence("b", "c", 0.95), evidence("c", "d", 0.98)]

    clusters = cluster(pairs, not_the_same=[("d", "a")])

    assert sorted(c.ids for c in clusters) == [["a", "b"], ["c", "d"]]


def test_clusters_list_their_pairs_best_first() -> None:
    pairs = [evidence("a", "b", 0.95), evidence("b", "c", 0.99)]

    (only,) = cluster(pairs)

    assert only.ids == ["a", "b", "c"]
    assert [p.probability for p in only.pairs] == [0.99, 0.95]


def test_model_files_fit_the_comparisons_in_the_code() -> None:
    for kind in linkage.KINDS:
        model = linkage_model.load_model(kind)
        linkage_model.settings(kind, model)  # raises LinkageModelError when they disagree


def test_outdated_model_file_is_reported_with_the_fix(tmp_path: Path) -> None:
    model = linkage_model.load_model("services")
    model["comparisons"] = model["comparisons"][1:]
    linkage_model.save_model(model, "services", tmp_path)

    with pytest.raises(linkage_model.LinkageModelError, match="train_linkage"):
        linkage_model.settings("services", linkage_model.load_model("services", tmp_path))


def test_train_linkage_writes_a_model_that_find_duplicates_can_load(
    catalogue: dict[str, Service], tmp_path: Path
) -> None:
    labels = tmp_path / "labels.json"
    pair = [str(catalogue["course"].pk), str(catalogue["duplicate"].pk)]
    labels.write_text(json.dumps({"services": {"matches": [pair]}}))
    out = StringIO()

    call_command(
        "train_linkage",
        "--kind",
        "services",
        "--labels",
        str(labels),
        "--out",
        str(tmp_path),
        stdout=out,
    )

    assert "services: 5 records, labelled pairs (1 labelled pairs)" in out.getvalue()
    model = linkage_model.load_model("services", tmp_path)
    linkage_model.settings("services", model)  # loads
    schedule = next(c for c in model["comparisons"] if c["output_column_name"] == "schedule")
    other_time = schedule["comparison_levels"][-1]
    assert other_time["m_probability"] == linkage_model.VETO_M_PROBABILITY
    assert not (tmp_path / "organizations.json").exists()


def test_train_linkage_rejects_a_malformed_labels_file(db: None, tmp_path: Path) -> None:
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({"services": {"matches": [["only-one-id"]]}}))

    with pytest.raises(CommandError, match=r"services\.matches"):
        call_command("train_linkage", "--labels", str(labels), "--out", str(tmp_path))
