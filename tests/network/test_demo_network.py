"""The demo network loader: plausible groups on the demo catalogue, and idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command

from kinetz.core.models import AuditEntry
from kinetz.network.models import (
    Contact,
    Cooperation,
    Meeting,
    WorkingGroup,
    WorkingGroupMembership,
)
from kinetz.territory.models import Region
from tests.interop.test_hsds_files import CATALOGUE


@pytest.fixture
def catalogue(region: Region) -> Region:
    call_command("import_hsds", str(CATALOGUE), "--region", "kleve", stdout=StringIO())
    return region


def counts() -> tuple[int, ...]:
    return (
        WorkingGroup.objects.count(),
        WorkingGroupMembership.objects.count(),
        Meeting.objects.count(),
        Cooperation.objects.count(),
        AuditEntry.objects.count(),
    )


def test_demo_network_is_built_from_the_demo_catalogue(catalogue: Region) -> None:
    out = StringIO()
    call_command("load_demo_network", stdout=out)
    names = set(WorkingGroup.objects.in_region(catalogue).values_list("name", flat=True))
    assert {"Arbeitskreis Sprache und Bildung", "Netzwerk Ehrenamt", "AK Gesundheit"} <= names
    assert Cooperation.objects.in_region(catalogue).count() >= 5
    assert Meeting.objects.filter(minutes_approved_at__isnull=False).exists()
    memberships = WorkingGroupMembership.objects.in_region(catalogue)
    assert memberships.filter(delegate__isnull=False).exists()
    for membership in memberships.exclude(delegate=None):
        membership.full_clean()  # each delegate is a contact of its organisation
    assert "Skipped" not in out.getvalue()


def test_loading_the_demo_network_twice_changes_nothing(catalogue: Region) -> None:
    call_command("load_demo_network", stdout=StringIO())
    first = counts()
    out = StringIO()
    call_command("load_demo_network", stdout=out)
    assert counts() == first
    assert "0 records created" in out.getvalue()


def test_a_reimport_that_drops_delegates_gets_them_back(catalogue: Region) -> None:
    call_command("load_demo_network", stdout=StringIO())
    with_delegate = WorkingGroupMembership.objects.filter(delegate__isnull=False).count()
    Contact.objects.filter(working_group_memberships__isnull=False).delete()
    call_command("import_hsds", str(CATALOGUE), "--region", "kleve", stdout=StringIO())
    call_command("load_demo_network", stdout=StringIO())
    assert WorkingGroupMembership.objects.filter(delegate__isnull=False).count() == with_delegate


def test_without_the_catalogue_the_loader_says_what_it_skipped(region: Region) -> None:
    out = StringIO()
    call_command("load_demo_network", stdout=out)
    assert "Skipped" in out.getvalue()
    assert not Cooperation.objects.exists()
