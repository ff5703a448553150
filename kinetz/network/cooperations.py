"""Cooperations between organisations: record, change, end; list them for a profile."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from kinetz.accounts.models import User
from kinetz.core.audit import log_action
from kinetz.network.models import Cooperation, Organization


@transaction.atomic
def save_cooperation(user: User, cooperation: Cooperation, changed: list[str]) -> Cooperation:
    created = cooperation._state.adding
    cooperation.full_clean()
    cooperation.save()
    log_action(
        user,
        "cooperation.recorded" if created else "cooperation.changed",
        cooperation,
        organizations=[str(cooperation.organization_a_id), str(cooperation.organization_b_id)],
        kind=cooperation.kind,
        fields=changed,
    )
    return cooperation


@transaction.atomic
def end_cooperation(user: User, cooperation: Cooperation, on: date | None = None) -> Cooperation:
    """End a running cooperation (today unless said otherwise); an ended one stays as it is."""
    if cooperation.ended is None:
        ended = on or timezone.localdate()
        if cooperation.started and ended < cooperation.started:
            ended = cooperation.started
        cooperation.ended = ended
        cooperation.full_clean()
        cooperation.save()
        log_action(user, "cooperation.ended", cooperation, ended=ended.isoformat())
    return cooperation


@dataclass
class PartnerRow:
    """One cooperation as seen from one of its two organisations."""

    cooperation: Cooperation
    partner: Organization
    is_current: bool


def cooperations_of(organization: Organization, today: date | None = None) -> list[PartnerRow]:
    """An organisation's cooperations, running ones first, each with its partner."""
    today = today or timezone.localdate()
    cooperations = (
        Cooperation.objects.in_region(organization.region)
        .involving(organization)
        .select_related("organization_a", "organization_b")
    )
    rows = [
        PartnerRow(
            cooperation=c, partner=c.partner_of(organization), is_current=c.is_current(today)
        )
        for c in cooperations
    ]
    rows.sort(key=lambda row: (not row.is_current, row.partner.name.casefold()))
    return rows
