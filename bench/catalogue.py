"""Catalogue benchmark: import_hsds of N services and the HSDS API list latency.

Generates HSDS sets of N services in the shape of the demo catalogue (kinetz/interop/demo/kleve:
its services and organizations copied with fresh deterministic uuid5 ids, same nesting, about
the same ratio of organizations to services, the shared taxonomy), then for each database
creates a fresh database, runs migrate + load_territory kleve, times import_hsds, and measures
GET /api/v1/services?page=K&per_page=50 over random pages (in-process test client).

    .venv/bin/python bench/catalogue.py [--sizes 1000,10000,100000] [--databases sqlite,postgres]

Results: bench/results/catalogue.json. Each database run is a subprocess with its own
DATABASE_URL, because Django reads its settings once at startup.
"""

import argparse
import gc
import json
import math
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "kinetz" / "interop" / "demo" / "kleve"
RESULTS = ROOT / "bench" / "results" / "catalogue.json"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://kinetz.example.org/bench/catalogue")
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
POSTGRES_DB = "kinetz_bench"
API_REQUESTS = 200
PER_PAGE = 50
TIMEOUT_SECONDS = 900  # per size and database


# Data ------------------------------------------------------------------------------------


def _page_header(total: int) -> str:
    return (
        f'{{"total_items": {total}, "total_pages": 1, "page_number": 1, "size": {total}, '
        f'"first_page": true, "last_page": true, "empty": {"true" if not total else "false"}, '
        '"contents": [\n'
    )


class Copier:
    """Copy k of a demo record: every id replaced by uuid5(copy k, old id), except taxonomy ids
    (the taxonomy is shared by all copies)."""

    def __init__(self, keep: set[str]) -> None:
        self.keep = keep

    def copy(self, value: Any, k: int) -> Any:
        if isinstance(value, dict):
            return {
                key: (
                    self._id(item, k)
                    if (key == "id" or key.endswith("_id")) and isinstance(item, str)
                    else self.copy(item, k)
                )
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.copy(item, k) for item in value]
        return value

    def _id(self, value: str, k: int) -> str:
        return value if value in self.keep else str(uuid.uuid5(NAMESPACE, f"{k}:{value}"))


def generate(size: int, folder: Path) -> dict[str, int]:
    """Write taxonomy.json, organizations.json, services.json with `size` services."""
    taxonomy = json.loads((DEMO / "taxonomy.json").read_text())
    organizations = json.loads((DEMO / "organizations.json").read_text())["contents"]
    services = json.loads((DEMO / "services.json").read_text())["contents"]
    keep = {r["id"] for r in taxonomy["taxonomies"]} | {r["id"] for r in taxonomy["taxonomy_terms"]}
    copier = Copier(keep)
    by_id = {org["id"]: org for org in organizations}
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEMO / "taxonomy.json", folder / "taxonomy.json")
    copies = math.ceil(size / len(services))
    written_orgs = 0
    with (
        (folder / "services.json").open("w", encoding="utf-8") as service_file,
        (folder / "organizations.json").open("w", encoding="utf-8") as org_file,
    ):
        service_file.write(_page_header(size))
        org_lines: list[str] = []
        done = 0
        for k in range(copies):
            chosen = services[: size - done]
            done += len(chosen)
            # A full copy takes every organization; a partial one those its services need.
            if len(chosen) == len(services):
                orgs = organizations
            else:
                wanted = {s["organization_id"] for s in chosen}
                wanted |= {by_id[i].get("parent_organization_id") for i in wanted} - {None}
                orgs = [org for org in organizations if org["id"] in wanted]
            for service in chosen:
                if service_file.tell() > len(_page_header(size)):
                    service_file.write(",\n")
                service_file.write(json.dumps(copier.copy(service, k), ensure_ascii=False))
            org_lines += [json.dumps(copier.copy(org, k), ensure_ascii=False) for org in orgs]
            written_orgs += len(orgs)
        service_file.write("\n]}\n")
        org_file.write(_page_header(written_orgs))
        org_file.write(",\n".join(org_lines))
        org_file.write("\n]}\n")
    return {"services": size, "organizations": written_orgs}


# One database run (in a subprocess) --------------------------------------------------------


def run_one(data: Path) -> dict[str, Any]:
    """Migrate, load the territory, import, query the API; settings from the environment."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinetz.settings")
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("load_territory", "kleve", stdout=StringIO())
    out = StringIO()
    start = time.perf_counter()
    call_command("import_hsds", str(data), stdout=out)
    import_seconds = time.perf_counter() - start
    result: dict[str, Any] = {
        "import_seconds": round(import_seconds, 2),
        "import_output": out.getvalue().strip(),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        # The largest of the forked validation workers.
        "peak_rss_workers_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }
    client = Client()
    first = client.get("/api/v1/services", {"page": 1, "per_page": PER_PAGE})
    gc.collect()  # the import is over; what it left behind is not part of a web process
    gc.freeze()  # as kinetz/wsgi.py does in every web process once the application is loaded
    if first.status_code == 404:
        result["api"] = "not available"
        return result
    if first.status_code != 200:
        result["api"] = f"HTTP {first.status_code}"
        return result
    pages = first.json()["total_pages"]
    rng = random.Random(42)
    timings = []
    for _ in range(API_REQUESTS):
        page = rng.randint(1, pages)
        start = time.perf_counter()
        response = client.get("/api/v1/services", {"page": page, "per_page": PER_PAGE})
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            result["api"] = f"HTTP {response.status_code} on page {page}"
            return result
    timings.sort()
    result.update(
        api="ok",
        api_requests=API_REQUESTS,
        api_pages=pages,
        api_p50_ms=round(statistics.median(timings), 1),
        api_p95_ms=round(timings[math.ceil(0.95 * len(timings)) - 1], 1),
    )
    return result


# Driver --------------------------------------------------------------------------------------


def fresh_database(kind: str, workdir: Path) -> str:
    """A DATABASE_URL of a new, empty database."""
    if kind == "sqlite":
        path = workdir / "bench.sqlite3"
        for leftover in workdir.glob("bench.sqlite3*"):
            leftover.unlink()
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {POSTGRES_DB}")
    return f"{POSTGRES_SERVER}/{POSTGRES_DB}"


def measure(kind: str, data: Path, workdir: Path) -> dict[str, Any]:
    try:
        url = fresh_database(kind, workdir)
    except Exception as error:
        return {"error": f"no database: {error}"}
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false"}
    try:
        done = subprocess.run(  # noqa: S603 - our own script
            [sys.executable, __file__, "--run-one", str(data)],
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
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--run-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one:
        print(json.dumps(run_one(args.run_one)))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    databases = [d for d in args.databases.split(",") if d]
    report: dict[str, Any] = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        "runs": [],
    }
    rows = []
    with tempfile.TemporaryDirectory(prefix="kinetz-bench-") as tmp:
        workdir = Path(tmp)
        for size in sizes:
            data = workdir / f"hsds-{size}"
            counts = generate(size, data)
            for kind in databases:
                print(f"{size} services on {kind} ...", file=sys.stderr, flush=True)
                figures = measure(kind, data, workdir)
                run = {"size": size, "database": kind, **counts, **figures}
                report["runs"].append(run)
                rows.append(run)
                RESULTS.parent.mkdir(parents=True, exist_ok=True)
                RESULTS.write_text(json.dumps(report, indent=1) + "\n")
            shutil.rmtree(data)
    print(
        f"{'services':>9} {'orgs':>6} {'database':<9} {'import s':>9} {'RSS MB':>7} "
        f"{'API p50 ms':>10} {'p95 ms':>7}"
    )
    for run in rows:
        if "error" in run:
            print(
                f"{run['services']:>9} {run['organizations']:>6} {run['database']:<9} "
                f"{run['error']}"
            )
            continue
        print(
            f"{run['services']:>9} {run['organizations']:>6} {run['database']:<9} "
            f"{run['import_seconds']:>9} {run['peak_rss_mb']:>7} "
            f"{run.get('api_p50_ms', run.get('api')):>10} {run.get('api_p95_ms', ''):>7}"
        )
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
