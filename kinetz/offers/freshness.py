"""Freshness of the catalogue: which published offers were not verified for too long.

An offer is *stale* when it is published and its `last_verified` date (HSDS assured_date) —
or, if it was never verified, the day it was entered — lies more than
`KINETZ_STALE_AFTER_MONTHS` months back. The editors of a provider with stale offers get one
reminder per `KINETZ_REMINDER_INTERVAL_DAYS` days (`manage.py send_freshness_reminders`).
"""

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinetz.network.models import Organization
from kinetz.offers.models import FreshnessReminder, ReviewState, Service
from kinetz.offers.tasks import organization_editors, send_freshness_reminder


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day if shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def stale_cutoff(today: date) -> date:
    """Offers last verified before this day are stale."""
    return months_before(today, settings.KINETZ_STALE_AFTER_MONTHS)


def stale_filter(today: date) -> Q:
    cutoff = stale_cutoff(today)
    start = timezone.make_aware(datetime.combine(cutoff, time.min))
    return Q(review_state=ReviewState.PUBLISHED) & (
        Q(last_verified__lt=cutoff) | Q(last_verified__isnull=True, created__lt=start)
    )


def stale_services(services: QuerySet[Service], today: date) -> QuerySet[Service]:
    return services.filter(stale_filter(today))


def is_stale(service: Service, today: date) -> bool:
    if service.review_state != ReviewState.PUBLISHED:
        return False
    verified = service.last_verified or timezone.localdate(service.created)
    return verified < stale_cutoff(today)


# Shares for the staff page -----------------------------------------------------------------


@dataclass
class StaleShare:
    label: str
    total: int
    stale: int
    key: str = ""

    @property
    def percent(self) -> float:
        return 100.0 * self.stale / self.total if self.total else 0.0


def _shares(
    services: QuerySet[Service], today: date, key: str, label: str, empty_label: str
) -> list[StaleShare]:
    stale = stale_filter(today)
    rows = (
        services.filter(review_state=ReviewState.PUBLISHED)
        .values(key, label)
        .annotate(
            total=Count("id", distinct=True),
            stale=Count("id", filter=stale, distinct=True),
        )
        .order_by(label)
    )
    return [
        StaleShare(
            key=str(row[key] or ""),
            label=row[label] or empty_label,
            total=row["total"],
            stale=row["stale"],
        )
        for row in rows
    ]


def share_by_municipality(services: QuerySet[Service], today: date) -> list[StaleShare]:
    """Per municipality where the offers take place (an offer in two places counts in both)."""
    return _shares(
        services,
        today,
        "at_locations__location__municipality_id",
        "at_locations__location__municipality__name",
        str(_("No place given")),
    )


def share_by_provider(services: QuerySet[Service], today: date) -> list[StaleShare]:
    return _shares(services, today, "organization_id", "organization__name", "")


def summary(services: QuerySet[Service], today: date) -> StaleShare:
    published = services.filter(review_state=ReviewState.PUBLISHED)
    return StaleShare(
        label="",
        total=published.count(),
        stale=stale_services(published, today).count(),
    )


SORT_KEYS = {
    "name": lambda s: s.label.lower(),
    "total": lambda s: s.total,
    "stale": lambda s: s.stale,
    "share": lambda s: s.percent,
}


def sort_shares(shares: list[StaleShare], sort: str) -> list[StaleShare]:
    """Sort by 'name', 'total', 'stale' or 'share'; a leading '-' sorts descending."""
    descending = sort.startswith("-")
    key = SORT_KEYS.get(sort.lstrip("-"), SORT_KEYS["share"])
    if sort.lstrip("-") not in SORT_KEYS:
        descending = True
    return sorted(shares, key=key, reverse=descending)


# Reminders -------------------------------------------------------------------------------


@dataclass
class ReminderRun:
    sent: list[Organization] = field(default_factory=list)
    recently_reminded: list[Organization] = field(default_factory=list)
    without_editors: list[Organization] = field(default_factory=list)


def _enqueue_reminder(organization_id: str, service_ids: list[str]) -> Callable[[], None]:
    def enqueue() -> None:
        send_freshness_reminder.enqueue(organization_id, service_ids)

    return enqueue


def send_reminders(now: datetime | None = None) -> ReminderRun:
    """Enqueue one reminder per organisation with stale offers, unless it had one recently.

    Runs for every region (an operator's command). Organisations without an active editor are
    listed, not recorded, so that they get their reminder once someone is invited.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    recent = now - timedelta(days=settings.KINETZ_REMINDER_INTERVAL_DAYS)
    stale = stale_services(Service.objects.across_regions(), today)
    run = ReminderRun()
    organization_ids = stale.values_list("organization_id", flat=True).distinct()
    for organization in (
        Organization.objects.across_regions().filter(pk__in=organization_ids).order_by("name")
    ):
        with transaction.atomic():
            # The lock makes two runs at the same time send one reminder, not two.
            Organization.objects.select_for_update().filter(pk=organization.pk).first()
            if FreshnessReminder.objects.filter(
                organization=organization, sent_at__gt=recent
            ).exists():
                run.recently_reminded.append(organization)
                continue
            editors = organization_editors(organization.pk)
            if not editors:
                run.without_editors.append(organization)
                continue
            service_ids = [
                str(pk)
                for pk in stale.filter(organization=organization).values_list("pk", flat=True)
            ]
            FreshnessReminder.objects.create(
                organization=organization,
                sent_at=now,
                stale_offers=len(service_ids),
                recipients=len(editors),
            )
            transaction.on_commit(_enqueue_reminder(str(organization.pk), service_ids))
            run.sent.append(organization)
    return run
