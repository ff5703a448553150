"""Decisions of the KI about duplicate records (merges and "not the same").

`LinkageRun` keeps the clusters of the last duplicate search of a region, so that the review
queue reads stored results instead of running Splink on every page view. `NotTheSame` and
`Merge` are the coordinators' decisions; a `Merge` holds everything its undo needs.
"""

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from kinetz.core.models import TimeStampedModel
from kinetz.core.scoping import RegionScopedQuerySet


class DuplicateKind(models.TextChoices):
    SERVICES = "services", _("offers")
    ORGANIZATIONS = "organizations", _("organisations")


class RunState(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class LinkageRunQuerySet(RegionScopedQuerySet["LinkageRun"]):
    def done(self) -> "LinkageRunQuerySet":
        return self.filter(state=RunState.DONE)

    def unfinished(self) -> "LinkageRunQuerySet":
        return self.filter(state__in=[RunState.QUEUED, RunState.RUNNING])


class LinkageRun(TimeStampedModel):
    """One duplicate search of a region and the clusters it found.

    `services` and `organizations` hold the clusters as the linkage gave them:
    `[{"ids": [...], "pairs": [{"left_id", "right_id", "probability", "agreements"}]}]`.
    """

    region = models.ForeignKey("territory.Region", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        _("state"), max_length=10, choices=RunState.choices, default=RunState.QUEUED
    )
    started_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(_("finished on"), null=True, blank=True)
    services = models.JSONField(default=list, blank=True)
    organizations = models.JSONField(default=list, blank=True)
    pairs_compared = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    objects: ClassVar[Any] = LinkageRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("duplicate search")
        verbose_name_plural = _("duplicate searches")
        ordering = ["-created"]
        indexes = [models.Index(fields=["region", "state", "created"], name="linkage_run_latest")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.created:%Y-%m-%d %H:%M} [{self.state}]"


class NotTheSameQuerySet(RegionScopedQuerySet["NotTheSame"]):
    def of_kind(self, kind: str) -> "NotTheSameQuerySet":
        return self.filter(kind=kind)


class NotTheSame(TimeStampedModel):
    """Two records a coordinator found to be different things: never proposed again.

    The pair is stored in canonical order (lower id first, as the linkage reports pairs), so the
    unique constraint also catches the same pair given the other way round.
    """

    region = models.ForeignKey("territory.Region", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=DuplicateKind.choices)
    left_id = models.UUIDField()
    right_id = models.UUIDField()
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    objects: ClassVar[Any] = NotTheSameQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision “not the same”")
        verbose_name_plural = _("decisions “not the same”")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "left_id", "right_id"], name="not_the_same_unique_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(left_id__lt=models.F("right_id")),
                name="not_the_same_pair_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.left_id} ≠ {self.right_id}"


class MergeQuerySet(RegionScopedQuerySet["Merge"]):
    def active(self) -> "MergeQuerySet":
        return self.filter(undone_at__isnull=True)


class Merge(TimeStampedModel):
    """One record merged into another, with what its undo needs.

    `snapshot` is the merged record as it was (for an organisation, which is deleted, every row
    its deletion removed; for an offer, which is archived, its own row). `moved` lists each
    re-pointed reference as `{"model", "pk", "before", "after"}` (the foreign keys to the record
    before and after); `dropped` holds the rows removed because the survivor already had their
    like (a unique constraint would clash), serialised so that undo can insert them again.
    """

    region = models.ForeignKey("territory.Region", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=DuplicateKind.choices)
    survivor_id = models.UUIDField(db_index=True)
    merged_id = models.UUIDField(db_index=True)
    # The names as they were, for the list of merges after the merged record is gone.
    survivor_name = models.CharField(_("kept record"), max_length=300)
    merged_name = models.CharField(_("merged record"), max_length=300)
    snapshot = models.JSONField(default=list)
    moved = models.JSONField(default=list)
    dropped = models.JSONField(default=list)
    merged_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("merged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    undone_at = models.DateTimeField(_("undone on"), null=True, blank=True)
    undone_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("undone by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects: ClassVar[Any] = MergeQuerySet.as_manager()

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.merged_id} → {self.survivor_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
