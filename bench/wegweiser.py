"""Local guide (Wegweiser) benchmark: time to render a municipality's PDF, cold and cached.

Loads the Kreis Kleve territory and the demo catalogue (kinetz/interop/demo/kleve) into a fresh
SQLite database in a temporary folder, then for each municipality and language given renders
the guide REPEATS times with an empty cache (collect, HTML, PDF timed apart) and fetches it
REPEATS times through the view with a warm cache (what the second visitor waits).

    .venv/bin/python bench/wegweiser.py [--municipalities kleve,rheurdt] [--languages de,ar]

Results: bench/results/wegweiser.json.
"""

import argparse
import io
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "wegweiser.json"
DEMO = ROOT / "kinetz" / "interop" / "demo" / "kleve"
REPEATS = 3


def _setup(workdir: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["KINETZ_SEARCH_INDEX_DIR"] = str(workdir / "index")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinetz.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    # WeasyPrint logs every layout step at INFO; a benchmark wants only its own figures.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from django.core.management import call_command

    quiet = io.StringIO()
    call_command("migrate", "--noinput", verbosity=0, stdout=quiet)
    call_command("load_territory", "kleve", stdout=quiet)
    call_command("import_hsds", str(DEMO), stdout=quiet)


def _seconds(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
    }


def _measure(slug: str, language: str) -> dict[str, Any]:
    from django.core.cache import cache
    from django.test import Client
    from pypdf import PdfReader

    from kinetz.finder import wegweiser
    from kinetz.territory.models import Municipality

    municipality = Municipality.objects.across_regions().get(slug=slug)
    steps: dict[str, list[float]] = {"collect": [], "html": [], "pdf": [], "total": []}
    pdf = b""
    guide = None
    for _ in range(REPEATS):
        cache.clear()
        started = time.perf_counter()
        guide = wegweiser.collect(municipality, language)
        collected = time.perf_counter()
        html = wegweiser.render_html(guide)
        rendered = time.perf_counter()
        pdf = wegweiser.render_pdf(html)
        done = time.perf_counter()
        steps["collect"].append(collected - started)
        steps["html"].append(rendered - collected)
        steps["pdf"].append(done - rendered)
        steps["total"].append(done - started)
    assert guide is not None

    client = Client()
    url = f"/wegweiser/{slug}.pdf?lang={language}"
    cache.clear()
    started = time.perf_counter()
    first = client.get(url)
    first_request = time.perf_counter() - started
    cached: list[float] = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = client.get(url)
        cached.append(time.perf_counter() - started)
        assert response.status_code == 200
        assert response.content == first.content
    return {
        "municipality": slug,
        "language": language,
        "offers": guide.offer_count,
        "sections": len(guide.sections),
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "pdf_bytes": len(pdf),
        "render_seconds": {name: _seconds(values) for name, values in steps.items()},
        "first_request_seconds": round(first_request, 4),
        "cached_request_seconds": _seconds(cached),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", default="kleve,rheurdt")
    parser.add_argument("--languages", default="de,ar")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        "repeats": REPEATS,
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="kinetz-bench-wegweiser-") as tmp:
        _setup(Path(tmp))
        import weasyprint  # type: ignore[import-untyped]

        report["machine"]["weasyprint"] = weasyprint.__version__
        for slug in args.municipalities.split(","):
            for language in args.languages.split(","):
                run = _measure(slug.strip(), language.strip())
                report["runs"].append(run)
                seconds = run["render_seconds"]
                print(
                    f"{run['municipality']:>10} {run['language']}: {run['offers']:>3} offers, "
                    f"{run['pages']:>2} pages, render {seconds['total']['median']:.2f} s "
                    f"(PDF {seconds['pdf']['median']:.2f} s), cached request "
                    f"{run['cached_request_seconds']['median'] * 1000:.1f} ms"
                )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
