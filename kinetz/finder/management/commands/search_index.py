"""`manage.py search_index rebuild|status|examples`: build a new index generation, show the live
one, or re-embed the residents' example queries shipped with the thesaurus."""

import json
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

os.environ.setdefault("OMP_NUM_THREADS", "1")


class Command(BaseCommand):
    help = "Rebuild the search index (a new generation, swapped in atomically) or show its status."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "status", "examples"])

    def handle(self, *args: Any, **options: Any) -> None:
        from kinetz.finder.index import build_generation, refresh_example_vectors, status

        if options["action"] == "examples":
            count = refresh_example_vectors()
            self.stdout.write(self.style.SUCCESS(f"{count} example queries embedded."))
            return
        if options["action"] == "status":
            self.stdout.write(json.dumps(status(), indent=2))
            return
        report = build_generation()
        self.stdout.write(
            self.style.SUCCESS(
                f"Search index {report.generation}: {report.documents} offers in "
                f"{report.seconds:.1f} s ({report.embedding.embedded} passages embedded, "
                f"{report.embedding.texts - report.embedding.embedded} from the cache)."
            )
        )
