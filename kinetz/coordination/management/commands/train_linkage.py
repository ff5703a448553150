import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinetz.coordination import linkage, linkage_model

HELP = """Retrain the duplicate-finding models from the current database and write them to
kinetz/coordination/linkage_models/<kind>.json (or --out DIR), where find_duplicates reads
them. Nothing is trained when duplicates are searched: run this after the catalogue has grown or
changed much, check the results (bench/linkage.py quality), and commit the JSON files.

u probabilities (how often two unrelated records agree) are estimated from random pairs of the
current records. m probabilities (how often duplicates agree) come from --labels, a JSON file
{"services": {"matches": [[id, id], ...]}, "organizations": {"matches": [...]}} of pairs known
to be the same (bench/linkage_labels.py writes one for the shared catalogue, and the KI's
merge decisions are such pairs); without --labels they are estimated by expectation
maximisation, which needs many duplicates in the database and, with Splink 5.0, often stops
with an error (on the shared catalogue it does): then nothing is written; use --labels.

    manage.py train_linkage --labels bench/linkage-data/tuning/labels.json
    manage.py train_linkage --kind organizations --out /tmp/models
"""


class Command(BaseCommand):
    help = HELP

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=linkage.KINDS, help="train one kind (default: both)")
        parser.add_argument(
            "--out",
            type=Path,
            help=f"folder for the model files (default: {linkage_model.MODEL_DIR})",
        )
        parser.add_argument("--labels", type=Path, help="JSON file of known duplicate pairs")
        parser.add_argument("--seed", type=int, default=42, help="seed of the random sampling")

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = [options["kind"]] if options["kind"] else list(linkage.KINDS)
        labels = _read_labels(options["labels"]) if options["labels"] else {}
        for kind in kinds:
            try:
                model = linkage_model.train(kind, labels=labels.get(kind, ()), seed=options["seed"])
            except linkage_model.LinkageModelError as error:
                raise CommandError(str(error)) from None
            path = linkage_model.save_model(model, kind, options["out"])
            info = model["kinetz"]
            self.stdout.write(
                f"{kind}: {info['records']} records, {info['method']}"
                f" ({info['labelled_pairs']} labelled pairs) → {path}"
            )


def _read_labels(path: Path) -> dict[str, list[tuple[str, str]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CommandError(f"--labels {path}: {error}") from None
    labels: dict[str, list[tuple[str, str]]] = {}
    for kind in linkage.KINDS:
        pairs = (data.get(kind) or {}).get("matches", []) if isinstance(data, dict) else None
        if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(i, str) for i in p)
            for p in pairs
        ):
            raise CommandError(f"--labels {path}: {kind}.matches must be a list of [id, id] pairs")
        labels[kind] = [(left, right) for left, right in pairs]
    return labels
