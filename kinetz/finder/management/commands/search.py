"""`manage.py search "QUERY" [--lang xx] [--limit N] --json`: the search API from the shell."""

import json
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

os.environ.setdefault("OMP_NUM_THREADS", "1")


class Command(BaseCommand):
    help = "Search published offers (any language); prints the JSON of GET /api/v1/search."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", nargs="?", default="")
        parser.add_argument("--lang", default=None, help="language of the query (e.g. ar, de)")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--municipality", default=None)
        parser.add_argument("--handlungsfeld", default=None)
        parser.add_argument("--zielgruppe", default=None)
        parser.add_argument("--language", default=None, help="language the offer is held in")
        parser.add_argument("--free", action="store_true", default=None)
        parser.add_argument("--weekday", default=None)
        parser.add_argument("--near", default=None, help="municipality slug or postcode")
        parser.add_argument("--radius-km", type=float, default=None)
        parser.add_argument("--json", action="store_true", help="print JSON (the API's shape)")

    def handle(self, *args: Any, **options: Any) -> None:
        from kinetz.finder.api import run_search
        from kinetz.finder.index import IndexMissing
        from kinetz.finder.search import SearchError

        try:
            result = run_search(
                options["query"],
                lang=options["lang"],
                limit=options["limit"],
                municipality=options["municipality"],
                handlungsfeld=options["handlungsfeld"],
                zielgruppe=options["zielgruppe"],
                language=options["language"],
                free=options["free"],
                weekday=options["weekday"],
                near=options["near"],
                radius_km=options["radius_km"],
            )
        except SearchError as error:
            raise CommandError(str(error)) from None
        except IndexMissing:
            raise CommandError(
                "The search index has not been built yet: run manage.py search_index rebuild."
            ) from None
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        for hit in result["results"]:
            self.stdout.write(f"{hit['score']:.4f}  {hit['name']}  ({hit['id']})")
