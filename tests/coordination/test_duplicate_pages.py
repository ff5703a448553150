"""The duplicate review queue under /staff/coordination/duplicates/: who may use it, what it
shows of the last stored search, and merge / "not the same" / undo from the pages."""

from collections.abc import Callable, Collection
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kinetz.accounts.models import User
from kinetz.coordination import duplicates, linkage, linkage_model, merging
from kinetz.coordination.linkage import Cluster, LinkageResult, PairEvidence
from kinetz.coordination.models import DuplicateKind, LinkageRun, Merge, NotTheSame, RunState
from kinetz.network.models import Organization, Phone
from kinetz.offers.models import ReviewState, Service
from kinetz.territory.models import Region
from tests.factories import OrganizationFactory, ServiceFactory

QUEUE = "/staff/coordination/duplicates/"

Clients = Callable[[User], Client]


def pair(a: Any, b: Any, probability: float = 0.97) -> dict[str, Any]:
    left, right = sorted([str(a.pk), str(b.pk)])
    return {
        "left_id": left,
        "right_id": right,
        "probability": probability,
        "agreements": {"name": "nearly the same", "place": "same place", "schedule": "same time"},
    }


def stored_run(
    region: Region, services: list[Any] = (), organizations: list[Any] = ()
) -> LinkageRun:  # type: ignore[assignment]
    """A finished search of `region` that found `services` (and `organizations`) twice."""

    def clusters(records: list[Any]) -> list[dict[str, Any]]:
        if not records:
            return []
        return [{"ids": sorted(str(r.pk) for r in records), "pairs": [pair(*records)]}]

    run: LinkageRun = LinkageRun.objects.create(
        region=region,
        state=RunState.DONE,
        finished_at=timezone.now(),
        services=clusters(list(services)),
        organizations=clusters(list(organizations)),
    )
    return run


@pytest.fixture
def provider(region: Region) -> Organization:
    return OrganizationFactory(region=region, name="Volkshochschule Kleve")


@pytest.fixture
def twins(provider: Organization) -> tuple[Service, Service]:
    first = ServiceFactory(organization=provider, name="Sprachcafé am Markt")
    second = ServiceFactory(organization=provider, name="Sprachcafe am Markt")
    Phone.objects.create(service=second, number="02821 000777")
    return first, second


@pytest.fixture
def run(region: Region, twins: tuple[Service, Service]) -> LinkageRun:
    return stored_run(region, services=list(twins))


# Access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["provider_editor", "counsellor", "council_viewer"])
def test_the_queue_is_closed_to_roles_without_coordination(
    who: str, request: pytest.FixtureRequest, client_for: Clients, run: LinkageRun
) -> None:
    user = request.getfixturevalue(who)
    client = client_for(user)
    assert client.get(QUEUE).status_code == 403
    assert client.get(f"{QUEUE}merges/").status_code == 403
    first, second = run.services[0]["ids"]
    answer = client.post(f"{QUEUE}services/not-the-same/", {"left": first, "right": second})
    assert answer.status_code == 403
    assert not NotTheSame.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login(client: Client) -> None:
    answer = client.get(QUEUE)
    assert answer.status_code == 302
    assert "login" in answer["Location"]


@pytest.mark.parametrize("who", ["coordinator", "region_admin"])
def test_coordinators_and_region_admins_see_the_queue(
    who: str, request: pytest.FixtureRequest, client_for: Clients, run: LinkageRun
) -> None:
    page = client_for(request.getfixturevalue(who)).get(QUEUE)
    assert page.status_code == 200
    assert "Sprachcafé am Markt" in page.content.decode()


def test_a_coordinator_of_another_region_sees_nothing_of_this_one(
    client_for: Clients,
    outside_coordinator: User,
    coordinator: User,
    run: LinkageRun,
    twins: tuple[Service, Service],
) -> None:
    first, second = twins
    merge = merging.merge_services(first, second, coordinator)
    client = client_for(outside_coordinator)

    page = client.get(QUEUE).content.decode()
    assert "Sprachcafé am Markt" not in page
    assert "no search for duplicates in this region yet" in page
    assert "Sprachcafe am Markt" not in client.get(f"{QUEUE}merges/").content.decode()
    assert client.post(f"{QUEUE}merges/{merge.pk}/undo/").status_code == 404
    ids = {"keep": str(first.pk), "record": [str(first.pk), str(second.pk)]}
    assert client.get(f"{QUEUE}services/merge/", ids).status_code == 404
    assert (
        client.post(
            f"{QUEUE}services/not-the-same/", {"left": str(first.pk), "right": str(second.pk)}
        ).status_code
        == 404
    )
    assert Merge.objects.get().undone_at is None
    assert not NotTheSame.objects.exists()


# The queue ------------------------------------------------------------------------------------


def test_the_queue_shows_the_records_side_by_side_with_the_evidence(
    client_for: Clients, coordinator: User, run: LinkageRun
) -> None:
    page = client_for(coordinator).get(QUEUE).content.decode()
    assert "Sprachcafé am Markt" in page
    assert "Sprachcafe am Markt" in page
    assert "97 %" in page
    assert "02821 000777" in page  # the phone of the second record, in its column
    assert str(linkage_model.LABELS["same place"]) in page
    assert "agrees" in page
    assert page.count('name="keep"') == 2


def test_a_long_queue_comes_in_pages_that_keep_the_other_kinds_page(
    client_for: Clients, coordinator: User, region: Region, provider: Organization
) -> None:
    groups = []
    for number in range(duplicates.QUEUE_PAGE_SIZE + 5):
        twins = [
            ServiceFactory(organization=provider, name=f"Nähcafé {number:02d}"),
            ServiceFactory(organization=provider, name=f"Naehcafe {number:02d}"),
        ]
        groups.append({"ids": sorted(str(t.pk) for t in twins), "pairs": [pair(*twins)]})
    LinkageRun.objects.create(
        region=region, state=RunState.DONE, finished_at=timezone.now(), services=groups
    )
    client = client_for(coordinator)
    first = client.get(QUEUE).content.decode()
    assert f"{duplicates.QUEUE_PAGE_SIZE + 5} groups of offers" in first
    assert first.count('name="keep"') == 2 * duplicates.QUEUE_PAGE_SIZE
    assert "Page 1 of 2" in first
    assert "?offers_page=2&amp;organisations_page=1#offers" in first
    second = client.get(QUEUE, {"offers_page": "2", "organisations_page": "1"}).content.decode()
    assert second.count('name="keep"') == 2 * 5
    assert "Page 2 of 2" in second
    # Every group is on exactly one page.
    shown = {g["ids"][0] for g in groups if g["ids"][0] in first or g["ids"][0] in second}
    assert len(shown) == len(groups)
    assert not any(g["ids"][0] in first and g["ids"][0] in second for g in groups)
    # A page number that is not one shows the nearest page instead of an error.
    assert "Page 2 of 2" in client.get(QUEUE, {"offers_page": "99"}).content.decode()
    assert "Page 1 of 2" in client.get(QUEUE, {"offers_page": "x"}).content.decode()


def test_not_the_same_removes_the_pair_from_the_queue_for_good(
    client_for: Clients, coordinator: User, run: LinkageRun, twins: tuple[Service, Service]
) -> None:
    client = client_for(coordinator)
    first, second = twins
    answer = client.post(
        f"{QUEUE}services/not-the-same/", {"left": str(second.pk), "right": str(first.pk)}
    )
    assert answer.status_code == 302
    decision = NotTheSame.objects.get()
    assert decision.kind == DuplicateKind.SERVICES
    assert decision.decided_by == coordinator
    page = client.get(QUEUE).content.decode()
    assert 'name="keep"' not in page
    # A later search that proposes the pair again does not bring it back.
    stored_run(run.region, services=list(twins))
    assert 'name="keep"' not in client.get(QUEUE).content.decode()


def test_merging_from_the_queue_asks_first_then_merges_and_can_be_undone(
    client_for: Clients, coordinator: User, run: LinkageRun, twins: tuple[Service, Service]
) -> None:
    client = client_for(coordinator)
    first, second = twins
    choice = {"keep": str(first.pk), "record": [str(first.pk), str(second.pk)]}

    confirm = client.get(f"{QUEUE}services/merge/", choice)
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "“Sprachcafé am Markt” stays" in text
    assert "phone numbers: 1" in text
    assert not Merge.objects.exists()  # the preview changed nothing
    assert Phone.objects.get().service_id == second.pk

    done = client.post(f"{QUEUE}services/merge/", choice)
    assert done.status_code == 302
    second.refresh_from_db()
    assert second.review_state == ReviewState.ARCHIVED
    assert Phone.objects.get().service_id == first.pk
    assert "Sprachcafe am Markt" not in client.get(QUEUE).content.decode()

    merge = Merge.objects.get()
    merges = client.get(f"{QUEUE}merges/").content.decode()
    assert "Sprachcafe am Markt" in merges
    assert f"/merges/{merge.pk}/undo/" in merges

    assert client.post(f"{QUEUE}merges/{merge.pk}/undo/").status_code == 302
    second.refresh_from_db()
    assert second.review_state == ReviewState.PUBLISHED
    assert Phone.objects.get().service_id == second.pk
    again = client.post(f"{QUEUE}merges/{merge.pk}/undo/", follow=True).content.decode()
    assert "already undone" in again
    assert "Sprachcafe am Markt" in client.get(QUEUE).content.decode()  # proposed again


def test_merging_organisations_from_the_queue(
    client_for: Clients, coordinator: User, region: Region
) -> None:
    kept = OrganizationFactory(region=region, name="Caritasverband Kleve")
    merged = OrganizationFactory(region=region, name="Caritas Kleve")
    offer = ServiceFactory(organization=merged)
    stored_run(region, organizations=[kept, merged])
    client = client_for(coordinator)
    assert "Caritas Kleve" in client.get(QUEUE).content.decode()
    choice = {"keep": str(kept.pk), "record": [str(kept.pk), str(merged.pk)]}
    assert client.post(f"{QUEUE}organizations/merge/", choice).status_code == 302
    offer.refresh_from_db()
    assert offer.organization_id == kept.pk
    assert not Organization.objects.filter(pk=merged.pk).exists()
    assert "Caritas Kleve<" not in client.get(QUEUE).content.decode()


def test_merging_without_choosing_the_record_to_keep_is_refused(
    client_for: Clients, coordinator: User, twins: tuple[Service, Service]
) -> None:
    first, second = twins
    answer = client_for(coordinator).post(
        f"{QUEUE}services/merge/", {"record": [str(first.pk), str(second.pk)]}, follow=True
    )
    assert "Choose the record to keep" in answer.content.decode()
    assert not Merge.objects.exists()


def test_search_again_runs_the_linkage_and_stores_its_clusters(
    client_for: Clients,
    coordinator: User,
    region: Region,
    twins: tuple[Service, Service],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first, second = twins
    left, right = sorted([str(first.pk), str(second.pk)])

    def stand_in(
        region: Region | None = None, *, not_the_same: Collection[tuple[str, str]] = (), **_: Any
    ) -> LinkageResult:
        evidence = PairEvidence(left, right, 0.95, {"name": "exact"})
        return LinkageResult([Cluster([left, right], [evidence])], [], {"services": 1})

    monkeypatch.setattr(linkage, "find_duplicates", stand_in)
    client = client_for(coordinator)
    assert "no search for duplicates" in client.get(QUEUE).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"{QUEUE}search/")
    assert answer.status_code == 302
    run = LinkageRun.objects.get()
    assert run.state == RunState.DONE
    assert run.started_by == coordinator
    assert run.services[0]["ids"] == [left, right]
    assert "Sprachcafé am Markt" in client.get(QUEUE).content.decode()


def test_a_failed_search_is_reported_on_the_queue(
    client_for: Clients,
    coordinator: User,
    run: LinkageRun,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> LinkageResult:
        raise RuntimeError("no trained model")

    monkeypatch.setattr(linkage, "find_duplicates", broken)
    client = client_for(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{QUEUE}search/")
    failed = LinkageRun.objects.get(state=RunState.FAILED)
    assert "no trained model" in failed.error
    page = client.get(QUEUE).content.decode()
    assert "failed" in page
    assert "Sprachcafé am Markt" in page  # the clusters of the last good search stay
