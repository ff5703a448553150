"""Second factor (TOTP) for sign-in: pending sign-ins, device set-up, code checks.

After the password is right, a user who has (or must have) a TOTP device is not signed in yet:
their id waits in the session for a few minutes until the code is checked.
"""

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as django_login
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

if TYPE_CHECKING:
    from kinetz.accounts.models import User

PENDING_KEY = "kinetz_pending_sign_in"
PENDING_SECONDS = 300
MAX_CODE_ATTEMPTS = 5


@dataclass
class PendingSignIn:
    user: "User"
    next_url: str
    attempts: int


def confirmed_device(user: "User") -> TOTPDevice | None:
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device


def needs_code(user: "User") -> bool:
    """A code is asked of 2FA roles and of anyone who set up a device."""
    return user.needs_two_factor or confirmed_device(user) is not None


def start_pending(request: HttpRequest, user: "User", next_url: str) -> None:
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": str(user.pk),
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "next": next_url,
        "since": time.time(),
        "attempts": 0,
    }


def get_pending(request: HttpRequest) -> PendingSignIn | None:
    data = request.session.get(PENDING_KEY)
    if not data or time.time() - data["since"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None
    return PendingSignIn(user=user, next_url=data["next"], attempts=data["attempts"])


def record_failed_code(request: HttpRequest) -> bool:
    """Count a wrong code; True when the pending sign-in was dropped (too many tries)."""
    data = request.session.get(PENDING_KEY)
    if not data:
        return True
    data["attempts"] += 1
    if data["attempts"] >= MAX_CODE_ATTEMPTS:
        request.session.pop(PENDING_KEY, None)
        return True
    request.session[PENDING_KEY] = data
    return False


def unconfirmed_device(user: "User") -> TOTPDevice:
    """The device being set up (created on first visit, kept across reloads)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "Authenticator"}
    )
    return device


def provisioning_svg(device: TOTPDevice) -> str:
    """QR code of the otpauth:// URL as inline SVG (no image request, no inline script)."""
    qr = segno.make(device.config_url, error="m")
    svg: str = qr.svg_inline(scale=4, title="otpauth QR code")
    return svg


def base32_secret(device: TOTPDevice) -> str:
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def verify(device: TOTPDevice, code: str) -> bool:
    code = "".join(code.split())
    return bool(code.isdigit() and device.verify_token(code))


def complete_sign_in(request: HttpRequest, device: TOTPDevice | None) -> str:
    data = request.session.pop(PENDING_KEY)
    user = get_user_model().objects.get(pk=data["user"])
    django_login(request, user, backend=data["backend"])
    if device is not None:
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        otp_login(request, device)
    return str(data["next"])
