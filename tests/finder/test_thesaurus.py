"""The thesaurus against residents' need queries in nine languages.

`kinetz/finder/resident_queries.json` holds 4,724 queries written as residents type them
(colloquial, dialect, without diacritics, typos, German words mixed in, Arabic and Persian in
Latin letters), each with the offer types it must name (`expect`, the first word of an
EXPANSIONS key) and, for some, the types it must not name (`not`: false matches found while
writing the stems, e.g. the Turkish word for vaccine inside the Romanian word for insurance).
They were written for the thesaurus in two rounds, apart from the search evaluation set in
bench/; the search also uses them as examples (kinetz.finder.concept_examples).
"""

import json
from collections import Counter

from kinetz.finder import concept_examples, thesaurus

QUERIES = json.loads(concept_examples.QUERIES_PATH.read_text("utf-8"))
KEYS = {key.split()[0]: key for key in thesaurus.EXPANSIONS}


def _named(query: str) -> tuple[list[str], list[str]]:
    """(offer types kept by expansions_for, every offer type whose stems occur)."""
    text = thesaurus.fold(query)
    occurring = [key for key, pattern in thesaurus._EXPANSION_PATTERNS if pattern.search(text)]
    return thesaurus.expansions_for(query), occurring


def test_the_query_set_covers_every_language_and_offer_type() -> None:
    languages = Counter(query["lang"] for query in QUERIES)
    assert set(languages) == {"ar", "fa", "tr", "uk", "ru", "pl", "ro", "en", "de"}
    assert min(languages.values()) >= 400
    named = {name for query in QUERIES for name in query["expect"]}
    assert named <= set(KEYS)
    assert len(named) >= len(KEYS) - 5


def test_residents_queries_name_their_offer_types_and_nothing_false() -> None:
    wrong = []
    for query in QUERIES:
        kept, occurring = _named(query["q"])
        missing = [name for name in query["expect"] if KEYS[name] not in kept]
        false = [name for name in query.get("not", []) if KEYS[name] in occurring]
        if missing or false:
            wrong.append(f"[{query['lang']}] {query['q']!r}: missing {missing}, false {false}")
    assert not wrong, "\n".join(wrong)


def test_digits_of_every_script_and_the_persian_half_space_fold_away() -> None:
    assert thesaurus.fold("عمره ٧٠") == thesaurus.fold("عمره ۷۰") == thesaurus.fold("عمره 70")
    assert thesaurus.fold("نمی\u200cتونم") == thesaurus.fold("نمیتونم")


def test_a_cyrillic_preposition_inside_a_phrase_is_a_whole_word() -> None:
    pattern = thesaurus.stem_pattern(("по професси",))
    assert pattern.search(thesaurus.fold("работа по профессии"))
    assert not pattern.search(thesaurus.fold("хочу получить профессию"))
