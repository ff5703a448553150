"""Problem reports: visitors tell the KI that something about a published offer is wrong.

A report is stored with the offer's region and appears in the review area of that region's
coordinators until one of them marks it done. The visitor's e-mail address (optional, only
for questions) is erased when the report is closed: it is not needed any more.

Against floods without accounts or captchas: a hidden honeypot field (see the form), at most
`PER_SESSION_PER_HOUR` reports per offer from one browser session, and at most
`PER_OFFER_PER_HOUR` reports per offer from everyone together (counted in the database, so
it holds across app servers).
"""

from datetime import timedelta
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone

from kinetz.accounts.models import User
from kinetz.core.audit import log_action
from kinetz.finder.models import ProblemReport
from kinetz.offers.models import Service

PER_SESSION_PER_HOUR = 3
PER_OFFER_PER_HOUR = 20
_SESSION_KEY = "finder_problem_reports"
_HOUR = timedelta(hours=1)


class TooManyReports(Exception):
    """The cap for this offer was reached; the visitor should try again later."""


def _recent_in_session(session: SessionBase, service: Service) -> list[float]:
    now = timezone.now().timestamp()
    sent: dict[str, list[float]] = session.get(_SESSION_KEY, {})
    return [stamp for stamp in sent.get(str(service.pk), []) if now - stamp < _HOUR.total_seconds()]


def may_report(session: SessionBase, service: Service) -> bool:
    if len(_recent_in_session(session, service)) >= PER_SESSION_PER_HOUR:
        return False
    since = timezone.now() - _HOUR
    recent = ProblemReport.objects.filter(service=service, created__gte=since).count()
    return bool(recent < PER_OFFER_PER_HOUR)


def _remember(session: SessionBase, service: Service) -> None:
    sent: dict[str, list[float]] = dict(session.get(_SESSION_KEY, {}))
    sent[str(service.pk)] = [*_recent_in_session(session, service), timezone.now().timestamp()]
    session[_SESSION_KEY] = sent


def submit_report(
    service: Service, data: dict[str, Any], session: SessionBase, language: str
) -> ProblemReport:
    """Store a visitor's report (validated form data); raises TooManyReports over the cap."""
    if not may_report(session, service):
        raise TooManyReports
    with transaction.atomic():
        report = ProblemReport.objects.create(
            service=service,
            region_id=service.region_id,
            kind=data["kind"],
            message=data.get("message", "").strip(),
            contact_email=data.get("contact_email", "").strip(),
            language=language,
        )
        log_action(
            None,
            "finder.problem_reported",
            service,
            report=str(report.pk),
            kind=report.kind,
            with_email=bool(report.contact_email),
        )
    _remember(session, service)
    return report


def open_reports(user: User) -> Any:
    """The open reports of the user's region, oldest first, with their offers."""
    return (
        ProblemReport.objects.for_user(user)
        .open()
        .select_related("service", "service__organization")
        .order_by("created")
    )


def closed_reports(user: User, limit: int = 20) -> Any:
    return (
        ProblemReport.objects.for_user(user)
        .filter(closed_at__isnull=False)
        .select_related("service", "closed_by")
        .order_by("-closed_at")[:limit]
    )


@transaction.atomic
def close_report(user: User, report: ProblemReport) -> bool:
    """Mark the report done and erase the visitor's e-mail address; False if already done."""
    if not report.is_open:
        return False
    report.closed_at = timezone.now()
    report.closed_by = user
    report.contact_email = ""
    report.save(update_fields=["closed_at", "closed_by", "contact_email", "modified"])
    log_action(user, "finder.problem_report_closed", report.service, report=str(report.pk))
    return True
