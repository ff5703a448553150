"""Residents' need queries as examples of the thesaurus' concepts (nearest-neighbour vote).

`resident_queries.json` holds queries written as residents type them (colloquial, dialect, no
diacritics, German words mixed in), each with the offer types it needs: the thesaurus'
EXPANSIONS concepts, named by their first word. The thesaurus stems catch the phrasings they
were written for; a query is also given the concepts on which its nearest examples (by the
multilingual embedding) agree, which catches phrasings no stem knows. On 726 queries written
later by people who saw neither the stems nor the examples (bench/concept_eval.json,
bench/concepts.py) this lifts the share of needed concepts found from 0.85 to 0.89 (precision
0.47 -> 0.46).

The examples' vectors ship beside the JSON (`resident_queries.npz`, float16, keyed like the
embedding cache) so that an index build does not embed 4,700 queries with the model;
`manage.py search_index examples` rewrites it after the JSON changed, and a build embeds any
example the file lacks.
"""

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kinetz.finder import thesaurus

QUERIES_PATH = Path(__file__).with_name("resident_queries.json")
VECTORS_PATH = Path(__file__).with_name("resident_queries.npz")
# Chosen on bench/concept_eval.json, not on the search evaluation set.
NEIGHBOURS = 3  # examples that vote
BAND = 0.03  # only neighbours within this cosine of the nearest one vote
AGREEMENT = 0.5  # share of the votes a concept needs
# A keyword query (one or two words) is left to the stems and BM25: its nearest examples are
# stories that say more than it does ("Deutschkurs" -> an online course, "Integrationsrat" -> a
# German course).
MIN_WORDS = 3

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Example:
    text: str
    concepts: tuple[str, ...]  # EXPANSIONS keys


def load(path: Path = QUERIES_PATH) -> list[Example]:
    """The examples; an unknown concept name is an error naming the query."""
    keys = {key.split()[0]: key for key in thesaurus.EXPANSIONS}
    examples = []
    for number, item in enumerate(json.loads(path.read_text("utf-8")), start=1):
        unknown = [name for name in item["expect"] if name not in keys]
        if unknown:
            raise ValueError(f"{path.name}, query {number} ({item['q']!r}): unknown {unknown}")
        examples.append(Example(item["q"], tuple(keys[name] for name in item["expect"])))
    return examples


def shipped_vectors(path: Path = VECTORS_PATH) -> dict[str, Vectors]:
    """Cache key -> vector of the examples embedded when the file was written."""
    if not path.exists():
        return {}
    with np.load(path) as data:
        matrix = data["vectors"].astype(np.float32)
        return {str(key): matrix[row] for row, key in enumerate(data["keys"])}


def write_shipped(keys: list[str], vectors: Vectors, path: Path = VECTORS_PATH) -> None:
    temporary = path.with_name(f".{path.stem}-{secrets.token_hex(4)}.npz")
    with temporary.open("wb") as handle:
        np.savez_compressed(handle, keys=np.array(keys), vectors=vectors.astype(np.float16))
    os.replace(temporary, path)


class ExampleVote:
    """The examples of one index generation: their vectors and which concepts each names."""

    def __init__(self, vectors: Vectors, labels: npt.NDArray[np.bool_], concepts: list[str]):
        self.vectors = vectors
        self.labels = labels  # examples x concepts
        self.concepts = concepts

    def concepts_for(self, text: str, vector: Vectors) -> list[str]:
        """Concepts named by at least AGREEMENT of the nearest examples within BAND of the
        nearest one, most votes first; none for a query shorter than MIN_WORDS."""
        if len(text.split()) < MIN_WORDS or not len(self.vectors):
            return []
        scores = self.vectors @ vector
        take = min(NEIGHBOURS, len(scores))
        nearest = np.argpartition(-scores, take - 1)[:take]
        voters = nearest[scores[nearest] >= scores[nearest].max() - BAND]
        votes = self.labels[voters].sum(axis=0)
        named = np.flatnonzero(votes >= AGREEMENT * len(voters))
        return [self.concepts[i] for i in named[np.argsort(-votes[named], kind="stable")]]
