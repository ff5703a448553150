"""Merging duplicates (kinetz.coordination.merging): every reference moves, the merged record is
archived or removed, everything in one transaction, and an undo puts back exactly what moved."""

from typing import Any

import pytest
from django.db import models

from kinetz.accounts.models import User
from kinetz.accounts.roles import Role
from kinetz.coordination import merging
from kinetz.coordination.merging import MergeError, referencing_fields
from kinetz.coordination.models import DuplicateKind, Merge, NotTheSame
from kinetz.core.models import AuditEntry
from kinetz.finder import signals as finder_signals
from kinetz.finder.models import ProblemKind, ProblemReport
from kinetz.network.models import Contact, Cooperation, Organization, Phone, WorkingGroupMembership
from kinetz.offers.models import (
    Address,
    CostOption,
    Location,
    OrganizationLocation,
    ReviewState,
    RevisionState,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    ServiceLanguage,
    ServiceRevision,
    ServiceTranslation,
)
from kinetz.territory.models import Region
from tests.factories import (
    ContactFactory,
    CooperationFactory,
    OrganizationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)


def references(model: type[models.Model], *records: models.Model) -> dict[tuple[str, str], Any]:
    """Every row pointing at one of `records`: (model, pk) → its keys to `model`'s records."""
    ids = [record.pk for record in records]
    found: dict[tuple[str, str], Any] = {}
    for fk in referencing_fields(model):
        for row in fk.model._base_manager.filter(**{f"{fk.attname}__in": ids}):
            keys = tuple(
                (f.attname, getattr(row, f.attname))
                for f in row._meta.concrete_fields
                if f.is_relation and f.related_model is model
            )
            found[(row._meta.label, str(row.pk))] = keys
    return found


def location(region: Region, name: str) -> Location:
    place = Location.objects.create(region=region, name=name)
    Address.objects.create(
        location=place,
        address_1="Markt 1",
        city="Kleve",
        state_province="NRW",
        postal_code="47533",
        country="DE",
        address_type="physical",
    )
    return place


@pytest.fixture
def provider(region: Region) -> Organization:
    return OrganizationFactory(region=region, name="Volkshochschule Kleve")


@pytest.fixture
def kept(provider: Organization) -> Service:
    return ServiceFactory(organization=provider, name="Sprachcafé Kleve")


@pytest.fixture
def duplicate(provider: Organization, region: Region, coordinator: User) -> Service:
    """The second entry of the same offer, with one of everything that can refer to an offer."""
    service = ServiceFactory(organization=provider, name="Sprachcafe Kleve")
    ContactFactory(organization=None, service=service, name="Frau Beispiel")
    Phone.objects.create(service=service, number="02821 000123")
    ServiceAttribute.objects.create(
        service=service, taxonomy_term=TaxonomyTermFactory(), link_type="handlungsfeld"
    )
    at_place = ServiceAtLocation.objects.create(
        service=service, location=location(region, "Rathaus")
    )
    Schedule.objects.create(service=service, service_at_location=at_place, freq="WEEKLY")
    ServiceLanguage.objects.create(service=service, code="ar", name="Arabisch")
    CostOption.objects.create(service=service, option="kostenlos")
    ServiceTranslation.objects.create(
        service=service, language="en", field="name", text="Language café", source_digest="x"
    )
    ServiceRevision.objects.create(service=service, state=RevisionState.PUBLISHED)
    ProblemReport.objects.create(service=service, region=region, kind=ProblemKind.OUTDATED)
    return service


def test_every_model_that_refers_to_an_offer_is_found() -> None:
    found = {fk.model._meta.label for fk in referencing_fields(Service)}
    assert {
        "network.Contact",
        "network.Phone",
        "offers.ServiceAtLocation",
        "offers.Schedule",
        "offers.ServiceTranslation",
        "offers.ServiceRevision",
        "finder.ProblemReport",
    } <= found
    assert not any(label.startswith("offers.Historical") for label in found)


def test_merging_offers_moves_every_reference_and_archives_the_merged_offer(
    kept: Service, duplicate: Service, coordinator: User
) -> None:
    before = references(Service, duplicate)
    assert len(before) == 10

    merge = merging.merge_services(kept, duplicate, coordinator)

    assert references(Service, duplicate) == {}
    after = references(Service, kept)
    assert set(after) == set(before)
    duplicate.refresh_from_db()
    assert duplicate.review_state == ReviewState.ARCHIVED
    last = duplicate.history.first()
    assert last.history_user == coordinator
    assert str(kept.pk) in last.history_change_reason
    assert merge.survivor_id == kept.pk
    assert merge.merged_id == duplicate.pk
    assert len(merge.moved) == 10
    assert merge.dropped == []
    entry = AuditEntry.objects.get(action="services.merged")
    assert entry.target_id == str(kept.pk)
    assert entry.data["merged"] == str(duplicate.pk)


def test_a_merged_offer_leaves_the_index_and_the_survivor_is_reindexed(
    kept: Service, duplicate: Service, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    reindexed: list[str] = []
    monkeypatch.setattr(finder_signals, "enqueue_update", lambda pk: reindexed.append(str(pk)))
    merging.merge_services(kept, duplicate, coordinator)
    assert str(duplicate.pk) in reindexed
    assert str(kept.pk) in reindexed


def test_a_translation_the_survivor_already_has_is_dropped_and_restored_by_undo(
    kept: Service, duplicate: Service, coordinator: User
) -> None:
    ServiceTranslation.objects.create(
        service=kept, language="en", field="name", text="Language cafe Kleve", source_digest="y"
    )
    merge = merging.merge_services(kept, duplicate, coordinator)

    translations = ServiceTranslation.objects.filter(service=kept, language="en", field="name")
    assert [t.text for t in translations] == ["Language cafe Kleve"]
    assert [row["model"] for row in merge.dropped] == ["offers.servicetranslation"]

    merging.undo_merge(merge, coordinator)
    back = ServiceTranslation.objects.get(service=duplicate, language="en", field="name")
    assert back.text == "Language café"


def test_what_the_survivor_already_lists_is_not_listed_twice(
    kept: Service, duplicate: Service, coordinator: User
) -> None:
    ServiceLanguage.objects.create(service=kept, code="ar", name="Arabisch", position=3)
    ServiceLanguage.objects.create(service=kept, code="de", name="Deutsch")
    merge = merging.merge_services(kept, duplicate, coordinator)

    languages = sorted(ServiceLanguage.objects.filter(service=kept).values_list("code", flat=True))
    assert languages == ["ar", "de"]
    assert [row["model"] for row in merge.dropped] == ["offers.servicelanguage"]

    merging.undo_merge(merge, coordinator)
    assert ServiceLanguage.objects.get(service=duplicate).code == "ar"
    assert ServiceLanguage.objects.filter(service=kept).count() == 2


def test_a_failure_half_way_through_a_merge_changes_nothing(
    kept: Service, duplicate: Service, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = references(Service, kept, duplicate)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    # Everything has moved and the offer is archived when the merge is to be recorded.
    monkeypatch.setattr(merging, "_record_merge", broken)
    with pytest.raises(RuntimeError):
        merging.merge_services(kept, duplicate, coordinator)

    assert references(Service, kept, duplicate) == before
    duplicate.refresh_from_db()
    assert duplicate.review_state == ReviewState.PUBLISHED
    assert not Merge.objects.exists()
    assert not AuditEntry.objects.filter(action="services.merged").exists()


def test_undo_restores_exactly_and_keeps_what_the_survivor_got_since(
    kept: Service, duplicate: Service, coordinator: User
) -> None:
    before = references(Service, kept, duplicate)
    merge = merging.merge_services(kept, duplicate, coordinator)
    later = Phone.objects.create(service=kept, number="02821 000999")

    result = merging.undo_merge(merge, coordinator)

    later.refresh_from_db()
    assert later.service_id == kept.pk
    del_later = dict(references(Service, kept, duplicate).items())
    del_later.pop(("network.Phone", str(later.pk)))
    assert del_later == before
    duplicate.refresh_from_db()
    assert duplicate.review_state == ReviewState.PUBLISHED
    assert result.moved_back == 10
    assert result.skipped == []
    merge.refresh_from_db()
    assert merge.undone_by == coordinator
    assert merge.undone_at is not None
    assert AuditEntry.objects.filter(action="services.merge_undone").count() == 1


def test_undoing_a_merge_twice_is_refused(
    kept: Service, duplicate: Service, coordinator: User
) -> None:
    merge = merging.merge_services(kept, duplicate, coordinator)
    merging.undo_merge(merge, coordinator)
    with pytest.raises(MergeError, match="already undone"):
        merging.undo_merge(merge, coordinator)
    assert AuditEntry.objects.filter(action="services.merge_undone").count() == 1


def test_a_record_cannot_be_merged_twice_or_into_itself(
    kept: Service, duplicate: Service, coordinator: User
) -> None:
    with pytest.raises(MergeError, match="itself"):
        merging.merge_services(kept, kept, coordinator)
    merging.merge_services(kept, duplicate, coordinator)
    with pytest.raises(MergeError, match="already merged"):
        merging.merge_services(kept, duplicate, coordinator)


def test_offers_of_two_regions_are_not_merged(
    kept: Service, other_region: Region, coordinator: User
) -> None:
    elsewhere = ServiceFactory(organization=OrganizationFactory(region=other_region))
    with pytest.raises(MergeError, match="same region"):
        merging.merge_services(kept, elsewhere, coordinator)


# Organisations --------------------------------------------------------------------------------


@pytest.fixture
def organisations(region: Region) -> dict[str, Organization]:
    return {
        "kept": OrganizationFactory(region=region, name="Caritasverband Kleve e.V."),
        "merged": OrganizationFactory(region=region, name="Caritas Kleve", email="c@example.org"),
        "partner": OrganizationFactory(region=region, name="Diakonie Kleve"),
        "other": OrganizationFactory(region=region, name="Stadt Kleve"),
    }


def test_merging_organisations_moves_everything_and_undo_restores_it(
    organisations: dict[str, Organization], region: Region, coordinator: User
) -> None:
    kept, merged = organisations["kept"], organisations["merged"]
    partner, other = organisations["partner"], organisations["other"]
    offer = ServiceFactory(organization=merged)
    contact = ContactFactory(organization=merged)
    Phone.objects.create(organization=merged, number="02821 000321")
    office = location(region, "Geschäftsstelle")
    office.organization = merged
    office.save()
    shared = location(region, "Haus der Begegnung")
    OrganizationLocation.objects.create(organization=kept, location=shared)
    OrganizationLocation.objects.create(organization=merged, location=shared)
    OrganizationLocation.objects.create(organization=merged, location=office)
    editor = UserFactory(region=region, role=Role.PROVIDER_EDITOR, organization=merged)
    group = WorkingGroupFactory(region=region, chair=merged)
    WorkingGroupMembershipFactory(group=group, organization=kept)
    WorkingGroupMembershipFactory(group=group, organization=merged, delegate=contact)
    second_group = WorkingGroupFactory(region=region)
    WorkingGroupMembershipFactory(group=second_group, organization=merged)
    CooperationFactory(region=region, organization_a=kept, organization_b=merged)
    CooperationFactory(region=region, organization_a=kept, organization_b=partner)
    CooperationFactory(region=region, organization_a=merged, organization_b=partner)
    CooperationFactory(region=region, organization_a=merged, organization_b=other)
    child = OrganizationFactory(region=region, parent=merged)
    kept.parent = merged
    kept.save()
    before = references(Organization, kept, merged, partner, other)
    merged_fields = Organization.objects.filter(pk=merged.pk).values().get()

    merge = merging.merge_organizations(kept, merged, coordinator)

    assert not Organization.objects.filter(pk=merged.pk).exists()
    assert references(Organization, merged) == {}
    offer.refresh_from_db()
    editor.refresh_from_db()
    child.refresh_from_db()
    kept.refresh_from_db()
    assert offer.organization_id == kept.pk
    assert editor.organization_id == kept.pk
    assert child.parent_id == kept.pk
    assert kept.parent_id is None  # it cannot be its own parent
    assert WorkingGroupMembership.objects.filter(group=group, organization=kept).count() == 1
    assert WorkingGroupMembership.objects.filter(group=second_group, organization=kept).exists()
    pairs = {
        frozenset((c.organization_a_id, c.organization_b_id))
        for c in Cooperation.objects.involving(kept)
    }
    assert pairs == {frozenset((kept.pk, partner.pk)), frozenset((kept.pk, other.pk))}
    assert OrganizationLocation.objects.filter(organization=kept).count() == 2
    dropped = sorted(row["model"] for row in merge.dropped)
    assert dropped == [
        "network.cooperation",
        "network.cooperation",
        "network.workinggroupmembership",
        "offers.organizationlocation",
    ]

    merging.undo_merge(merge, coordinator)

    assert Organization.objects.filter(pk=merged.pk).values().get() == merged_fields
    assert references(Organization, kept, merged, partner, other) == before
    assert Contact.objects.get(pk=contact.pk).organization_id == merged.pk
    assert merged.history.first().history_type == "+"  # the restored row has its history


def test_a_failure_half_way_through_an_organisation_merge_changes_nothing(
    organisations: dict[str, Organization],
    region: Region,
    coordinator: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kept, merged = organisations["kept"], organisations["merged"]
    ServiceFactory(organization=merged)
    CooperationFactory(region=region, organization_a=kept, organization_b=merged)
    before = references(Organization, kept, merged)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(merging, "_record_merge", broken)
    with pytest.raises(RuntimeError):
        merging.merge_organizations(kept, merged, coordinator)

    assert Organization.objects.filter(pk=merged.pk).exists()
    assert references(Organization, kept, merged) == before


# "Not the same" --------------------------------------------------------------------------------


def test_not_the_same_is_stored_once_in_canonical_order(
    kept: Service, duplicate: Service, coordinator: User
) -> None:
    first = merging.mark_not_the_same(DuplicateKind.SERVICES, duplicate, kept, coordinator)
    again = merging.mark_not_the_same(DuplicateKind.SERVICES, kept, duplicate, coordinator)
    assert first.pk == again.pk
    assert str(first.left_id) < str(first.right_id)
    assert {first.left_id, first.right_id} == {kept.pk, duplicate.pk}
    assert NotTheSame.objects.count() == 1
    assert AuditEntry.objects.filter(action="services.not_the_same").count() == 1
    with pytest.raises(MergeError):
        merging.mark_not_the_same(DuplicateKind.SERVICES, kept, kept, coordinator)
