from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinetz.network.demo import load_demo_network
from kinetz.territory.models import Region


class Command(BaseCommand):
    help = (
        "Create the fictional demo working groups, meetings and cooperations from the demo "
        "catalogue's organisations. Idempotent; not in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", default=settings.KINETZ_DEFAULT_REGION)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo network data is never loaded in production.")
        region = Region.objects.filter(slug=options["region"]).first()
        if region is None:
            raise CommandError(
                f"Region {options['region']!r} is not loaded; run load_territory first."
            )
        result = load_demo_network(region)
        self.stdout.write(f"Demo network for {region.name}: {result.created} records created.")
        if result.missing_organizations:
            names = ", ".join(sorted(result.missing_organizations))
            self.stdout.write(
                f"Skipped relations of organisations not in the catalogue: {names}. "
                "Import the demo catalogue first (import_hsds kinetz/interop/demo/kleve)."
            )
