"""The KI's review: queue, readable diff, publish or return, e-mail to the editor, public API."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from kinetz.accounts.models import User
from kinetz.core.models import AuditEntry
from kinetz.network.models import Organization
from kinetz.offers import review
from kinetz.offers.models import (
    Location,
    ReviewState,
    RevisionState,
    Schedule,
    Service,
    ServiceRevision,
    TaxonomyTerm,
)
from kinetz.territory.models import Municipality, Region
from tests.factories import OrganizationFactory, ServiceFactory
from tests.offers.selfservice import edit_form_post, offer_post

ClientFor = Callable[[User], Client]
Capture = Callable[..., Any]


def _submit_change(client: Client, service: Service, **changes: Any) -> ServiceRevision:
    data = edit_form_post(client, service, action="submit", **changes)
    assert client.post(f"/offers/{service.pk}/edit/", data).status_code == 302
    revision: ServiceRevision = ServiceRevision.objects.get(service=service)
    return revision


def _api_service(service: Service) -> Any:
    return Client().get(f"/api/v1/services/{service.pk}")


def test_published_text_stays_in_the_api_until_the_change_is_published(
    client_en: ClientFor,
    editor: User,
    coordinator: User,
    published_offer: Service,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    revision = _submit_change(
        client_en(editor), published_offer, description="Jetzt auch samstags."
    )
    body = _api_service(published_offer).json()
    assert body["description"] == "Deutsch üben im Gespräch."
    listing = Client().get("/api/v1/services").json()
    assert [s["description"] for s in listing["contents"]] == ["Deutsch üben im Gespräch."]

    with django_capture_on_commit_callbacks(execute=True):
        response = client_en(coordinator).post(
            f"/offers/review/{revision.pk}/", {"decision": "publish", "comment": ""}
        )
    assert response.status_code == 302
    body = _api_service(published_offer).json()
    assert body["description"] == "Jetzt auch samstags."
    assert body["assured_date"] == timezone.localdate().isoformat()


def test_new_offer_is_not_public_before_it_is_published(
    client_en: ClientFor,
    editor: User,
    coordinator: User,
    terms: dict[str, TaxonomyTerm],
    kleve_town: Municipality,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client_en(editor).post("/offers/new/", offer_post(terms, action="submit"))
    service = Service.objects.get()
    assert _api_service(service).status_code == 404
    assert Client().get("/api/v1/services").json()["total_items"] == 0
    revision = ServiceRevision.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        review.publish(coordinator, revision)
    body = _api_service(service).json()
    assert body["name"] == "Deutschkurs am Abend"
    assert body["description"].startswith("Deutsch lernen nach der Arbeit")
    assert body["minimum_age"] == 16
    assert {lang["code"] for lang in body["languages"]} == {"de", "ar"}
    assert {a["taxonomy_term"]["code"] for a in body["attributes"]} == {"hf-sprache", "zg-frauen"}
    assert body["cost_options"][0]["amount"] == 0
    schedule = body["schedules"][0]
    assert (schedule["freq"], schedule["byday"]) == ("WEEKLY", "MO,WE")
    assert (schedule["opens_at"], schedule["closes_at"]) == ("18:00", "20:15")
    assert (schedule["valid_from"], schedule["valid_to"]) == ("2026-01-12", "2026-06-30")
    assert schedule["description"] == "Mo, Mi 18:00–20:15 Uhr; ab 12.01.2026; bis 30.06.2026"
    assert body["contacts"][0]["name"] == "Zahra Hermsen"
    assert body["phones"][0]["number"] == "02821 000150"
    location = body["service_at_locations"][0]["location"]
    assert location["addresses"][0]["address_1"] == "Hagsche Straße 7"
    assert location["accessibility"][0]["description"] == "Aufzug vorhanden."


def test_a_new_place_is_placed_in_its_municipality(
    client_en: ClientFor,
    editor: User,
    coordinator: User,
    terms: dict[str, TaxonomyTerm],
    kleve_town: Municipality,
) -> None:
    client_en(editor).post("/offers/new/", offer_post(terms, action="submit"))
    review.publish(coordinator, ServiceRevision.objects.get())
    location = Location.objects.get()
    assert location.municipality == kleve_town
    assert location.coordinates_approximate
    assert (location.latitude, location.longitude) == (51.65, 6.15)
    assert location.organization == editor.organization


def test_an_existing_place_of_the_organisation_is_reused(
    client_en: ClientFor,
    editor: User,
    coordinator: User,
    terms: dict[str, TaxonomyTerm],
    kleve_town: Municipality,
) -> None:
    for name in ("Kurs A", "Kurs B"):
        client_en(editor).post("/offers/new/", offer_post(terms, action="submit", name=name))
    for revision in ServiceRevision.objects.all():
        review.publish(coordinator, revision)
    assert Location.objects.count() == 1


def test_queue_lists_submitted_offers_of_the_region_only(
    client_en: ClientFor,
    editor: User,
    coordinator: User,
    published_offer: Service,
    terms: dict[str, TaxonomyTerm],
    other_region: Region,
) -> None:
    client = client_en(editor)
    _submit_change(client, published_offer, name="Sprachcafé am Markt")
    client.post("/offers/new/", offer_post(terms, name="Nur ein Entwurf"))
    wesel_offer = ServiceFactory(organization=OrganizationFactory(region=other_region))
    ServiceRevision.objects.create(
        service=wesel_offer, state=RevisionState.SUBMITTED, data={"name": "Weseler Kurs"}
    )
    content = client_en(coordinator).get("/offers/review/").content.decode()
    assert "Sprachcafé am Markt" in content
    assert "Volkshochschule Kleve" in content
    assert "Nur ein Entwurf" not in content
    assert "Weseler Kurs" not in content


def test_review_page_shows_a_readable_diff_of_the_changed_fields(
    client_en: ClientFor,
    editor: User,
    coordinator: User,
    published_offer: Service,
    terms: dict[str, TaxonomyTerm],
) -> None:
    revision = _submit_change(
        client_en(editor),
        published_offer,
        description="Jetzt auch samstags.",
        zielgruppe=[str(terms["frauen"].pk)],
        languages=["de", "uk"],
    )
    response = client_en(coordinator).get(f"/offers/review/{revision.pk}/")
    changes = {c.key: c for c in response.context["changes"]}
    assert set(changes) == {"description", "zielgruppe", "languages"}
    assert changes["description"].before == "Deutsch üben im Gespräch."
    assert changes["description"].after == "Jetzt auch samstags."
    assert changes["zielgruppe"].label == "Target groups"
    assert (changes["zielgruppe"].before, changes["zielgruppe"].after) == ("", "Frauen")
    assert changes["languages"].after == "German, Ukrainian"
    content = response.content.decode()
    assert "<del" in content
    assert "<ins" in content


def test_review_page_of_a_new_offer_shows_every_field(
    client_en: ClientFor, editor: User, coordinator: User, terms: dict[str, TaxonomyTerm]
) -> None:
    client_en(editor).post("/offers/new/", offer_post(terms, action="submit"))
    revision = ServiceRevision.objects.get()
    response = client_en(coordinator).get(f"/offers/review/{revision.pk}/")
    keys = [c.key for c in response.context["changes"]]
    assert keys[:3] == ["name", "description", "status"]
    assert {"schedules", "street", "languages", "free", "contact_phone"} <= set(keys)
    times = next(c for c in response.context["changes"] if c.key == "schedules")
    assert times.after.startswith("Monday, Wednesday 18:00–20:15")


def test_publishing_records_the_published_version_in_history_and_audit(
    client_en: ClientFor,
    editor: User,
    coordinator: User,
    published_offer: Service,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    versions_before = published_offer.history.count()
    revision = _submit_change(client_en(editor), published_offer, name="Sprachcafé am Markt")
    assert published_offer.history.count() == versions_before  # a proposal is no version
    with django_capture_on_commit_callbacks(execute=True):
        review.publish(coordinator, revision)
    latest = published_offer.history.latest()
    assert latest.name == "Sprachcafé am Markt"
    assert latest.review_state == ReviewState.PUBLISHED
    assert latest.history_user == coordinator
    entry = AuditEntry.objects.get(action="offer.published")
    assert entry.actor == coordinator
    assert entry.data["fields"] == ["name"]
    revision.refresh_from_db()
    assert revision.state == RevisionState.PUBLISHED
    assert revision.reviewed_by == coordinator


def test_publishing_writes_only_what_the_editor_changed(
    client_en: ClientFor, editor: User, coordinator: User, published_offer: Service
) -> None:
    revision = _submit_change(client_en(editor), published_offer, name="Sprachcafé am Markt")
    # Meanwhile an import corrects the description of the published offer.
    Service.objects.filter(pk=published_offer.pk).update(description="Korrigiert vom Import.")
    review.publish(coordinator, revision)
    published_offer.refresh_from_db()
    assert published_offer.name == "Sprachcafé am Markt"
    assert published_offer.description == "Korrigiert vom Import."
    # The untouched weekly time keeps its record (and so its HSDS id).
    schedule = Schedule.objects.get()
    assert (schedule.byday, schedule.opens_at) == ("TU", "15:00")


def test_changing_a_weekly_time_keeps_its_record(
    client_en: ClientFor, editor: User, coordinator: User, published_offer: Service
) -> None:
    schedule = Schedule.objects.get()
    revision = _submit_change(
        client_en(editor),
        published_offer,
        **{"schedules-0-days": ["TU", "TH"], "schedules-0-closes_at": "18:00"},
    )
    review.publish(coordinator, revision)
    schedule.refresh_from_db()
    assert (schedule.byday, schedule.closes_at, schedule.freq) == ("TU,TH", "18:00", "WEEKLY")


@pytest.mark.parametrize(("language", "greeting"), [("de", "Guten Tag,"), ("ar", "مرحبًا،")])
def test_editor_is_told_of_the_publication_in_their_language(
    client_en: ClientFor,
    editor: User,
    coordinator: User,
    published_offer: Service,
    django_capture_on_commit_callbacks: Capture,
    language: str,
    greeting: str,
) -> None:
    editor.preferred_language = language
    editor.save()
    revision = _submit_change(client_en(editor), published_offer, name="Sprachcafé am Markt")
    with django_capture_on_commit_callbacks(execute=True):
        client_en(coordinator).post(f"/offers/review/{revision.pk}/", {"decision": "publish"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [editor.email]
    assert message.body.startswith(greeting)
    assert "Sprachcafé am Markt" in message.subject
    assert f"/offers/{published_offer.pk}/edit/" in message.body


def test_returning_needs_a_comment_and_sends_it_to_the_editor(
    client_en: ClientFor,
    editor: User,
    coordinator: User,
    published_offer: Service,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    revision = _submit_change(client_en(editor), published_offer, name="Sprachcafé & mehr")
    reviewer = client_en(coordinator)
    url = f"/offers/review/{revision.pk}/"
    response = reviewer.post(url, {"decision": "return", "comment": "  "})
    assert response.status_code == 200
    assert "comment" in response.context["form"].errors
    revision.refresh_from_db()
    assert revision.state == RevisionState.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        reviewer.post(url, {"decision": "return", "comment": "Bitte die Uhrzeit ergänzen."})
    revision.refresh_from_db()
    assert revision.state == RevisionState.RETURNED
    assert revision.review_comment == "Bitte die Uhrzeit ergänzen."
    published_offer.refresh_from_db()
    assert published_offer.name == "Sprachcafé Kleve"
    assert published_offer.review_state == ReviewState.PUBLISHED
    assert "Bitte die Uhrzeit ergänzen." in mail.outbox[0].body
    assert "Sprachcafé Kleve" in mail.outbox[0].subject  # plain text, not HTML-escaped
    page = client_en(editor).get("/offers/my/").content.decode()
    assert "Bitte die Uhrzeit ergänzen." in page
    assert "returned" in page


def test_returned_new_offer_goes_back_to_draft(
    client_en: ClientFor, editor: User, coordinator: User, terms: dict[str, TaxonomyTerm]
) -> None:
    client_en(editor).post("/offers/new/", offer_post(terms, action="submit"))
    review.return_to_editor(coordinator, ServiceRevision.objects.get(), "Bitte ergänzen.")
    assert Service.objects.get().review_state == ReviewState.DRAFT


def test_accepting_an_archive_request_takes_the_offer_offline(
    client_en: ClientFor, editor: User, coordinator: User, published_offer: Service
) -> None:
    client_en(editor).post(f"/offers/{published_offer.pk}/archive/", {"note": "beendet"})
    revision = ServiceRevision.objects.get()
    page = client_en(coordinator).get(f"/offers/review/{revision.pk}/").content.decode()
    assert "beendet" in page
    review.publish(coordinator, revision)
    published_offer.refresh_from_db()
    assert published_offer.review_state == ReviewState.ARCHIVED
    assert _api_service(published_offer).status_code == 404


def test_a_reviewed_proposal_cannot_be_published_twice(
    client_en: ClientFor, editor: User, coordinator: User, published_offer: Service
) -> None:
    revision = _submit_change(client_en(editor), published_offer, name="Neu")
    review.publish(coordinator, revision)
    with pytest.raises(review.ReviewError):
        review.publish(coordinator, revision)
    response = client_en(coordinator).post(
        f"/offers/review/{revision.pk}/", {"decision": "publish"}
    )
    assert response.status_code == 200  # shown read-only, nothing happens
    assert "not waiting for review" in response.content.decode()


def test_publishing_sets_last_verified(
    client_en: ClientFor, editor: User, coordinator: User, published_offer: Service
) -> None:
    Service.objects.filter(pk=published_offer.pk).update(last_verified=date(2020, 1, 1))
    revision = _submit_change(client_en(editor), published_offer, name="Neu")
    review.publish(coordinator, revision)
    published_offer.refresh_from_db()
    assert published_offer.last_verified == timezone.localdate()


def test_publishing_keeps_other_organisations_untouched(
    client_en: ClientFor,
    editor: User,
    coordinator: User,
    published_offer: Service,
    caritas: Organization,
) -> None:
    other = ServiceFactory(organization=caritas, name="Beratung")
    revision = _submit_change(client_en(editor), published_offer, name="Neu")
    review.publish(coordinator, revision)
    other.refresh_from_db()
    assert other.name == "Beratung"


def test_offers_imported_for_review_appear_in_the_queue(
    client_en: ClientFor,
    coordinator: User,
    vhs: Organization,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    imported = ServiceFactory(
        organization=vhs, name="Importiertes Angebot", review_state=ReviewState.SUBMITTED
    )
    assert review.offers_overview(coordinator, timezone.localdate()).waiting == 1
    client = client_en(coordinator)
    assert "Importiertes Angebot" in client.get("/offers/review/").content.decode()
    assert "Importiertes Angebot" in client.get("/offers/review/").content.decode()  # once
    revision = ServiceRevision.objects.get(service=imported)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/offers/review/{revision.pk}/", {"decision": "publish"})
    imported.refresh_from_db()
    assert imported.review_state == ReviewState.PUBLISHED
    assert imported.name == "Importiertes Angebot"
    assert mail.outbox == []  # nobody submitted it, nobody is told


def test_a_term_removed_while_the_proposal_waited_is_left_out(
    client_en: ClientFor,
    editor: User,
    coordinator: User,
    published_offer: Service,
    terms: dict[str, TaxonomyTerm],
) -> None:
    revision = _submit_change(
        client_en(editor), published_offer, zielgruppe=[str(terms["frauen"].pk)]
    )
    terms["frauen"].delete()
    review.publish(coordinator, revision)
    assert [a.taxonomy_term for a in published_offer.attributes.all()] == [terms["sprache"]]


def test_an_unchanged_form_proposes_no_change(
    client_en: ClientFor, editor: User, coordinator: User, published_offer: Service
) -> None:
    Service.objects.filter(pk=published_offer.pk).update(description="Zeile eins\nZeile zwei ")
    published_offer.languages.create(code="ar", name="Arabisch", position=0)  # before German
    client = client_en(editor)
    data = edit_form_post(client, published_offer, action="submit")
    data["description"] = "Zeile eins\r\nZeile zwei"  # as a browser sends a textarea
    data["languages"] = ["de", "ar"]
    client.post(f"/offers/{published_offer.pk}/edit/", data)
    revision = ServiceRevision.objects.get()
    assert review.review_changes(revision) == []
