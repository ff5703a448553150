"""Working groups: members and delegates, meetings and minutes, and who may see or change them."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from kinetz.accounts.models import User
from kinetz.core.models import AuditEntry
from kinetz.network.models import (
    Meeting,
    MembershipRole,
    Organization,
    WorkingGroup,
    WorkingGroupMembership,
)
from kinetz.territory.models import Region
from tests.factories import (
    ContactFactory,
    MeetingFactory,
    OrganizationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)

ClientFor = Callable[[User], Client]


@pytest.fixture
def group(region: Region) -> WorkingGroup:
    return WorkingGroupFactory(region=region, name="Arbeitskreis Sprache und Bildung")


@pytest.fixture
def vhs(region: Region) -> Organization:
    return OrganizationFactory(region=region, name="Volkshochschule Kleve")


@pytest.fixture
def wesel_group(other_region: Region) -> WorkingGroup:
    return WorkingGroupFactory(region=other_region, name="AK Wesel")


# Models and validation -----------------------------------------------------------------


def test_an_organisation_is_a_current_member_only_once(
    group: WorkingGroup, vhs: Organization
) -> None:
    WorkingGroupMembershipFactory(group=group, organization=vhs)
    second = WorkingGroupMembership(group=group, organization=vhs)
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "organization" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_an_organisation_may_rejoin_after_leaving(group: WorkingGroup, vhs: Organization) -> None:
    WorkingGroupMembershipFactory(
        group=group, organization=vhs, joined=date(2022, 1, 1), left=date(2023, 1, 1)
    )
    again = WorkingGroupMembership(group=group, organization=vhs, joined=date(2024, 1, 1))
    again.full_clean()
    again.save()
    assert group.memberships.current().get() == again


def test_delegate_must_be_a_contact_of_the_member_organisation(
    group: WorkingGroup, vhs: Organization, region: Region
) -> None:
    stranger = ContactFactory(organization=OrganizationFactory(region=region))
    membership = WorkingGroupMembership(group=group, organization=vhs, delegate=stranger)
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "delegate" in error.value.message_dict


def test_a_contact_of_the_organisations_offer_can_be_its_delegate(
    group: WorkingGroup, vhs: Organization
) -> None:
    offer_contact = ContactFactory(organization=None, service=ServiceFactory(organization=vhs))
    WorkingGroupMembership(group=group, organization=vhs, delegate=offer_contact).full_clean()


def test_a_member_must_be_of_the_groups_region(group: WorkingGroup, other_region: Region) -> None:
    outsider = OrganizationFactory(region=other_region)
    with pytest.raises(ValidationError) as error:
        WorkingGroupMembership(group=group, organization=outsider).full_clean()
    assert "organization" in error.value.message_dict


# Access --------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(group: WorkingGroup) -> None:
    response = Client().get(f"/network/working-groups/{group.pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_provider_editor_reads_a_group_but_cannot_change_it(
    client_for: ClientFor, provider_editor: User, group: WorkingGroup
) -> None:
    client = client_for(provider_editor)
    assert client.get("/network/working-groups/").status_code == 200
    page = client.get(f"/network/working-groups/{group.pk}/")
    assert page.status_code == 200
    assert "Edit working group" not in page.content.decode()
    assert client.get(f"/network/working-groups/{group.pk}/edit/").status_code == 403
    assert client.post("/network/working-groups/new/", {"name": "AK X"}).status_code == 403
    assert not WorkingGroup.objects.filter(name="AK X").exists()


def test_outside_coordinator_gets_not_found_for_another_regions_group(
    client_for: ClientFor, outside_coordinator: User, group: WorkingGroup
) -> None:
    client = client_for(outside_coordinator)
    assert client.get(f"/network/working-groups/{group.pk}/").status_code == 404
    assert client.get(f"/network/working-groups/{group.pk}/edit/").status_code == 404
    assert client.get(f"/network/working-groups/{group.pk}/members/add/").status_code == 404
    assert "Arbeitskreis Sprache" not in client.get("/network/working-groups/").content.decode()


@pytest.mark.parametrize("role_fixture", ["school_office", "council_viewer"])
def test_roles_without_network_access_see_no_working_groups(
    client_for: ClientFor, request: pytest.FixtureRequest, role_fixture: str, group: WorkingGroup
) -> None:
    user = request.getfixturevalue(role_fixture)
    assert client_for(user).get(f"/network/working-groups/{group.pk}/").status_code == 403


def test_region_admin_may_manage_groups(
    client_for: ClientFor, region_admin: User, group: WorkingGroup
) -> None:
    response = client_for(region_admin).get(f"/network/working-groups/{group.pk}/edit/")
    assert response.status_code == 200


# Forms ---------------------------------------------------------------------------------


def test_coordinator_creates_a_group_with_a_lead_organisation_that_becomes_chair(
    client_for: ClientFor, coordinator: User, vhs: Organization, region: Region
) -> None:
    term = TaxonomyTermFactory(code="hf-sprache", name="Sprache")
    response = client_for(coordinator).post(
        "/network/working-groups/new/",
        {
            "name": "AK Gesundheit",
            "description": "Gesundheit von Zugewanderten",
            "fields_of_action": [str(term.pk)],
            "chair": str(vhs.pk),
            "is_active": "on",
        },
    )
    group = WorkingGroup.objects.get(name="AK Gesundheit")
    assert response.status_code == 302
    assert response["Location"] == f"/network/working-groups/{group.pk}/"
    assert group.region == region
    assert list(group.fields_of_action.all()) == [term]
    chair = group.memberships.get()
    assert (chair.organization, chair.role) == (vhs, MembershipRole.CHAIR)
    assert AuditEntry.objects.filter(action="working_group.created", target_id=str(group.pk))


def test_group_form_names_the_field_of_a_missing_or_duplicate_name(
    client_for: ClientFor, coordinator: User, group: WorkingGroup
) -> None:
    client = client_for(coordinator)
    empty = client.post("/network/working-groups/new/", {"name": ""})
    assert empty.status_code == 200
    assert empty.context["form"].errors["name"]
    duplicate = client.post("/network/working-groups/new/", {"name": group.name.upper()})
    assert duplicate.status_code == 200
    assert "already exists" in duplicate.context["form"].errors["name"][0]
    assert 'id="id_name_error"' in duplicate.content.decode()
    assert WorkingGroup.objects.count() == 1


def test_group_form_refuses_a_lead_organisation_of_another_region(
    client_for: ClientFor, coordinator: User, group: WorkingGroup, other_region: Region
) -> None:
    outsider = OrganizationFactory(region=other_region)
    response = client_for(coordinator).post(
        f"/network/working-groups/{group.pk}/edit/",
        {"name": group.name, "chair": str(outsider.pk), "is_active": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["chair"]
    group.refresh_from_db()
    assert group.chair is None


def test_coordinator_adds_a_member_with_a_delegate(
    client_for: ClientFor, coordinator: User, group: WorkingGroup, vhs: Organization
) -> None:
    delegate = ContactFactory(organization=vhs, name="Anna Beispiel")
    response = client_for(coordinator).post(
        f"/network/working-groups/{group.pk}/members/add/",
        {
            "organization": str(vhs.pk),
            "delegate": str(delegate.pk),
            "role": MembershipRole.MEMBER,
            "joined": "2025-02-01",
        },
    )
    assert response.status_code == 302
    membership = group.memberships.get()
    assert (membership.organization, membership.delegate) == (vhs, delegate)
    assert membership.joined == date(2025, 2, 1)
    page = client_for(coordinator).get(f"/network/working-groups/{group.pk}/").content.decode()
    assert "Volkshochschule Kleve" in page
    assert "Anna Beispiel" in page


def test_add_member_form_offers_only_the_chosen_organisations_contacts(
    client_for: ClientFor, coordinator: User, group: WorkingGroup, vhs: Organization
) -> None:
    own = ContactFactory(organization=vhs, name="Anna Beispiel")
    other = ContactFactory(organization=OrganizationFactory(region=vhs.region), name="Otto Anders")
    response = client_for(coordinator).get(
        f"/network/working-groups/{group.pk}/members/add/", {"organization": str(vhs.pk)}
    )
    choices = list(response.context["form"].fields["delegate"].queryset)
    assert choices == [own]
    assert other not in choices
    wrong = client_for(coordinator).post(
        f"/network/working-groups/{group.pk}/members/add/",
        {"organization": str(vhs.pk), "delegate": str(other.pk), "role": "member"},
    )
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["delegate"]
    assert not group.memberships.exists()


def test_add_member_form_rejects_bad_input_with_field_errors(
    client_for: ClientFor, coordinator: User, group: WorkingGroup, vhs: Organization
) -> None:
    WorkingGroupMembershipFactory(group=group, organization=vhs)
    response = client_for(coordinator).post(
        f"/network/working-groups/{group.pk}/members/add/",
        {"organization": str(vhs.pk), "role": "boss", "joined": "31.02.2025"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"organization", "role", "joined"}
    assert group.memberships.count() == 1


def test_removing_a_member_keeps_the_membership_on_record(
    client_for: ClientFor, coordinator: User, group: WorkingGroup, vhs: Organization
) -> None:
    membership = WorkingGroupMembershipFactory(group=group, organization=vhs)
    response = client_for(coordinator).post(
        f"/network/working-groups/{group.pk}/members/{membership.pk}/end/"
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left == timezone.localdate()
    assert not group.memberships.current().exists()
    page = client_for(coordinator).get(f"/network/working-groups/{group.pk}/").content.decode()
    assert "1 former member" in page


def test_ending_a_membership_needs_a_post(
    client_for: ClientFor, coordinator: User, group: WorkingGroup, vhs: Organization
) -> None:
    membership = WorkingGroupMembershipFactory(group=group, organization=vhs)
    url = f"/network/working-groups/{group.pk}/members/{membership.pk}/end/"
    assert client_for(coordinator).get(url).status_code == 405


def test_coordinator_changes_a_members_role(
    client_for: ClientFor, coordinator: User, group: WorkingGroup, vhs: Organization
) -> None:
    membership = WorkingGroupMembershipFactory(group=group, organization=vhs)
    response = client_for(coordinator).post(
        f"/network/working-groups/{group.pk}/members/{membership.pk}/",
        {"role": MembershipRole.GUEST, "joined": ""},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == MembershipRole.GUEST


# Meetings and minutes ------------------------------------------------------------------


def test_coordinator_schedules_a_meeting_at_local_time(
    client_for: ClientFor, coordinator: User, group: WorkingGroup
) -> None:
    response = client_for(coordinator).post(
        f"/network/working-groups/{group.pk}/meetings/new/",
        {"date": "2030-03-05", "time": "14:30", "place": "Kreishaus", "agenda": "1. Bericht"},
    )
    meeting = group.meetings.get()
    assert response.status_code == 302
    local = timezone.localtime(meeting.starts_at)
    assert (local.date(), local.hour, local.minute) == (date(2030, 3, 5), 14, 30)
    page = client_for(coordinator).get(f"/network/working-groups/{group.pk}/").content.decode()
    assert "Kreishaus" in page


def test_meeting_form_names_missing_date_and_bad_time(
    client_for: ClientFor, coordinator: User, group: WorkingGroup
) -> None:
    response = client_for(coordinator).post(
        f"/network/working-groups/{group.pk}/meetings/new/", {"date": "", "time": "25:99"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"date", "time"}
    assert not Meeting.objects.exists()


def test_draft_minutes_are_shown_only_to_managers_until_approved(
    client_for: ClientFor, coordinator: User, provider_editor: User, group: WorkingGroup
) -> None:
    meeting = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=3))
    url = f"/network/working-groups/{group.pk}/meetings/{meeting.pk}/"
    coordinator_client = client_for(coordinator)
    saved = coordinator_client.post(f"{url}minutes/", {"minutes": "Beschluss: Infostand im Mai."})
    assert saved.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes_author == coordinator
    assert meeting.minutes_approved_at is None
    assert "Infostand im Mai" in coordinator_client.get(url).content.decode()
    assert "Infostand im Mai" not in client_for(provider_editor).get(url).content.decode()

    coordinator_client.post(
        f"{url}minutes/", {"minutes": "Beschluss: Infostand im Mai.", "approved": "on"}
    )
    meeting.refresh_from_db()
    assert meeting.minutes_approved_at is not None
    assert "Infostand im Mai" in client_for(provider_editor).get(url).content.decode()


def test_minutes_form_requires_text(
    client_for: ClientFor, coordinator: User, group: WorkingGroup
) -> None:
    meeting = MeetingFactory(group=group)
    response = client_for(coordinator).post(
        f"/network/working-groups/{group.pk}/meetings/{meeting.pk}/minutes/",
        {"minutes": "   ", "approved": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["minutes"]
    meeting.refresh_from_db()
    assert meeting.minutes_approved_at is None


def test_provider_editor_cannot_write_minutes(
    client_for: ClientFor, provider_editor: User, group: WorkingGroup
) -> None:
    meeting = MeetingFactory(group=group)
    response = client_for(provider_editor).post(
        f"/network/working-groups/{group.pk}/meetings/{meeting.pk}/minutes/",
        {"minutes": "Nicht erlaubt"},
    )
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.minutes == ""


def test_group_page_splits_upcoming_and_past_meetings(
    client_for: ClientFor, coordinator: User, group: WorkingGroup
) -> None:
    MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=7), place="Zukunft")
    MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=7), place="Vergangen")
    response = client_for(coordinator).get(f"/network/working-groups/{group.pk}/")
    overview = response.context["overview"]
    assert [m.place for m in overview.upcoming] == ["Zukunft"]
    assert [m.place for m in overview.past] == ["Vergangen"]


# Organisation profile ------------------------------------------------------------------


def test_organisation_profile_lists_its_working_groups(
    client_for: ClientFor, provider_editor: User, group: WorkingGroup, vhs: Organization
) -> None:
    WorkingGroupMembershipFactory(group=group, organization=vhs, role=MembershipRole.CHAIR)
    content = client_for(provider_editor).get(f"/network/organisations/{vhs.pk}/").content
    page = content.decode()
    assert "Working groups" in page
    assert "Arbeitskreis Sprache und Bildung" in page
    assert f"/network/working-groups/{group.pk}/" in page


def test_a_former_members_joining_date_cannot_move_past_its_leaving_date(
    client_for: ClientFor, coordinator: User, group: WorkingGroup, vhs: Organization
) -> None:
    membership = WorkingGroupMembershipFactory(
        group=group, organization=vhs, joined=date(2022, 1, 1), left=date(2023, 1, 1)
    )
    response = client_for(coordinator).post(
        f"/network/working-groups/{group.pk}/members/{membership.pk}/",
        {"role": MembershipRole.MEMBER, "joined": "2024-01-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["joined"]
    membership.refresh_from_db()
    assert membership.joined == date(2022, 1, 1)
