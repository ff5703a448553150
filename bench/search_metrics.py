"""Metrics for the cross-lingual search evaluation set (bench/search_eval.json).

A *run* maps a query id to the service ids the search returned, best first. Relevance comes
from the evaluation set: grade 2 = meets the need, 1 = partly / reasonable second choice; ids
that are not listed count as grade 0. The search under test applies ``filters.municipality``
itself; these functions only score the ranking they are given.

    python bench/search_metrics.py                     # answer-set sizes per language
    python bench/search_metrics.py --run run.json      # score a run {query id: [service ids]}
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NotRequired, TypedDict

EVAL_PATH = Path(__file__).with_name("search_eval.json")
LANGUAGES = ("ar", "uk", "tr", "ru", "fa", "en", "pl", "ro", "de", "de-typo")
RECALL_K = 5
NDCG_K = 10


class Filters(TypedDict):
    municipality: str


class Query(TypedDict):
    id: str
    lang: str
    query: str
    need: str
    relevant: dict[str, int]
    filters: NotRequired[Filters]


Scores = dict[str, float]


def _top(ranked_ids: Iterable[str], k: int) -> list[str]:
    """The first ``k`` distinct ids of a ranking (later duplicates are ignored)."""
    seen: set[str] = set()
    top: list[str] = []
    for service_id in ranked_ids:
        if len(top) == k:
            break
        if service_id not in seen:
            seen.add(service_id)
            top.append(service_id)
    return top


def recall_at_k(ranked_ids: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    """|relevant (grade >= 1) in the top k| / min(k, |relevant|); 0.0 if nothing is relevant."""
    if k < 1:
        raise ValueError("k must be at least 1")
    wanted = {service_id for service_id, grade in relevant.items() if grade >= 1}
    if not wanted:
        return 0.0
    hits = sum(1 for service_id in _top(ranked_ids, k) if service_id in wanted)
    return hits / min(k, len(wanted))


def _dcg(grades: Iterable[int]) -> float:
    return sum((2.0**grade - 1.0) / math.log2(rank + 1) for rank, grade in enumerate(grades, 1))


def ndcg_at_k(ranked_ids: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    """nDCG@k with gain 2^grade - 1 and discount log2(rank + 1); the ideal ranking sorts the
    judged grades in descending order. 0.0 if nothing is relevant."""
    if k < 1:
        raise ValueError("k must be at least 1")
    ideal = _dcg(sorted((g for g in relevant.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    actual = _dcg(relevant.get(service_id, 0) for service_id in _top(ranked_ids, k))
    return actual / ideal


def evaluate(run: Mapping[str, Sequence[str]], queries: Sequence[Query]) -> dict[str, Scores]:
    """Mean recall@5 and nDCG@10 per language and overall (mean over all queries).

    A query missing from ``run`` counts as an empty ranking. Result keys are the languages in
    the order of ``LANGUAGES`` (others after them) plus ``"overall"``; each value holds
    ``"recall@5"``, ``"ndcg@10"`` and ``"queries"`` (the number of queries averaged).
    """
    per_lang: dict[str, list[tuple[float, float]]] = {}
    for query in queries:
        ranked = run.get(query["id"], ())
        scores = (
            recall_at_k(ranked, query["relevant"], RECALL_K),
            ndcg_at_k(ranked, query["relevant"], NDCG_K),
        )
        per_lang.setdefault(query["lang"], []).append(scores)

    def summary(rows: Sequence[tuple[float, float]]) -> Scores:
        n = len(rows)
        return {
            f"recall@{RECALL_K}": sum(r for r, _ in rows) / n if n else 0.0,
            f"ndcg@{NDCG_K}": sum(d for _, d in rows) / n if n else 0.0,
            "queries": float(n),
        }

    order = [lang for lang in LANGUAGES if lang in per_lang]
    order += sorted(lang for lang in per_lang if lang not in LANGUAGES)
    result = {lang: summary(per_lang[lang]) for lang in order}
    result["overall"] = summary([row for lang in order for row in per_lang[lang]])
    return result


def load_queries(path: str | Path = EVAL_PATH) -> list[Query]:
    """Read and check the evaluation set; returns its queries."""
    with Path(path).open(encoding="utf-8") as handle:
        data = json.load(handle)
    queries: list[Query] = []
    seen: set[str] = set()
    for raw in data["queries"]:
        query_id = str(raw["id"])
        if query_id in seen:
            raise ValueError(f"duplicate query id {query_id}")
        seen.add(query_id)
        relevant = {str(k): int(v) for k, v in raw["relevant"].items()}
        if any(grade not in (1, 2) for grade in relevant.values()):
            raise ValueError(f"{query_id}: grades must be 1 or 2")
        if 2 not in relevant.values():
            raise ValueError(f"{query_id}: no offer with grade 2")
        query: Query = {
            "id": query_id,
            "lang": str(raw["lang"]),
            "query": str(raw["query"]),
            "need": str(raw["need"]),
            "relevant": relevant,
        }
        if "filters" in raw:
            query["filters"] = {"municipality": str(raw["filters"]["municipality"])}
        queries.append(query)
    return queries


def _print_sizes(queries: Sequence[Query]) -> None:
    by_lang: dict[str, list[Query]] = {}
    for query in queries:
        by_lang.setdefault(query["lang"], []).append(query)
    langs = [lang for lang in LANGUAGES if lang in by_lang]
    langs += sorted(lang for lang in by_lang if lang not in LANGUAGES)
    header = ("lang", "queries", "filtered", "mean rel", "mean g2", "min", "max")
    print(f"{header[0]:<8} " + " ".join(f"{h:>8}" for h in header[1:]))
    rows = [(lang, by_lang[lang]) for lang in langs] + [("all", list(queries))]
    for lang, group in rows:
        sizes = [len(q["relevant"]) for q in group]
        grade2 = [sum(1 for g in q["relevant"].values() if g == 2) for q in group]
        filtered = sum(1 for q in group if "filters" in q)
        print(
            f"{lang:<8} {len(group):>8} {filtered:>8} {sum(sizes) / len(sizes):>8.2f} "
            f"{sum(grade2) / len(grade2):>8.2f} {min(sizes):>8} {max(sizes):>8}"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", default=str(EVAL_PATH), help="evaluation set (JSON)")
    parser.add_argument("--run", help="run to score: JSON object {query id: [service ids]}")
    args = parser.parse_args(argv)
    queries = load_queries(args.eval)
    if args.run is None:
        _print_sizes(queries)
        return
    with Path(args.run).open(encoding="utf-8") as handle:
        run = {str(k): [str(i) for i in v] for k, v in json.load(handle).items()}
    for lang, scores in evaluate(run, queries).items():
        print(
            f"{lang:<8} recall@{RECALL_K} {scores[f'recall@{RECALL_K}']:.3f}  "
            f"nDCG@{NDCG_K} {scores[f'ndcg@{NDCG_K}']:.3f}  ({int(scores['queries'])} queries)"
        )


if __name__ == "__main__":
    main()
