"""Fixtures of the self-service, review and freshness tests (kinetz.offers.review etc.).

A test module's own fixture of the same name wins over these.
"""

import pytest

from kinetz.accounts.models import User
from kinetz.network.models import Organization
from kinetz.offers.models import (
    Schedule,
    Service,
    ServiceAttribute,
    ServiceLanguage,
    TaxonomyTerm,
    Vocabulary,
)
from kinetz.territory.models import Municipality, Region
from tests.factories import (
    MunicipalityFactory,
    OrganizationFactory,
    ServiceFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)


@pytest.fixture
def vhs(region: Region) -> Organization:
    return OrganizationFactory(region=region, name="Volkshochschule Kleve")


@pytest.fixture
def caritas(region: Region) -> Organization:
    return OrganizationFactory(region=region, name="Caritasverband Kleve")


@pytest.fixture
def editor(provider_editor: User, vhs: Organization) -> User:
    """The provider editor of the fixed cast, editing for the VHS."""
    provider_editor.organization = vhs
    provider_editor.save()
    return provider_editor


@pytest.fixture
def kleve_town(region: Region) -> Municipality:
    return MunicipalityFactory(
        region=region, name="Kleve", ags="05154036", centroid_lat=51.65, centroid_lon=6.15
    )


@pytest.fixture
def terms(db: None) -> dict[str, TaxonomyTerm]:
    fields = TaxonomyFactory(vocabulary=Vocabulary.HANDLUNGSFELD, name="Handlungsfeld")
    groups = TaxonomyFactory(vocabulary=Vocabulary.ZIELGRUPPE, name="Zielgruppe")
    return {
        "sprache": TaxonomyTermFactory(taxonomy=fields, code="hf-sprache", name="Sprache"),
        "arbeit": TaxonomyTermFactory(taxonomy=fields, code="hf-arbeit", name="Arbeit"),
        "frauen": TaxonomyTermFactory(taxonomy=groups, code="zg-frauen", name="Frauen"),
    }


@pytest.fixture
def published_offer(vhs: Organization, terms: dict[str, TaxonomyTerm]) -> Service:
    """A published offer as an import leaves it: terms, language, costs, one weekly time."""
    service = ServiceFactory(
        organization=vhs,
        name="Sprachcafé Kleve",
        description="Deutsch üben im Gespräch.",
        fees_description="Kostenlos, ohne Anmeldung.",
    )
    ServiceAttribute.objects.create(
        service=service, taxonomy_term=terms["sprache"], link_type=Vocabulary.HANDLUNGSFELD
    )
    ServiceLanguage.objects.create(service=service, code="de", name="Deutsch")
    Schedule.objects.create(
        service=service, freq="WEEKLY", byday="TU", opens_at="15:00", closes_at="17:00"
    )
    return service
