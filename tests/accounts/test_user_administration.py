from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from kinetz.accounts.models import User
from kinetz.accounts.roles import Role
from kinetz.core.models import AuditEntry


def test_region_admin_lists_users_of_their_region_only(
    client_for: Callable[[User], Client],
    region_admin: User,
    coordinator: User,
    outside_coordinator: User,
) -> None:
    content = client_for(region_admin).get("/accounts/users/").content.decode()
    assert coordinator.email in content
    assert outside_coordinator.email not in content


def test_region_admin_invites_a_user_into_their_region(
    client_for: Callable[[User], Client],
    region_admin: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(region_admin).post(
            "/accounts/users/new/",
            {
                "email": "Neu@Kleve.example.org",
                "full_name": "Nora Neu",
                "role": Role.PROVIDER_EDITOR,
                "preferred_language": "tr",
                "is_active": "on",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="neu@kleve.example.org")
    assert user.region == region_admin.region
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["neu@kleve.example.org"]
    assert AuditEntry.objects.filter(action="user.invited", target_id=str(user.pk)).exists()


def test_region_admin_cannot_edit_users_of_another_region(
    client_for: Callable[[User], Client], region_admin: User, outside_coordinator: User
) -> None:
    response = client_for(region_admin).get(f"/accounts/users/{outside_coordinator.pk}/")
    assert response.status_code == 404


def test_region_admin_cannot_demote_themselves(
    client_for: Callable[[User], Client], region_admin: User
) -> None:
    response = client_for(region_admin).post(
        f"/accounts/users/{region_admin.pk}/",
        {
            "email": region_admin.email,
            "full_name": "x",
            "role": Role.COORDINATOR,
            "preferred_language": "de",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    region_admin.refresh_from_db()
    assert region_admin.role == Role.REGION_ADMIN


def test_duplicate_email_is_refused_with_a_message(
    client_for: Callable[[User], Client], region_admin: User, coordinator: User
) -> None:
    response = client_for(region_admin).post(
        "/accounts/users/new/",
        {"email": coordinator.email, "role": Role.COORDINATOR, "preferred_language": "de"},
    )
    assert response.status_code == 200
    assert User.objects.filter(email=coordinator.email).count() == 1


def test_coordinator_cannot_manage_users(
    client_for: Callable[[User], Client], coordinator: User
) -> None:
    assert client_for(coordinator).get("/accounts/users/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_invitation_is_sent_by_the_database_worker(
    region_admin: User, region: object, settings: object
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # type: ignore[attr-defined]
    from kinetz.accounts.administration import invite_user

    invite_user(region_admin, region, User(email="queued@example.org", role=Role.COORDINATOR))  # type: ignore[arg-type]
    assert mail.outbox == []  # queued, not sent in the request
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert [m.to for m in mail.outbox] == [["queued@example.org"]]
