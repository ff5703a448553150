"""The duplicate review queue: stored searches, their clusters as staff see them, previews.

Splink takes seconds on a large catalogue, so a search runs in the background (a task, or the
`find_duplicates` command) and stores its clusters in a `LinkageRun`; the queue page reads the
latest stored run of the region. Decisions made since the run are applied when the clusters
are read: pairs marked "not the same" and records merged or archived since drop out, and a
cluster falls apart into what is still connected.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db import models, transaction
from django.utils import timezone

from kinetz.accounts.models import User
from kinetz.coordination import merging
from kinetz.coordination.models import DuplicateKind, LinkageRun, Merge, NotTheSame, RunState
from kinetz.network.models import Organization
from kinetz.offers.models import ReviewState, Service, Vocabulary
from kinetz.territory.models import Region

QUEUE_PAGE_SIZE = 20  # groups of one kind per page of the review queue

ClusterData = dict[str, Any]  # {"ids": [...], "pairs": [{"left_id", "right_id", …}]}

# A search still "queued" or "running" after this long is taken to have died with its worker.
STALE_RUN = timedelta(hours=1)


# Running a search -----------------------------------------------------------------------------


def not_the_same_pairs(region: Region) -> set[tuple[str, str]]:
    return {
        (str(left), str(right))
        for left, right in NotTheSame.objects.in_region(region).values_list("left_id", "right_id")
    }


def cluster_data(cluster: Any) -> ClusterData:
    """A linkage `Cluster` as JSON-ready data."""
    return {
        "ids": [str(i) for i in cluster.ids],
        "pairs": [
            {
                "left_id": str(pair.left_id),
                "right_id": str(pair.right_id),
                "probability": float(pair.probability),
                "agreements": dict(pair.agreements),
            }
            for pair in cluster.pairs
        ],
    }


def search(region: Region) -> dict[str, Any]:
    """Run the linkage for `region` and return its clusters, decisions already applied."""
    from kinetz.coordination.linkage import find_duplicates

    result = find_duplicates(region, not_the_same=not_the_same_pairs(region))
    return {
        DuplicateKind.SERVICES.value: live_clusters(
            DuplicateKind.SERVICES, region, [cluster_data(c) for c in result.services]
        ),
        DuplicateKind.ORGANIZATIONS.value: live_clusters(
            DuplicateKind.ORGANIZATIONS, region, [cluster_data(c) for c in result.organizations]
        ),
        "pairs_compared": dict(result.pairs_compared),
    }


def execute(run: LinkageRun) -> LinkageRun:
    """Carry out a queued search and store its clusters (or its error) in `run`."""
    LinkageRun.objects.filter(pk=run.pk).update(state=RunState.RUNNING, modified=timezone.now())
    try:
        found = search(run.region)
    except Exception as error:  # the run records the failure; the caller sees it too
        run.state = RunState.FAILED
        run.error = f"{type(error).__name__}: {error}"
        run.finished_at = timezone.now()
        run.save()
        raise
    run.services = found[DuplicateKind.SERVICES.value]
    run.organizations = found[DuplicateKind.ORGANIZATIONS.value]
    run.pairs_compared = found["pairs_compared"]
    run.state = RunState.DONE
    run.finished_at = timezone.now()
    run.error = ""
    run.save()
    return run


def latest_run(region: Region) -> LinkageRun | None:
    run: LinkageRun | None = LinkageRun.objects.in_region(region).done().first()
    return run


def pending_run(region: Region) -> LinkageRun | None:
    since = timezone.now() - STALE_RUN
    run: LinkageRun | None = (
        LinkageRun.objects.in_region(region).unfinished().filter(created__gte=since).first()
    )
    return run


def start_search(region: Region, user: User | None) -> LinkageRun:
    """Queue a new search of `region`, unless one is already waiting or running."""
    from kinetz.coordination.tasks import run_duplicate_search

    pending = pending_run(region)
    if pending is not None:
        return pending
    run: LinkageRun = LinkageRun.objects.create(region=region, started_by=user)
    run_id = str(run.pk)
    transaction.on_commit(lambda: run_duplicate_search.enqueue(run_id))
    return run


# Reading clusters ------------------------------------------------------------------------------


def _live_ids(kind: str, region: Region, ids: set[str]) -> set[str]:
    """The ids that are still records of the region a coordinator can decide about."""
    found: Any
    if kind == DuplicateKind.SERVICES:
        services = Service.objects.in_region(region).filter(pk__in=ids)
        found = services.exclude(review_state=ReviewState.ARCHIVED).values_list("pk", flat=True)
    else:
        found = (
            Organization.objects.in_region(region).filter(pk__in=ids).values_list("pk", flat=True)
        )
    return {str(pk) for pk in found}


def _components(ids: Iterable[str], pairs: list[dict[str, Any]]) -> list[list[str]]:
    parent = {i: i for i in ids}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for pair in pairs:
        parent[root(pair["left_id"])] = root(pair["right_id"])
    groups: dict[str, list[str]] = defaultdict(list)
    for i in parent:
        groups[root(i)].append(i)
    return [sorted(group) for group in groups.values() if len(group) > 1]


def live_clusters(kind: str, region: Region, clusters: list[ClusterData]) -> list[ClusterData]:
    """`clusters` without the pairs decided since, split into what is still connected."""
    every_id = {i for cluster in clusters for i in cluster["ids"]}
    live = _live_ids(kind, region, every_id)
    different = not_the_same_pairs(region)
    result: list[ClusterData] = []
    for cluster in clusters:
        ids = [i for i in cluster["ids"] if i in live]
        pairs = [
            pair
            for pair in cluster.get("pairs", [])
            if pair["left_id"] in live
            and pair["right_id"] in live
            and tuple(sorted((pair["left_id"], pair["right_id"]))) not in different
        ]
        for component in _components(ids, pairs):
            members = set(component)
            result.append(
                {
                    "ids": component,
                    "pairs": [p for p in pairs if p["left_id"] in members],
                }
            )
    result.sort(key=lambda c: -max((p["probability"] for p in c["pairs"]), default=0.0))
    return result


def export_shape(found: dict[str, Any]) -> dict[str, list[list[str]]]:
    """The DESIGN §6 shape: `{"services": [[id, …], …], "organizations": [[…], …]}`."""
    return {
        kind.value: [list(cluster["ids"]) for cluster in found.get(kind.value, [])]
        for kind in DuplicateKind
    }


# The queue as staff see it ---------------------------------------------------------------------


@dataclass(frozen=True)
class PairView:
    left: Any
    right: Any
    probability: float
    agreements: dict[str, str]

    @property
    def percent(self) -> float:
        return round(self.probability * 100, 1)

    @property
    def evidence(self) -> list[tuple[str, str, bool]]:
        """(comparison, level reached, whether it speaks for the same record), as shown."""
        return [
            (comparison_label(name), level_label(level), level not in DISAGREEING_LEVELS)
            for name, level in self.agreements.items()
            if level
        ]


# Levels of a linkage comparison that speak against the records being the same.
DISAGREEING_LEVELS = frozenset(
    {"", "different", "other organisation", "another town", "another time"}
)


def level_label(level: str) -> str:
    """The human label of a comparison level (the linkage keeps its labels in one dict)."""
    from kinetz.coordination import linkage_model

    labels: dict[str, Any] = getattr(linkage_model, "LABELS", {})
    return str(labels.get(level, level))


def comparison_label(name: str) -> str:
    from kinetz.coordination import linkage_model

    labels: dict[str, Any] = getattr(linkage_model, "COMPARISON_LABELS", {})
    return str(labels.get(name, name))


@dataclass(frozen=True)
class FieldRow:
    label: str
    values: list[str]
    # The levels the linkage's comparisons of this field reached, e.g. "exact".
    levels: list[str]

    @property
    def agreed(self) -> bool:
        has_values = any(value for value in self.values)
        return has_values and any(level not in DISAGREEING_LEVELS for level in self.levels)

    @property
    def evidence(self) -> list[str]:
        return [level_label(level) for level in self.levels if level]


@dataclass(frozen=True)
class ClusterView:
    kind: str
    records: list[Any]
    pairs: list[PairView]
    rows: list[FieldRow]

    @property
    def probability(self) -> float:
        return max((pair.probability for pair in self.pairs), default=0.0)

    @property
    def percent(self) -> float:
        return round(self.probability * 100, 1)


@dataclass
class Queue:
    run: LinkageRun | None
    pending: LinkageRun | None
    # The newest search, when it failed (the clusters shown are then those of an older one).
    failed: LinkageRun | None = None
    # The groups of the pages shown, and those pages (their paginator counts every group).
    services: list[ClusterView] = field(default_factory=list)
    organizations: list[ClusterView] = field(default_factory=list)
    services_page: "Page[ClusterData] | None" = None
    organizations_page: "Page[ClusterData] | None" = None


def _join(values: Iterable[str]) -> str:
    return "; ".join(v for v in values if v)


def _service_rows(services: list[Service]) -> list[tuple[str, str, list[str]]]:
    from django.utils.translation import gettext as _

    def addresses(s: Service) -> str:
        return _join(
            f"{a.address_1}, {a.postal_code} {a.city}"
            for sal in s.at_locations.all()
            for a in sal.location.addresses.all()
        )

    def times(s: Service) -> str:
        return _join(
            " ".join(x for x in (sch.byday, sch.opens_at, sch.closes_at, sch.description) if x)
            for sch in s.schedules.all()
        )

    def fields(s: Service) -> str:
        return _join(
            sorted(
                a.taxonomy_term.name
                for a in s.attributes.all()
                if a.taxonomy_term is not None and a.link_type == Vocabulary.HANDLUNGSFELD
            )
        )

    return [
        (_("Name"), "name", [s.name for s in services]),
        (_("Provider"), "organization", [s.organization.name for s in services]),
        (_("Address"), "address", [addresses(s) for s in services]),
        (_("Times"), "schedule", [times(s) for s in services]),
        (_("Fields of action"), "fields", [fields(s) for s in services]),
        (_("Phone"), "phone", [_join(p.number for p in s.phones.all()) for s in services]),
        (_("E-mail address"), "email", [s.email for s in services]),
        (_("Web address"), "web", [s.url for s in services]),
        (_("Status"), "state", [s.get_review_state_display() for s in services]),
        (_("Description"), "description", [s.description[:300] for s in services]),
    ]


def _organization_rows(organizations: list[Organization]) -> list[tuple[str, str, list[str]]]:
    from django.utils.translation import gettext as _

    def addresses(o: Organization) -> str:
        return _join(
            f"{a.address_1}, {a.postal_code} {a.city}"
            for listed in o.listed_locations.all()
            for a in listed.location.addresses.all()
        )

    return [
        (_("Name"), "name", [o.name for o in organizations]),
        (_("Alternate name"), "alternate_name", [o.alternate_name for o in organizations]),
        (_("Actor type"), "actor_type", [o.get_actor_type_display() for o in organizations]),
        (_("Address"), "address", [addresses(o) for o in organizations]),
        (_("Phone"), "phone", [_join(p.number for p in o.phones.all()) for o in organizations]),
        (_("E-mail address"), "email", [o.email for o in organizations]),
        (_("Website"), "web", [o.website for o in organizations]),
        (_("Offers"), "services", [str(o.services.count()) for o in organizations]),
        (_("Description"), "description", [o.description[:300] for o in organizations]),
    ]


# Which linkage comparisons (kinetz.coordination.linkage) speak about which row of the table.
_COMPARISONS_OF_ROW = {
    "name": ("name",),
    "alternate_name": ("name",),
    "organization": ("provider",),
    "address": ("place",),
    "schedule": ("schedule",),
    "phone": ("phone", "contact"),
    "email": ("email", "contact"),
    "web": ("web", "contact"),
    "fields": ("fields",),
    "description": ("description",),
}


# Levels of the combined "contact" comparison that speak about some of its rows only.
_ROWS_OF_LEVEL = {
    "same phone and e-mail": ("phone", "email"),
    "same phone or e-mail": ("phone", "email"),
    "same website": ("web",),
}


def _levels(row_key: str, pairs: list[PairView]) -> list[str]:
    names = _COMPARISONS_OF_ROW.get(row_key, ())
    levels: list[str] = []
    for pair in pairs:
        for name, level in pair.agreements.items():
            if name not in names or level in levels:
                continue
            if row_key not in _ROWS_OF_LEVEL.get(level, (row_key,)):
                continue
            levels.append(level)
    return levels


def _load(kind: str, region: Region, ids: set[str]) -> dict[str, Any]:
    queryset: models.QuerySet[Any]
    if kind == DuplicateKind.SERVICES:
        queryset = (
            Service.objects.in_region(region)
            .filter(pk__in=ids)
            .select_related("organization")
            .prefetch_related(
                "phones",
                "schedules",
                "attributes__taxonomy_term",
                "at_locations__location__addresses",
            )
        )
    else:
        queryset = (
            Organization.objects.in_region(region)
            .filter(pk__in=ids)
            .prefetch_related("phones", "listed_locations__location__addresses", "services")
        )
    return {str(record.pk): record for record in queryset}


def cluster_views(kind: str, region: Region, live: list[ClusterData]) -> list[ClusterView]:
    """The review tables of clusters that live_clusters() returned."""
    records = _load(kind, region, {i for c in live for i in c["ids"]})
    views: list[ClusterView] = []
    for cluster in live:
        members = [records[i] for i in cluster["ids"] if i in records]
        pairs = [
            PairView(
                left=records[p["left_id"]],
                right=records[p["right_id"]],
                probability=p["probability"],
                agreements=p.get("agreements", {}),
            )
            for p in cluster["pairs"]
            if p["left_id"] in records and p["right_id"] in records
        ]
        table = (
            _service_rows(members)
            if kind == DuplicateKind.SERVICES
            else (_organization_rows(members))
        )
        rows = [FieldRow(label, values, _levels(key, pairs)) for label, key, values in table]
        views.append(ClusterView(kind=kind, records=members, pairs=pairs, rows=rows))
    return views


def queue(
    region: Region, services_page: str | None = None, organizations_page: str | None = None
) -> Queue:
    """The last search's groups that are still undecided, QUEUE_PAGE_SIZE per page and kind
    (only the records of the pages shown are loaded)."""
    run = latest_run(region)
    newest: LinkageRun | None = LinkageRun.objects.in_region(region).first()
    failed = newest if newest is not None and newest.state == RunState.FAILED else None
    result = Queue(run=run, pending=pending_run(region), failed=failed)
    if run is None:
        return result
    for kind, clusters, number in (
        (DuplicateKind.SERVICES, run.services, services_page),
        (DuplicateKind.ORGANIZATIONS, run.organizations, organizations_page),
    ):
        page = Paginator(live_clusters(kind, region, clusters), QUEUE_PAGE_SIZE).get_page(number)
        views = cluster_views(kind, region, list(page.object_list))
        if kind == DuplicateKind.SERVICES:
            result.services, result.services_page = views, page
        else:
            result.organizations, result.organizations_page = views, page
    return result


# Merge previews and summaries ------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeSummary:
    moved: list[tuple[str, int]]
    dropped: list[tuple[str, int]]


def _counts(labels: Iterable[str]) -> list[tuple[str, int]]:
    counts = Counter(labels)
    named = [
        (str(apps.get_model(label)._meta.verbose_name_plural), count)
        for label, count in counts.items()
    ]
    return sorted(named)


def summary(merge: Merge) -> ChangeSummary:
    """What a merge moved and what it removed, as (kind of record, count) lines."""
    return ChangeSummary(
        moved=_counts(entry["model"] for entry in merge.moved),
        dropped=_counts(row["model"] for row in merge.dropped),
    )


class _DryRun(Exception):
    pass


def preview(kind: str, survivor: Any, merged: list[Any], user: User) -> list[ChangeSummary]:
    """What merging `merged` into `survivor` would change, found by merging and rolling back."""
    summaries: list[ChangeSummary] = []
    try:
        with transaction.atomic():
            for record in merged:
                summaries.append(summary(merging.merge(kind, survivor, record, user)))
            raise _DryRun
    except _DryRun:
        pass
    return summaries


def merge_all(kind: str, survivor: Any, merged: list[Any], user: User) -> list[Merge]:
    """Merge several records into one survivor: all of them or, on an error, none."""
    with transaction.atomic():
        return [merging.merge(kind, survivor, record, user) for record in merged]


def past_merges(region: Region) -> list[Merge]:
    return list(Merge.objects.in_region(region).select_related("merged_by", "undone_by")[:200])
