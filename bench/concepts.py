"""Which offer types the search reads from a query: thesaurus stems alone, and stems plus the
vote of the residents' example queries (kinetz.finder.concept_examples).

`bench/concept_eval.json` holds 726 residents' queries in nine languages (ar, fa, tr, uk, ru, pl,
ro, en, de), each with the offer types it needs. They were written after the thesaurus and the
examples by people who saw neither the stems nor the example queries, so they measure how the
two carry over to new phrasings. Figures per language:

- recall: needed offer types found / needed offer types;
- precision: needed offer types found / offer types named (the German expansion words that
  the search adds, at most thesaurus.MAX_EXPANSIONS);
- any: share of queries with at least one needed offer type found.

    .venv/bin/python bench/concepts.py      # writes bench/results/concepts.json
"""

import json
import os
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinetz.settings")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import django  # noqa: E402

django.setup()

from kinetz.finder import concept_examples, thesaurus  # noqa: E402
from kinetz.finder.index import CONCEPT_PREFIX, _text_key, embed_as_queries  # noqa: E402

EVAL_PATH = Path(__file__).with_name("concept_eval.json")
RESULTS = Path(__file__).with_name("results") / "concepts.json"


def example_vote() -> concept_examples.ExampleVote:
    """The vote as an index build makes it, from the shipped vectors."""
    concepts = list(thesaurus.EXPANSIONS)
    examples = concept_examples.load()
    shipped = concept_examples.shipped_vectors()
    vectors = np.vstack([shipped[_text_key(CONCEPT_PREFIX + e.text)] for e in examples])
    labels = np.array([[c in e.concepts for c in concepts] for e in examples], dtype=bool)
    return concept_examples.ExampleVote(vectors, labels, concepts)


def main() -> None:
    keys = {key.split()[0]: key for key in thesaurus.EXPANSIONS}
    queries = json.loads(EVAL_PATH.read_text("utf-8"))
    vote = example_vote()
    started = time.perf_counter()
    vectors = embed_as_queries([query["q"] for query in queries])
    embed_seconds = time.perf_counter() - started
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0] * 4))
    vote_ms: list[float] = []
    for query, vector in zip(queries, vectors, strict=True):
        wanted = {keys[name] for name in query["expect"]}
        stems = thesaurus.expansions_for(query["q"])
        t0 = time.perf_counter()
        voted = vote.concepts_for(query["q"], vector)
        vote_ms.append((time.perf_counter() - t0) * 1000)
        both = (stems + [key for key in voted if key not in stems])[: thesaurus.MAX_EXPANSIONS]
        for method, named in (("stems", stems), ("stems_and_examples", both)):
            for language in (query["lang"], "all"):
                row = counts[method][language]
                row[0] += len(wanted & set(named))  # needed and found
                row[1] += len(named)
                row[2] += len(wanted)
                row[3] += bool(wanted & set(named))
    totals: dict[str, int] = defaultdict(int)
    for query in queries:
        totals[query["lang"]] += 1
        totals["all"] += 1
    figures = {
        method: {
            language: {
                "recall": round(found / needed, 3),
                "precision": round(found / max(named, 1), 3),
                "any": round(hits / totals[language], 3),
            }
            for language, (found, named, needed, hits) in sorted(rows.items())
        }
        for method, rows in counts.items()
    }
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "queries": len(queries),
        "examples": len(vote.vectors),
        "vote_p50_ms": round(float(np.percentile(vote_ms, 50)), 3),
        "embedding_queries_per_second": round(len(queries) / embed_seconds, 1),
        "figures": figures,
    }
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    for method, rows in figures.items():
        print(method, {language: row["recall"] for language, row in rows.items()})
    print(f"wrote {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
