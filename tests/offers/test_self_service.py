"""Provider self-service: the editor keeps their organisation and offers up to date."""

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from kinetz.accounts.models import User
from kinetz.core.models import AuditEntry
from kinetz.network.models import Contact, Organization, Phone
from kinetz.offers.models import (
    Location,
    ReviewState,
    RevisionState,
    Schedule,
    Service,
    ServiceRevision,
    TaxonomyTerm,
)
from kinetz.territory.models import Municipality
from tests.factories import ServiceFactory
from tests.offers.selfservice import edit_form_post, offer_post

ClientFor = Callable[[User], Client]


def test_my_organisation_lists_the_offers_with_their_state(
    client_en: ClientFor, editor: User, published_offer: Service, caritas: Organization
) -> None:
    ServiceFactory(organization=editor.organization, name="Elterncafé", review_state="draft")
    ServiceFactory(organization=caritas, name="Migrationsberatung Caritas")
    content = client_en(editor).get("/offers/my/").content.decode()
    assert "Sprachcafé Kleve" in content
    assert "Elterncafé" in content
    assert "Migrationsberatung Caritas" not in content
    assert "published" in content
    assert "draft" in content


def test_editor_without_organisation_is_told_to_ask_the_ki(
    client_en: ClientFor, provider_editor: User
) -> None:
    response = client_en(provider_editor).get("/offers/my/")
    assert response.status_code == 200
    assert "not linked to an organisation" in response.content.decode()
    assert client_en(provider_editor).get("/offers/new/").status_code == 200


def test_editor_edits_the_organisation_with_history_and_audit(
    client_en: ClientFor, editor: User, vhs: Organization
) -> None:
    Phone.objects.create(organization=vhs, number="02821 000100", description="Zentrale")
    client = client_en(editor)
    url = f"/offers/organisations/{vhs.pk}/edit/"
    page = client.get(url)
    phone_id = page.context["phones"].forms[0].initial["id"]
    response = client.post(
        url,
        {
            "name": "VHS Kleve",
            "description": "Weiterbildung für alle.",
            "email": "info@vhs-kleve.example.org",
            "website": "https://vhs-kleve.example.org",
            "phones-TOTAL_FORMS": "2",
            "phones-INITIAL_FORMS": "1",
            "phones-0-id": phone_id,
            "phones-0-number": "02821 000101",
            "phones-0-description": "Zentrale",
            "phones-1-id": "",
            "phones-1-number": "02821 000150",
            "phones-1-description": "Kursbüro",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-0-id": "",
            "contacts-0-name": "Zahra Hermsen",
            "contacts-0-title": "Kursbüro",
            "contacts-0-email": "z.hermsen@vhs-kleve.example.org",
        },
    )
    assert response.status_code == 302
    vhs.refresh_from_db()
    assert vhs.name == "VHS Kleve"
    assert [p.number for p in vhs.phones.order_by("position")] == ["02821 000101", "02821 000150"]
    assert vhs.contacts.get().name == "Zahra Hermsen"
    latest = vhs.history.latest()
    assert latest.name == "VHS Kleve"
    assert latest.history_user == editor
    entry = AuditEntry.objects.get(action="organization.changed")
    assert set(entry.data["fields"]) == {
        "name",
        "description",
        "email",
        "website",
        "phones",
        "contacts",
    }
    assert entry.actor == editor


def test_bad_organisation_input_names_the_field_and_changes_nothing(
    client_en: ClientFor, editor: User, vhs: Organization
) -> None:
    response = client_en(editor).post(
        f"/offers/organisations/{vhs.pk}/edit/",
        {
            "name": "",
            "description": "Neu",
            "email": "keine-adresse",
            "website": "",
            "phones-TOTAL_FORMS": "1",
            "phones-INITIAL_FORMS": "0",
            "phones-0-number": "bitte anrufen",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "email"}
    assert "number" in response.context["phones"].forms[0].errors
    vhs.refresh_from_db()
    assert vhs.description == "Ein Träger der Integrationsarbeit."
    assert not Phone.objects.exists()


def test_new_offer_is_saved_as_a_private_draft_with_every_part(
    client_en: ClientFor, editor: User, terms: dict[str, TaxonomyTerm], kleve_town: Municipality
) -> None:
    response = client_en(editor).post("/offers/new/", offer_post(terms))
    assert response.status_code == 302
    service = Service.objects.get()
    assert service.review_state == ReviewState.DRAFT
    assert service.name == "Deutschkurs am Abend"
    revision = ServiceRevision.objects.get()
    assert revision.state == RevisionState.DRAFT
    assert revision.base is None
    assert revision.data["schedules"][0]["days"] == ["MO", "WE"]
    # Nothing of the proposal is in the catalogue rows before publication but the name.
    assert not service.description
    assert not Schedule.objects.exists()
    assert not Location.objects.exists()


def test_submitting_a_new_offer_puts_it_into_review(
    client_en: ClientFor, editor: User, terms: dict[str, TaxonomyTerm]
) -> None:
    client_en(editor).post("/offers/new/", offer_post(terms, action="submit"))
    service = Service.objects.get()
    revision = ServiceRevision.objects.get()
    assert service.review_state == ReviewState.SUBMITTED
    assert revision.state == RevisionState.SUBMITTED
    assert revision.submitted_by == editor
    assert revision.submitted_at is not None
    assert AuditEntry.objects.filter(action="offer.submitted", actor=editor).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"minimum_age": "18", "maximum_age": "12"}, "maximum_age"),
        ({"minimum_age": "-1"}, "minimum_age"),
        ({"free": "", "fees_description": ""}, "fees_description"),
        ({"handlungsfeld": []}, "handlungsfeld"),
        ({"languages": []}, "languages"),
        ({"postal_code": "4753"}, "postal_code"),
        ({"street": ""}, "street"),
        ({"email": "vhs at kleve"}, "email"),
        ({"url": "vhs kleve"}, "url"),
        ({"contact_phone": "ruf an"}, "contact_phone"),
        ({"handlungsfeld": ["00000000-0000-0000-0000-000000000000"]}, "handlungsfeld"),
    ],
)
def test_bad_offer_input_names_the_field_and_writes_nothing(
    client_en: ClientFor,
    editor: User,
    terms: dict[str, TaxonomyTerm],
    overrides: dict[str, object],
    field: str,
) -> None:
    response = client_en(editor).post("/offers/new/", offer_post(terms, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Nothing was saved" in response.content.decode()
    assert not Service.objects.exists()
    assert not ServiceRevision.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"schedules-0-days": []}, "days"),
        ({"schedules-0-closes_at": "17:00"}, "closes_at"),
        ({"schedules-0-opens_at": "25:00"}, "opens_at"),
        ({"schedules-0-valid_to": "2025-12-31"}, "valid_to"),
    ],
)
def test_bad_schedule_names_the_field_and_writes_nothing(
    client_en: ClientFor,
    editor: User,
    terms: dict[str, TaxonomyTerm],
    overrides: dict[str, object],
    field: str,
) -> None:
    response = client_en(editor).post("/offers/new/", offer_post(terms, **overrides))
    assert response.status_code == 200
    assert field in response.context["schedules"].forms[0].errors
    assert not Service.objects.exists()


def test_add_schedule_row_without_javascript_keeps_the_input(
    client_en: ClientFor, editor: User, terms: dict[str, TaxonomyTerm]
) -> None:
    response = client_en(editor).post(
        "/offers/new/", offer_post(terms, action="add_schedule", name="Mein Kurs")
    )
    assert response.status_code == 200
    assert len(response.context["schedules"].forms) == 2
    assert 'value="Mein Kurs"' in response.content.decode()
    assert not Service.objects.exists()


def test_editing_a_published_offer_keeps_it_live_until_review(
    client_en: ClientFor,
    editor: User,
    published_offer: Service,
    terms: dict[str, TaxonomyTerm],
) -> None:
    client = client_en(editor)
    data = edit_form_post(
        client, published_offer, description="Neue Beschreibung.", action="submit"
    )
    assert client.post(f"/offers/{published_offer.pk}/edit/", data).status_code == 302
    published_offer.refresh_from_db()
    assert published_offer.review_state == ReviewState.PUBLISHED
    assert published_offer.description == "Deutsch üben im Gespräch."
    revision = ServiceRevision.objects.get(service=published_offer)
    assert revision.state == RevisionState.SUBMITTED
    assert revision.base is not None
    assert revision.base["description"] == "Deutsch üben im Gespräch."
    assert revision.data["description"] == "Neue Beschreibung."
    # The editor's page shows the proposal, the public keeps the published text.
    page = client.get(f"/offers/{published_offer.pk}/edit/").content.decode()
    assert "Neue Beschreibung." in page


def test_saving_a_submitted_change_as_draft_takes_it_out_of_review(
    client_en: ClientFor, editor: User, published_offer: Service, terms: dict[str, TaxonomyTerm]
) -> None:
    client = client_en(editor)
    url = f"/offers/{published_offer.pk}/edit/"
    client.post(url, edit_form_post(client, published_offer, action="submit"))
    client.post(url, edit_form_post(client, published_offer, name="Sprachcafé neu"))
    revision = ServiceRevision.objects.get()
    assert revision.state == RevisionState.DRAFT
    assert revision.data["name"] == "Sprachcafé neu"
    client.post(f"/offers/{published_offer.pk}/submit/")
    revision.refresh_from_db()
    assert revision.state == RevisionState.SUBMITTED


def test_confirm_still_current_sets_last_verified_without_review(
    client_en: ClientFor, editor: User, published_offer: Service
) -> None:
    response = client_en(editor).post(f"/offers/{published_offer.pk}/confirm/")
    assert response.status_code == 302
    published_offer.refresh_from_db()
    assert published_offer.last_verified is not None
    assert published_offer.last_verified >= date(2026, 1, 1)
    assert not ServiceRevision.objects.exists()
    assert AuditEntry.objects.filter(action="offer.confirmed_current").exists()


def test_confirm_needs_post(client_en: ClientFor, editor: User, published_offer: Service) -> None:
    assert client_en(editor).get(f"/offers/{published_offer.pk}/confirm/").status_code == 405


def test_discarding_changes_keeps_the_published_version(
    client_en: ClientFor, editor: User, published_offer: Service, terms: dict[str, TaxonomyTerm]
) -> None:
    client = client_en(editor)
    data = edit_form_post(client, published_offer, name="Anders")
    client.post(f"/offers/{published_offer.pk}/edit/", data)
    assert ServiceRevision.objects.exists()
    client.post(f"/offers/{published_offer.pk}/discard/")
    assert not ServiceRevision.objects.exists()
    published_offer.refresh_from_db()
    assert published_offer.name == "Sprachcafé Kleve"


def test_archive_request_of_a_published_offer_goes_to_review(
    client_en: ClientFor, editor: User, published_offer: Service
) -> None:
    client = client_en(editor)
    assert client.get(f"/offers/{published_offer.pk}/archive/").status_code == 200
    client.post(f"/offers/{published_offer.pk}/archive/", {"note": "Der Kurs ist beendet."})
    published_offer.refresh_from_db()
    assert published_offer.review_state == ReviewState.PUBLISHED
    revision = ServiceRevision.objects.get()
    assert revision.archive
    assert revision.state == RevisionState.SUBMITTED
    assert revision.note == "Der Kurs ist beendet."


def test_an_unpublished_draft_is_archived_at_once(
    client_en: ClientFor, editor: User, terms: dict[str, TaxonomyTerm]
) -> None:
    client = client_en(editor)
    client.post("/offers/new/", offer_post(terms))
    service = Service.objects.get()
    client.post(f"/offers/{service.pk}/archive/", {"note": ""})
    service.refresh_from_db()
    assert service.review_state == ReviewState.ARCHIVED
    assert not ServiceRevision.objects.exists()


def test_organisation_profile_links_its_editor_to_the_self_service(
    client_en: ClientFor, editor: User, vhs: Organization, caritas: Organization
) -> None:
    client = client_en(editor)
    own = client.get(f"/network/organisations/{vhs.pk}/").content.decode()
    other = client.get(f"/network/organisations/{caritas.pk}/").content.decode()
    assert f"/offers/organisations/{vhs.pk}/edit/" in own
    assert "/offers/organisations/" not in other


def test_contacts_are_kept_apart_from_other_organisations(
    client_en: ClientFor, editor: User, vhs: Organization, caritas: Organization
) -> None:
    foreign = Contact.objects.create(organization=caritas, name="Fremd")
    client_en(editor).post(
        f"/offers/organisations/{vhs.pk}/edit/",
        {
            "name": vhs.name,
            "description": vhs.description,
            "phones-TOTAL_FORMS": "0",
            "phones-INITIAL_FORMS": "0",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": str(foreign.pk),
            "contacts-0-name": "Übernommen",
        },
    )
    foreign.refresh_from_db()
    assert foreign.name == "Fremd"
    assert foreign.organization == caritas
    assert vhs.contacts.get().name == "Übernommen"
