from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from kinetz.interop.importing import ImportError_, import_hsds
from kinetz.interop.reading import read_input
from kinetz.territory.models import Region


def region_from_option(slug: str | None) -> Region:
    if slug:
        region = Region.objects.filter(slug=slug).first()
        if region is None:
            raise CommandError(f"--region {slug}: no such region (load it with load_territory)")
        return region
    regions = list(Region.objects.all()[:2])
    if len(regions) != 1:
        raise CommandError(
            "--region is needed: "
            + ("no region is loaded yet (run load_territory)" if not regions else "several regions")
        )
    return regions[0]


class Command(BaseCommand):
    help = "Import HSDS 3.0 JSON (a folder or one file): all or nothing, updates by id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--region", help="region slug (default: the only region)")
        parser.add_argument("--dry-run", action="store_true", help="report, change nothing")
        parser.add_argument(
            "--draft", action="store_true", help="send the records to review instead of publishing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        region = region_from_option(options["region"])
        data = read_input(options["path"])  # read and checked once
        total = len(data.services)
        bar = tqdm(total=total, unit="services", disable=not self.stderr.isatty() or total == 0)

        def progress(done: int) -> None:
            bar.update(done - bar.n)

        try:
            result = import_hsds(
                options["path"],
                region,
                dry_run=options["dry_run"],
                draft=options["draft"],
                progress=progress,
                data=data,
            )
        except ImportError_ as error:
            raise CommandError(
                f"{len(error.problems)} problem(s), nothing was imported:\n"
                + "\n".join(error.problems)
            ) from None
        finally:
            bar.close()
        prefix = "Dry run, nothing changed. Would import: " if result.dry_run else "Imported: "
        self.stdout.write(self.style.SUCCESS(prefix + result.summary()))
        if not result.dry_run:
            # The importer writes in bulk without signals: refresh the search index (a rebuild
            # by the task worker; skipped while no index has been built yet).
            from kinetz.finder.index import current_generation
            from kinetz.finder.tasks import rebuild_index

            if current_generation() is not None:
                rebuild_index.enqueue()
