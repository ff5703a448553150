"""import_hsds / export_hsds: round trip, validation, all-or-nothing."""

import json
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kinetz.interop.schema import validator
from kinetz.network.models import Contact, Organization
from kinetz.offers.models import Location, ReviewState, Service, TaxonomyTerm
from kinetz.territory.models import Region
from tests.factories import WorkingGroupFactory, WorkingGroupMembershipFactory

INTEROP = Path(__file__).resolve().parents[2] / "kinetz" / "interop"
CATALOGUE = INTEROP / "demo" / "kleve"
UPSTREAM_EXAMPLE = INTEROP / "schemas" / "hsds-3.0" / "example_service_full.json"


def by_id(path: Path) -> dict[str, Any]:
    return {record["id"]: record for record in json.loads(path.read_text())["contents"]}


def snapshot() -> tuple[int, ...]:
    return (
        Organization.objects.count(),
        Service.objects.count(),
        Location.objects.count(),
        TaxonomyTerm.objects.count(),
    )


@pytest.fixture
def kleve(db: None) -> Region:
    call_command("load_territory", "kleve", stdout=StringIO())
    return Region.objects.get(slug="kleve")


@pytest.fixture
def imported(kleve: Region) -> Region:
    call_command("import_hsds", str(CATALOGUE), stdout=StringIO())
    return kleve


@pytest.mark.usefixtures("imported")
def test_export_gives_back_exactly_what_was_imported(tmp_path: Path) -> None:
    call_command("export_hsds", str(tmp_path), stdout=StringIO())
    assert by_id(tmp_path / "services.json") == by_id(CATALOGUE / "services.json")
    assert by_id(tmp_path / "organizations.json") == by_id(CATALOGUE / "organizations.json")
    exported_taxonomy = json.loads((tmp_path / "taxonomy.json").read_text())
    source_taxonomy = json.loads((CATALOGUE / "taxonomy.json").read_text())
    for key in ("taxonomies", "taxonomy_terms"):
        assert sorted(exported_taxonomy[key], key=lambda r: r["id"]) == sorted(
            source_taxonomy[key], key=lambda r: r["id"]
        )


@pytest.mark.usefixtures("imported")
def test_reimporting_the_export_changes_nothing(tmp_path: Path) -> None:
    call_command("export_hsds", str(tmp_path / "first"), stdout=StringIO())
    before = snapshot()
    call_command("import_hsds", str(tmp_path / "first"), stdout=StringIO())
    call_command("export_hsds", str(tmp_path / "second"), stdout=StringIO())
    assert snapshot() == before
    for name in ("services.json", "organizations.json", "taxonomy.json"):
        assert (tmp_path / "first" / name).read_text() == (tmp_path / "second" / name).read_text()


@pytest.mark.usefixtures("imported")
def test_exported_records_validate_against_the_hsds_schemas(tmp_path: Path) -> None:
    call_command("export_hsds", str(tmp_path), stdout=StringIO())
    for entity, name in (("service", "services.json"), ("organization", "organizations.json")):
        for record in by_id(tmp_path / name).values():
            assert list(validator(entity).iter_errors(record)) == []


@pytest.mark.usefixtures("imported")
def test_imported_records_are_published_and_placed_in_their_municipality() -> None:
    assert Service.objects.count() == 452
    assert not Service.objects.exclude(review_state=ReviewState.PUBLISHED).exists()
    physical = Location.objects.filter(location_type="physical")
    assert physical.filter(municipality__isnull=True).count() == 0
    goch = Location.objects.filter(addresses__city="Goch").first()
    assert goch is not None
    assert goch.municipality.name == "Goch"


def test_the_upstream_example_service_imports_and_comes_back_equivalent(
    kleve: Region, tmp_path: Path
) -> None:
    call_command("import_hsds", str(UPSTREAM_EXAMPLE), stdout=StringIO())
    call_command("export_hsds", str(tmp_path), stdout=StringIO())
    source = json.loads(UPSTREAM_EXAMPLE.read_text())
    exported = by_id(tmp_path / "services.json")[source["id"]]
    scalars = {k: v for k, v in source.items() if not isinstance(v, (list, dict)) and v is not None}
    assert {k: exported.get(k) for k in scalars} == scalars
    # Every nested record comes back with its id (kinetz adds the linking ids HSDS allows).
    for key in (
        "phones",
        "schedules",
        "service_at_locations",
        "languages",
        "cost_options",
        "contacts",
        "attributes",
        "funding",
        "required_documents",
        "service_areas",
    ):
        assert [r["id"] for r in exported[key]] == [r["id"] for r in source[key]], key
    assert exported["organization"]["id"] == source["organization"]["id"]
    assert list(validator("service").iter_errors(exported)) == []


def test_dry_run_reports_and_changes_nothing(kleve: Region) -> None:
    out = StringIO()
    call_command("import_hsds", str(CATALOGUE), "--dry-run", stdout=out)
    assert "services: 452 new" in out.getvalue()
    assert snapshot() == (0, 0, 0, 0)


def test_draft_import_sends_records_to_review(kleve: Region) -> None:
    call_command("import_hsds", str(UPSTREAM_EXAMPLE), "--draft", stdout=StringIO())
    assert Service.objects.get().review_state == ReviewState.SUBMITTED


def broken_copy(tmp_path: Path, change: Any) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(CATALOGUE, folder)
    services = json.loads((folder / "services.json").read_text())
    change(services["contents"])
    (folder / "services.json").write_text(json.dumps(services))
    return folder


def _bad_uuid(services: list[dict[str, Any]]) -> None:
    services[3]["id"] = "not-a-uuid"


def _wrong_type(services: list[dict[str, Any]]) -> None:
    services[5]["minimum_age"] = "sixteen"


def _missing_organization(services: list[dict[str, Any]]) -> None:
    services[7]["organization_id"] = "00000000-0000-4000-8000-000000000000"
    del services[7]["organization"]


def _duplicate_id(services: list[dict[str, Any]]) -> None:
    services[9]["id"] = services[8]["id"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_bad_uuid, "services.json: $.contents[3].id: 'not-a-uuid' is not a UUID"),
        (
            _wrong_type,
            "services.json: $.contents[5].minimum_age: 'sixteen' is not of type 'number'",
        ),
        (
            _missing_organization,
            "services.json: $.contents[7].organization_id: organization "
            "00000000-0000-4000-8000-000000000000 does not exist",
        ),
        (_duplicate_id, "services.json: $.contents[9].id: duplicate id"),
    ],
)
def test_broken_import_names_the_problem_and_changes_nothing(
    kleve: Region, tmp_path: Path, change: Any, expected: str
) -> None:
    call_command("import_hsds", str(UPSTREAM_EXAMPLE), stdout=StringIO())
    before = snapshot()
    modified_before = set(Service.objects.values_list("modified", flat=True))
    with pytest.raises(CommandError) as error:
        call_command("import_hsds", str(broken_copy(tmp_path, change)), stdout=StringIO())
    assert expected in str(error.value)
    assert snapshot() == before
    assert set(Service.objects.values_list("modified", flat=True)) == modified_before


def test_invalid_json_is_reported_with_its_line(kleve: Region, tmp_path: Path) -> None:
    (tmp_path / "services.json").write_text('{"contents": [\n  {"id": }\n]}')
    with pytest.raises(CommandError, match=r"services.json: line 2 column 10: invalid JSON"):
        call_command("import_hsds", str(tmp_path / "services.json"), stdout=StringIO())
    assert snapshot() == (0, 0, 0, 0)


def test_several_problems_give_one_line_each(kleve: Region, tmp_path: Path) -> None:
    def many(services: list[dict[str, Any]]) -> None:
        _bad_uuid(services)
        _wrong_type(services)

    with pytest.raises(CommandError) as error:
        call_command("import_hsds", str(broken_copy(tmp_path, many)), stdout=StringIO())
    lines = [line for line in str(error.value).splitlines() if line.startswith("services.json")]
    assert len(lines) == 2


@pytest.mark.django_db
def test_import_without_any_region_says_what_to_do() -> None:
    with pytest.raises(CommandError, match="load_territory"):
        call_command("import_hsds", str(CATALOGUE), stdout=StringIO())


@pytest.mark.usefixtures("imported")
def test_imported_organisations_get_a_guessed_actor_type_that_reimport_keeps() -> None:
    from kinetz.network.models import ActorType

    jobcenter = Organization.objects.get(name="Jobcenter Kreis Kleve")
    assert jobcenter.actor_type == ActorType.JOBCENTER
    jobcenter.actor_type = ActorType.ADMINISTRATION  # corrected by staff
    jobcenter.save()
    call_command("import_hsds", str(CATALOGUE), stdout=StringIO())
    jobcenter.refresh_from_db()
    assert jobcenter.actor_type == ActorType.ADMINISTRATION


def test_reimport_keeps_contacts_that_working_groups_point_at(
    imported: Region, tmp_path: Path
) -> None:
    """Contacts are central records: a re-import updates them in place, so a working group's
    delegate survives, and a contact dropped from the file is removed."""
    services = json.loads((CATALOGUE / "services.json").read_text())
    source = next(service for service in services["contents"] if service.get("contacts"))
    kept_id = source["contacts"][0]["id"]
    service = Service.objects.get(pk=source["id"])
    group = WorkingGroupFactory(region=imported)
    membership = WorkingGroupMembershipFactory(
        group=group, organization=service.organization, delegate=Contact.objects.get(pk=kept_id)
    )
    dropped = Contact.objects.create(service=service, name="Nicht mehr in der Datei")
    source["contacts"][0]["name"] = "Neu im Amt"
    folder = tmp_path / "changed"
    shutil.copytree(CATALOGUE, folder)
    (folder / "services.json").write_text(json.dumps(services, ensure_ascii=False))

    call_command("import_hsds", str(folder), stdout=StringIO())

    membership.refresh_from_db()
    assert str(membership.delegate_id) == kept_id
    assert membership.delegate is not None
    assert membership.delegate.name == "Neu im Amt"
    assert not Contact.objects.filter(pk=dropped.pk).exists()
