"""Search benchmark: index build, query latency in-process and over HTTP, quality, FTS5 baseline.

For the real 452-offer catalogue (kinetz/interop/demo/kleve) and for generated sets of N
services (bench/catalogue.py's generate(): copies of the catalogue with fresh ids), each in a
fresh SQLite database:

- index build time, embedding throughput and peak RSS (`search_index rebuild` logic, in a
  subprocess). Generated copies share their texts, so rebuilds at 10k/100k hit the embedding
  cache; the cold build of the catalogue measures the model's throughput, and the projected
  uncached time is N / offers embedded per second;
- query latency p50/p95 in-process (the eval queries, round robin) and over HTTP (gunicorn with
  2 workers on 127.0.0.1, two client threads, a bounded number of requests);
- the same for a plain SQLite FTS5 BM25 baseline over the same documents (German + other text);
- on the real catalogue: recall@5 and nDCG@10 per language of the hybrid search, of each
  component alone, and of the FTS5 baseline (bench/search_eval.json, bench/search_metrics.py).

    .venv/bin/python bench/search.py [--sizes catalogue,1000,10000,100000] [--requests 200]
    .venv/bin/python bench/search.py --quality-only   # catalogue only: index build + quality

`--quality-only` skips the latency runs and HTTP, and replaces only the catalogue run's build and
quality figures in bench/results/search.json (the latency figures of the last full run stay).
Quality is also reported per half of the evaluation set: `tuning` (odd query numbers, used to
tune weights and vocabulary) and `held_out` (even numbers).

Results: bench/results/search.json.
"""

import argparse
import json
import os
import platform
import re
import resource
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results" / "search.json"
DEMO = ROOT / "kinetz" / "interop" / "demo" / "kleve"
PY = sys.executable
COMPONENTS = {
    "hybrid": ("lexical", "dense", "thesaurus", "hints"),
    "hybrid_without_hints": ("lexical", "dense", "thesaurus"),
    "hybrid_without_thesaurus": ("lexical", "dense", "hints"),
    "lexical": ("lexical",),
    "dense": ("dense",),
    "thesaurus": ("thesaurus",),
}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def _env(workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "KINETZ_SEARCH_INDEX_DIR": str(workdir / "search-index"),
        "OMP_NUM_THREADS": "1",
        "DJANGO_SETTINGS_MODULE": "kinetz.settings",
        "KINETZ_TASKS": "immediate",
        "PYTHONPATH": f"{ROOT}:{BENCH}",
    }


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [PY, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


# FTS5 baseline ------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def fts_build(path: Path, docs: list[Any]) -> float:
    started = time.perf_counter()
    with sqlite3.connect(path) as con:
        con.execute("DROP TABLE IF EXISTS offers")
        con.execute(
            "CREATE VIRTUAL TABLE offers USING fts5(id UNINDEXED, name, body, "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        con.executemany(
            "INSERT INTO offers VALUES (?, ?, ?)",
            [(d.id, d.name, f"{d.german}\n{d.other}") for d in docs],
        )
        con.execute("INSERT INTO offers(offers) VALUES ('optimize')")
    return time.perf_counter() - started


def fts_search(con: sqlite3.Connection, query: str, limit: int = 10) -> list[str]:
    words = _WORD.findall(query.lower())[:32]
    if not words:
        return []
    match = " OR ".join('"' + w.replace('"', "") + '"' for w in words)
    rows = con.execute(
        "SELECT id FROM offers WHERE offers MATCH ? ORDER BY bm25(offers, 2.0, 1.0) LIMIT ?",
        (match, limit),
    ).fetchall()
    return [row[0] for row in rows]


# Inside the Django process of one data set -------------------------------------------------


def _half(query: dict[str, Any]) -> str:
    return "tuning" if int(str(query["id"]).rsplit("-", 1)[-1]) % 2 else "held_out"


def _rounded(by_lang: dict[str, Any]) -> dict[str, Any]:
    return {
        lang: {k: round(v, 3) for k, v in scores.items() if k != "queries"}
        | {"queries": int(scores["queries"])}
        for lang, scores in by_lang.items()
    }


def measure_inside(
    workdir: Path, quality: bool, requests: int, latency: bool = True
) -> dict[str, Any]:
    import django

    django.setup()
    from search_metrics import evaluate, load_queries

    from kinetz.finder import index as search_index
    from kinetz.finder.documents import iter_documents
    from kinetz.finder.search import make_filters, search

    result: dict[str, Any] = {}
    started = time.perf_counter()
    docs = list(iter_documents())
    result["documents"] = len(docs)
    result["documents_seconds"] = round(time.perf_counter() - started, 2)
    report = search_index.build_generation(docs)
    result["index_build_seconds"] = round(report.seconds, 2)
    result["index_build_total_seconds"] = round(time.perf_counter() - started, 2)
    result["passages_embedded"] = report.embedding.embedded
    result["passages_from_cache"] = report.embedding.texts - report.embedding.embedded
    if report.embedding.embedded:
        rate = report.embedding.embedded / max(report.embedding.seconds, 1e-9)
        result["embedding_passages_per_second"] = round(rate, 1)
        # Each offer embeds several passages (documents.py): offers per second is what counts.
        per_offer = report.embedding.texts / max(result["documents"], 1)
        result["passages_per_offer"] = round(per_offer, 2)
        result["embedding_offers_per_second"] = round(rate / per_offer, 1)
    generation = search_index.current_generation()
    assert generation is not None
    result["index_disk_mb"] = round(
        sum(p.stat().st_size for p in generation.rglob("*") if p.is_file()) / 1e6, 1
    )
    fts_path = workdir / "fts.sqlite3"
    result["fts5_build_seconds"] = round(fts_build(fts_path, docs), 2)
    del docs

    queries = load_queries()
    # Warm up (model load, memory maps).
    search("Deutschkurs")
    latencies: list[float] = []
    for i in range(requests if latency else 0):
        query = queries[i % len(queries)]
        t0 = time.perf_counter()
        search(query["query"], lang=query["lang"][:2], limit=10)
        latencies.append((time.perf_counter() - t0) * 1000)
    if latency:
        result["inprocess_p50_ms"] = _pct(latencies, 0.5)
        result["inprocess_p95_ms"] = _pct(latencies, 0.95)
    if generation_has_coarse():
        result["dense_shortlist_recall_at_10"] = shortlist_recall(queries)
    con = sqlite3.connect(fts_path)
    fts_latencies: list[float] = []
    for i in range(requests if latency else 0):
        t0 = time.perf_counter()
        fts_search(con, queries[i % len(queries)]["query"])
        fts_latencies.append((time.perf_counter() - t0) * 1000)
    if latency:
        result["fts5_inprocess_p50_ms"] = _pct(fts_latencies, 0.5)
        result["fts5_inprocess_p95_ms"] = _pct(fts_latencies, 0.95)

    if quality:
        evaluation: dict[str, Any] = {}
        halves: dict[str, Any] = {}
        for name, components in COMPONENTS.items():
            run = {}
            for query in queries:
                filters = make_filters(**query.get("filters", {}))
                hits = search(
                    query["query"],
                    lang=query["lang"][:2],
                    filters=filters,
                    limit=10,
                    components=components,
                )
                run[query["id"]] = [hit.id for hit in hits]
            evaluation[name] = evaluate(run, queries)
            if name == "hybrid":
                # The same queries without their municipality filter: a town named in the
                # query must then do the filter's work (query_hints).
                unfiltered = {
                    query["id"]: [
                        hit.id for hit in search(query["query"], lang=query["lang"][:2], limit=10)
                    ]
                    for query in queries
                }
                evaluation["hybrid_unfiltered"] = evaluate(unfiltered, queries)
                for half in ("tuning", "held_out"):
                    subset = [q for q in queries if _half(q) == half]
                    halves[half] = _rounded(evaluate(run, subset))
        # FTS5 with the municipality filter applied through the document facets.
        from kinetz.finder.index import reader

        municipalities = {doc_id: set() for doc_id in reader().base_ids}
        gen = reader()
        for slug, column in gen.facets["municipalities"].items():
            for row in column.nonzero()[0]:
                municipalities[gen.base_ids[row]].add(slug)
        run = {}
        for query in queries:
            ranked = fts_search(con, query["query"], limit=200)
            if "filters" in query:
                slug = query["filters"]["municipality"]
                ranked = [i for i in ranked if slug in municipalities.get(i, set())]
            run[query["id"]] = ranked[:10]
        evaluation["fts5_baseline"] = evaluate(run, queries)
        result["quality"] = {name: _rounded(by_lang) for name, by_lang in evaluation.items()}
        result["quality_hybrid_halves"] = halves
    con.close()
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


# HTTP ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure_http(env: dict[str, str], requests: int) -> dict[str, Any]:
    sys.path.insert(0, str(BENCH))
    from search_metrics import load_queries

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(PY).with_name("gunicorn")),
            "kinetz.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env={**env, "LOG_LEVEL": "WARNING"},
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}/api/v1/search"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{base}?q=Deutschkurs", timeout=5).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        for _ in range(10):  # both workers load the model and the index
            urllib.request.urlopen(f"{base}?q=Sprachcafe", timeout=30).read()  # noqa: S310
        queries = load_queries()
        latencies: list[float] = []
        errors = 0
        lock = threading.Lock()
        stop_at = time.time() + 120  # bounded in time as well as in count

        def client(offset: int) -> None:
            nonlocal errors
            for i in range(offset, requests, 2):
                if time.time() > stop_at:
                    return
                query = queries[i % len(queries)]
                url = f"{base}?" + urllib.parse.urlencode(
                    {"q": query["query"], "lang": query["lang"][:2], "limit": 10}
                )
                t0 = time.perf_counter()
                try:
                    urllib.request.urlopen(url, timeout=30).read()  # noqa: S310
                except OSError:
                    with lock:
                        errors += 1
                    continue
                with lock:
                    latencies.append((time.perf_counter() - t0) * 1000)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return {
            "http_requests": len(latencies),
            "http_errors": errors,
            "http_clients": 2,
            "http_p50_ms": _pct(latencies, 0.5) if latencies else None,
            "http_p95_ms": _pct(latencies, 0.95) if latencies else None,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def generation_has_coarse() -> bool:
    from kinetz.finder.index import reader

    return reader().coarse is not None


def shortlist_recall(queries: list[Any], k: int = 10) -> float:
    """How much of the exact dense top k the coarse pass + shortlist keeps: per query the share
    of the exact k best scores that the shortlisted top k reaches (scores, not ids: generated
    copies share their vectors, so ids tie)."""
    import numpy as np

    from kinetz.finder import search as finder_search
    from kinetz.finder.index import embed_query, reader

    generation = reader()
    rows = np.arange(len(generation.base_ids))
    shares = []
    for query in queries:
        embedded = embed_query(query["query"])
        concepts = finder_search.expansions(generation, query["query"], embedded)
        vector = finder_search.query_vector(generation, embedded, concepts)
        exact = np.sort(np.asarray(generation.vectors @ vector))[-k:]
        scores, _rows = finder_search.QueryVector(generation, vector).best(rows, k)
        shares.append(float(np.mean(np.sort(scores) >= exact - 1e-6)))
    return round(sum(shares) / len(shares), 4)


def run_size(
    size: str, workroot: Path, requests: int, quality_only: bool = False
) -> dict[str, Any]:
    sys.path.insert(0, str(BENCH))
    from catalogue import generate

    workdir = workroot / f"size-{size}"
    workdir.mkdir(parents=True, exist_ok=True)
    env = _env(workdir)
    # One embedding cache for the whole run: generated copies share the catalogue's texts.
    shared_cache = workroot / "embedding-cache.npz"
    (workdir / "search-index").mkdir(exist_ok=True)
    if shared_cache.exists():
        (workdir / "search-index" / "embedding-cache.npz").write_bytes(shared_cache.read_bytes())
    if size == "catalogue":
        data = DEMO
    else:
        data = workdir / "data"
        generate(int(size), data)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "load_territory", "kleve")
    t0 = time.perf_counter()
    _manage(env, "import_hsds", str(data))
    import_seconds = time.perf_counter() - t0
    inside = subprocess.run(  # noqa: S603
        [PY, __file__, "--inside", str(workdir), "--requests", str(requests)]
        + (["--quality"] if size == "catalogue" else [])
        + (["--no-latency"] if quality_only else []),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = {"size": size, "import_seconds": round(import_seconds, 1)}
    result |= json.loads(inside.stdout.strip().splitlines()[-1])
    if not quality_only:
        result |= measure_http(env, requests)
    cache = workdir / "search-index" / "embedding-cache.npz"
    if cache.exists():
        shared_cache.write_bytes(cache.read_bytes())
    return result


def quality_only() -> None:
    """Rebuild the catalogue cold and measure quality; update only those figures."""
    with tempfile.TemporaryDirectory(prefix="kinetz-search-quality-") as tmp:
        fresh = run_size("catalogue", Path(tmp), 0, quality_only=True)
    print(json.dumps(fresh.get("quality_hybrid_halves", {})), file=sys.stderr)
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"runs": []}
    runs = saved.setdefault("runs", [])
    old = next((r for r in runs if r.get("size") == "catalogue"), None)
    if old is None:
        runs.insert(0, fresh)
    else:
        old.update(fresh)
    rate = fresh.get("embedding_offers_per_second")
    for run in runs:
        if rate and run.get("size") != "catalogue":
            run["projected_uncached_embedding_seconds"] = round(int(run["size"]) / rate, 0)
    saved.setdefault("machine", {})["quality_date"] = datetime.now(UTC).isoformat(
        timespec="seconds"
    )
    RESULTS.write_text(json.dumps(saved, indent=2, ensure_ascii=False) + "\n")
    print(f"updated the catalogue run in {RESULTS}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="catalogue,1000,10000,100000")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--inside", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--quality", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-latency", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--quality-only",
        action="store_true",
        help="catalogue only: build + quality; keep the latency figures of the last full run",
    )
    args = parser.parse_args()
    if args.inside:
        inside = measure_inside(
            Path(args.inside), args.quality, args.requests, latency=not args.no_latency
        )
        print(json.dumps(inside))
        return
    if args.quality_only:
        quality_only()
        return
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="kinetz-search-bench-") as tmp:
        for size in args.sizes.split(","):
            print(f"size {size} …", file=sys.stderr, flush=True)
            runs.append(run_size(size, Path(tmp), args.requests))
            print(
                json.dumps({k: v for k, v in runs[-1].items() if k != "quality"}), file=sys.stderr
            )
    catalogue_run = next((r for r in runs if r["size"] == "catalogue"), None)
    rate = (catalogue_run or {}).get("embedding_offers_per_second")
    for run in runs:
        if rate and run["size"] != "catalogue":
            run["projected_uncached_embedding_seconds"] = round(int(run["size"]) / rate, 0)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": {
                    "cpu_count": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "date": datetime.now(UTC).isoformat(timespec="seconds"),
                },
                "notes": "Generated sets copy the catalogue's texts; their index builds reuse the "
                "embedding cache (passages_from_cache). The cold embedding throughput is measured "
                "on the catalogue; projected_uncached_embedding_seconds = N / offers per second.",
                "runs": runs,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    print(f"wrote {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
