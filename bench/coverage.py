"""Coverage and overlaps benchmark: time of `coverage.compute` and `overlaps.find`.

Uses the generator of bench/catalogue.py (copies of the demo catalogue). Copies of one
catalogue in the same 16 towns would make every copy overlap every other copy, which no real
district does, so copy k is moved to its own set of 16 municipalities (copy k mod 25: at most
400 municipalities, about as many as North Rhine-Westphalia has), and the copies that share a
set have their weekdays moved by one working day each (Monday to Friday). The density of
offers per municipality then grows with the size, as it would in a busier state.

    .venv/bin/python bench/coverage.py [--sizes 10000,100000]

SQLite only (a fresh database in a temporary folder, in a subprocess). Results:
bench/results/coverage.json. Optional: not part of `make test`.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.catalogue import DEMO, NAMESPACE, generate

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "coverage.json"
CLONES = 25
REPEATS = 3
TIMEOUT_SECONDS = 1200
TODAY = date(2025, 1, 15)  # the reference date of the demo catalogue: its courses still run


def _spread(copies: int) -> int:
    """Give copy k of every location its own municipalities; returns the municipalities made."""
    from kinetz.offers.models import Location, Schedule
    from kinetz.territory.models import Municipality, Region

    region = Region.objects.get(slug="kleve")
    originals = list(Municipality.objects.in_region(region))
    clones: dict[tuple[int, Any], Municipality] = {(0, m.pk): m for m in originals}
    for c in range(1, min(copies, CLONES)):
        for m in originals:
            clones[c, m.pk] = Municipality.objects.create(
                region=region,
                ags=f"9{c:02d}{m.ags[-5:]}",
                name=f"{m.name} {c}",
                slug=f"{m.slug}-{c}",
                population=m.population,
                boundary=None,
            )
    services = json.loads((DEMO / "services.json").read_text())["contents"]
    demo_locations = {
        link["location"]["id"] for s in services for link in s.get("service_at_locations", [])
    }
    demo_schedules = {sc["id"] for s in services for sc in s.get("schedules", [])}
    for k in range(1, copies):
        c = k % CLONES
        if c:
            ids = [str(uuid.uuid5(NAMESPACE, f"{k}:{old}")) for old in demo_locations]
            for m in originals:
                Location.objects.filter(pk__in=ids, municipality=m).update(
                    municipality=clones[c, m.pk]
                )
        shift = (k // CLONES) % len(WORKDAYS)
        if shift:
            ids = [str(uuid.uuid5(NAMESPACE, f"{k}:{old}")) for old in demo_schedules]
            moved = list(Schedule.objects.filter(pk__in=ids).exclude(byday=""))
            for schedule in moved:
                schedule.byday = _shifted(schedule.byday, shift)
            Schedule.objects.bulk_update(moved, ["byday"], batch_size=500)
    return len(clones)


WORKDAYS = ("MO", "TU", "WE", "TH", "FR")


def _shifted(byday: str, shift: int) -> str:
    """ "1TU,FR" moved by `shift` working days; weekend days stay."""
    parts = []
    for part in byday.split(","):
        day = part[-2:]
        if day in WORKDAYS:
            day = WORKDAYS[(WORKDAYS.index(day) + shift) % len(WORKDAYS)]
        parts.append(part[:-2] + day)
    return ",".join(parts)


def run_one(data: Path, copies: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinetz.settings")
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command

    from kinetz.coordination import coverage, overlaps
    from kinetz.coordination.overlap_views import PAGE_LIMIT
    from kinetz.territory.models import Region

    call_command("migrate", verbosity=0)
    call_command("load_territory", "kleve", stdout=StringIO())
    call_command("import_hsds", str(data), stdout=StringIO())
    municipalities = _spread(copies)
    region = Region.objects.get(slug="kleve")
    result: dict[str, Any] = {"municipalities": municipalities}
    for name, work in (
        ("coverage", lambda: coverage.compute(region)),
        ("overlaps", lambda: overlaps.find(region, TODAY)),
        # What the staff page computes: the first municipalities up to its limit.
        ("overlaps_page", lambda: overlaps.find_first(region, TODAY, limit=PAGE_LIMIT)[0]),
    ):
        timings = []
        found: Any = None
        for _ in range(REPEATS):
            start = time.perf_counter()
            found = work()
            timings.append(time.perf_counter() - start)
        result[f"{name}_seconds_median"] = round(statistics.median(timings), 3)
        result[f"{name}_seconds_min"] = round(min(timings), 3)
        result[f"{name}_items"] = len(found.cells) if name == "coverage" else len(found)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def measure(size: int, workdir: Path) -> dict[str, Any]:
    data = workdir / f"hsds-{size}"
    generate(size, data)
    services = len(json.loads((DEMO / "services.json").read_text())["contents"])
    copies = -(-size // services)
    database = workdir / f"coverage-{size}.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "false"}
    try:
        done = subprocess.run(  # noqa: S603 - our own script
            [sys.executable, __file__, "--run-one", str(data), "--copies", str(copies)],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {TIMEOUT_SECONDS} s"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--run-one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--copies", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one:
        print(json.dumps(run_one(args.run_one, args.copies)))
        return
    report: dict[str, Any] = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        "database": "sqlite",
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="kinetz-bench-coverage-") as tmp:
        for size in [int(s) for s in args.sizes.split(",") if s]:
            print(f"{size} services ...", file=sys.stderr, flush=True)
            run = {"size": size, **measure(size, Path(tmp))}
            report["runs"].append(run)
            RESULTS.parent.mkdir(parents=True, exist_ok=True)
            RESULTS.write_text(json.dumps(report, indent=1) + "\n")
            print(json.dumps(run), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
