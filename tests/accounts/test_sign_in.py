"""Sign-in: password, second factor for counsellors and region admins, lock-out, reset."""

from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from kinetz.accounts.models import User
from kinetz.accounts.roles import Role
from tests.factories import PASSWORD, UserFactory


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def sign_in(client: Client, email: str, password: str = PASSWORD) -> object:
    return client.post("/accounts/login/", {"email": email, "password": password})


def test_coordinator_signs_in_with_password(client: Client, coordinator: User) -> None:
    response = sign_in(client, coordinator.email)
    assert response.status_code == 302
    assert client.get("/staff/municipalities/").status_code == 200


def test_email_is_not_case_sensitive(client: Client, coordinator: User) -> None:
    sign_in(client, coordinator.email.upper())
    assert client.get("/overview/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client: Client, coordinator: User) -> None:
    response = sign_in(client, coordinator.email, "wrong-password")
    assert response.status_code == 200
    assert "nicht korrekt" in response.content.decode()
    assert client.get("/staff/municipalities/").status_code == 302


def test_counsellor_cannot_sign_in_without_the_second_factor(
    client: Client, counsellor: User
) -> None:
    response = sign_in(client, counsellor.email)
    assert response["Location"] == "/accounts/login/code/"
    # The password alone gives no access to anything.
    assert client.get("/overview/").status_code == 302
    assert client.get("/staff/municipalities/").status_code == 302
    wrong = client.post("/accounts/login/code/", {"code": "000000"})
    assert wrong.status_code == 200
    assert client.get("/staff/municipalities/").status_code == 302


def test_counsellor_signs_in_with_password_and_code(client: Client, counsellor: User) -> None:
    sign_in(client, counsellor.email)
    device = counsellor.totpdevice_set.get()
    response = client.post("/accounts/login/code/", {"code": current_code(device)})
    assert response.status_code == 302
    assert client.get("/staff/municipalities/").status_code == 200


def test_too_many_wrong_codes_end_the_sign_in(client: Client, counsellor: User) -> None:
    sign_in(client, counsellor.email)
    for _ in range(5):
        client.post("/accounts/login/code/", {"code": "123456"})
    device = counsellor.totpdevice_set.get()
    device.throttle_reset()
    response = client.post("/accounts/login/code/", {"code": current_code(device)})
    assert response["Location"] == "/accounts/login/"
    assert client.get("/staff/municipalities/").status_code == 302


def test_region_admin_without_device_must_set_one_up(client: Client, region: object) -> None:
    admin = UserFactory(role=Role.REGION_ADMIN, region=region)
    response = sign_in(client, admin.email)
    assert response["Location"] == "/accounts/login/two-factor-setup/"
    page = client.get("/accounts/login/two-factor-setup/")
    assert b"<svg" in page.content
    assert client.get("/accounts/users/").status_code == 302

    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    client.post("/accounts/login/two-factor-setup/", {"code": current_code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/accounts/users/").status_code == 200


def test_a_session_without_second_factor_is_refused_for_2fa_roles(
    counsellor: User,
) -> None:
    client = Client()
    client.force_login(counsellor)  # password-level session only, no OTP device verified
    assert client.get("/staff/municipalities/").status_code == 403


def test_ten_wrong_passwords_lock_the_account(client: Client, coordinator: User) -> None:
    for _ in range(10):
        sign_in(client, coordinator.email, "wrong-password")
    response = sign_in(client, coordinator.email)  # now even the right password
    assert response.status_code == 429
    assert "gesperrt" in response.content.decode()
    assert client.get("/staff/municipalities/").status_code == 302
    # Other accounts are not locked by one person's typos.
    other = UserFactory(role=Role.COORDINATOR, region=coordinator.region)
    assert sign_in(Client(), other.email).status_code == 302


def test_nine_wrong_passwords_do_not_lock_the_account(client: Client, coordinator: User) -> None:
    for _ in range(9):
        sign_in(client, coordinator.email, "wrong-password")
    assert sign_in(client, coordinator.email).status_code == 302


def test_password_reset_sends_a_link_that_sets_a_new_password(
    client: Client, coordinator: User
) -> None:
    client.post("/accounts/password-reset/", {"email": coordinator.email})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-long-password-42", "new_password2": "a-new-long-password-42"},
    )
    coordinator.refresh_from_db()
    assert coordinator.check_password("a-new-long-password-42")


def test_password_reset_does_not_reveal_unknown_addresses(client: Client, db: None) -> None:
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_sign_out_needs_post(client_for: Callable[[User], Client], coordinator: User) -> None:
    client = client_for(coordinator)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get("/overview/").status_code == 302


def test_next_parameter_cannot_send_users_elsewhere(client: Client, coordinator: User) -> None:
    response = client.post(
        "/accounts/login/",
        {"email": coordinator.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/overview/"


@pytest.mark.django_db
def test_inactive_user_cannot_sign_in(client: Client, coordinator: User) -> None:
    coordinator.is_active = False
    coordinator.save()
    assert sign_in(client, coordinator.email).status_code == 200


def test_admin_site_requires_a_verified_operator(
    client_for: Callable[[User], Client], db: None
) -> None:
    operator = UserFactory(is_staff=True, is_superuser=True, region=None)
    unverified = Client()
    unverified.force_login(operator)
    response = unverified.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")

    TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)
    assert client_for(operator).get("/admin/").status_code == 200
