"""Reporting a problem with an offer: public form, spam guards, the coordinators' list."""

from collections.abc import Callable

import pytest
from django.test import Client

from kinetz.accounts.models import User
from kinetz.core.models import AuditEntry
from kinetz.finder import reports
from kinetz.finder.models import ProblemKind, ProblemReport
from kinetz.offers.models import Service
from kinetz.territory.models import Region
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(region: Region) -> Service:
    service: Service = ServiceFactory(organization__region=region, name="Sprachcafé Goch")
    return service


def report_url(service: Service) -> str:
    return f"/offer/{service.pk}/report/?lang=en"


def send(client: Client, service: Service, **data: str) -> object:
    payload = {"kind": ProblemKind.WRONG_TIMES, "message": "Jetzt mittwochs.", **data}
    return client.post(report_url(service), payload)


def test_visitor_reports_a_problem_without_an_account(client: Client, offer: Service) -> None:
    form = client.get(report_url(offer))
    assert form.status_code == 200
    assert "delete it when the report is done" in form.content.decode()
    response = send(client, offer, contact_email="besucher@example.org")
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response.url == f"/offer/{offer.pk}/"  # type: ignore[attr-defined]
    report = ProblemReport.objects.get()
    assert report.service == offer
    assert report.region == offer.region
    assert report.kind == ProblemKind.WRONG_TIMES
    assert report.contact_email == "besucher@example.org"
    assert report.language == "en"
    entry = AuditEntry.objects.get(action="finder.problem_reported")
    assert entry.target_id == str(offer.pk)
    assert "besucher@example.org" not in str(entry.data)


def test_form_errors_name_the_field(client: Client, offer: Service) -> None:
    response = client.post(report_url(offer), {"kind": "", "contact_email": "no-address"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_kind_error"' in html
    assert 'id="id_contact_email_error"' in html
    other = client.post(report_url(offer), {"kind": ProblemKind.OTHER, "message": " "})
    assert "Please describe what is wrong." in other.content.decode()
    assert not ProblemReport.objects.exists()


def test_form_needs_csrf_token(offer: Service) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(report_url(offer), {"kind": ProblemKind.OTHER, "message": "x"})
    assert response.status_code == 403
    assert not ProblemReport.objects.exists()


def test_honeypot_is_thanked_but_not_stored(client: Client, offer: Service) -> None:
    response = send(client, offer, website="http://spam.example")
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert not ProblemReport.objects.exists()


def test_one_session_may_send_only_a_few_reports_per_offer(client: Client, offer: Service) -> None:
    for _ in range(reports.PER_SESSION_PER_HOUR):
        send(client, offer)
    response = send(client, offer)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "many reports in the last hour" in response.content.decode()  # type: ignore[attr-defined]
    assert ProblemReport.objects.count() == reports.PER_SESSION_PER_HOUR
    # Another offer is not affected.
    assert send(client, ServiceFactory(organization=offer.organization)).status_code == 302  # type: ignore[attr-defined]


def test_all_visitors_together_are_capped_per_offer(offer: Service) -> None:
    for _ in range(reports.PER_OFFER_PER_HOUR):
        ProblemReport.objects.create(service=offer, region=offer.region, kind=ProblemKind.OTHER)
    response = send(Client(), offer)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert ProblemReport.objects.count() == reports.PER_OFFER_PER_HOUR


def test_markup_in_a_report_is_inert(
    client: Client, offer: Service, coordinator: User, client_for: Callable[[User], Client]
) -> None:
    send(client, offer, kind=ProblemKind.OTHER, message='<script>alert("x")</script>')
    html = client_for(coordinator).get("/staff/problem-reports/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    invalid = client.post(report_url(offer), {"kind": "<b>bad</b>", "message": "<i>x</i>"})
    assert "<b>bad</b>" not in invalid.content.decode()
    assert "<i>x</i>" not in invalid.content.decode()


def test_coordinator_sees_reports_of_their_region_only(
    offer: Service,
    other_region: Region,
    coordinator: User,
    outside_coordinator: User,
    client_for: Callable[[User], Client],
) -> None:
    ProblemReport.objects.create(
        service=offer, region=offer.region, kind=ProblemKind.CLOSED, message="Gibt es nicht mehr"
    )
    elsewhere = ServiceFactory(organization__region=other_region, name="Angebot Wesel")
    ProblemReport.objects.create(
        service=elsewhere, region=other_region, kind=ProblemKind.OTHER, message="Wesel-Meldung"
    )
    html = client_for(coordinator).get("/staff/problem-reports/").content.decode()
    assert "Gibt es nicht mehr" in html
    assert f"/offer/{offer.pk}/" in html
    assert "Wesel-Meldung" not in html
    outside = client_for(outside_coordinator).get("/staff/problem-reports/").content.decode()
    assert "Wesel-Meldung" in outside
    assert "Gibt es nicht mehr" not in outside


def test_review_queue_links_to_the_reports(
    coordinator: User, client_for: Callable[[User], Client]
) -> None:
    html = client_for(coordinator).get("/offers/review/").content.decode()
    assert "/staff/problem-reports/" in html


@pytest.mark.parametrize("role", ["provider_editor", "council_viewer", "counsellor"])
def test_others_cannot_see_reports(
    role: str, request: pytest.FixtureRequest, client_for: Callable[[User], Client]
) -> None:
    user = request.getfixturevalue(role)
    assert client_for(user).get("/staff/problem-reports/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    assert client.get("/staff/problem-reports/").status_code == 302


def test_marking_done_erases_the_email(
    offer: Service, coordinator: User, client_for: Callable[[User], Client]
) -> None:
    report = ProblemReport.objects.create(
        service=offer, region=offer.region, kind=ProblemKind.OTHER, contact_email="a@example.org"
    )
    response = client_for(coordinator).post(f"/staff/problem-reports/{report.pk}/done/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.closed_at is not None
    assert report.closed_by == coordinator
    assert report.contact_email == ""
    assert AuditEntry.objects.filter(action="finder.problem_report_closed").count() == 1
    html = client_for(coordinator).get("/staff/problem-reports/").content.decode()
    assert "No open reports." in html


def test_coordinator_cannot_close_another_regions_report(
    other_region: Region, coordinator: User, client_for: Callable[[User], Client]
) -> None:
    elsewhere = ServiceFactory(organization__region=other_region)
    report = ProblemReport.objects.create(
        service=elsewhere, region=other_region, kind=ProblemKind.OTHER
    )
    response = client_for(coordinator).post(f"/staff/problem-reports/{report.pk}/done/")
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.closed_at is None
