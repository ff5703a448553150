"""`manage.py find_duplicates [--json OUT] [--region SLUG]`: the duplicate search (DESIGN §6).

Each region searched gets a stored run, which the review queue under
/staff/coordination/duplicates/ then shows. Pairs marked "not the same" and merged records
are never reported.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinetz.coordination import duplicates
from kinetz.coordination.models import DuplicateKind, LinkageRun, RunState
from kinetz.network.models import Organization
from kinetz.offers.models import Service
from kinetz.territory.models import Region


class Command(BaseCommand):
    help = (
        "Find offers and organisations that are the same real thing. --json OUT writes "
        '{"services": [[id, …], …], "organizations": [[…], …]}; without it a summary is printed.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", metavar="OUT", help="write the clusters as JSON to OUT")
        parser.add_argument("--region", help="region slug (default: every region)")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["region"]
        regions = list(Region.objects.filter(slug=slug) if slug else Region.objects.all())
        if slug and not regions:
            raise CommandError(f"--region {slug}: no such region (load it with load_territory)")
        found: dict[str, list[dict[str, Any]]] = {kind.value: [] for kind in DuplicateKind}
        for region in regions:
            run = LinkageRun.objects.create(region=region, state=RunState.RUNNING)
            try:
                run = duplicates.execute(run)
            except Exception as error:
                raise CommandError(f"{region.slug}: the search failed ({error})") from error
            found[DuplicateKind.SERVICES.value] += run.services
            found[DuplicateKind.ORGANIZATIONS.value] += run.organizations
            if not options["json"]:
                self._summary(region, run)
        out = options["json"]
        if out:
            data = duplicates.export_shape(found)
            try:
                Path(out).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
            except OSError as error:
                raise CommandError(f"--json {out}: cannot write the file ({error})") from error
            self.stdout.write(
                f"{len(data['services'])} offer and {len(data['organizations'])} organisation "
                f"clusters written to {out}"
            )

    def _summary(self, region: Region, run: LinkageRun) -> None:
        self.stdout.write(
            f"{region.name}: {len(run.services)} offer cluster(s), "
            f"{len(run.organizations)} organisation cluster(s) "
            f"(pairs compared: {run.pairs_compared or 0})"
        )
        names = {
            str(pk): name
            for model, clusters in ((Service, run.services), (Organization, run.organizations))
            for pk, name in model.objects.filter(
                pk__in=[i for cluster in clusters for i in cluster["ids"]]
            ).values_list("pk", "name")
        }
        for kind, clusters in (("offers", run.services), ("organisations", run.organizations)):
            for cluster in clusters:
                best = max((p["probability"] for p in cluster["pairs"]), default=0.0)
                self.stdout.write(f"  {kind}, probability {best:.3f}:")
                for record_id in cluster["ids"]:
                    self.stdout.write(f"    {record_id}  {names.get(record_id, '?')}")
