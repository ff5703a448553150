"""Finding duplicate offers and organisations: the public engine.

`find_duplicates` reads the records of each kind (`linkage_records`), lets the Splink model of
`linkage_model` score the candidate pairs its blocking rules pick, keeps the pairs at or above
MATCH_THRESHOLD with the comparison levels that explain them, and clusters those into connected
components; pairs the KI marked as "not the same" are never joined (see `_separate`).
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from splink import Linker
from splink.clustering import cluster_pairwise_predictions_at_threshold

from kinetz.coordination import linkage_records
from kinetz.coordination.linkage_model import (
    COMPARISONS,
    RECORDS,
    Comparison,
    _db_api,
    linker,
    load_model,
)

if TYPE_CHECKING:
    from kinetz.territory.models import Region

KINDS = ("services", "organizations")

# A pair at or above this probability is a duplicate candidate; chosen on the tuning half of
# the labelled set (bench/LINKAGE.md), not on the held-out half that is reported.
MATCH_THRESHOLD = {"services": 0.999, "organizations": 0.95}


@dataclass(frozen=True)
class PairEvidence:
    left_id: str  # str(UUID), left_id < right_id
    right_id: str
    probability: float  # Splink match probability 0..1
    # comparison name -> label of the level reached, for the comparisons that agreed; the
    # labels are short English texts and keys of linkage_model.LABELS (translatable values).
    agreements: dict[str, str]


@dataclass(frozen=True)
class Cluster:
    ids: list[str]  # sorted str(UUID)s, len >= 2
    pairs: list[PairEvidence]  # the scored pairs inside the cluster, best first


@dataclass(frozen=True)
class LinkageResult:
    services: list[Cluster]
    organizations: list[Cluster]
    pairs_compared: dict[str, int]  # {"services": n, "organizations": m}


# Prediction and clustering -------------------------------------------------------------------


@dataclass(frozen=True)
class ScoredPairs:
    pairs: list[PairEvidence]
    compared: int


def score(
    kind: str,
    records: linkage_records.Columns,
    model: dict[str, Any],
    threshold: float | None = None,
) -> ScoredPairs:
    """The candidate pairs of `records` at or above `threshold`, with their evidence."""
    if len(records["unique_id"]) < 2:
        return ScoredPairs([], 0)
    threshold = MATCH_THRESHOLD[kind] if threshold is None else threshold
    splink_linker = linker(kind, records, model)
    comparisons = COMPARISONS[kind]()
    # Blocked pairs first, to count what is compared; predict() then scores this table.
    blocked = splink_linker.inference.compute_blocked_pairs_for_predict()
    compared = _count(splink_linker, blocked)
    predictions = splink_linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    )
    pairs = [_evidence(row, comparisons) for row in predictions.as_record_list()]
    return ScoredPairs(sorted(pairs, key=lambda p: -p.probability), compared)


def _count(splink_linker: Linker, table: Any) -> int:
    # The name is Splink's own table name, not input: nothing to inject.
    sql = f"select count(*) as n from {table.physical_name}"  # noqa: S608
    counted = splink_linker.misc.query_sql(sql)  # type: ignore[no-untyped-call]
    return int(counted.as_record_list()[0]["n"])


def _evidence(row: dict[str, Any], comparisons: list[Comparison]) -> PairEvidence:
    left, right = sorted((str(row["unique_id_l"]), str(row["unique_id_r"])))
    agreements = {}
    for comparison in comparisons:
        gamma = row.get(f"gamma_{comparison.name}")
        # Only what agreed: the null level (-1, missing) and the lowest level (0, different)
        # say nothing in favour of the pair.
        if gamma is not None and int(gamma) > 0:
            agreements[comparison.name] = comparison.label_of(int(gamma))
    return PairEvidence(left, right, float(row["match_probability"]), agreements)


def cluster(
    pairs: Iterable[PairEvidence], not_the_same: Collection[tuple[str, str]] = ()
) -> list[Cluster]:
    """Connected components of the scored pairs, without joining "not the same" pairs.

    Edges between records the KI said are different are removed first. If such records are
    still connected through others, the weakest edge of their cluster is dropped until they
    are apart (see `_separate`): simple, predictable, and it never joins what a person split.
    """
    forbidden = {frozenset(pair) for pair in not_the_same}
    edges = [p for p in pairs if frozenset((p.left_id, p.right_id)) not in forbidden]
    if not edges:
        return []
    nodes = sorted({node for edge in edges for node in (edge.left_id, edge.right_id)})
    clustered = cluster_pairwise_predictions_at_threshold(
        nodes={"unique_id": nodes},
        edges={
            "unique_id_l": [edge.left_id for edge in edges],
            "unique_id_r": [edge.right_id for edge in edges],
            "match_probability": [edge.probability for edge in edges],
        },
        db_api=_db_api(),
        node_id_column_name="unique_id",
    )
    members: dict[str, set[str]] = {}
    for row in clustered.as_record_list():
        members.setdefault(str(row["cluster_id"]), set()).add(str(row["unique_id"]))
    clusters = []
    for group in members.values():
        inside = [e for e in edges if e.left_id in group and e.right_id in group]
        for part in _separate(inside, forbidden):
            ids = sorted({node for edge in part for node in (edge.left_id, edge.right_id)})
            clusters.append(Cluster(ids, sorted(part, key=lambda e: -e.probability)))
    return sorted(clusters, key=lambda c: (-c.pairs[0].probability, c.ids))


def _components(edges: list[PairEvidence]) -> list[list[PairEvidence]]:
    """The edges grouped by connected component (union-find; clusters are small)."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for edge in edges:
        parent[root(edge.left_id)] = root(edge.right_id)
    groups: dict[str, list[PairEvidence]] = {}
    for edge in edges:
        groups.setdefault(root(edge.left_id), []).append(edge)
    return list(groups.values())


def _separate(
    edges: list[PairEvidence], forbidden: set[frozenset[str]]
) -> list[list[PairEvidence]]:
    """Split a component until no "not the same" pair is inside one part: drop its weakest
    edge, look again."""
    parts = []
    pending = [edges]
    while pending:
        part = pending.pop()
        nodes = {node for edge in part for node in (edge.left_id, edge.right_id)}
        if not any(pair <= nodes for pair in forbidden):
            parts.append(part)
            continue
        weakest = min(part, key=lambda e: (e.probability, e.left_id, e.right_id))
        pending += _components([edge for edge in part if edge is not weakest])
    return parts


def find_duplicates(
    region: "Region | None" = None,
    *,
    not_the_same: Collection[tuple[str, str]] = (),
    kinds: Collection[str] = KINDS,
) -> LinkageResult:
    """Clusters of offers and of organisations that look like the same real thing.

    Only offers that are published or submitted for review take part (and all organisations),
    of `region` when given, else of every region. Trained parameters come from
    `linkage_models/`; nothing is trained here. An empty catalogue gives empty lists.
    """
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise ValueError(f"find_duplicates: unknown kind(s) {unknown}; use {list(KINDS)}")
    found: dict[str, list[Cluster]] = {kind: [] for kind in KINDS}
    compared = dict.fromkeys(KINDS, 0)
    for kind in KINDS:
        if kind not in kinds:
            continue
        records = RECORDS[kind](region)
        if len(records["unique_id"]) < 2:
            continue  # nothing to compare: Splink is not even started
        scored = score(kind, records, load_model(kind))
        compared[kind] = scored.compared
        found[kind] = cluster(scored.pairs, not_the_same)
    return LinkageResult(found["services"], found["organizations"], compared)
