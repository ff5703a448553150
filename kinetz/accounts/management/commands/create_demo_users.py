from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinetz.accounts.demo import DEMO_PASSWORD, create_demo_users
from kinetz.territory.models import Region


class Command(BaseCommand):
    help = "Create (or reset) one demo account per role and print them. Not in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", default=settings.KINETZ_DEFAULT_REGION)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo accounts are never created in production.")
        region = Region.objects.filter(slug=options["region"]).first()
        if region is None:
            raise CommandError(
                f"Region {options['region']!r} is not loaded; run load_territory first."
            )
        accounts = create_demo_users(region)
        self.stdout.write(f"\nDemo accounts for {region.name} (password: {DEMO_PASSWORD})")
        for account in accounts:
            line = f"  {account.role:<18} {account.email}"
            if account.totp_secret:
                line += f"   2FA secret {account.totp_secret}  (code: manage.py totp_code EMAIL)"
            self.stdout.write(line)
        self.stdout.write("")
