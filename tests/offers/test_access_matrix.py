"""Who may do what in the provider self-service and the review: every role by every action.

Each action is tried for real and judged by its effect (a record changed, a text shown), not by
a status code alone. The table `ALLOWED` is the acceptance criterion: a provider editor edits
only their own organisation's data, cannot publish and does not see other providers' drafts;
KI coordinators and region admins review and publish in their own region only.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from kinetz.accounts.models import User
from kinetz.network.models import Organization
from kinetz.offers import review
from kinetz.offers.models import RevisionState, Service, ServiceRevision, TaxonomyTerm
from kinetz.offers.revisions import snapshot
from tests.factories import ServiceFactory
from tests.offers.selfservice import offer_post

ROLES = [
    "anonymous",
    "editor",
    "coordinator",
    "region_admin",
    "counsellor",
    "school_office",
    "council_viewer",
    "outside_coordinator",
]

ALLOWED: dict[str, set[str]] = {
    "view my organisation": {"editor"},
    "edit own organisation": {"editor"},
    "edit another organisation": set(),
    "create offer": {"editor"},
    "edit own offer": {"editor"},
    "edit another provider's offer": set(),
    "see another provider's draft": set(),
    "submit": {"editor"},
    "publish": {"coordinator", "region_admin"},
    "return": {"coordinator", "region_admin"},
    "view review queue": {"coordinator", "region_admin"},
    "view freshness page": {"coordinator", "region_admin"},
}


@dataclass
class World:
    own: Organization  # the editor's organisation (VHS)
    other: Organization  # another provider of the region (Caritas)
    own_offer: Service
    other_offer: Service
    other_draft: Service
    draft_to_submit: Service
    waiting: ServiceRevision
    terms: dict[str, TaxonomyTerm]


@pytest.fixture
def world(
    editor: User, caritas: Organization, published_offer: Service, terms: dict[str, TaxonomyTerm]
) -> World:
    own = editor.organization
    assert own is not None
    other_offer = ServiceFactory(organization=caritas, name="Migrationsberatung")
    other_draft = ServiceFactory(
        organization=caritas, name="Geheimer Entwurf", review_state="draft"
    )
    ServiceRevision.objects.create(
        service=other_draft, data={**snapshot(other_draft), "description": "Entwurfstext XYZ"}
    )
    submitted_offer = ServiceFactory(organization=own, name="Elterncafé")
    data = {**snapshot(submitted_offer), "name": "Elterncafé am Montag"}
    waiting = review.submit(editor, review.save_draft(editor, own, submitted_offer, data))
    draft_to_submit = ServiceFactory(organization=own, name="Hausaufgabenhilfe")
    review.save_draft(editor, own, draft_to_submit, snapshot(draft_to_submit))
    return World(
        own, caritas, published_offer, other_offer, other_draft, draft_to_submit, waiting, terms
    )


def _organization_post(name: str) -> dict[str, str]:
    return {
        "name": name,
        "description": "Geändert.",
        "phones-TOTAL_FORMS": "0",
        "phones-INITIAL_FORMS": "0",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }


def view_my_organisation(client: Client, w: World) -> bool:
    response = client.get("/offers/my/")
    return response.status_code == 200 and w.own.name in response.content.decode()


def edit_own_organisation(client: Client, w: World) -> bool:
    client.post(f"/offers/organisations/{w.own.pk}/edit/", _organization_post("Umbenannt"))
    w.own.refresh_from_db()
    return w.own.name == "Umbenannt"


def edit_another_organisation(client: Client, w: World) -> bool:
    client.post(f"/offers/organisations/{w.other.pk}/edit/", _organization_post("Gekapert"))
    w.other.refresh_from_db()
    return w.other.name == "Gekapert"


def create_offer(client: Client, w: World) -> bool:
    client.post("/offers/new/", offer_post(w.terms, name="Brandneu"))
    return Service.objects.filter(name="Brandneu").exists()


def _edit(client: Client, w: World, service: Service) -> bool:
    data = offer_post(w.terms, name="Geändert durch Test")
    client.post(f"/offers/{service.pk}/edit/", data)
    return ServiceRevision.objects.filter(
        service=service, data__name="Geändert durch Test"
    ).exists()


def edit_own_offer(client: Client, w: World) -> bool:
    return _edit(client, w, w.own_offer)


def edit_another_providers_offer(client: Client, w: World) -> bool:
    return _edit(client, w, w.other_offer)


def see_another_providers_draft(client: Client, w: World) -> bool:
    revision = ServiceRevision.objects.get(service=w.other_draft, state=RevisionState.DRAFT)
    pages = [
        client.get(f"/offers/{w.other_draft.pk}/edit/"),
        client.get(f"/offers/review/{revision.pk}/"),
        client.get("/offers/review/"),
        client.get("/offers/my/"),
    ]
    return any(
        page.status_code == 200 and "Entwurfstext XYZ" in page.content.decode() for page in pages
    )


def submit(client: Client, w: World) -> bool:
    client.post(f"/offers/{w.draft_to_submit.pk}/submit/")
    return ServiceRevision.objects.filter(
        service=w.draft_to_submit, state=RevisionState.SUBMITTED
    ).exists()


def publish(client: Client, w: World) -> bool:
    client.post(f"/offers/review/{w.waiting.pk}/", {"decision": "publish"})
    w.waiting.refresh_from_db()
    return w.waiting.state == RevisionState.PUBLISHED


def return_(client: Client, w: World) -> bool:
    client.post(f"/offers/review/{w.waiting.pk}/", {"decision": "return", "comment": "Bitte!"})
    w.waiting.refresh_from_db()
    return w.waiting.state == RevisionState.RETURNED


def view_review_queue(client: Client, w: World) -> bool:
    response = client.get("/offers/review/")
    return response.status_code == 200 and "Elterncafé am Montag" in response.content.decode()


def view_freshness_page(client: Client, w: World) -> bool:
    response = client.get("/offers/freshness/")
    return response.status_code == 200 and w.own.name in response.content.decode()


ACTIONS: dict[str, Callable[[Client, World], bool]] = {
    "view my organisation": view_my_organisation,
    "edit own organisation": edit_own_organisation,
    "edit another organisation": edit_another_organisation,
    "create offer": create_offer,
    "edit own offer": edit_own_offer,
    "edit another provider's offer": edit_another_providers_offer,
    "see another provider's draft": see_another_providers_draft,
    "submit": submit,
    "publish": publish,
    "return": return_,
    "view review queue": view_review_queue,
    "view freshness page": view_freshness_page,
}


def test_the_matrix_covers_every_action() -> None:
    assert set(ACTIONS) == set(ALLOWED)
    assert all(roles <= set(ROLES) for roles in ALLOWED.values())


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_role_may_do_exactly_what_the_matrix_allows(
    request: pytest.FixtureRequest,
    client_for: Callable[[User], Client],
    world: World,
    role: str,
    action: str,
) -> None:
    client = Client() if role == "anonymous" else client_for(request.getfixturevalue(role))
    done = ACTIONS[action](client, world)
    assert done == (role in ALLOWED[action]), f"{role} / {action}"
