"""Cooperations between organisations: one per pair, never with itself, kept per region."""

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from kinetz.accounts.models import User
from kinetz.core.models import AuditEntry
from kinetz.network.models import Cooperation, CooperationKind, Organization
from kinetz.territory.models import Region
from tests.factories import CooperationFactory, OrganizationFactory

ClientFor = Callable[[User], Client]


@pytest.fixture
def caritas(region: Region) -> Organization:
    return OrganizationFactory(region=region, name="Caritas Kleve")


@pytest.fixture
def clinic(region: Region) -> Organization:
    return OrganizationFactory(region=region, name="Refugee Law Clinic")


def test_the_same_pair_in_the_other_order_is_a_duplicate(
    region: Region, caritas: Organization, clinic: Organization
) -> None:
    CooperationFactory(region=region, organization_a=caritas, organization_b=clinic)
    reverse = Cooperation(region=region, organization_a=clinic, organization_b=caritas)
    with pytest.raises(ValidationError) as error:
        reverse.full_clean()
    assert "already recorded" in error.value.message_dict["organization_b"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        reverse.save()


def test_an_organisation_cannot_cooperate_with_itself(
    region: Region, caritas: Organization
) -> None:
    alone = Cooperation(region=region, organization_a=caritas, organization_b=caritas)
    with pytest.raises(ValidationError) as error:
        alone.full_clean()
    assert "itself" in error.value.message_dict["organization_b"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        alone.save()


def test_both_organisations_must_be_of_the_cooperations_region(
    region: Region, other_region: Region, caritas: Organization
) -> None:
    outsider = OrganizationFactory(region=other_region)
    with pytest.raises(ValidationError) as error:
        Cooperation(region=region, organization_a=caritas, organization_b=outsider).full_clean()
    assert "organization_b" in error.value.message_dict


def test_a_cooperation_cannot_end_before_it_starts(
    region: Region, caritas: Organization, clinic: Organization
) -> None:
    cooperation = Cooperation(
        region=region,
        organization_a=caritas,
        organization_b=clinic,
        started=date(2024, 5, 1),
        ended=date(2024, 4, 1),
    )
    with pytest.raises(ValidationError) as error:
        cooperation.full_clean()
    assert "ended" in error.value.message_dict


def test_coordinator_records_a_cooperation_from_a_profile(
    client_for: ClientFor, coordinator: User, caritas: Organization, clinic: Organization
) -> None:
    client = client_for(coordinator)
    form_page = client.get("/network/cooperations/new/", {"from": str(caritas.pk)})
    assert form_page.context["form"]["organization_a"].value() == str(caritas.pk)
    response = client.post(
        "/network/cooperations/new/",
        {
            "from": str(caritas.pk),
            "organization_a": str(caritas.pk),
            "organization_b": str(clinic.pk),
            "kind": CooperationKind.REFERRAL,
            "description": "Verweis bei Aufenthaltsfragen",
            "started": "2024-04-01",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/network/organisations/{caritas.pk}/"
    cooperation = Cooperation.objects.get()
    assert {cooperation.organization_a, cooperation.organization_b} == {caritas, clinic}
    assert AuditEntry.objects.filter(action="cooperation.recorded").exists()
    for org, partner in ((caritas, "Refugee Law Clinic"), (clinic, "Caritas Kleve")):
        page = client.get(f"/network/organisations/{org.pk}/").content.decode()
        assert "Cooperations" in page
        assert partner in page
        assert "Referrals" in page


def test_cooperation_form_names_the_field_of_each_mistake(
    client_for: ClientFor,
    coordinator: User,
    region: Region,
    caritas: Organization,
    clinic: Organization,
) -> None:
    client = client_for(coordinator)
    itself = client.post(
        "/network/cooperations/new/",
        {"organization_a": str(caritas.pk), "organization_b": str(caritas.pk), "kind": "project"},
    )
    assert itself.status_code == 200
    assert "itself" in itself.context["form"].errors["organization_b"][0]

    CooperationFactory(region=region, organization_a=caritas, organization_b=clinic)
    duplicate = client.post(
        "/network/cooperations/new/",
        {"organization_a": str(clinic.pk), "organization_b": str(caritas.pk), "kind": "project"},
    )
    assert duplicate.status_code == 200
    assert "already recorded" in duplicate.context["form"].errors["organization_b"][0]

    bad = client.post(
        "/network/cooperations/new/",
        {"organization_a": "", "organization_b": str(clinic.pk), "kind": "friendship"},
    )
    assert set(bad.context["form"].errors) == {"organization_a", "kind"}
    assert Cooperation.objects.count() == 1


def test_cooperation_form_offers_no_organisation_of_another_region(
    client_for: ClientFor, coordinator: User, caritas: Organization, other_region: Region
) -> None:
    outsider = OrganizationFactory(region=other_region)
    response = client_for(coordinator).post(
        "/network/cooperations/new/",
        {"organization_a": str(caritas.pk), "organization_b": str(outsider.pk), "kind": "project"},
    )
    assert response.context["form"].errors["organization_b"]
    assert not Cooperation.objects.exists()


def test_coordinator_ends_a_cooperation(
    client_for: ClientFor,
    coordinator: User,
    region: Region,
    caritas: Organization,
    clinic: Organization,
) -> None:
    cooperation = CooperationFactory(
        region=region, organization_a=caritas, organization_b=clinic, started=date(2020, 1, 1)
    )
    response = client_for(coordinator).post(
        f"/network/cooperations/{cooperation.pk}/end/", {"from": str(clinic.pk)}
    )
    assert response["Location"] == f"/network/organisations/{clinic.pk}/"
    cooperation.refresh_from_db()
    assert cooperation.ended == timezone.localdate()
    assert AuditEntry.objects.filter(action="cooperation.ended").exists()


def test_provider_editor_sees_cooperations_but_cannot_record_or_end_them(
    client_for: ClientFor,
    provider_editor: User,
    region: Region,
    caritas: Organization,
    clinic: Organization,
) -> None:
    cooperation = CooperationFactory(region=region, organization_a=caritas, organization_b=clinic)
    client = client_for(provider_editor)
    page = client.get(f"/network/organisations/{caritas.pk}/").content.decode()
    assert "Refugee Law Clinic" in page
    assert "Record a cooperation" not in page
    assert client.get("/network/cooperations/new/").status_code == 403
    assert client.post(f"/network/cooperations/{cooperation.pk}/end/").status_code == 403
    cooperation.refresh_from_db()
    assert cooperation.ended is None


def test_outside_coordinator_cannot_reach_another_regions_cooperation(
    client_for: ClientFor,
    outside_coordinator: User,
    region: Region,
    caritas: Organization,
    clinic: Organization,
) -> None:
    cooperation = CooperationFactory(region=region, organization_a=caritas, organization_b=clinic)
    client = client_for(outside_coordinator)
    assert client.get(f"/network/cooperations/{cooperation.pk}/edit/").status_code == 404
    assert client.post(f"/network/cooperations/{cooperation.pk}/end/").status_code == 404
    outsider_pair = client.post(
        "/network/cooperations/new/",
        {"organization_a": str(caritas.pk), "organization_b": str(clinic.pk), "kind": "project"},
    )
    assert outsider_pair.status_code == 200
    assert Cooperation.objects.count() == 1
