"""Merging duplicate records, undoing a merge, and "not the same".

A merge keeps one record (the survivor) and re-points every reference to the other (the merged
record) at it. The references are found through Django's model metadata, not a hand-kept list,
so that a model added later is moved too. A reference that would break a unique or check
constraint once moved (a second translation of the same field, a cooperation of the survivor
with itself, a second current membership in a working group, …) is removed instead and kept in
the `Merge` record, so that the undo can put it back. A merged offer is archived (the public
finder then drops it); a merged organisation, which has no archived state, is deleted after
everything pointing at it has moved, and its row is kept in the `Merge` for the undo.

Everything happens in one transaction, is audited, and goes through `Model.save()` so that the
change history (django-simple-history) and the search index (kinetz.finder.signals) follow.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalChanges

from kinetz.accounts.models import User
from kinetz.coordination.models import DuplicateKind, Merge, NotTheSame
from kinetz.core.audit import log_action
from kinetz.finder import signals as finder_signals
from kinetz.network.models import Organization
from kinetz.offers.models import ReviewState, Service


class MergeError(Exception):
    """A merge, undo or decision that is not possible; the message says why."""


@dataclass
class _Changes:
    moved: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)


def _model_of(kind: str) -> type[models.Model]:
    if kind == DuplicateKind.SERVICES:
        return Service
    if kind == DuplicateKind.ORGANIZATIONS:
        return Organization
    raise MergeError(_("Unknown kind of record: %(kind)s.") % {"kind": kind})


# References -----------------------------------------------------------------------------------


def referencing_fields(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    """Every foreign key (or one-to-one) of another model that points at `model`.

    Hidden relations count too (related_name="+", auto-created many-to-many tables); the
    copies django-simple-history keeps are history, not references, and stay as they are.
    """
    found: list[models.ForeignKey[Any, Any]] = []
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        reverse = cast(models.ForeignObjectRel, relation)
        related: Any = reverse.related_model
        if issubclass(related, HistoricalChanges) or related._meta.proxy:
            continue
        if reverse.parent_link:  # a subclass row is part of the record itself
            continue
        found.append(cast("models.ForeignKey[Any, Any]", reverse.field))
    return sorted(found, key=lambda fk: (fk.model._meta.label, fk.name))


def _key_fields(row: models.Model, model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in row._meta.concrete_fields if f.is_relation and f.related_model is model]


def _keys(row: models.Model, fields: list[models.Field[Any, Any]]) -> dict[str, str | None]:
    values = {f.attname: getattr(row, f.attname) for f in fields}
    return {name: None if value is None else str(value) for name, value in values.items()}


def _fits(row: models.Model) -> bool:
    """True if `row`, changed in memory, still meets its unique and check constraints."""
    # Rows that keep a pair in a fixed order (Cooperation) must be put in order first.
    put_in_order = getattr(row, "put_pair_in_order", None)
    if callable(put_in_order):
        put_in_order()
    try:
        row.validate_unique()
        row.validate_constraints()
    except ValidationError:
        return False
    return True


# Columns that do not make two rows different things (ids, stamps, order, HSDS leftovers).
_INCIDENTAL_COLUMNS = frozenset({"created", "modified", "position", "extra"})


def _repeats(row: models.Model) -> bool:
    """True if the survivor already has a row just like `row` (the same language, taxonomy
    term, phone number, …): moving it would list the same thing twice.

    Only rows that nothing refers to and that hold no other JSON count; the others move.
    """
    values: dict[str, Any] = {}
    for column in row._meta.concrete_fields:
        if column.primary_key or column.name in _INCIDENTAL_COLUMNS:
            continue
        if isinstance(column, models.JSONField):
            return False
        values[column.attname] = getattr(row, column.attname)
    model: Any = type(row)
    for fk in referencing_fields(model):
        if fk.model._base_manager.filter(**{fk.attname: row.pk}).exists():
            return False
    return bool(model._base_manager.filter(**values).exclude(pk=row.pk).exists())


def _plain(value: Any) -> Any:
    # Like Django's JSON serialiser, but timestamps keep their microseconds: an undo must
    # give back the row exactly as it was.
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _serialise(rows: list[models.Model]) -> list[dict[str, Any]]:
    return [
        {
            "model": data["model"],
            "pk": str(data["pk"]),
            "fields": {name: _plain(value) for name, value in data["fields"].items()},
        }
        for data in serializers.serialize("python", rows)
    ]


def _remove(row: models.Model, user: User, reason: str, changes: _Changes) -> None:
    """Delete `row` and whatever its deletion takes along, keeping all of it for the undo."""
    collector = Collector(using=row._state.db or "default")
    try:
        collector.collect([row])
    except (ProtectedError, RestrictedError) as error:
        raise MergeError(
            _("%(record)s cannot be removed: other records depend on it.")
            % {"record": f"{row._meta.verbose_name} {row.pk}"}
        ) from error
    collector.sort()
    # Deletion order: the fast deletes (children) first, then the collected rows in their
    # dependency order; the undo inserts in the reverse order.
    doomed: list[models.Model] = []
    for queryset in collector.fast_deletes:
        doomed.extend(queryset)
    for instances in collector.data.values():
        doomed.extend(instances)
    for (fk, _value), targets in collector.field_updates.items():
        for target in targets:
            for item in target if isinstance(target, models.QuerySet) else [target]:
                before = {fk.attname: _keys(item, [fk])[fk.attname]}
                changes.moved.append(
                    {
                        "model": item._meta.label,
                        "pk": str(item.pk),
                        "before": before,
                        "after": {fk.attname: None},
                    }
                )
    restore_order = list(reversed(doomed))
    changes.dropped.extend(_serialise(restore_order))
    for item in doomed:
        item._history_user = user  # type: ignore[attr-defined]
        item._change_reason = reason  # type: ignore[attr-defined]
    row._history_user = user  # type: ignore[attr-defined]
    row._change_reason = reason  # type: ignore[attr-defined]
    collector.delete()


def _move_references(
    model: type[models.Model], merged: models.Model, survivor: models.Model, user: User
) -> _Changes:
    changes = _Changes()
    reason = f"merge {merged.pk} → {survivor.pk}"
    for fk in referencing_fields(model):
        related = fk.model
        manager = related._base_manager  # no scoping or filtering manager may hide a row
        for row in manager.filter(**{fk.attname: merged.pk}).order_by("pk"):
            keys = _key_fields(row, model)
            before = _keys(row, keys)
            if related is model and row.pk == survivor.pk:
                # The survivor pointed at the merged record (e.g. as its parent): it cannot
                # point at itself, so the reference is cleared.
                if not fk.null:
                    raise MergeError(
                        _("%(record)s refers to the merged record and cannot be changed.")
                        % {"record": str(row)}
                    )
                setattr(row, fk.attname, None)
            else:
                setattr(row, fk.attname, survivor.pk)
                if not _fits(row) or _repeats(row):
                    # Kept as it is in the database, still pointing at the merged record.
                    _remove(manager.get(pk=row.pk), user, reason, changes)
                    continue
            row._history_user = user  # type: ignore[attr-defined]
            row._change_reason = reason  # type: ignore[attr-defined]
            row.save()
            changes.moved.append(
                {
                    "model": related._meta.label,
                    "pk": str(row.pk),
                    "before": before,
                    "after": _keys(row, keys),
                }
            )
    return changes


# Merging ---------------------------------------------------------------------------------------


def _check_pair(kind: str, survivor: models.Model, merged: models.Model) -> None:
    if survivor.pk == merged.pk:
        raise MergeError(_("A record cannot be merged into itself."))
    if getattr(survivor, "region_id") != getattr(merged, "region_id"):  # noqa: B009
        raise MergeError(_("Only records of the same region can be merged."))
    active = Merge.objects.active().filter(kind=kind)
    if active.filter(merged_id=merged.pk).exists():
        raise MergeError(
            _("“%(name)s” was already merged into another record.") % {"name": str(merged)}
        )
    if active.filter(merged_id=survivor.pk).exists():
        raise MergeError(
            _("“%(name)s” was merged into another record and cannot be kept.")
            % {"name": str(survivor)}
        )


def _locked(model: type[models.Model], pk: Any) -> Any:
    return model._base_manager.select_for_update().get(pk=pk)


def _locked_pair(model: type[models.Model], survivor: Any, merged: Any) -> tuple[Any, Any]:
    """Both records, locked in id order (two merges of the same pair cannot deadlock)."""
    rows = {
        row.pk: row
        for row in model._base_manager.select_for_update()
        .filter(pk__in=[survivor.pk, merged.pk])
        .order_by("pk")
    }
    if survivor.pk not in rows or merged.pk not in rows:
        raise MergeError(_("One of the records no longer exists (merged or deleted meanwhile)."))
    return rows[survivor.pk], rows[merged.pk]


def _record_merge(
    kind: str,
    survivor: Any,
    merged: tuple[Any, str],
    user: User,
    snapshot: list[dict[str, Any]],
    changes: _Changes,
) -> Merge:
    merge = Merge.objects.create(
        region_id=survivor.region_id,
        kind=kind,
        survivor_id=survivor.pk,
        merged_id=merged[0],
        survivor_name=str(survivor)[:300],
        merged_name=merged[1][:300],
        snapshot=snapshot,
        moved=changes.moved,
        dropped=changes.dropped,
        merged_by=user,
    )
    log_action(
        user,
        f"{kind}.merged",
        survivor,
        merge=str(merge.pk),
        merged=str(merged[0]),
        moved=len(changes.moved),
        dropped=len(changes.dropped),
    )
    return merge


@transaction.atomic
def merge_services(survivor: Service, merged: Service, user: User) -> Merge:
    """Move everything of `merged` to `survivor` and archive `merged`, in one transaction."""
    survivor, merged = _locked_pair(Service, survivor, merged)
    _check_pair(DuplicateKind.SERVICES, survivor, merged)
    snapshot = _serialise([merged])
    changes = _move_references(Service, merged, survivor, user)
    merged.review_state = ReviewState.ARCHIVED
    merged._history_user = user  # type: ignore[attr-defined]
    merged._change_reason = f"merged into {survivor.pk} “{survivor.name}”"  # type: ignore[attr-defined]
    merged.save()  # the finder's signal drops the archived offer from the index
    finder_signals.enqueue_update(survivor.pk)  # its locations, times, … changed
    return _record_merge(
        DuplicateKind.SERVICES, survivor, (merged.pk, str(merged)), user, snapshot, changes
    )


@transaction.atomic
def merge_organizations(survivor: Organization, merged: Organization, user: User) -> Merge:
    """Move everything of `merged` to `survivor` (offers, locations, contacts, memberships,
    cooperations, editors' accounts, …) and delete `merged`, in one transaction."""
    survivor, merged = _locked_pair(Organization, survivor, merged)
    _check_pair(DuplicateKind.ORGANIZATIONS, survivor, merged)
    changes = _move_references(Organization, merged, survivor, user)
    identity = (merged.pk, str(merged))  # the deletion clears the instance's pk
    # What the deletion removes (the row itself and, should a reference have been missed,
    # whatever cascades with it) is the snapshot; it is not a "dropped" reference.
    removed = _Changes()
    _remove(merged, user, f"merged into {survivor.pk} “{survivor.name}”", removed)
    changes.moved.extend(removed.moved)
    return _record_merge(
        DuplicateKind.ORGANIZATIONS, survivor, identity, user, removed.dropped, changes
    )


def merge(kind: str, survivor: Any, merged: Any, user: User) -> Merge:
    if kind == DuplicateKind.SERVICES:
        return merge_services(survivor, merged, user)
    if kind == DuplicateKind.ORGANIZATIONS:
        return merge_organizations(survivor, merged, user)
    raise MergeError(_("Unknown kind of record: %(kind)s.") % {"kind": kind})


# Undoing ---------------------------------------------------------------------------------------


@dataclass
class UndoResult:
    merge: Merge
    moved_back: int
    restored: int
    # References changed again since the merge: left where they are now.
    skipped: list[str]


def _insert(rows: list[dict[str, Any]], user: User, reason: str) -> int:
    """Insert serialised rows again, with their ids and timestamps, recording history."""
    count = 0
    for item in serializers.deserialize("python", rows):
        row: Any = item.object
        stamps = {
            f.attname: getattr(row, f.attname)
            for f in row._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        }
        row._history_user = user
        row._change_reason = reason
        row.save(force_insert=True)
        if stamps:
            type(row)._base_manager.filter(pk=row.pk).update(**stamps)
        for name, values in (item.m2m_data or {}).items():
            getattr(row, name).set(values)
        count += 1
    return count


def _model_by_label(label: str) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(label)


def _move_back(merge: Merge, user: User, reason: str) -> tuple[int, list[str]]:
    moved_back = 0
    skipped: list[str] = []
    for entry in reversed(merge.moved):
        model = _model_by_label(entry["model"])
        row = model._base_manager.filter(pk=entry["pk"]).first()
        if row is None:
            skipped.append(f"{entry['model']} {entry['pk']}")
            continue
        fields = [model._meta.get_field(name) for name in entry["after"]]
        if _keys(row, fields) != entry["after"]:  # type: ignore[arg-type]
            skipped.append(f"{entry['model']} {entry['pk']}")
            continue
        for name, value in entry["before"].items():
            setattr(row, name, value)
        put_in_order = getattr(row, "put_pair_in_order", None)
        if callable(put_in_order):
            put_in_order()
        row._history_user = user  # type: ignore[attr-defined]
        row._change_reason = reason  # type: ignore[attr-defined]
        row.save()
        moved_back += 1
    return moved_back, skipped


@transaction.atomic
def undo_merge(merge: Merge, user: User) -> UndoResult:
    """Restore the merged record and move exactly the moved references back to it.

    References the survivor gained after the merge stay with it. A merge is undone once.
    """
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise MergeError(
            _("This merge was already undone on %(date)s.")
            % {"date": timezone.localtime(merge.undone_at).strftime("%Y-%m-%d %H:%M")}
        )
    later = Merge.objects.active().filter(
        kind=merge.kind, merged_id=merge.survivor_id, created__gt=merge.created
    )
    if later.exists():
        raise MergeError(
            _("“%(name)s” was merged into another record since; undo that merge first.")
            % {"name": merge.survivor_name}
        )
    reason = f"undo of merge {merge.pk}"
    model = _model_of(merge.kind)
    restored = 0
    if merge.kind == DuplicateKind.ORGANIZATIONS:
        restored += _insert(merge.snapshot, user, reason)
    moved_back, skipped = _move_back(merge, user, reason)
    restored += _insert(merge.dropped, user, reason)
    if merge.kind == DuplicateKind.SERVICES:
        service = _locked(Service, merge.merged_id)
        before: Any = next(serializers.deserialize("python", merge.snapshot)).object
        service.review_state = before.review_state
        service._history_user = user
        service._change_reason = reason
        service.save()
        finder_signals.enqueue_update(merge.survivor_id)
    merge.undone_at = timezone.now()
    merge.undone_by = user
    merge.save(update_fields=["undone_at", "undone_by", "modified"])
    merged = model._base_manager.get(pk=merge.merged_id)
    log_action(
        user,
        f"{merge.kind}.merge_undone",
        merged,
        merge=str(merge.pk),
        survivor=str(merge.survivor_id),
        moved_back=moved_back,
        restored=restored,
        skipped=skipped,
    )
    return UndoResult(merge=merge, moved_back=moved_back, restored=restored, skipped=skipped)


# "Not the same" --------------------------------------------------------------------------------


def canonical_pair(a: Any, b: Any) -> tuple[str, str]:
    left, right = sorted([str(a), str(b)])
    return left, right


@transaction.atomic
def mark_not_the_same(
    kind: str, a: models.Model, b: models.Model, user: User, note: str = ""
) -> NotTheSame:
    """Remember that `a` and `b` are different things; the pair is never proposed again."""
    _model_of(kind)
    if a.pk == b.pk:
        raise MergeError(_("A record is always the same as itself."))
    region_id = getattr(a, "region_id")  # noqa: B009
    if region_id != getattr(b, "region_id"):  # noqa: B009
        raise MergeError(_("Both records must be of the same region."))
    left, right = canonical_pair(a.pk, b.pk)
    decision, created = NotTheSame.objects.get_or_create(
        kind=kind,
        left_id=UUID(left),
        right_id=UUID(right),
        defaults={"region_id": region_id, "decided_by": user, "note": note},
    )
    if created:
        log_action(user, f"{kind}.not_the_same", a, other=str(b.pk), decision=str(decision.pk))
    return decision
