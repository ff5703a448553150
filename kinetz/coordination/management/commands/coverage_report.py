import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinetz.coordination import coverage
from kinetz.interop.management.commands.import_hsds import region_from_option

TABLE_ROWS = 40


class Command(BaseCommand):
    help = (
        "Coverage of published offers by municipality x field of action x target group, "
        "with a gap score. --json OUT writes every cell; without it (or with '-' for the "
        "table) the thinnest cells are printed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", metavar="OUT", help="write the cells as JSON to OUT")
        parser.add_argument("--region", help="region slug (default: the only region)")
        parser.add_argument("--language", default="", help="only offers in this language (ISO)")

    def handle(self, *args: Any, **options: Any) -> None:
        region = region_from_option(options["region"])
        language = (options["language"] or "").strip().lower()
        offered = [code for code, _name in coverage.languages_offered(region)]
        if language and language not in offered:
            raise CommandError(
                f"--language {language}: no published offer in this language; "
                f"offered: {', '.join(offered) or 'none'}"
            )
        result = coverage.compute(region, language)
        out = options["json"]
        if out and out != "-":
            data = {"cells": [cell.as_contract(language) for cell in result.cells]}
            try:
                Path(out).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
            except OSError as error:
                raise CommandError(f"--json {out}: cannot write the file ({error})") from error
            self.stdout.write(f"{len(result.cells)} cells written to {out}")
            return
        self._table(result)

    def _table(self, result: coverage.Coverage) -> None:
        thin = result.thinnest(TABLE_ROWS)
        self.stdout.write(
            f"{region_line(result)}: {len(result.cells)} cells, "
            f"{len(result.thinnest())} with a gap; the thinnest {len(thin)}:"
        )
        header = f"{'municipality':<20} {'field of action':<24} {'target group':<22} "
        self.stdout.write(header + "offers  per 10k  expected  gap")
        for cell in thin:
            per = f"{cell.per_10k:.2f}" if cell.per_10k is not None else "-"
            self.stdout.write(
                f"{cell.municipality.name[:20]:<20} {cell.field.code[:24]:<24} "
                f"{cell.group.code[:22]:<22} {cell.offers:>6}  {per:>7}  "
                f"{cell.expected:>8.2f}  {cell.gap_score:.2f}"
            )
        if result.fallbacks:
            wanted = ", ".join(f"{g} ({i})" for g, i in sorted(result.fallbacks.items()))
            self.stdout.write(f"Population used instead of the missing indicator for: {wanted}")


def region_line(result: coverage.Coverage) -> str:
    language = f", language {result.language}" if result.language else ""
    return f"{result.region.name}{language}"
