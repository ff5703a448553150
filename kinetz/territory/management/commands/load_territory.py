from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinetz.territory.loading import TerritoryDataError, available_regions, load_region


class Command(BaseCommand):
    help = "Load or update a region's municipalities, boundaries and population (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("region", help=f"region slug, one of: {', '.join(available_regions())}")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_region(options["region"])
        except TerritoryDataError as error:
            raise CommandError("\n".join(error.problems)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.region.name}: {result.created} municipalities created, "
                f"{result.updated} updated."
            )
        )
