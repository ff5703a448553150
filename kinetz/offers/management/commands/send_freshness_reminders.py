from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from kinetz.offers.freshness import send_reminders


class Command(BaseCommand):
    help = (
        "E-mail the editors of every provider with offers not verified for "
        "KINETZ_STALE_AFTER_MONTHS months; at most once per KINETZ_REMINDER_INTERVAL_DAYS days "
        "per organisation. Meant to run daily (cron or systemd timer)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = send_reminders()
        self.stdout.write(
            f"Reminders sent to {len(run.sent)} organisation(s); "
            f"{len(run.recently_reminded)} reminded within the last "
            f"{settings.KINETZ_REMINDER_INTERVAL_DAYS} days; "
            f"{len(run.without_editors)} without an active editor."
        )
        for organization in run.without_editors:
            self.stdout.write(f"  no editor: {organization.name} ({organization.pk})")
