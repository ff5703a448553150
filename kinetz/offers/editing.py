"""What a provider editor may reach, and writing their organisation's own data.

Provider editors reach exactly one organisation: `user.organization`, and only while it lies in
their region. Each lookup helper answers 404 for anything else, so that records of other
providers are not even confirmed to exist.
"""

from typing import Any, cast

from django.db import transaction
from django.http import Http404, HttpRequest

from kinetz.accounts.models import User
from kinetz.core.audit import log_action
from kinetz.network.models import Contact, Organization, Phone
from kinetz.offers.models import RevisionState, Service, ServiceRevision

ORGANIZATION_FIELDS = ("name", "description", "email", "website")
PHONE_FIELDS = ("number", "description")
CONTACT_FIELDS = ("name", "title", "email")


def own_organization(user: User) -> Organization | None:
    """The organisation `user` keeps up to date, if it is in their region."""
    if user.organization_id is None:
        return None
    found: Organization | None = (
        Organization.objects.for_user(user).filter(pk=user.organization_id).first()
    )
    return found


def organization_for_editor(request: HttpRequest, organization_id: Any) -> Organization:
    organization = own_organization(cast(User, request.user))
    if organization is None or str(organization.pk) != str(organization_id):
        raise Http404
    return organization


def service_for_editor(request: HttpRequest, service_id: Any) -> Service:
    organization = own_organization(cast(User, request.user))
    found: Service | None = (
        Service.objects.for_user(request.user)
        .filter(pk=service_id, organization=organization)
        .select_related("organization", "region")
        .first()
        if organization is not None
        else None
    )
    if found is None:
        raise Http404
    return found


def revision_for_reviewer(request: HttpRequest, revision_id: Any) -> ServiceRevision:
    """A proposal of the reviewer's region that was submitted at some point; a draft is the
    provider's own work in progress and stays hidden."""
    found: ServiceRevision | None = (
        ServiceRevision.objects.for_user(request.user)
        .filter(pk=revision_id)
        .exclude(state=RevisionState.DRAFT)
        .select_related("service__organization", "submitted_by", "reviewed_by")
        .first()
    )
    if found is None:
        raise Http404
    return found


def rows_of(queryset: Any, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """Phones or contacts as the organisation form's rows."""
    return [{"id": str(obj.pk), **{f: getattr(obj, f) for f in fields}} for obj in queryset]


def organization_rows(organization: Organization) -> dict[str, list[dict[str, str]]]:
    return {
        "phones": rows_of(_owned(Phone, organization).order_by("position"), PHONE_FIELDS),
        "contacts": rows_of(_owned(Contact, organization).order_by("position"), CONTACT_FIELDS),
    }


def _owned(model: type[Phone] | type[Contact], organization: Organization) -> Any:
    if model is Phone:
        # A phone of a contact person belongs to that person, not to the organisation's list.
        return Phone.objects.filter(organization=organization, contact__isnull=True)
    return Contact.objects.filter(organization=organization)


def _sync(
    model: type[Phone] | type[Contact],
    organization: Organization,
    rows: list[dict[str, str]],
    fields: tuple[str, ...],
) -> bool:
    """Make the organisation's phones or contacts equal to `rows`; True if anything changed."""
    existing = {str(obj.pk): obj for obj in _owned(model, organization).order_by("position")}
    before = [[getattr(obj, f) for f in fields] for obj in existing.values()]
    kept = [row["id"] for row in rows if row.get("id") in existing]
    _owned(model, organization).exclude(pk__in=kept).delete()
    for position, row in enumerate(rows):
        obj = existing.get(row.get("id") or "") or model(organization=organization)
        for name in fields:
            setattr(obj, name, row[name])
        obj.position = position
        obj.save()
    return before != [[row[f] for f in fields] for row in rows]


@transaction.atomic
def update_organization(
    editor: User,
    organization: Organization,
    changed_fields: list[str],
    phones: list[dict[str, str]],
    contacts: list[dict[str, str]],
) -> list[str]:
    """Save the organisation's own fields, phones and contacts; return what changed.

    The organisation's fields are history-tracked (django-simple-history); every change is
    written to the audit log with the names of the changed parts.
    """
    changed = [name for name in changed_fields if name in ORGANIZATION_FIELDS]
    if changed:
        organization._history_user = editor  # type: ignore[attr-defined]
        organization.save()
    if _sync(Phone, organization, phones, PHONE_FIELDS):
        changed.append("phones")
    if _sync(Contact, organization, contacts, CONTACT_FIELDS):
        changed.append("contacts")
    if changed:
        log_action(editor, "organization.changed", organization, fields=changed)
    return changed
