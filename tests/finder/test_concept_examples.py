"""The residents' example queries: their shipped vectors and the nearest-neighbour vote."""

import json
from pathlib import Path

import numpy as np
import pytest

from kinetz.finder import concept_examples, index, thesaurus


def test_the_shipped_vectors_are_the_models_vectors_of_every_example() -> None:
    texts = {example.text for example in concept_examples.load()}
    shipped = concept_examples.shipped_vectors()
    keys = {index._text_key(index.CONCEPT_PREFIX + text): text for text in texts}
    # Stale after an edit of resident_queries.json: run `manage.py search_index examples`.
    assert set(shipped) == set(keys)
    sample = sorted(texts)[::1500]
    fresh = index.embed_as_queries(sample)
    for text, vector in zip(sample, fresh, strict=True):
        stored = shipped[index._text_key(index.CONCEPT_PREFIX + text)]
        assert float(stored @ vector) > 0.999, text


def test_an_unknown_offer_type_is_an_error_naming_the_query(tmp_path: Path) -> None:
    path = tmp_path / "queries.json"
    path.write_text(
        json.dumps(
            [
                {"lang": "de", "q": "Deutschkurs am Abend", "expect": ["Deutschkurs"]},
                {"lang": "de", "q": "zum Mond fliegen", "expect": ["Raumfahrt"]},
            ]
        )
    )
    with pytest.raises(
        ValueError, match=r"query 2 \(.zum Mond fliegen.\): unknown \[.Raumfahrt.\]"
    ):
        concept_examples.load(path)


def _unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_the_vote_names_what_the_nearest_examples_agree_on() -> None:
    course, childcare, tenancy = list(thesaurus.EXPANSIONS)[:3]
    vote = concept_examples.ExampleVote(
        np.vstack([_unit(1, 0.1, 0), _unit(1, 0, 0.1), _unit(1, 0.12, 0.12), _unit(0, 0, 1)]),
        np.array(
            [[True, False, False], [True, True, False], [False, True, False], [False, False, True]]
        ),
        [course, childcare, tenancy],
    )
    story = "ich will Deutsch lernen, aber wer passt auf mein Kind auf"
    # Three close neighbours: course twice, childcare twice -> both, tenancy never.
    assert set(vote.concepts_for(story, _unit(1, 0.05, 0.05))) == {course, childcare}
    # Only the nearest lies within the band: its concepts alone.
    assert vote.concepts_for(story, _unit(0, 0, 1)) == [tenancy]
    # A keyword query is left to the stems.
    assert vote.concepts_for("Deutschkurs Kleve", _unit(1, 0.05, 0.05)) == []
