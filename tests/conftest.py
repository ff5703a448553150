"""The fixed cast of users, one per role, in the region 'kleve'; plus one outsider region."""

from collections.abc import Callable

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from kinetz.accounts.models import User
from kinetz.accounts.roles import Role
from kinetz.territory.models import Region
from tests.factories import RegionFactory, TOTPDeviceFactory, UserFactory


@pytest.fixture
def region(db: None) -> Region:
    return RegionFactory(ags="05154", name="Kreis Kleve", slug="kleve")


@pytest.fixture
def other_region(db: None) -> Region:
    return RegionFactory(ags="05170", name="Kreis Wesel", slug="wesel")


def _user(region: Region, role: Role, email: str) -> User:
    user = UserFactory(email=email, role=role, region=region)
    if user.needs_two_factor:
        TOTPDeviceFactory(user=user)
    return user


@pytest.fixture
def coordinator(region: Region) -> User:
    return _user(region, Role.COORDINATOR, "koordination@kleve.example.org")


@pytest.fixture
def counsellor(region: Region) -> User:
    return _user(region, Role.COUNSELLOR, "beratung@kleve.example.org")


@pytest.fixture
def region_admin(region: Region) -> User:
    return _user(region, Role.REGION_ADMIN, "leitung@kleve.example.org")


@pytest.fixture
def provider_editor(region: Region) -> User:
    return _user(region, Role.PROVIDER_EDITOR, "traeger@kleve.example.org")


@pytest.fixture
def school_office(region: Region) -> User:
    return _user(region, Role.SCHOOL_OFFICE, "schule@kleve.example.org")


@pytest.fixture
def council_viewer(region: Region) -> User:
    return _user(region, Role.COUNCIL_VIEWER, "rat@kleve.example.org")


@pytest.fixture
def outside_coordinator(other_region: Region) -> User:
    return _user(other_region, Role.COORDINATOR, "koordination@wesel.example.org")


def signed_in_client(user: User) -> Client:
    """A client signed in as `user`, second factor included where the user has a device."""
    client = Client()
    client.force_login(user)
    device = user.totpdevice_set.filter(confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    return signed_in_client
