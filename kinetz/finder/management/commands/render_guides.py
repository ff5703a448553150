"""`manage.py render_guides`: render the local guides (Wegweiser) into the cache ahead of time.

A large town's guide takes WeasyPrint a few seconds; run this from cron (for example nightly,
with the shared database cache of production) so that visitors get every guide at once. Guides
already cached for the current catalogue are skipped.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinetz.finder import wegweiser
from kinetz.territory.models import Municipality


class Command(BaseCommand):
    help = "Render the printable local guides of every municipality into the cache."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", help="slug of one region (default: every region)")
        parser.add_argument(
            "--languages",
            help="comma-separated language codes (default: every language of the site)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        known = [code for code, _name in settings.LANGUAGES]
        languages = known
        if options["languages"]:
            languages = [code.strip() for code in options["languages"].split(",") if code.strip()]
            unknown = sorted(set(languages) - set(known))
            if unknown:
                raise CommandError(f"--languages: unknown {unknown}; use {', '.join(known)}")
        municipalities = Municipality.objects.across_regions().order_by("name")
        if options["region"]:
            municipalities = municipalities.filter(region__slug=options["region"])
            if not municipalities.exists():
                raise CommandError(f"--region: no municipalities in region {options['region']!r}")
        rendered = cached = 0
        for municipality in municipalities:
            for language in languages:
                if wegweiser.warm(municipality, language):
                    rendered += 1
                else:
                    cached += 1
        self.stdout.write(
            self.style.SUCCESS(f"Local guides: {rendered} rendered, {cached} already cached.")
        )
