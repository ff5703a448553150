"""Background tasks of offers: e-mails to provider editors, each in their own language.

Tasks take primary keys, never model instances.
"""

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from kinetz.accounts.models import User
from kinetz.accounts.roles import Role
from kinetz.network.models import Organization
from kinetz.offers.models import RevisionState, Service, ServiceRevision


def organization_editors(organization_id: Any) -> list[User]:
    """The active provider editors of an organisation."""
    return list(
        User.objects.filter(
            role=Role.PROVIDER_EDITOR, organization_id=organization_id, is_active=True
        ).order_by("email")
    )


def _send(user: User, template: str, context: dict[str, object]) -> None:
    with translation.override(user.preferred_language):
        subject = render_to_string(f"offers/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"offers/email/{template}.txt", context)
    send_mail(subject, body, None, [user.email])


@task()
def send_review_result(revision_id: str) -> None:
    """Tell the editor who submitted a proposal that it was published or returned."""
    revision = ServiceRevision.objects.select_related("service", "submitted_by").get(pk=revision_id)
    submitter = revision.submitted_by
    if submitter is None:
        return  # submitted by an import (or a deleted account): nobody is waiting for news
    recipients = (
        [submitter]
        if submitter.is_active
        else organization_editors(revision.service.organization_id)
    )
    template = (
        "review_published" if revision.state == RevisionState.PUBLISHED else "review_returned"
    )
    path = reverse("offers:offer_edit", args=[revision.service_id])
    for user in recipients:
        context = {
            "user": user,
            "revision": revision,
            "service": revision.service,
            "link": f"{settings.SITE_URL}{path}",
        }
        _send(user, template, context)


@task()
def send_freshness_reminder(organization_id: str, service_ids: list[str]) -> None:
    """Ask an organisation's editors to check offers that were not verified for long."""
    organization = Organization.objects.get(pk=organization_id)
    services = list(Service.objects.filter(pk__in=service_ids).order_by("name"))
    context = {
        "organization": organization,
        "services": services,
        "months": settings.KINETZ_STALE_AFTER_MONTHS,
        "link": f"{settings.SITE_URL}{reverse('offers:my_organization')}",
    }
    for user in organization_editors(organization_id):
        _send(user, "freshness_reminder", {**context, "user": user})
