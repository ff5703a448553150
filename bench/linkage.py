"""Duplicate finder benchmark: quality on labelled sets, and time and memory at scale.

    .venv/bin/python bench/linkage.py quality          # precision, recall, F1
    .venv/bin/python bench/linkage.py train            # retrain the shipped models (tuning set)
    .venv/bin/python bench/linkage.py scale [--sizes 10000,100000]
    .venv/bin/python bench/linkage.py                  # quality, then scale (`make bench`)

quality: imports the shared catalogue as it is, and the "tuning" and "heldout" variants of
bench/linkage_labels.py, each into a fresh SQLite database, runs find_duplicates() and scores
the pairs inside its clusters against the labels (pairwise precision, recall, F1), and counts
the look-alikes (same course in another town, at another time; organisations of the same kind
in another town) that were clustered although they are distinct.

scale: N offers from bench/catalogue.py's generator. Its copies of the demo catalogue are made
into other districts (other postcodes, coordinates, phone numbers and mail domains, as a
state-wide catalogue would have) and imported; then find_duplicates() runs end to end (reading
from the database, predicting, clustering) in a fresh process: wall time, peak memory (RSS),
pairs compared. Import time is not counted.

Results: bench/results/linkage.json. Every database run is a subprocess with its own
DATABASE_URL, because Django reads its settings once at startup.
"""

import argparse
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalogue import DEMO, NAMESPACE, fresh_database, generate
from linkage_labels import write as write_labelled

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "linkage.json"
TIMEOUT_SECONDS = 1800


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinetz.settings")
    import django

    django.setup()


def _run(*args: str, database: str) -> dict[str, Any]:
    """Run this script with `args` against `database`; its last stdout line is JSON."""
    env = {**os.environ, "DATABASE_URL": database, "DEBUG": "false"}
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, __file__, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip()[-3000:] or "failed")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _load(folder: Path, workdir: Path) -> str:
    database = fresh_database("sqlite", workdir)
    _run("--import", str(folder), database=database)
    return database


# Steps inside a subprocess ---------------------------------------------------------------------


def step_import(folder: Path) -> dict[str, Any]:
    _django()
    from io import StringIO

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_territory", "kleve", stdout=StringIO())
    out = StringIO()
    call_command("import_hsds", str(folder), stdout=out)
    return {"import": out.getvalue().strip()}


def step_train(labels: Path) -> dict[str, Any]:
    _django()
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("train_linkage", labels=labels, stdout=out)
    return {"train": out.getvalue().strip()}


def step_quality(labels_path: Path | None) -> dict[str, Any]:
    _django()
    from kinetz.coordination.linkage import KINDS, find_duplicates

    labels = json.loads(labels_path.read_text()) if labels_path else {}
    result = find_duplicates()
    figures: dict[str, Any] = {}
    for kind in KINDS:
        clusters = getattr(result, kind)
        found = {frozenset(p) for c in clusters for p in itertools.combinations(c.ids, 2)}
        truth = {frozenset(p) for p in labels.get(kind, {}).get("matches", [])}
        lookalikes = {frozenset(p) for p in labels.get(kind, {}).get("distinct", [])}
        hits = len(found & truth)
        precision = hits / len(found) if found else None
        recall = hits / len(truth) if truth else None
        f1 = (
            2 * precision * recall / (precision + recall)
            if precision is not None and recall is not None and precision + recall
            else None
        )
        figures[kind] = {
            "labelled_pairs": len(truth),
            "found_pairs": len(found),
            "true_positives": hits,
            "false_positives": len(found - truth),
            "false_negatives": len(truth - found),
            "precision": None if precision is None else round(precision, 3),
            "recall": None if recall is None else round(recall, 3),
            "f1": None if f1 is None else round(f1, 3),
            "lookalikes": len(lookalikes),
            "lookalikes_clustered": len(found & lookalikes),
            "pairs_compared": result.pairs_compared[kind],
            "clusters": len(clusters),
        }
    return figures


def step_scale() -> dict[str, Any]:
    _django()
    from kinetz.coordination.linkage import find_duplicates

    start = time.perf_counter()
    result = find_duplicates()
    seconds = time.perf_counter() - start
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "pairs_compared": result.pairs_compared,
        "clusters": {"services": len(result.services), "organizations": len(result.organizations)},
    }


# Scale data --------------------------------------------------------------------------------


def as_districts(folder: Path) -> None:
    """Make copy k of the generated catalogue (k ≥ 1) a district of its own: other postcodes,
    coordinates, phone numbers and mail domains. Names stay: every district has its
    "Sprachtreff Deutsch" and its "Caritasverband", which are not duplicates."""
    demo_services = json.loads((DEMO / "services.json").read_text())["contents"]
    demo_orgs = json.loads((DEMO / "organizations.json").read_text())["contents"]
    with (folder / "services.json").open(encoding="utf-8") as header:
        total = json.loads(header.readline().split(', "contents"')[0] + "}")["total_items"]
    copies = total // len(demo_services) + 1
    copy_of = {
        str(uuid.uuid5(NAMESPACE, f"{k}:{org['id']}")): k
        for k in range(copies)
        for org in demo_orgs
    }

    def shift(value: Any, k: int) -> Any:
        if isinstance(value, dict):
            moved = {key: shift(item, k) for key, item in value.items()}
            if "latitude" in moved and moved["latitude"] is not None:
                moved["latitude"] = round(moved["latitude"] + (k % 12) * 0.7, 6)
                moved["longitude"] = round(moved["longitude"] + (k // 12) * 0.9, 6)
            if "postal_code" in moved:
                moved["postal_code"] = f"{(int(moved['postal_code']) + 7919 * k) % 89999 + 10000}"
                moved["city"] = f"{moved.get('city', '')} {k}"
            area, _, local = str(moved.get("number", "")).partition(" ")
            if area.isdigit() and local:
                moved["number"] = f"0{(int(area) + 37 * k) % 8999 + 1000} {local}"
            for key in ("email", "url", "website"):
                if isinstance(moved.get(key), str):
                    moved[key] = moved[key].replace(".example.org", f"-{k}.example.org")
            return moved
        if isinstance(value, list):
            return [shift(item, k) for item in value]
        return value

    for name, owner in (("services", "organization_id"), ("organizations", "id")):
        # Line by line: catalogue.generate writes one record per line, and 100,000 offers
        # are too many to hold as Python objects at once.
        source = folder / f"{name}.json"
        target = folder / f"{name}.districts.json"
        with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
            for line in lines:
                body = line.rstrip("\n")
                comma = body.endswith(",")
                if not body.startswith('{"id"'):
                    out.write(line)
                    continue
                record = json.loads(body.removesuffix(","))
                k = copy_of.get(record[owner], 0)
                out.write(json.dumps(shift(record, k) if k else record, ensure_ascii=False))
                out.write(",\n" if comma else "\n")
        target.replace(source)


# Driver ----------------------------------------------------------------------------------------


def quality(workdir: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    catalogue = _load(DEMO, workdir)
    figures["catalogue"] = _run("--quality", "-", database=catalogue)
    for variant in ("tuning", "heldout", "stress"):
        folder = workdir / variant
        counts = write_labelled(folder, variant)
        database = _load(folder, workdir)
        figures[variant] = {
            "data": counts,
            **_run("--quality", str(folder / "labels.json"), database=database),
        }
    return figures


def train(workdir: Path) -> dict[str, Any]:
    folder = workdir / "tuning"
    write_labelled(folder, "tuning")
    database = _load(folder, workdir)
    return _run("--train", str(folder / "labels.json"), database=database)


def scale(workdir: Path, sizes: list[int]) -> list[dict[str, Any]]:
    runs = []
    for size in sizes:
        print(f"{size} services ...", file=sys.stderr, flush=True)
        folder = workdir / f"hsds-{size}"
        counts = generate(size, folder)
        as_districts(folder)
        database = _load(folder, workdir)
        runs.append({"size": size, **counts, **_run("--scale", database=database)})
    return runs


def _report(update: dict[str, Any]) -> None:
    report: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    report.update(update)
    report["machine"] = {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", choices=["quality", "train", "scale"])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--import", dest="import_", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--train", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--quality", help=argparse.SUPPRESS)
    parser.add_argument("--scale", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_:
        print(json.dumps(step_import(args.import_)))
    elif args.train:
        print(json.dumps(step_train(args.train)))
    elif args.quality:
        print(json.dumps(step_quality(None if args.quality == "-" else Path(args.quality))))
    elif args.scale:
        print(json.dumps(step_scale()))
    else:
        command = args.command or "all"
        sizes = [int(s) for s in args.sizes.split(",") if s]
        with tempfile.TemporaryDirectory(prefix="kinetz-linkage-") as tmp:
            workdir = Path(tmp)
            figures: dict[str, Any] = {}
            if command == "train":
                figures = train(workdir)
            if command in ("quality", "all"):
                figures["quality"] = quality(workdir)
                _report({"quality": figures["quality"]})
            if command in ("scale", "all"):
                figures["scale"] = scale(workdir, sizes)
                _report({"scale": figures["scale"]})
        print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
