"""Freshness: stale offers, the staff overview, the dashboard line and the reminder command."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kinetz.accounts.models import User
from kinetz.accounts.roles import Role
from kinetz.network.models import Organization
from kinetz.offers import freshness
from kinetz.offers.models import (
    FreshnessReminder,
    Location,
    ReviewState,
    Service,
    ServiceAtLocation,
)
from kinetz.territory.models import Municipality, Region
from tests.factories import (
    MunicipalityFactory,
    OrganizationFactory,
    ServiceFactory,
    UserFactory,
)

ClientFor = Callable[[User], Client]
Capture = Callable[..., Any]
TODAY = date(2026, 11, 24)


def _offer(organization: Organization, verified: date | None, **fields: Any) -> Service:
    service: Service = ServiceFactory(organization=organization, last_verified=verified, **fields)
    return service


def _at(service: Service, municipality: Municipality) -> None:
    location = Location.objects.create(region=service.region, municipality=municipality)
    ServiceAtLocation.objects.create(service=service, location=location)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 24), 12, date(2025, 11, 24)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 2, date(2025, 11, 15)),
        (date(2026, 5, 1), 30, date(2023, 11, 1)),
    ],
)
def test_months_before_counts_calendar_months(day: date, months: int, expected: date) -> None:
    assert freshness.months_before(day, months) == expected


def test_offer_is_stale_when_not_verified_for_the_set_number_of_months(
    vhs: Organization, settings: Any
) -> None:
    old = _offer(vhs, date(2025, 11, 23))
    recent = _offer(vhs, date(2025, 11, 24))
    draft = _offer(vhs, date(2020, 1, 1), review_state=ReviewState.DRAFT)
    assert freshness.is_stale(old, TODAY)
    assert not freshness.is_stale(recent, TODAY)
    assert not freshness.is_stale(draft, TODAY)
    stale = freshness.stale_services(Service.objects.all(), TODAY)
    assert list(stale) == [old]
    settings.KINETZ_STALE_AFTER_MONTHS = 6
    assert freshness.stale_cutoff(TODAY) == date(2026, 5, 24)


def test_never_verified_offer_counts_from_the_day_it_was_entered(vhs: Organization) -> None:
    entered_long_ago = _offer(vhs, None)
    Service.objects.filter(pk=entered_long_ago.pk).update(
        created=timezone.make_aware(datetime(2024, 5, 1, 12))
    )
    entered_long_ago.refresh_from_db()
    just_entered = _offer(vhs, None)
    today = timezone.localdate()
    assert freshness.is_stale(entered_long_ago, today)
    assert not freshness.is_stale(just_entered, today)
    assert list(freshness.stale_services(Service.objects.all(), today)) == [entered_long_ago]


def test_stale_share_per_municipality_and_provider(
    vhs: Organization, caritas: Organization, kleve_town: Municipality, region: Region
) -> None:
    goch = MunicipalityFactory(region=region, name="Goch")
    _at(_offer(vhs, date(2020, 1, 1)), kleve_town)
    _at(_offer(vhs, date(2026, 10, 1)), kleve_town)
    _at(_offer(caritas, date(2020, 1, 1)), goch)
    _offer(caritas, date(2026, 10, 1))  # no place given
    _offer(caritas, date(2020, 1, 1), review_state=ReviewState.DRAFT)  # not counted
    services = Service.objects.all()
    by_place = {
        s.label: (s.total, s.stale) for s in freshness.share_by_municipality(services, TODAY)
    }
    assert by_place == {"Kleve": (2, 1), "Goch": (1, 1), "No place given": (1, 0)}
    by_provider = {
        s.label: (s.stale, s.percent) for s in freshness.share_by_provider(services, TODAY)
    }
    assert by_provider == {"Volkshochschule Kleve": (1, 50.0), "Caritasverband Kleve": (1, 50.0)}
    summary = freshness.summary(services, TODAY)
    assert (summary.total, summary.stale, summary.percent) == (4, 2, 50.0)


def test_freshness_page_shows_numbers_and_percentages_sortable(
    client_en: ClientFor,
    coordinator: User,
    vhs: Organization,
    caritas: Organization,
    outside_coordinator: User,
) -> None:
    _offer(vhs, date(2020, 1, 1), name="Altes Angebot")
    _offer(vhs, timezone.localdate())
    _offer(caritas, timezone.localdate())
    client = client_en(coordinator)
    response = client.get("/offers/freshness/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "1 of 3 published offers (33 %)" in content
    assert "Altes Angebot" in content
    providers = [row.label for row in response.context["by_provider"]["rows"]]
    assert providers == ["Volkshochschule Kleve", "Caritasverband Kleve"]  # highest share first
    by_name = client.get("/offers/freshness/", {"providers": "name"}).context["by_provider"]
    assert [row.label for row in by_name["rows"]] == [
        "Caritasverband Kleve",
        "Volkshochschule Kleve",
    ]
    assert (
        'aria-sort="ascending"' in client.get("/offers/freshness/?providers=name").content.decode()
    )
    other = client_en(outside_coordinator).get("/offers/freshness/").content.decode()
    assert "Volkshochschule Kleve" not in other


def test_dashboard_shows_the_stale_share_and_links_to_the_overview(
    client_en: ClientFor, coordinator: User, editor: User, vhs: Organization
) -> None:
    _offer(vhs, date(2020, 1, 1))
    _offer(vhs, timezone.localdate())
    content = client_en(coordinator).get("/overview/").content.decode()
    assert "1 of 2 published offers (50 %)" in content
    assert "/offers/freshness/" in content
    assert "/offers/review/" in content
    editor_page = client_en(editor).get("/overview/").content.decode()
    assert "/offers/my/" in editor_page
    assert "/offers/freshness/" not in editor_page


def test_my_organisation_flags_stale_offers(
    client_en: ClientFor, editor: User, vhs: Organization
) -> None:
    _offer(vhs, date(2020, 1, 1), name="Altes Angebot")
    rows = client_en(editor).get("/offers/my/").context["rows"]
    assert [row["stale"] for row in rows] == [True]


def test_reminder_command_mails_each_editor_once_per_interval(
    editor: User,
    vhs: Organization,
    caritas: Organization,
    other_region: Region,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    editor.preferred_language = "tr"
    editor.save()
    colleague = UserFactory(role=Role.PROVIDER_EDITOR, region=vhs.region, organization=vhs)
    UserFactory(role=Role.PROVIDER_EDITOR, region=vhs.region, organization=vhs, is_active=False)
    UserFactory(role=Role.COORDINATOR, region=vhs.region, organization=vhs)
    _offer(vhs, date(2020, 1, 1), name="Altes Angebot")
    _offer(vhs, date(2020, 1, 1), name="Noch ein altes Angebot")
    _offer(vhs, timezone.localdate(), name="Frisches Angebot")
    _offer(caritas, date(2020, 1, 1))  # Caritas has no editor
    wesel = OrganizationFactory(region=other_region)
    UserFactory(role=Role.PROVIDER_EDITOR, region=other_region, organization=wesel)
    _offer(wesel, date(2020, 1, 1))

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_freshness_reminders", stdout=out)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [editor.email, colleague.email, wesel.editors.get().email]
    )
    to_editor = next(m for m in mail.outbox if m.to == [editor.email])
    assert to_editor.body.startswith("Merhaba,")  # in the editor's language
    assert "Altes Angebot" in to_editor.body
    assert "Noch ein altes Angebot" in to_editor.body
    assert "Frisches Angebot" not in to_editor.body
    assert "/offers/my/" in to_editor.body
    assert "no editor: Caritasverband Kleve" in out.getvalue()
    reminder = FreshnessReminder.objects.get(organization=vhs)
    assert (reminder.stale_offers, reminder.recipients) == (2, 2)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_freshness_reminders", stdout=StringIO())
    assert mail.outbox == []
    assert FreshnessReminder.objects.filter(organization=vhs).count() == 1


def test_reminder_is_sent_again_after_the_interval(
    editor: User, vhs: Organization, settings: Any
) -> None:
    settings.KINETZ_REMINDER_INTERVAL_DAYS = 30
    _offer(vhs, date(2020, 1, 1))
    now = timezone.now()
    assert [o.pk for o in freshness.send_reminders(now).sent] == [vhs.pk]
    later = freshness.send_reminders(now + timedelta(days=29))
    assert later.sent == []
    assert [o.pk for o in later.recently_reminded] == [vhs.pk]
    assert [o.pk for o in freshness.send_reminders(now + timedelta(days=31)).sent] == [vhs.pk]
    assert FreshnessReminder.objects.count() == 2


def test_confirming_an_offer_makes_it_fresh_again(
    client_en: ClientFor, editor: User, vhs: Organization
) -> None:
    service = _offer(vhs, date(2020, 1, 1))
    client_en(editor).post(f"/offers/{service.pk}/confirm/")
    service.refresh_from_db()
    assert not freshness.is_stale(service, timezone.localdate())
    assert freshness.send_reminders().sent == []
