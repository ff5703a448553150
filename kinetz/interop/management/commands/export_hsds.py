from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinetz.interop.exporting import export_hsds


class Command(BaseCommand):
    help = (
        "Export the catalogue as HSDS 3.0 JSON (organizations.json, services.json, taxonomy.json)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="folder to write into (created if missing)")
        parser.add_argument("--region", help="region slug (default: all regions)")
        parser.add_argument(
            "--all-states", action="store_true", help="include drafts and archived offers"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = export_hsds(
                options["path"],
                region_slug=options["region"],
                published_only=not options["all_states"],
            )
        except OSError as error:
            raise CommandError(f"{options['path']}: cannot write ({error})") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {counts['services']} services, {counts['organizations']} organizations, "
                f"{counts['taxonomy_terms']} taxonomy terms to {options['path']}"
            )
        )
