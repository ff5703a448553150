"""Demo accounts for every role, for `make demo` (refused in production)."""

import base64
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from kinetz.accounts.models import User
from kinetz.accounts.roles import Role
from kinetz.network.models import Organization
from kinetz.territory.models import Region

DEMO_PASSWORD = "kinetz-demo-2026"  # noqa: S105 (printed for the demo; refused in production)
DEMO_DOMAIN = "kleve.kinetz.example"
DEMO_PROVIDER = "Volkshochschule Kleve"  # a fictional organisation of the demo catalogue

DEMO_USERS = [
    ("koordination", "Kim Koordination", Role.COORDINATOR),
    ("beratung", "Bahar Beratung", Role.COUNSELLOR),
    ("leitung", "Lena Leitung", Role.REGION_ADMIN),
    ("traeger", "Tarek Träger", Role.PROVIDER_EDITOR),
    ("schule", "Sina Schulbüro", Role.SCHOOL_OFFICE),
    ("rat", "Ralf Rat", Role.COUNCIL_VIEWER),
]


@dataclass
class DemoAccount:
    email: str
    role: str
    totp_secret: str | None


def demo_totp_key(email: str) -> bytes:
    # Derived from the e-mail so that every `make demo` prints the same secret.
    return email.encode().ljust(20, b"0")[:20]


@transaction.atomic
def create_demo_users(region: Region) -> list[DemoAccount]:
    if settings.PRODUCTION:
        raise RuntimeError("Demo accounts are never created in production.")
    accounts = []
    for local, name, role in DEMO_USERS:
        email = f"{local}@{DEMO_DOMAIN}"
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={"full_name": name, "role": role, "region": region, "is_active": True},
        )
        if role == Role.PROVIDER_EDITOR:
            user.organization = (
                Organization.objects.in_region(region).filter(name=DEMO_PROVIDER).first()
            )
        user.set_password(DEMO_PASSWORD)
        user.save()
        secret = None
        if user.needs_two_factor:
            key = demo_totp_key(email)
            TOTPDevice.objects.filter(user=user).delete()
            TOTPDevice.objects.create(user=user, name="Demo", key=key.hex(), confirmed=True)
            secret = base64.b32encode(key).decode()
        label = str(Role(role).label)
        if user.organization:
            label += f" ({user.organization.name})"
        accounts.append(DemoAccount(email=email, role=label, totp_secret=secret))
    return accounts
