"""The fixed cast of users, one per role, in the region 'kleve'; plus one outsider region."""

from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
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
    """Signed-in clients that see the pages in English, the msgids: assertions on page text
    then test the page, not the state of a translation. (German, the default, and the other
    languages are tested in tests/core/test_languages.py and the browser tests.)"""

    def make(user: User) -> Client:
        client = signed_in_client(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def client_en(client_for: Callable[[User], Client]) -> Callable[[User], Client]:
    return client_for


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """Messages of domain code called directly in a test come in English too."""
    with translation.override("en"):
        yield
