"""factory_boy factories for the models the tests build."""

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from kinetz.accounts.models import User
from kinetz.network.models import (
    Contact,
    Cooperation,
    Meeting,
    Organization,
    WorkingGroup,
    WorkingGroupMembership,
)
from kinetz.offers.models import ReviewState, Service, Taxonomy, TaxonomyTerm
from kinetz.territory.models import Municipality, Region

PASSWORD = "correct-horse-battery"


class RegionFactory(factory.django.DjangoModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ("ags",)

    ags = factory.Sequence(lambda n: f"{9000 + n:05d}")
    name = factory.Sequence(lambda n: f"Kreis {n}")
    slug = factory.Sequence(lambda n: f"kreis-{n}")


class MunicipalityFactory(factory.django.DjangoModelFactory[Municipality]):
    class Meta:
        model = Municipality

    region = factory.SubFactory(RegionFactory)
    ags = factory.Sequence(lambda n: f"{90000000 + n:08d}")
    name = factory.Sequence(lambda n: f"Gemeinde {n}")
    slug = factory.Sequence(lambda n: f"gemeinde-{n}")
    population = 10000
    boundary = factory.LazyFunction(
        lambda: {
            "type": "Polygon",
            "coordinates": [[[6.1, 51.6], [6.2, 51.6], [6.2, 51.7], [6.1, 51.7], [6.1, 51.6]]],
        }
    )


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name", locale="de_DE")
    region = factory.SubFactory(RegionFactory)

    @factory.post_generation
    def password(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()


class TOTPDeviceFactory(factory.django.DjangoModelFactory[TOTPDevice]):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "phone"
    confirmed = True


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Träger {n}")
    description = "Ein Träger der Integrationsarbeit."


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service

    organization = factory.SubFactory(OrganizationFactory)
    region = factory.SelfAttribute("organization.region")
    name = factory.Sequence(lambda n: f"Sprachcafé {n}")
    description = "Deutsch üben im Gespräch, ohne Anmeldung."
    review_state = ReviewState.PUBLISHED


class TaxonomyFactory(factory.django.DjangoModelFactory[Taxonomy]):
    class Meta:
        model = Taxonomy
        django_get_or_create = ("vocabulary",)

    vocabulary = "handlungsfeld"
    name = "Handlungsfeld"
    description = "Fields of action of integration work."


class TaxonomyTermFactory(factory.django.DjangoModelFactory[TaxonomyTerm]):
    class Meta:
        model = TaxonomyTerm

    taxonomy = factory.SubFactory(TaxonomyFactory)
    code = factory.Sequence(lambda n: f"feld-{n}")
    name = factory.Sequence(lambda n: f"Feld {n}")
    description = ""


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Faker("name", locale="de_DE")
    email = factory.Sequence(lambda n: f"kontakt{n}@example.org")


class WorkingGroupFactory(factory.django.DjangoModelFactory[WorkingGroup]):
    class Meta:
        model = WorkingGroup

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Arbeitskreis {n}")
    description = "Abstimmung der Angebote."


class WorkingGroupMembershipFactory(factory.django.DjangoModelFactory[WorkingGroupMembership]):
    class Meta:
        model = WorkingGroupMembership

    group = factory.SubFactory(WorkingGroupFactory)
    organization = factory.SubFactory(
        OrganizationFactory, region=factory.SelfAttribute("..group.region")
    )


class MeetingFactory(factory.django.DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    group = factory.SubFactory(WorkingGroupFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    place = "Kreishaus"


class CooperationFactory(factory.django.DjangoModelFactory[Cooperation]):
    class Meta:
        model = Cooperation

    region = factory.SubFactory(RegionFactory)
    organization_a = factory.SubFactory(
        OrganizationFactory, region=factory.SelfAttribute("..region")
    )
    organization_b = factory.SubFactory(
        OrganizationFactory, region=factory.SelfAttribute("..region")
    )
