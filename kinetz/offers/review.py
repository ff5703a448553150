"""Provider self-service and the KI's review of offers.

How a change reaches the public
-------------------------------
The `Service` row is what the public sees (API, finder) once its `review_state` is
`published`. A provider editor never writes that row's content directly. Everything they edit
goes into one open `ServiceRevision` per offer:

* `data` is the whole proposed offer in the shape of the editor form (`revisions.OfferData`);
* `base` is the published version the editor started from (None for an offer that was never
  published, whose proposal is the whole offer).

The revision moves draft → submitted → (returned → draft/submitted …) → published. While it
is open the published offer stays live and unchanged. When a coordinator publishes, one
transaction merges the editor's changes (only the keys they changed against `base`) into the
current offer, writes it through `revisions.apply()` and saves the `Service` once: the
history (django-simple-history) of a published offer holds only published versions, each with
the reviewer as its author. Returning a revision leaves the offer as it is and sends the
comment to the editor.

A new offer gets a `Service` row at its first save, in `review_state` draft (submitted while it
waits for review); it holds only the name until publication, and is public only after it.
Confirming that an offer is still current sets `last_verified` directly: it changes no
content. An archive request is a revision with `archive=True`; publishing it archives the offer.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinetz.accounts.models import User
from kinetz.core.audit import log_action
from kinetz.network.models import Organization
from kinetz.offers import freshness, revisions
from kinetz.offers.comparison import FieldChange, changes
from kinetz.offers.freshness import StaleShare
from kinetz.offers.models import (
    OPEN_REVISION_STATES,
    ReviewState,
    RevisionState,
    Service,
    ServiceRevision,
)
from kinetz.offers.revisions import OfferData
from kinetz.offers.tasks import send_review_result

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class ReviewError(Exception):
    """A workflow step that is not possible in the revision's current state."""


# Reading ------------------------------------------------------------------------------------


def open_revision(service: Service) -> ServiceRevision | None:
    found: ServiceRevision | None = ServiceRevision.objects.open().filter(service=service).first()
    return found


def proposed_data(service: Service, revision: ServiceRevision | None) -> OfferData:
    """What the editor form starts from: their open proposal, else the offer as it is."""
    if revision is not None:
        return {**revisions.empty_offer(), **revision.data}
    return revisions.snapshot(service)


def is_live(service: Service) -> bool:
    return service.review_state == ReviewState.PUBLISHED


@dataclass
class OfferStatus:
    """The state of an offer as its editor sees it on the 'My organisation' page."""

    code: str  # draft, submitted, returned, published, changes_draft, changes_submitted, …
    label: "StrPromise"
    comment: str = ""


def offer_status(service: Service, revision: ServiceRevision | None) -> OfferStatus:
    comment = revision.review_comment if revision is not None else ""
    if revision is None:
        if service.review_state == ReviewState.ARCHIVED:
            return OfferStatus("archived", _("archived"))
        if service.review_state == ReviewState.PUBLISHED:
            return OfferStatus("published", _("published"))
        return OfferStatus("draft", _("draft"))
    if revision.archive and revision.state == RevisionState.SUBMITTED:
        return OfferStatus("archive_requested", _("published; archiving requested"))
    if not is_live(service):
        labels = {
            RevisionState.DRAFT: ("draft", _("draft")),
            RevisionState.SUBMITTED: ("submitted", _("submitted for review")),
            RevisionState.RETURNED: ("returned", _("returned for changes")),
        }
        code, label = labels[RevisionState(revision.state)]
        return OfferStatus(code, label, comment)
    labels = {
        RevisionState.DRAFT: ("changes_draft", _("published; changes saved as draft")),
        RevisionState.SUBMITTED: ("changes_submitted", _("published; changes submitted")),
        RevisionState.RETURNED: ("changes_returned", _("published; changes returned")),
    }
    code, label = labels[RevisionState(revision.state)]
    return OfferStatus(code, label, comment)


def _imported_submissions(reviewer: User) -> "QuerySet[Service]":
    """Offers an import sent to review (`import_hsds --draft`) that have no proposal yet."""
    services: QuerySet[Service] = Service.objects.for_user(reviewer)
    return services.filter(review_state=ReviewState.SUBMITTED).exclude(
        revisions__state__in=OPEN_REVISION_STATES
    )


def adopt_imported_submissions(reviewer: User) -> int:
    """Give each offer an import sent to review its proposal: the offer as imported.

    Idempotent; the unique open proposal per offer keeps two reviewers from adopting twice.
    """
    adopted = 0
    for service in _imported_submissions(reviewer):
        try:
            with transaction.atomic():
                ServiceRevision.objects.create(
                    service=service,
                    base=None,
                    data=revisions.snapshot(service),
                    state=RevisionState.SUBMITTED,
                    submitted_at=service.created,
                    note=str(_("Imported from an HSDS file for review.")),
                )
        except IntegrityError:
            continue
        adopted += 1
    return adopted


def review_queue(reviewer: User) -> list[ServiceRevision]:
    """Submitted proposals of the reviewer's region, oldest first (imported ones included)."""
    adopt_imported_submissions(reviewer)
    return list(
        ServiceRevision.objects.for_user(reviewer)
        .submitted()
        .select_related("service__organization", "submitted_by")
        .order_by("submitted_at", "created")
    )


def review_changes(revision: ServiceRevision) -> list[FieldChange]:
    """What publishing `revision` would change, field by field (every field for a new offer)."""
    if revision.is_new_offer:
        return changes(None, proposed_data(revision.service, revision))
    current = revisions.snapshot(revision.service)
    target = revisions.merge(current, revision.data, revision.base)
    return [change for change in changes(current, target) if change.changed]


# Editing ------------------------------------------------------------------------------------


@transaction.atomic
def save_draft(
    editor: User,
    organization: Organization,
    service: Service | None,
    data: OfferData,
    note: str = "",
) -> ServiceRevision:
    """Keep the editor's proposal; a new offer gets its (not yet public) row here.

    Saving a submitted proposal takes it back out of the review queue until it is submitted
    again.
    """
    if service is None:
        service = Service.objects.create(
            region=organization.region,
            organization=organization,
            name=data["name"],
            review_state=ReviewState.DRAFT,
        )
        log_action(editor, "offer.created", service)
    else:
        service = Service.objects.select_for_update().get(pk=service.pk)
    revision = ServiceRevision.objects.select_for_update().open().filter(service=service).first()
    if revision is None:
        base = revisions.snapshot(service) if is_live(service) else None
        revision = ServiceRevision(service=service, base=base, created_by=editor)
    revision.data = data
    revision.note = note
    revision.archive = False
    revision.state = RevisionState.DRAFT
    revision.save()
    if not is_live(service) and service.review_state != ReviewState.ARCHIVED:
        # The row of an unpublished offer is private; keep its working title current.
        service.name = data["name"]
        service.review_state = ReviewState.DRAFT
        service.save(update_fields=["name", "review_state", "modified"])
    log_action(editor, "offer.draft_saved", service, revision=str(revision.pk))
    return revision


@transaction.atomic
def submit(editor: User, revision: ServiceRevision) -> ServiceRevision:
    revision = ServiceRevision.objects.select_for_update().get(pk=revision.pk)
    if not revision.is_open:
        raise ReviewError("Only an open proposal can be submitted.")
    revision.state = RevisionState.SUBMITTED
    revision.submitted_at = timezone.now()
    revision.submitted_by = editor
    revision.review_comment = ""
    revision.save()
    service = revision.service
    if service.review_state == ReviewState.DRAFT:
        service.review_state = ReviewState.SUBMITTED
        service.save(update_fields=["review_state", "modified"])
    log_action(editor, "offer.submitted", service, revision=str(revision.pk))
    return revision


@transaction.atomic
def request_archive(editor: User, service: Service, note: str) -> ServiceRevision | None:
    """Ask the KI to take a published offer offline; an unpublished one is archived at once.

    An open proposal of the offer becomes the archive request: publishing it archives the
    offer and applies none of its changes.
    """
    service = Service.objects.select_for_update().get(pk=service.pk)
    revision = ServiceRevision.objects.select_for_update().open().filter(service=service).first()
    if not is_live(service):
        if revision is not None:
            revision.delete()
        service.review_state = ReviewState.ARCHIVED
        service._history_user = editor  # type: ignore[attr-defined]
        service.save(update_fields=["review_state", "modified"])
        log_action(editor, "offer.archived", service)
        return None
    if revision is None:
        current = revisions.snapshot(service)
        revision = ServiceRevision(service=service, base=current, data=current, created_by=editor)
    revision.archive = True
    revision.note = note
    revision.state = RevisionState.SUBMITTED
    revision.submitted_at = timezone.now()
    revision.submitted_by = editor
    revision.review_comment = ""
    revision.save()
    log_action(editor, "offer.archive_requested", service, revision=str(revision.pk))
    return revision


@transaction.atomic
def discard(editor: User, revision: ServiceRevision) -> None:
    """Drop the open proposal for a published offer; the published version stays as it is."""
    revision = ServiceRevision.objects.select_for_update().get(pk=revision.pk)
    if not revision.is_open or revision.is_new_offer:
        raise ReviewError("Only open changes to a published offer can be discarded.")
    revision.delete()
    log_action(editor, "offer.changes_discarded", revision.service)


@transaction.atomic
def confirm_current(editor: User, service: Service, today: date) -> None:
    """The provider confirms the published offer is still correct (HSDS assured_date)."""
    service.last_verified = today
    service._history_user = editor  # type: ignore[attr-defined]
    service.save(update_fields=["last_verified", "modified"])
    log_action(editor, "offer.confirmed_current", service, last_verified=today.isoformat())


# Reviewing ----------------------------------------------------------------------------------


def _reviewable(revision: ServiceRevision) -> ServiceRevision:
    locked: ServiceRevision = (
        ServiceRevision.objects.select_for_update().select_related("service").get(pk=revision.pk)
    )
    if locked.state != RevisionState.SUBMITTED:
        raise ReviewError("This proposal is not waiting for review (any more).")
    return locked


@transaction.atomic
def publish(reviewer: User, revision: ServiceRevision, now: datetime | None = None) -> Service:
    """Make the proposal live in one transaction; the editor is told by e-mail."""
    now = now or timezone.now()
    revision = _reviewable(revision)
    service = Service.objects.select_for_update().get(pk=revision.service_id)
    if revision.archive:
        changed = ["review_state"]
        service.review_state = ReviewState.ARCHIVED
    else:
        current = revisions.snapshot(service)
        target = revisions.merge(current, revision.data, revision.base)
        changed = revisions.apply(service, target)
        service.review_state = ReviewState.PUBLISHED
        # The provider has just checked every field: that is what assured_date says.
        service.last_verified = timezone.localdate(now)
    service.last_modified = now
    service._history_user = reviewer  # type: ignore[attr-defined]
    service._change_reason = f"revision {revision.pk}"  # type: ignore[attr-defined]
    service.save()
    revision.state = RevisionState.PUBLISHED
    revision.reviewed_at = now
    revision.reviewed_by = reviewer
    revision.save()
    log_action(
        reviewer,
        "offer.archived" if revision.archive else "offer.published",
        service,
        revision=str(revision.pk),
        fields=changed,
    )
    revision_id = str(revision.pk)
    transaction.on_commit(lambda: send_review_result.enqueue(revision_id))
    return service


@transaction.atomic
def return_to_editor(
    reviewer: User, revision: ServiceRevision, comment: str, now: datetime | None = None
) -> ServiceRevision:
    """Send the proposal back with a comment; the published offer stays as it is."""
    if not comment.strip():
        raise ReviewError("A returned proposal needs a comment.")
    revision = _reviewable(revision)
    revision.state = RevisionState.RETURNED
    revision.review_comment = comment.strip()
    revision.reviewed_at = now or timezone.now()
    revision.reviewed_by = reviewer
    revision.save()
    service = revision.service
    if service.review_state == ReviewState.SUBMITTED:
        service.review_state = ReviewState.DRAFT
        service.save(update_fields=["review_state", "modified"])
    log_action(reviewer, "offer.returned", service, revision=str(revision.pk), comment=comment)
    revision_id = str(revision.pk)
    transaction.on_commit(lambda: send_review_result.enqueue(revision_id))
    return revision


@dataclass
class OffersOverview:
    """The catalogue figures on a reviewer's dashboard."""

    waiting: int
    freshness: StaleShare
    months: int


def offers_overview(reviewer: User, today: date) -> OffersOverview:
    return OffersOverview(
        waiting=ServiceRevision.objects.for_user(reviewer).submitted().count()
        + _imported_submissions(reviewer).count(),
        freshness=freshness.summary(Service.objects.for_user(reviewer), today),
        months=settings.KINETZ_STALE_AFTER_MONTHS,
    )
