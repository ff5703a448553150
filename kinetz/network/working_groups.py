"""Working groups (*Arbeitskreise*): their members and delegates, meetings and minutes.

Every write is validated first (`full_clean`), done in one transaction and logged.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from kinetz.accounts.models import User
from kinetz.core.audit import log_action
from kinetz.network.models import (
    Meeting,
    MembershipRole,
    Organization,
    WorkingGroup,
    WorkingGroupMembership,
)
from kinetz.offers.models import TaxonomyTerm


@transaction.atomic
def save_working_group(
    user: User,
    group: WorkingGroup,
    fields_of_action: "QuerySet[TaxonomyTerm] | list[TaxonomyTerm]",
    changed: list[str],
) -> WorkingGroup:
    """Create or update a group; its lead organisation becomes a member (as chair) if it isn't."""
    created = group._state.adding
    group.full_clean()
    group.save()
    group.fields_of_action.set(fields_of_action)
    if group.chair is not None:
        current = group.memberships.current().filter(organization=group.chair).first()
        if current is None:
            add_member(
                user,
                WorkingGroupMembership(
                    group=group,
                    organization=group.chair,
                    role=MembershipRole.CHAIR,
                    joined=timezone.localdate(),
                ),
            )
    action = "working_group.created" if created else "working_group.changed"
    log_action(user, action, group, fields=changed, name=group.name)
    return group


@transaction.atomic
def add_member(user: User, membership: WorkingGroupMembership) -> WorkingGroupMembership:
    membership.full_clean()
    membership.save()
    log_action(
        user,
        "working_group.member_added",
        membership.group,
        organization=str(membership.organization_id),
        role=membership.role,
    )
    return membership


@transaction.atomic
def update_membership(
    user: User, membership: WorkingGroupMembership, changed: list[str]
) -> WorkingGroupMembership:
    membership.full_clean()
    membership.save()
    log_action(
        user,
        "working_group.member_changed",
        membership.group,
        organization=str(membership.organization_id),
        fields=changed,
    )
    return membership


@transaction.atomic
def end_membership(
    user: User, membership: WorkingGroupMembership, on: date | None = None
) -> WorkingGroupMembership:
    """The organisation leaves the group; the membership stays on record with its dates."""
    if membership.left is None:
        membership.left = on or timezone.localdate()
        if membership.joined and membership.joined > membership.left:
            membership.left = membership.joined
        membership.full_clean()
        membership.save()
        log_action(
            user,
            "working_group.member_left",
            membership.group,
            organization=str(membership.organization_id),
            left=membership.left.isoformat(),
        )
    return membership


@transaction.atomic
def save_meeting(user: User, meeting: Meeting, changed: list[str]) -> Meeting:
    created = meeting._state.adding
    meeting.full_clean()
    meeting.save()
    action = "meeting.scheduled" if created else "meeting.changed"
    log_action(user, action, meeting.group, meeting=str(meeting.pk), fields=changed)
    return meeting


@transaction.atomic
def save_minutes(user: User, meeting: Meeting, minutes: str, approved: bool) -> Meeting:
    """Write the minutes; approving publishes them to everyone who sees the network."""
    meeting.minutes = minutes.strip()
    meeting.minutes_author = user
    was_approved = meeting.minutes_approved_at is not None
    if approved and not was_approved:
        meeting.minutes_approved_at = timezone.now()
    elif not approved:
        meeting.minutes_approved_at = None
    meeting.full_clean()
    meeting.save()
    log_action(
        user,
        "meeting.minutes_saved",
        meeting.group,
        meeting=str(meeting.pk),
        approved=meeting.minutes_approved_at is not None,
    )
    return meeting


@dataclass
class GroupOverview:
    """What a working group's page shows."""

    group: WorkingGroup
    members: list[WorkingGroupMembership]
    former_members: list[WorkingGroupMembership]
    upcoming: list[Meeting]
    past: list[Meeting]


def overview(group: WorkingGroup, now: datetime | None = None) -> GroupOverview:
    now = now or timezone.now()
    memberships = group.memberships.select_related(
        "organization", "delegate", "delegate__service"
    ).order_by("organization__name")
    meetings = group.meetings.select_related("minutes_author")
    return GroupOverview(
        group=group,
        members=[m for m in memberships if m.left is None],
        former_members=[m for m in memberships if m.left is not None],
        upcoming=list(meetings.filter(starts_at__gte=now).order_by("starts_at")),
        past=list(meetings.filter(starts_at__lt=now).order_by("-starts_at")),
    )


def memberships_of(organization: Organization) -> QuerySet[WorkingGroupMembership]:
    """The working groups an organisation currently belongs to, for its profile."""
    return (
        WorkingGroupMembership.objects.current()
        .filter(organization=organization)
        .select_related("group", "delegate")
        .order_by("group__name")
    )


def minutes_visible(meeting: Meeting, can_manage: bool) -> bool:
    """Draft minutes are for the network's managers; approved minutes for every reader."""
    return bool(meeting.minutes) and (can_manage or meeting.minutes_approved_at is not None)
