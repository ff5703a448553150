"""Editing the vocabularies `handlungsfeld` and `zielgruppe`: add, describe, nest, delete, merge.

The vocabularies are shared by every region of an installation (taxonomies have no region):
a region admin's change applies to all regions, and usage counts cover all regions.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalChanges

from kinetz.core.audit import log_action
from kinetz.offers.models import Service, ServiceAttribute, Taxonomy, TaxonomyTerm, Vocabulary

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CODE_MAX_LENGTH = 100


class TaxonomyError(Exception):
    """A change that cannot be made; `field` names the form field at fault, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class VocabularyListing:
    taxonomy: Taxonomy
    terms: list[TaxonomyTerm]  # each annotated with `offer_count`


def terms_of(vocabulary: str) -> QuerySet[TaxonomyTerm]:
    """The coded terms of one kinetz vocabulary by name: what filters and forms offer."""
    return (
        TaxonomyTerm.objects.filter(taxonomy__vocabulary=vocabulary)
        .exclude(code="")
        .order_by("name")
    )


def fields_of_action() -> QuerySet[TaxonomyTerm]:
    return terms_of(Vocabulary.HANDLUNGSFELD)


def target_groups() -> QuerySet[TaxonomyTerm]:
    return terms_of(Vocabulary.ZIELGRUPPE)


def read_place_and_field(
    params: Any, municipalities: QuerySet[Any], ignored: list[str]
) -> tuple[str, str]:
    """The municipality (AGS) and field of action (code) filters of a staff list.

    A value that is not one of `municipalities` or not a field of action is dropped and its
    parameter name appended to `ignored`, so that the page can say what it did not understand.
    """
    municipality = params.get("municipality", "")
    if municipality and not municipalities.filter(ags=municipality).exists():
        ignored.append("municipality")
        municipality = ""
    field = params.get("handlungsfeld", "")
    if field and not fields_of_action().filter(code=field).exists():
        ignored.append("handlungsfeld")
        field = ""
    return municipality, field


def vocabulary_taxonomies() -> QuerySet[Taxonomy]:
    """The taxonomies that are kinetz vocabularies, field of action first."""
    order = {vocabulary: rank for rank, vocabulary in enumerate(Vocabulary.values)}
    whens = [models.When(vocabulary=v, then=models.Value(r)) for v, r in order.items()]
    return (
        Taxonomy.objects.filter(vocabulary__in=Vocabulary.values)
        .annotate(rank=models.Case(*whens, output_field=models.IntegerField()))
        .order_by("rank", "name")
    )


def editable_terms() -> QuerySet[TaxonomyTerm]:
    """Terms of the kinetz vocabularies; terms of other (imported) taxonomies are not edited."""
    return TaxonomyTerm.objects.filter(taxonomy__vocabulary__in=Vocabulary.values)


def with_offer_counts(terms: QuerySet[TaxonomyTerm]) -> QuerySet[TaxonomyTerm]:
    # ServiceAttribute's reverse name is hidden ("+"), so count with a subquery.
    counts = (
        ServiceAttribute.objects.filter(taxonomy_term=models.OuterRef("pk"))
        .order_by()
        .values("taxonomy_term")
        .annotate(n=Count("service", distinct=True))
        .values("n")
    )
    return terms.annotate(
        offer_count=Coalesce(models.Subquery(counts, output_field=models.IntegerField()), 0)
    )


def listings() -> list[VocabularyListing]:
    """Both vocabularies with their terms (parents before children) and usage counts."""
    taxonomies = list(vocabulary_taxonomies())
    terms = with_offer_counts(
        editable_terms().filter(taxonomy__in=taxonomies).select_related("parent")
    )
    by_taxonomy: dict[Any, list[TaxonomyTerm]] = {t.pk: [] for t in taxonomies}
    for term in terms.order_by("code", "name"):
        by_taxonomy[term.taxonomy_id].append(term)
    return [VocabularyListing(t, _tree_order(by_taxonomy[t.pk])) for t in taxonomies]


def _tree_order(terms: list[TaxonomyTerm]) -> list[TaxonomyTerm]:
    """Each term followed by its children; sets `depth` on every term for indentation."""
    children: dict[Any, list[TaxonomyTerm]] = {}
    ids = {t.pk for t in terms}
    for term in terms:
        parent = term.parent_id if term.parent_id in ids else None
        children.setdefault(parent, []).append(term)
    ordered: list[TaxonomyTerm] = []

    placed: set[Any] = set()

    def visit(parent: Any, depth: int) -> None:
        for term in children.get(parent, []):
            if term.pk in placed:
                continue
            placed.add(term.pk)
            term.depth = depth  # type: ignore[attr-defined]
            ordered.append(term)
            visit(term.pk, depth + 1)

    visit(None, 0)
    # Terms caught in a parent cycle (possible in imported data) are listed at the top level.
    for term in terms:
        if term.pk not in placed:
            placed.add(term.pk)
            term.depth = 0  # type: ignore[attr-defined]
            ordered.append(term)
            visit(term.pk, 1)
    return ordered


def offer_count(term: TaxonomyTerm) -> int:
    """How many offers (in all regions) carry `term`."""
    return (
        ServiceAttribute.objects.filter(taxonomy_term=term).values("service_id").distinct().count()
    )


def clean_code(taxonomy: Taxonomy, code: str) -> str:
    code = code.strip().lower()
    if not code:
        raise TaxonomyError(_("Enter a code."), "code")
    if len(code) > CODE_MAX_LENGTH:
        raise TaxonomyError(
            _("The code may have at most %(n)d characters.") % {"n": CODE_MAX_LENGTH}, "code"
        )
    if not CODE_PATTERN.match(code):
        raise TaxonomyError(
            _(
                "The code may contain only lower-case letters a–z, digits and hyphens, "
                "and must start with a letter or digit (e.g. hf-sprache)."
            ),
            "code",
        )
    if TaxonomyTerm.objects.filter(taxonomy=taxonomy, code__iexact=code).exists():
        raise TaxonomyError(
            _("The code “%(code)s” is already used in this vocabulary.") % {"code": code}, "code"
        )
    return code


def clean_parent(term: TaxonomyTerm, parent: TaxonomyTerm | None) -> TaxonomyTerm | None:
    """A parent from the same vocabulary that is neither the term nor one of its descendants."""
    if parent is None:
        return None
    if parent.taxonomy_id != term.taxonomy_id:
        raise TaxonomyError(_("The parent term must belong to the same vocabulary."), "parent")
    ancestor: TaxonomyTerm | None = parent
    seen = set()
    while ancestor is not None and ancestor.pk not in seen:
        if ancestor.pk == term.pk:
            raise TaxonomyError(
                _("A term cannot be placed under itself or under one of its own sub-terms."),
                "parent",
            )
        seen.add(ancestor.pk)
        ancestor = ancestor.parent
    return parent


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise TaxonomyError(_("Enter a name."), "name")
    return name


@transaction.atomic
def add_term(
    user: Any,
    taxonomy: Taxonomy,
    code: str,
    name: str,
    description: str = "",
    parent: TaxonomyTerm | None = None,
) -> TaxonomyTerm:
    term = TaxonomyTerm(taxonomy=taxonomy, language="de")
    term.code = clean_code(taxonomy, code)
    term.name = _clean_name(name)
    term.description = description.strip()
    term.parent = clean_parent(term, parent)
    term.save()
    log_action(
        user,
        "taxonomy_term.added",
        term,
        vocabulary=taxonomy.vocabulary,
        code=term.code,
        name=term.name,
        parent=term.parent.code if term.parent else None,
    )
    return term


@transaction.atomic
def update_term(
    user: Any,
    term: TaxonomyTerm,
    name: str,
    description: str,
    parent: TaxonomyTerm | None,
) -> TaxonomyTerm:
    """Rename, describe or move a term. The code stays: filters and links use it."""
    before = {"name": term.name, "description": term.description, "parent": term.parent_id}
    term.name = _clean_name(name)
    term.description = description.strip()
    term.parent = clean_parent(term, parent)
    after = {"name": term.name, "description": term.description, "parent": term.parent_id}
    changed = [key for key in before if before[key] != after[key]]
    if not changed:
        return term
    term.save()
    log_action(
        user,
        "taxonomy_term.changed",
        term,
        code=term.code,
        fields=changed,
        old_name=before["name"],
        name=term.name,
        parent=term.parent.code if term.parent else None,
    )
    return term


def _lock(*terms: TaxonomyTerm) -> None:
    """Lock the terms' rows so that no concurrent change tags or moves them meanwhile."""
    pks = [term.pk for term in terms]
    # No ordering: the default one joins the taxonomy, which PostgreSQL cannot lock.
    locked = TaxonomyTerm.objects.select_for_update().filter(pk__in=pks).order_by()
    list(locked.values_list("pk"))


def _in_use_message(count: int) -> str:
    return ngettext(
        "This term cannot be deleted: %(count)d offer uses it. Merge it into another term instead.",
        "This term cannot be deleted: %(count)d offers use it. Merge it into another term instead.",
        count,
    ) % {"count": count}


@transaction.atomic
def delete_term(user: Any, term: TaxonomyTerm) -> None:
    """Delete an unused term; its sub-terms move up to the term's own parent."""
    _lock(term)
    count = offer_count(term)
    if count:
        raise TaxonomyError(_in_use_message(count))
    term.children.update(parent_id=term.parent_id, modified=timezone.now())
    log_action(
        user,
        "taxonomy_term.deleted",
        term,
        vocabulary=term.taxonomy.vocabulary if term.taxonomy else "",
        code=term.code,
        name=term.name,
    )
    try:
        term.delete()
    except models.ProtectedError as error:
        raise TaxonomyError(
            _("This term cannot be deleted: other records still refer to it.")
        ) from error


@transaction.atomic
def merge_term(user: Any, source: TaxonomyTerm, target: TaxonomyTerm) -> int:
    """Move every use of `source` to `target` and delete `source`; returns the offers moved.

    All or nothing: an offer that carries both terms keeps one attribute; sub-terms of
    `source` move under `target`.
    """
    if source.pk == target.pk:
        raise TaxonomyError(_("Choose a different term to merge into."), "target")
    if source.taxonomy_id != target.taxonomy_id:
        raise TaxonomyError(
            _("A term can only be merged into a term of the same vocabulary."), "target"
        )
    _lock(source, target)
    attributes = ServiceAttribute.objects.filter(taxonomy_term=source)
    service_ids = set(attributes.values_list("service_id", flat=True))
    already_tagged = set(
        ServiceAttribute.objects.filter(
            taxonomy_term=target, service_id__in=service_ids
        ).values_list("service_id", flat=True)
    )
    now = timezone.now()
    attributes.filter(service_id__in=already_tagged).delete()
    attributes.exclude(service_id__in=already_tagged).update(taxonomy_term=target, modified=now)
    # Offers changed: HSDS consumers polling with `modified_after` must see them.
    Service.objects.filter(pk__in=service_ids).update(last_modified=now)
    _repoint_other_references(source, target)
    if _is_below(target, source):  # else moving source's sub-terms under target makes a loop
        target.parent_id = source.parent_id
        target.save(update_fields=["parent", "modified"])
    source.children.exclude(pk=target.pk).update(parent=target, modified=now)
    log_action(
        user,
        "taxonomy_term.merged",
        target,
        vocabulary=target.taxonomy.vocabulary if target.taxonomy else "",
        merged_code=source.code,
        merged_name=source.name,
        merged_id=str(source.pk),
        into_code=target.code,
        offers=len(service_ids),
    )
    source.delete()
    return len(service_ids)


def _is_below(term: TaxonomyTerm, ancestor: TaxonomyTerm) -> bool:
    seen = set()
    current = term.parent
    while current is not None and current.pk not in seen:
        if current.pk == ancestor.pk:
            return True
        seen.add(current.pk)
        current = current.parent
    return False


def _repoint_other_references(source: TaxonomyTerm, target: TaxonomyTerm) -> None:
    """Move references from other apps (e.g. working groups) from `source` to `target`.

    Plain foreign keys are re-pointed; rows of many-to-many tables that would then link the
    same pair twice are dropped.
    """
    known = {(ServiceAttribute, "taxonomy_term"), (TaxonomyTerm, "parent")}
    for relation in TaxonomyTerm._meta.get_fields(include_hidden=True):
        if not (relation.one_to_many and relation.auto_created and not relation.concrete):
            continue
        model = relation.related_model
        field = relation.field.name  # type: ignore[union-attr]
        if model is None or isinstance(model, str) or (model, field) in known:
            continue
        if issubclass(model, HistoricalChanges):  # history records what was, unchanged
            continue
        rows = model._default_manager.filter(**{field: source})
        if model._meta.auto_created:  # the table behind a ManyToManyField
            other = next(
                f.name
                for f in model._meta.get_fields()
                if f.many_to_one and f.name != field and f.concrete
            )
            linked = model._default_manager.filter(**{field: target}).values(other)
            rows.filter(Q(**{f"{other}__in": linked})).delete()
        rows.update(**{field: target})
